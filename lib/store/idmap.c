/*
 * lib/store/idmap.c - an open-addressing hash map from object id to a
 * 64-bit value and a length: the block backend's index of where each
 * object's record lies in the log, and the memory backend's object table.
 *
 * Ids are SHA-256 digests, so their first bytes are already uniformly
 * distributed and serve as the hash.  Linear probing, grown at half load;
 * entries are never removed (the store is append-only).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "store_int.h"

static size_t slot_of(const atoll_store_id *id, size_t cap)
{
    uint64_t h;
    memcpy(&h, id->b, sizeof h);
    return (size_t)h & (cap - 1);
}

static int grow(struct store_idmap *m)
{
    size_t nc = m->cap ? m->cap * 2 : 64;
    struct store_idmap_slot *ns = atoll_calloc(nc, sizeof *ns);
    if (!ns)
        return -ATOLL_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].used)
            continue;
        size_t j = slot_of(&m->slots[i].id, nc);
        while (ns[j].used)
            j = (j + 1) & (nc - 1);
        ns[j] = m->slots[i];
    }
    atoll_free(m->slots);
    m->slots = ns;
    m->cap = nc;
    return 0;
}

struct store_idmap_slot *store_idmap_get(const struct store_idmap *m,
                                         const atoll_store_id *id)
{
    if (!m->cap)
        return NULL;
    for (size_t j = slot_of(id, m->cap);; j = (j + 1) & (m->cap - 1)) {
        if (!m->slots[j].used)
            return NULL;
        if (!memcmp(m->slots[j].id.b, id->b, sizeof id->b))
            return &m->slots[j];
    }
}

int store_idmap_put(struct store_idmap *m, const atoll_store_id *id,
                    uint64_t val, uint32_t len)
{
    struct store_idmap_slot *s = store_idmap_get(m, id);
    if (!s) {
        if ((m->n + 1) * 2 > m->cap) {
            int rc = grow(m);
            if (rc < 0)
                return rc;
        }
        size_t j = slot_of(id, m->cap);
        while (m->slots[j].used)
            j = (j + 1) & (m->cap - 1);
        s = &m->slots[j];
        s->id = *id;
        s->used = true;
        m->n++;
    }
    s->val = val;
    s->len = len;
    return 0;
}

int store_idmap_reserve(struct store_idmap *m, size_t n)
{
    while (n * 2 > m->cap) {
        int rc = grow(m);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void store_idmap_free(struct store_idmap *m)
{
    atoll_free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}
