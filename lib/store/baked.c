/*
 * lib/store/baked.c - the "baked" read-only key-value store: files that
 * `atoll build` compiled into the unikernel image (atoll/kv_ro.h).
 *
 * The tool writes the table (_build/atoll_files_NAME.c) already sorted and
 * with every digest computed, so opening only checks that the table is what
 * the tool writes (sorted, well-formed keys: a hand-edited or stale table
 * is refused rather than searched wrongly) and builds the shared index over
 * it.  Values are never copied: get reads the image's bytes.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "kv_ro_int.h"

struct baked {
    struct atoll_kv_ro kv;
    const char *name;
    struct kv_ro_entry *e;
    size_t n;
};

static int baked_get(void *state, const char *key, uint64_t offset, void *buf,
                     size_t len)
{
    struct baked *b = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(b->e, b->n, key, &e);
    if (rc < 0)
        return rc;
    size_t n = kv_ro_span(e->size, offset, len);
    if (n)
        memcpy(buf, e->data + offset, n);
    return (int)n;
}

static int baked_map(void *state, const char *key, uint64_t offset,
                     const void **ptr, size_t *len)
{
    struct baked *b = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(b->e, b->n, key, &e);
    if (rc < 0)
        return rc;
    *len = offset < e->size ? (size_t)(e->size - offset) : 0;
    *ptr = *len ? e->data + offset : e->data;
    return 0;
}

static int baked_size(void *state, const char *key, uint64_t *out)
{
    struct baked *b = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(b->e, b->n, key, &e);
    if (rc < 0)
        return rc;
    *out = e->size;
    return 0;
}

static int baked_list(void *state, const char *dir, atoll_kv_ro_list_fn fn,
                      void *arg)
{
    struct baked *b = state;
    return kv_ro_list_index(b->e, b->n, dir, fn, arg);
}

static int baked_digest(void *state, const char *key,
                        uint8_t out[ATOLL_KV_RO_DIGEST_LEN])
{
    struct baked *b = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(b->e, b->n, key, &e);
    if (rc < 0)
        return rc;
    memcpy(out, e->digest, ATOLL_KV_RO_DIGEST_LEN);
    return 0;
}

static void baked_close(void *state)
{
    struct baked *b = state;
    atoll_free(b->e);
    atoll_free(b);
}

static const struct atoll_kv_ro_ops baked_ops = {
    .get = baked_get,
    .size = baked_size,
    .list = baked_list,
    .digest = baked_digest,
    .close = baked_close,
    .map = baked_map,
};

int atoll_kv_ro_open_baked(const char *name,
                           const struct atoll_kv_ro_files *files,
                           struct atoll_kv_ro **out)
{
    if (!files || (files->count && !files->files))
        return -ATOLL_EINVAL;
    const struct atoll_kv_ro_file *f = files->files;
    for (size_t i = 0; i < files->count; i++) {
        if (atoll_kv_ro_check_key(f[i].name, false) < 0)
            return -ATOLL_EINVAL;
        if (i && atoll_kv_ro_cmp(f[i - 1].name, f[i].name) >= 0)
            return -ATOLL_EINVAL;
        if (!f[i].dir && f[i].size && !f[i].data)
            return -ATOLL_EINVAL;
    }
    struct baked *b = atoll_calloc(1, sizeof *b);
    if (!b)
        return -ATOLL_ENOMEM;
    if (files->count) {
        b->e = atoll_calloc(files->count, sizeof *b->e);
        if (!b->e) {
            atoll_free(b);
            return -ATOLL_ENOMEM;
        }
    }
    for (size_t i = 0; i < files->count; i++) {
        b->e[i].name = f[i].name;
        b->e[i].dir = f[i].dir;
        b->e[i].size = f[i].dir ? 0 : f[i].size;
        b->e[i].data = f[i].data;
        b->e[i].digest = f[i].digest;
        b->e[i].seq = (uint32_t)i;
    }
    b->n = files->count;
    const char *bad;
    size_t n = b->n;
    if (kv_ro_index_finish(b->e, &n, NULL, &bad) < 0 || n != b->n) {
        baked_close(b); /* a value that is also a directory */
        return -ATOLL_EINVAL;
    }
    b->name = name;
    b->kv.ops = &baked_ops;
    b->kv.state = b;
    *out = &b->kv;
    return 0;
}
