/*
 * lib/store/objcache.c - the block backend's object cache: verified,
 * framed objects by id, bounded in bytes, least recently used evicted
 * first.
 *
 * Why it is safe: objects are content-addressed and never change, so an
 * entry cannot go stale.  Only objects that were either read back and
 * verified (CRC and SHA-256) or made durable by a commit are put in;
 * nothing staged, so an aborted or failed commit leaves nothing behind.
 * The cache is an optimisation only: an allocation that fails while
 * filling it leaves it as it was, and the read or commit still succeeds.
 *
 * Layout: a chained hash table (the id's first bytes are the hash, as in
 * idmap.c) and a doubly linked recency list; each entry is one
 * allocation with its object bytes at the end.  The byte count covers the
 * entries with their bookkeeping and the bucket array, so `limit` bounds
 * the heap the cache holds.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/invariant.h"
#include "atoll/mem.h"
#include "store_int.h"

struct store_cache_ent {
    struct store_cache_ent *hnext;         /* bucket chain */
    struct store_cache_ent *newer, *older; /* recency list */
    atoll_store_id id;
    uint32_t len;
    uint8_t obj[];
};

static size_t ent_bytes(size_t len)
{
    return sizeof(struct store_cache_ent) + len;
}

static size_t bucket_of(const atoll_store_id *id, size_t nbuckets)
{
    uint64_t h;
    memcpy(&h, id->b, sizeof h);
    return (size_t)h & (nbuckets - 1);
}

void store_cache_init(struct store_cache *c, size_t limit)
{
    memset(c, 0, sizeof *c);
    c->limit = limit;
}

static struct store_cache_ent **find(struct store_cache *c,
                                     const atoll_store_id *id)
{
    if (!c->nbuckets)
        return NULL;
    struct store_cache_ent **pp = &c->buckets[bucket_of(id, c->nbuckets)];
    while (*pp && memcmp((*pp)->id.b, id->b, sizeof id->b))
        pp = &(*pp)->hnext;
    return *pp ? pp : NULL;
}

static void unlink_lru(struct store_cache *c, struct store_cache_ent *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
}

static void push_newest(struct store_cache *c, struct store_cache_ent *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
}

static void evict_oldest(struct store_cache *c)
{
    struct store_cache_ent *e = c->oldest;
    struct store_cache_ent **pp = find(c, &e->id);
    ATOLL_ASSERT(pp && *pp == e);
    *pp = e->hnext;
    unlink_lru(c, e);
    c->bytes -= ent_bytes(e->len);
    c->n--;
    atoll_free(e);
}

/* Evict until the entries and the buckets fit in `limit`. */
static void shrink_to(struct store_cache *c, size_t limit)
{
    while (c->oldest && c->bytes > limit)
        evict_oldest(c);
    /* Empty, and the buckets over the limit or a quarter of it (a
     * lowered limit): drop them; the next put makes a fitting array. */
    if (!c->n && c->nbuckets &&
        (c->bytes > limit || c->nbuckets * sizeof *c->buckets > limit / 4)) {
        c->bytes -= c->nbuckets * sizeof *c->buckets;
        atoll_free(c->buckets);
        c->buckets = NULL;
        c->nbuckets = 0;
    }
    ATOLL_ASSERT(c->bytes <= limit);
}

/* Double the bucket array (at least 16); false if out of memory or the
 * array would take more than a quarter of the limit (the chains then
 * grow instead, and a limit under 512 bytes keeps nothing). */
static bool grow_buckets(struct store_cache *c)
{
    size_t nb = c->nbuckets ? c->nbuckets * 2 : 16;
    size_t more = (nb - c->nbuckets) * sizeof *c->buckets;
    if (nb * sizeof *c->buckets > c->limit / 4)
        return false;
    struct store_cache_ent **b = atoll_calloc(nb, sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < c->nbuckets; i++)
        for (struct store_cache_ent *e = c->buckets[i], *next; e; e = next) {
            next = e->hnext;
            size_t j = bucket_of(&e->id, nb);
            e->hnext = b[j];
            b[j] = e;
        }
    atoll_free(c->buckets);
    c->buckets = b;
    c->nbuckets = nb;
    c->bytes += more;
    return true;
}

int store_cache_get(struct store_cache *c, const atoll_store_id *id,
                    uint8_t **obj, size_t *len)
{
    struct store_cache_ent **pp = find(c, id);
    if (!pp) {
        c->misses++;
        return -ATOLL_ENOENT;
    }
    struct store_cache_ent *e = *pp;
    uint8_t *p = atoll_malloc(e->len ? e->len : 1);
    if (!p)
        return -ATOLL_ENOMEM;
    memcpy(p, e->obj, e->len);
    unlink_lru(c, e);
    push_newest(c, e);
    c->hits++;
    *obj = p;
    *len = e->len;
    return 0;
}

void store_cache_put(struct store_cache *c, const atoll_store_id *id,
                     const void *obj, size_t len)
{
    size_t need = ent_bytes(len);
    if (len > c->limit / 8 || need > c->limit || find(c, id))
        return;
    if (c->n >= c->nbuckets)
        grow_buckets(c);
    if (!c->nbuckets)
        return;
    shrink_to(c, c->limit - need);
    /* Everything evicted, the buckets with it (only after the limit was
     * lowered): a fresh array of 16 fits with `need` from 512 bytes. */
    if (!c->nbuckets && !grow_buckets(c))
        return;
    struct store_cache_ent *e = atoll_malloc(need);
    if (!e)
        return;
    e->id = *id;
    e->len = (uint32_t)len;
    memcpy(e->obj, obj, len);
    size_t j = bucket_of(id, c->nbuckets);
    e->hnext = c->buckets[j];
    c->buckets[j] = e;
    push_newest(c, e);
    c->bytes += need;
    c->n++;
    ATOLL_ASSERT(c->bytes <= c->limit);
}

void store_cache_set_limit(struct store_cache *c, size_t limit)
{
    c->limit = limit;
    shrink_to(c, limit);
}

void store_cache_free(struct store_cache *c)
{
    shrink_to(c, 0);
}
