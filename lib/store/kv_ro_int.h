/*
 * lib/store/kv_ro_int.h - what the read-only key-value stores share
 * (lib/store/kv_ro.c): a sorted index of entries and the lookups over it.
 *
 * Both implementations (baked.c: arrays in the image; tar.c: an archive on
 * a block device) reduce to the same thing: an array of entries sorted by
 * atoll_kv_ro_cmp, in which a directory's contents follow it contiguously.
 * get/size/list/digest are then a binary search plus a walk, written once
 * here; each implementation only says how to fetch a value's bytes.
 */
#ifndef ATOLL_STORE_KV_RO_INT_H
#define ATOLL_STORE_KV_RO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/kv_ro.h"

struct kv_ro_entry {
    const char *name;      /* full key, no leading or trailing '/' */
    uint64_t size;         /* value bytes (0 for a directory) */
    uint64_t where;        /* tar: byte offset of the value on the device */
    const uint8_t *data;   /* baked: the value's bytes */
    const uint8_t *digest; /* baked: SHA-256 computed at build time */
    uint32_t seq;          /* tar: position in the archive (later wins) */
    bool dir;
};

/* Find `key` (checked with atoll_kv_ro_check_key first).  Returns
 * ATOLL_KV_RO_VALUE with *idx set, ATOLL_KV_RO_DIR (explicit or implied by
 * the keys under it; *idx set to the entry if explicit, else n), or
 * -ATOLL_ENOENT / -ATOLL_EINVAL. */
int kv_ro_lookup(const struct kv_ro_entry *e, size_t n, const char *key,
                 size_t *idx);

/* The value entry of `key`, or the error: -ATOLL_EINVAL for a directory. */
int kv_ro_value(const struct kv_ro_entry *e, size_t n, const char *key,
                const struct kv_ro_entry **out);

/* list (atoll/kv_ro.h) over a sorted index. */
int kv_ro_list_index(const struct kv_ro_entry *e, size_t n, const char *dir,
                     atoll_kv_ro_list_fn fn, void *arg);

/* After sorting with ties in archive order: drop all but the last entry of
 * every name (calling `drop`, if not NULL, on each dropped one) and set *n
 * to the new count; then check that no value is also a directory.
 * Returns 0, or -ATOLL_EBADMSG with the offending name in *bad. */
int kv_ro_index_finish(struct kv_ro_entry *e, size_t *n,
                       void (*drop)(const struct kv_ro_entry *),
                       const char **bad);

/* qsort comparator: by name (atoll_kv_ro_cmp), then by seq. */
int kv_ro_entry_cmp(const void *a, const void *b);

/* How many bytes of a value of `size` bytes get copies from `offset` for a
 * buffer of `len` (clamped to INT_MAX). */
size_t kv_ro_span(uint64_t size, uint64_t offset, size_t len);

#endif
