/*
 * lib/store/backend_mem.c - the memory backend of the versioned store:
 * objects in a hash map, refs in a sorted array.  Nothing is durable; a
 * commit only applies the ref updates.  Staged objects that an aborted
 * commit leaves behind are harmless (content-addressed, unreferenced).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "store_int.h"

struct mem_ref {
    char *name;
    atoll_store_id id;
};

struct mem_backend {
    struct atoll_store_backend be;
    struct store_idmap objs; /* val: pointer to the object bytes */
    struct mem_ref *refs;
    size_t nrefs;
};

static int mem_read(void *st, const atoll_store_id *id, uint8_t **obj,
                    size_t *len)
{
    struct mem_backend *m = st;
    struct store_idmap_slot *s = store_idmap_get(&m->objs, id);
    if (!s)
        return -ATOLL_ENOENT;
    uint8_t *p = atoll_malloc(s->len ? s->len : 1);
    if (!p)
        return -ATOLL_ENOMEM;
    memcpy(p, (const void *)(uintptr_t)s->val, s->len);
    *obj = p;
    *len = s->len;
    return 0;
}

static int mem_has(void *st, const atoll_store_id *id)
{
    struct mem_backend *m = st;
    return store_idmap_get(&m->objs, id) != NULL;
}

static int mem_write(void *st, const atoll_store_id *id, const void *obj,
                     size_t len)
{
    struct mem_backend *m = st;
    if (store_idmap_get(&m->objs, id))
        return 0;
    if (len > UINT32_MAX)
        return -ATOLL_EMSGSIZE;
    void *p = atoll_malloc(len ? len : 1);
    if (!p)
        return -ATOLL_ENOMEM;
    memcpy(p, obj, len);
    int rc =
        store_idmap_put(&m->objs, id, (uint64_t)(uintptr_t)p, (uint32_t)len);
    if (rc < 0)
        atoll_free(p);
    return rc;
}

static struct mem_ref *find_ref(struct mem_backend *m, const char *name,
                                size_t *pos)
{
    size_t lo = 0, hi = m->nrefs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->refs[mid].name, name);
        if (c == 0)
            return &m->refs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return NULL;
}

static int mem_ref_get(void *st, const char *name, atoll_store_id *id)
{
    struct mem_ref *r = find_ref(st, name, NULL);
    if (!r)
        return -ATOLL_ENOENT;
    *id = r->id;
    return 0;
}

static int mem_ref_list(void *st,
                        int (*fn)(const char *, const atoll_store_id *, void *),
                        void *arg)
{
    struct mem_backend *m = st;
    for (size_t i = 0; i < m->nrefs; i++) {
        int rc = fn(m->refs[i].name, &m->refs[i].id, arg);
        if (rc)
            return rc;
    }
    return (int)m->nrefs;
}

static int mem_commit(void *st, const struct atoll_store_ref_update *ups,
                      size_t n)
{
    struct mem_backend *m = st;
    /* Reserve first so that the updates apply all or nothing. */
    void *nr = atoll_realloc(m->refs, (m->nrefs + n + 1) * sizeof *m->refs);
    if (!nr)
        return -ATOLL_ENOMEM;
    m->refs = nr;
    for (size_t i = 0; i < n; i++) {
        size_t pos = 0;
        struct mem_ref *r = find_ref(m, ups[i].name, &pos);
        if (r && ups[i].id) {
            r->id = *ups[i].id;
        } else if (r) {
            atoll_free(r->name);
            size_t k = (size_t)(r - m->refs);
            memmove(r, r + 1, (m->nrefs - k - 1) * sizeof *r);
            m->nrefs--;
        } else if (ups[i].id) {
            char *name = atoll_strdup(ups[i].name);
            if (!name)
                return -ATOLL_ENOMEM;
            memmove(&m->refs[pos + 1], &m->refs[pos],
                    (m->nrefs - pos) * sizeof *m->refs);
            m->refs[pos].name = name;
            m->refs[pos].id = *ups[i].id;
            m->nrefs++;
        }
    }
    return 0;
}

static void mem_abort(void *st)
{
    (void)st;
}

static void mem_close(void *st)
{
    struct mem_backend *m = st;
    for (size_t i = 0; i < m->objs.cap; i++)
        if (m->objs.slots[i].used)
            atoll_free((void *)(uintptr_t)m->objs.slots[i].val);
    store_idmap_free(&m->objs);
    for (size_t i = 0; i < m->nrefs; i++)
        atoll_free(m->refs[i].name);
    atoll_free(m->refs);
    atoll_free(m);
}

static const struct atoll_store_backend_ops mem_ops = {
    .read = mem_read,
    .has = mem_has,
    .write = mem_write,
    .ref_get = mem_ref_get,
    .ref_list = mem_ref_list,
    .commit = mem_commit,
    .abort = mem_abort,
    .close = mem_close,
};

int atoll_store_mem_backend(struct atoll_store_backend **out)
{
    struct mem_backend *m = atoll_calloc(1, sizeof *m);
    if (!m)
        return -ATOLL_ENOMEM;
    m->be.ops = &mem_ops;
    m->be.state = m;
    *out = &m->be;
    return 0;
}
