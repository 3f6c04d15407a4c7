/*
 * atoll/kv_ro.h - read-only key-value stores: files an appliance reads.
 *
 * NAME
 *     struct atoll_kv_ro, atoll_kv_ro_get, atoll_kv_ro_size, atoll_kv_ro_map,
 *     atoll_kv_ro_list, atoll_kv_ro_digest, atoll_kv_ro_close,
 *     atoll_kv_ro_read_all
 *
 * DESCRIPTION
 *     A read-only key-value store maps keys to byte strings (values).  Keys
 *     are paths: components separated by '/', such as "tls/server.key".
 *     A key has no leading or trailing '/', no empty component, no "." or
 *     ".." component, no NUL, and is at most ATOLL_KV_RO_KEY_MAX bytes.
 *     Directories are the prefixes of keys (plus, in a tar archive or a
 *     baked folder, any empty directory it holds); "" is the root
 *     directory, which always exists.
 *
 *     The application is written against this interface; which
 *     implementation backs it is chosen in the manifest:
 *
 *         device kv_ro secrets baked     # files baked in at build time
 *         files secrets ./data           # ... from this host folder
 *
 *         device kv_ro secrets tar       # a tar archive on a block device
 *                                        # attached with --block:secrets=F
 *
 *     and `atoll configure --impl secrets=tar` switches one to the other
 *     without touching the code (docs/kv_ro.md).
 *
 *     get copies bytes of a value into the caller's buffer, starting at
 *     `offset`: a value of any size can be read in pieces with a fixed
 *     buffer, and nothing is allocated.  It returns the number of bytes
 *     copied, which is less than `len` only at the end of the value (0 at
 *     or past the end).  At most INT_MAX bytes are copied per call.
 *     atoll_kv_ro_read_all is the convenience on top: it allocates the
 *     whole value from the heap (atoll_malloc) with a NUL after it.
 *
 *     list calls `fn` once for every entry directly inside directory
 *     `dir`, in byte order of the names (each name is one component, the
 *     callback must copy it if it keeps it).  A non-zero return from `fn`
 *     stops the walk and is returned; otherwise list returns the number of
 *     entries.
 *
 *     digest gives the SHA-256 of a value's bytes (the same as
 *     `sha256sum FILE` on the host), so an application can check or
 *     compare content without reading it.  The baked store has it computed
 *     at build time; the tar store hashes the value on each call.
 *
 *     map, where a store offers it (the baked store does; others give
 *     -ATOLL_ENOTSUP), says where a value's bytes from `offset` on already
 *     are in memory, for as long as the store is open: *ptr and *len (0 at
 *     or past the end).  (The baked store's are the image's own bytes,
 *     there for the program's whole life.)  A web server sends them from there,
 * without copying them into a buffer of its own first.
 *
 *     Calls complete before they return (the tar store reads its block
 *     device, which never suspends); they take no deadline.
 *
 * RETURN VALUE
 *     get: bytes copied (>= 0); size, digest, map: 0; list: entries (>= 0) or
 *     the callback's non-zero value.  Errors: -ATOLL_ENOENT (no such key),
 *     -ATOLL_EINVAL (bad key; a directory given to get/size/digest; a value
 *     given to list), and the block device's errors for the tar store
 *     (-ATOLL_EIO, -ATOLL_EBUSY, ...).
 */
#ifndef ATOLL_KV_RO_H
#define ATOLL_KV_RO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/block.h"
#include "atoll/error.h"

/* Longest key, in bytes (without the NUL).  Also the longest name a tar
 * archive may carry (GNU long names and pax paths included). */
#ifndef ATOLL_KV_RO_KEY_MAX
#define ATOLL_KV_RO_KEY_MAX 1024
#endif

/* Most entries (files and directories) a tar store indexes; a larger
 * archive is refused at open, so a hostile one cannot exhaust memory. */
#ifndef ATOLL_KV_RO_TAR_ENTRIES_MAX
#define ATOLL_KV_RO_TAR_ENTRIES_MAX 65536
#endif

/* Most bytes of names a tar store keeps in its index, all entries
 * together. */
#ifndef ATOLL_KV_RO_TAR_NAMES_MAX
#define ATOLL_KV_RO_TAR_NAMES_MAX (4u << 20)
#endif

#define ATOLL_KV_RO_DIGEST_LEN 32 /* SHA-256 */

enum atoll_kv_ro_kind { ATOLL_KV_RO_VALUE = 1, ATOLL_KV_RO_DIR = 2 };

/* list's callback: `name` is one component, valid during the call. */
typedef int (*atoll_kv_ro_list_fn)(void *arg, const char *name,
                                   enum atoll_kv_ro_kind kind);

struct atoll_kv_ro_ops {
    int (*get)(void *state, const char *key, uint64_t offset, void *buf,
               size_t len);
    int (*size)(void *state, const char *key, uint64_t *out);
    int (*list)(void *state, const char *dir, atoll_kv_ro_list_fn fn,
                void *arg);
    int (*digest)(void *state, const char *key,
                  uint8_t out[ATOLL_KV_RO_DIGEST_LEN]);
    void (*close)(void *state);
    /* optional: NULL when the values are not in memory */
    int (*map)(void *state, const char *key, uint64_t offset, const void **ptr,
               size_t *len);
};

struct atoll_kv_ro {
    const struct atoll_kv_ro_ops *ops;
    void *state;
};

static inline int atoll_kv_ro_get(struct atoll_kv_ro *kv, const char *key,
                                  uint64_t offset, void *buf, size_t len)
{
    return kv->ops->get(kv->state, key, offset, buf, len);
}

