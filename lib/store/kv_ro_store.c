/*
 * lib/store/kv_ro_store.c - a read-only key-value store that is the head
 * of branch "main" of a versioned store (atoll/store.h) on a block device:
 *
 *     device kv_ro site store        # --block:site=IMAGE
 *
 * A website deployed this way is a commit (`atoll store import IMAGE
 * DIR`), and a rollback is a revert (`atoll store revert IMAGE COMMIT`);
 * the appliance serves the commit that was the head when it started.
 *
 * At open, every value of that commit is read into memory and hashed,
 * and the whole is handed to the baked implementation (baked.c), whose
 * table it then is: lookups, listings and reads cost what they cost for
 * files in the image, and the block device is not read again.  The site
 * must fit in memory (--mem), as it would in the image; the copy lives as
 * long as the unikernel (closing the kv_ro releases the baked state only).
 */
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/kv_ro.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/sha256.h"
#include "atoll/store.h"

ATOLL_LOG_SOURCE(log_kvs, "kv_ro");

struct collect {
    struct atoll_store *s;
    const char *rev;
    struct atoll_kv_ro_file *files;
    size_t n, cap;
    char prefix[ATOLL_KV_RO_KEY_MAX + 1];
    int err;
};

static int add(struct collect *c, const char *key, bool dir)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        if (cap > ATOLL_KV_RO_TAR_ENTRIES_MAX)
            return -ATOLL_E2BIG;
        struct atoll_kv_ro_file *f =
            atoll_realloc(c->files, cap * sizeof *c->files);
        if (!f)
            return -ATOLL_ENOMEM;
        c->files = f;
        c->cap = cap;
    }
    struct atoll_kv_ro_file *f = &c->files[c->n];
    memset(f, 0, sizeof *f);
    size_t kl = strlen(key);
    char *name = atoll_malloc(kl + 1);
    if (!name)
        return -ATOLL_ENOMEM;
    memcpy(name, key, kl + 1);
    f->name = name;
    f->dir = dir;
    c->n++;
    if (dir)
        return 0;
    void *v;
    size_t len;
    int rc = atoll_store_get(c->s, c->rev, key, &v, &len);
    if (rc < 0)
        return rc;
    f->data = v;
    f->size = len;
    atoll_sha256(v, len, f->digest);
    return 0;
}

static void walk(struct collect *c);

static int entry(const char *name, bool is_dir, void *arg)
{
    struct collect *c = arg;
    size_t pl = strlen(c->prefix), nl = strlen(name);
    if (pl + 1 + nl > ATOLL_KV_RO_KEY_MAX)
        return -ATOLL_E2BIG;
    char *end = c->prefix + pl;
    if (pl)
        *end++ = '/';
    memcpy(end, name, nl + 1);
    int rc = add(c, c->prefix, is_dir);
    if (rc == 0 && is_dir)
        walk(c);
    c->prefix[pl] = 0;
    return rc ? rc : c->err;
}

static void walk(struct collect *c)
{
    int rc = atoll_store_list(c->s, c->rev, c->prefix, entry, c);
    if (rc < 0 && !c->err)
        c->err = rc;
}

static int by_key(const void *a, const void *b)
{
    return atoll_kv_ro_cmp(((const struct atoll_kv_ro_file *)a)->name,
                           ((const struct atoll_kv_ro_file *)b)->name);
}

static void free_files(struct atoll_kv_ro_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        atoll_free((void *)f[i].name);
        atoll_free((void *)f[i].data);
    }
    atoll_free(f);
}

int atoll_kv_ro_open_store(const char *name, struct atoll_kv_ro **out)
{
    struct atoll_block *blk;
    int rc = atoll_block_open_default(name, &blk);
    if (rc < 0)
        return rc;
    struct atoll_store_backend *be;
    struct atoll_store *s;
    char why[160] = "";
    rc = atoll_store_block_backend(blk, ATOLL_STORE_READONLY, &be, why,
                                   sizeof why);
    if (rc == 0 && (rc = atoll_store_open(be, NULL, &s)) < 0)
        be->ops->close(be->state);
    if (rc < 0) {
        ATOLL_ERROR(&log_kvs, "device '%s': not a store: %s", name,
                    why[0] ? why : atoll_strerror(rc));
        return rc;
    }
    atoll_store_id head;
    char hex[ATOLL_STORE_HEX_LEN + 1];
    rc = atoll_store_resolve(s, "main", &head);
    if (rc < 0) {
        ATOLL_ERROR(&log_kvs, "device '%s': no branch main: %s", name,
                    atoll_strerror(rc));
        atoll_store_close(s);
        return rc;
    }
    atoll_store_id_hex(&head, hex);
    struct collect c = {.s = s, .rev = hex};
    walk(&c);
    atoll_store_close(s);
    struct atoll_kv_ro_files *table = atoll_malloc(sizeof *table);
    rc = c.err ? c.err : table ? 0 : -ATOLL_ENOMEM;
    if (rc == 0) {
        qsort(c.files, c.n, sizeof *c.files, by_key);
        *table = (struct atoll_kv_ro_files){name, c.files, c.n};
        rc = atoll_kv_ro_open_baked(name, table, out);
    }
    if (rc < 0) {
        ATOLL_ERROR(&log_kvs, "device '%s': %s", name, atoll_strerror(rc));
        free_files(c.files, c.n);
        atoll_free(table);
        return rc;
    }
    ATOLL_INFO(&log_kvs, "device '%s': main at %.12s, %zu entries", name, hex,
               c.n);
    return 0;
}