static inline int atoll_kv_ro_size(struct atoll_kv_ro *kv, const char *key,
                                   uint64_t *out)
{
    return kv->ops->size(kv->state, key, out);
}

static inline int atoll_kv_ro_list(struct atoll_kv_ro *kv, const char *dir,
                                   atoll_kv_ro_list_fn fn, void *arg)
{
    return kv->ops->list(kv->state, dir, fn, arg);
}

static inline int atoll_kv_ro_digest(struct atoll_kv_ro *kv, const char *key,
                                     uint8_t out[ATOLL_KV_RO_DIGEST_LEN])
{
    return kv->ops->digest(kv->state, key, out);
}

static inline int atoll_kv_ro_map(struct atoll_kv_ro *kv, const char *key,
                                  uint64_t offset, const void **ptr,
                                  size_t *len)
{
    if (!kv->ops->map)
        return -ATOLL_ENOTSUP;
    return kv->ops->map(kv->state, key, offset, ptr, len);
}

/* Release the store and everything it allocated (not the block device
 * underneath, which the platform owns).  NULL is ignored. */
void atoll_kv_ro_close(struct atoll_kv_ro *kv);

/* The whole value of `key`, allocated with atoll_malloc and followed by a
 * NUL (not counted in *len), so text values can be used as C strings.
 * Free it with atoll_free.  0, or the errors above, -ATOLL_ENOMEM, or
 * -ATOLL_EOVERFLOW (the value does not fit in memory's size_t). */
int atoll_kv_ro_read_all(struct atoll_kv_ro *kv, const char *key, void **value,
                         size_t *len);

/* 0 if `key` is a well-formed key (see above), else -ATOLL_EINVAL.  ""
 * is well-formed only as a directory (allow_root). */
int atoll_kv_ro_check_key(const char *key, bool allow_root);

/*
 * The baked implementation.  `atoll build` turns the folder the manifest
 * names (files NAME DIR) into _build/atoll_files_NAME.c, which defines
 *
 *     const struct atoll_kv_ro_files atoll_files_NAME = {...};
 *
 * with every file and directory, sorted in the order atoll_kv_ro_cmp
 * defines, and the generated wiring passes it to the constructor:
 * atoll_kv_ro_open_baked("NAME", &atoll_files_NAME, &app.NAME).  Nothing
 * is copied: values are read where the image holds them.
 */
struct atoll_kv_ro_file {
    const char *name;    /* the key (a directory's path for a directory) */
    const uint8_t *data; /* NULL when size is 0 and for directories */
    uint64_t size;       /* bytes of data */
    bool dir;            /* a directory, not a value */
    uint8_t digest[ATOLL_KV_RO_DIGEST_LEN]; /* SHA-256 of data */
};

struct atoll_kv_ro_files {
    const char *name; /* the device name */
    const struct atoll_kv_ro_file *files;
    size_t count;
};

/* Returns 0, -ATOLL_EINVAL (a table not sorted or with a bad key: not one
 * `atoll build` wrote), -ATOLL_ENOMEM. */
int atoll_kv_ro_open_baked(const char *name,
                           const struct atoll_kv_ro_files *files,
                           struct atoll_kv_ro **out);

/*
 * The tar implementation: a POSIX ustar archive as GNU tar writes it
 * (`tar --format=ustar` or the default gnu format: prefix field, GNU long
 * names ('L'), pax path records ('x')), read from block device NAME
 * (attached with --block:NAME=FILE).  Regular files are values,
 * directories are directories; links, devices and fifos are skipped.  A
 * name given twice takes the later entry, as tar does when extracting.
 *
 * Open reads every header once and keeps an index (names, offsets and
 * sizes; not the contents).  Every header is checked: checksum, numeric
 * fields, names (bounded, terminated, well-formed keys), sizes within the
 * device, entry and name limits (ATOLL_KV_RO_TAR_*).  A bad archive is
 * refused with a message saying what and where; it never crashes and
 * never allocates more than the limits allow.
 *
 * atoll_kv_ro_open_tar returns 0, -ATOLL_ENODEV (not attached),
 * -ATOLL_EBADMSG (not a valid archive; the reason is logged), -ATOLL_E2BIG
 * (over a limit), -ATOLL_ENOMEM, or the device's read errors.
 * atoll_kv_ro_open_tar_block does the same on any block device and writes
 * the reason for a failure into `err` (errlen bytes, may be 0) instead of
 * logging it.
 */
int atoll_kv_ro_open_tar(const char *name, struct atoll_kv_ro **out);
int atoll_kv_ro_open_tar_block(struct atoll_block *blk,
                               struct atoll_kv_ro **out, char *err,
                               size_t errlen);

/*
 * The store implementation: the head of branch "main" of a versioned
 * store (atoll/store.h) on block device NAME, as it was at open, read
 * whole into memory and served like baked files (lib/store/kv_ro_store.c).
 * A deploy is a commit (`atoll store import IMAGE DIR`), a rollback a
 * revert.  The copy lives as long as the unikernel.  Returns 0,
 * -ATOLL_ENODEV, -ATOLL_ENOENT (no branch main), the store's errors
 * (-ATOLL_ECORRUPT, -ATOLL_EINVAL: not a store), -ATOLL_E2BIG, -ATOLL_ENOMEM.
 */
int atoll_kv_ro_open_store(const char *name, struct atoll_kv_ro **out);

/* The order of keys in a store: byte order, except that '/' sorts before
 * every other byte, so a directory's entries follow it contiguously
 * ("a", "a/x", "a-b").  <0, 0, >0 like strcmp. */
int atoll_kv_ro_cmp(const char *a, const char *b);

#endif
