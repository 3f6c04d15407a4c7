/*
 * tests/sim/store_cache.c - the block backend's object cache
 * (lib/store/objcache.c): on its own, least-recently-used eviction, the
 * byte bound and no memory kept after it is emptied; in the store, on a
 * simulated disk behind a counting device, that a hit reads nothing from
 * the device, that a smaller limit evicts at once and 0 turns it off,
 * that every value (at the head and at old commits) reads back right
 * after writes with a cache too small for the working set and after
 * reopening cold, and that a commit that fails leaves its objects out of
 * the cache.  Under injected memory failure: tests/sim/store_memfail.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/sim.h"
#include "atoll/store.h"
#include "store_util.h"

#define MEM     (64u << 20)
#define SECTORS 4096 /* 2 MiB */

#define RUN(fn) CHECK_EQ(atoll_test_run(MEM, fn, NULL), 0)

/* ---- the cache alone ------------------------------------------------------
 */

static atoll_store_id id_of(unsigned i)
{
    atoll_store_id id;
    store_obj_hash(&i, sizeof i, &id);
    return id;
}

static bool cached(struct store_cache *c, unsigned i)
{
    atoll_store_id id = id_of(i);
    uint64_t hits = c->hits;
    uint8_t *obj;
    size_t len;
    int rc = store_cache_get(c, &id, &obj, &len);
    if (rc < 0)
        return false;
    /* Each object is 100 copies of its number's low byte. */
    bool ok = len == 100 && obj[0] == (uint8_t)i && obj[99] == (uint8_t)i &&
              c->hits == hits + 1;
    atoll_free(obj);
    return ok;
}

static void put(struct store_cache *c, unsigned i)
{
    uint8_t obj[100];
    memset(obj, (uint8_t)i, sizeof obj);
    atoll_store_id id = id_of(i);
    store_cache_put(c, &id, obj, sizeof obj);
}

static int alone(void *arg)
{
    struct atoll_mem_stats m0, m1;
    atoll_mem_stats(&m0);
    struct store_cache c;
    store_cache_init(&c, 4096);
    for (unsigned i = 0; i < 10; i++)
        put(&c, i);
    CHECK_EQ(c.n, 10u);
    for (unsigned i = 0; i < 10; i++)
        CHECK(cached(&c, i));
    /* Touch 0: the least recently used is now 1. */
    CHECK(cached(&c, 0));
    for (unsigned i = 10; i < 200; i++) {
        put(&c, i);
        CHECK(c.bytes <= c.limit);
        CHECK(cached(&c, 0)); /* kept fresh, never the oldest */
    }
    CHECK(cached(&c, 0));
    CHECK(!cached(&c, 1));
    CHECK(!cached(&c, 150));
    CHECK(cached(&c, 199));
    CHECK(c.n >= 20 && c.n < 40); /* 4096 bytes of ~164-byte entries */
    /* Putting what is there changes nothing. */
    size_t n = c.n, bytes = c.bytes;
    put(&c, 199);
    CHECK_EQ(c.n, n);
    CHECK_EQ(c.bytes, bytes);
    /* Too big for an eighth of the limit: not kept. */
    uint8_t big[600] = {0};
    atoll_store_id bid = id_of(1000);
    store_cache_put(&c, &bid, big, sizeof big);
    uint8_t *obj;
    size_t len;
    CHECK_EQ(store_cache_get(&c, &bid, &obj, &len), -ATOLL_ENOENT);
    /* A smaller limit evicts at once, the newest kept. */
    store_cache_set_limit(&c, 1024);
    CHECK(c.bytes <= 1024 && c.n > 0);
    CHECK(cached(&c, 199));
    /* Under 512 bytes there is no room for the buckets: nothing kept. */
    store_cache_set_limit(&c, 300);
    CHECK_EQ(c.n, 0u);
    CHECK_EQ(c.bytes, 0u);
    put(&c, 7);
    CHECK(!cached(&c, 7));
    store_cache_set_limit(&c, 4096);
    put(&c, 7);
    CHECK(cached(&c, 7));
    store_cache_free(&c);
    CHECK_EQ(c.bytes, 0u);
    atoll_mem_stats(&m1);
    CHECK_EQ(m1.allocs - m1.frees, m0.allocs - m0.frees);
    return 0;
}

TEST(store_cache, "alone: LRU eviction, byte bound, limit changes, nothing "
                  "kept after free")
{
    RUN(alone);
}

/* ---- in the store, on a counting device -----------------------------------
 */

struct counting {
    struct atoll_block blk;
    struct atoll_block *under;
    uint64_t reads;
};

static int c_read(void *st, uint64_t s, void *buf, size_t n)
{
    struct counting *c = st;
    c->reads++;
    return atoll_block_read(c->under, s, buf, n);
}

static int c_write(void *st, uint64_t s, const void *buf, size_t n)
{
    return atoll_block_write(((struct counting *)st)->under, s, buf, n);
}

static int c_flush(void *st)
{
    return atoll_block_flush(((struct counting *)st)->under);
}

static void c_info(void *st, struct atoll_block_info *out)
{
    atoll_block_info(((struct counting *)st)->under, out);
}

static const struct atoll_block_ops c_ops = {c_read, c_write, c_flush, c_info};

static struct counting dev;

static void make_disk(uint64_t sectors)
{
    struct atoll_sim_disk_opts o = {.sectors = sectors};
    CHECK_EQ(atoll_sim_disk_create("d", &o, NULL, 0), 0);
    dev.blk = (struct atoll_block){&c_ops, &dev};
    CHECK_EQ(atoll_block_open_default("d", &dev.under), 0);
    dev.reads = 0;
}

static struct atoll_store *open_store(void)
{
    struct atoll_store_backend *be;
    struct atoll_store *s;
    CHECK_EQ(atoll_store_block_backend(&dev.blk, 0, &be, NULL, 0), 0);
    CHECK_EQ(open_on(be, NULL, &s), 0);
    return s;
}

static struct atoll_store_block_usage usage(struct atoll_store *s)
{
    struct atoll_store_block_usage u;
    CHECK_EQ(atoll_store_block_usage(atoll_store_backend_of(s), &u), 0);
    CHECK(u.cache_bytes <= u.cache_limit);
    return u;
}

static void expect(struct atoll_store *s, const char *rev, const char *key,
                   const char *want)
{
    void *v = NULL;
    size_t n = 0;
    CHECK_EQ(atoll_store_get(s, rev, key, &v, &n), 0);
    CHECK_EQ(n, strlen(want));
    CHECK_STR((char *)v, want);
    atoll_free(v);
}

static int hits(void *arg)
{
    make_disk(SECTORS);
    struct atoll_store *s = open_store();
    struct atoll_store_backend *be = atoll_store_backend_of(s);
    CHECK_EQ(usage(s).cache_limit, (uint64_t)ATOLL_STORE_CACHE_BYTES);
    CHECK_EQ(atoll_store_set(s, "main", "dir/k", "v1", 2, NULL, NULL), 0);
    /* The commit's objects were cached when it became durable: reading
     * them (commit, root, folder, blob) touches no sector. */
    struct atoll_store_block_usage u0 = usage(s);
    CHECK(u0.cache_objects >= 4);
    uint64_t r0 = dev.reads;
    expect(s, "main", "dir/k", "v1");
    CHECK_EQ(dev.reads, r0);
    struct atoll_store_block_usage u1 = usage(s);
    CHECK_EQ(u1.cache_hits, u0.cache_hits + 4);
    CHECK_EQ(u1.cache_misses, u0.cache_misses);
    /* Off: empty at once, and reads go to the device again (and still
     * verify). */
    CHECK_EQ(atoll_store_block_cache(be, 0), 0);
    u1 = usage(s);
    CHECK_EQ(u1.cache_bytes, 0u);
    CHECK_EQ(u1.cache_objects, 0u);
    expect(s, "main", "dir/k", "v1");
    CHECK(dev.reads >= r0 + 4);
    CHECK_EQ(usage(s).cache_misses, u1.cache_misses + 4);
    CHECK_EQ(usage(s).cache_objects, 0u);
    /* On again: the first read fills it, the second hits. */
    CHECK_EQ(atoll_store_block_cache(be, 64 * 1024), 0);
    expect(s, "main", "dir/k", "v1");
    CHECK_EQ(usage(s).cache_objects, 4u);
    r0 = dev.reads;
    expect(s, "main", "dir/k", "v1");
    CHECK_EQ(dev.reads, r0);
    /* Not a block backend. */
    struct atoll_store_backend *mem;
    CHECK_EQ(atoll_store_mem_backend(&mem), 0);
    CHECK_EQ(atoll_store_block_cache(mem, 1), -ATOLL_EINVAL);
    mem->ops->close(mem->state);
    atoll_store_close(s);
    return 0;
}

TEST(store_cache, "a hit reads no sector; a smaller limit evicts; 0 is off")
{
    RUN(hits);
}

#define KEYS   40
#define ROUNDS 5

/* Every key's value in round r, read at the head; the commit of each
 * round read at its own id. */
static void check_all(struct atoll_store *s, int rounds,
                      const atoll_store_id *commits)
{
    char k[48], v[48], rev[65];
    for (int i = 0; i < KEYS; i++) {
        snprintf(k, sizeof k, "d%d/k%d", i % 4, i);
        snprintf(v, sizeof v, "round %d key %d", rounds - 1, i);
        expect(s, "main", k, v);
    }
    for (int r = 0; r < rounds; r++) {
        atoll_store_id_hex(&commits[r], rev);
        for (int i = 0; i < KEYS; i += 7) {
            snprintf(k, sizeof k, "d%d/k%d", i % 4, i);
            snprintf(v, sizeof v, "round %d key %d", r, i);
            expect(s, rev, k, v);
        }
    }
}

static int after_writes(void *arg)
{
    make_disk(SECTORS);
    struct atoll_store *s = open_store();
    /* Far smaller than the working set: evicting all the time. */
    CHECK_EQ(atoll_store_block_cache(atoll_store_backend_of(s), 2048), 0);
    atoll_store_id commits[ROUNDS];
    char k[48], v[48];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < KEYS; i++) {
            snprintf(k, sizeof k, "d%d/k%d", i % 4, i);
            snprintf(v, sizeof v, "round %d key %d", r, i);
            CHECK_EQ(
                atoll_store_set(s, "main", k, v, strlen(v), NULL, &commits[r]),
                0);
            expect(s, "main", k, v);
            CHECK(usage(s).cache_bytes <= 2048);
        }
    }
    check_all(s, ROUNDS, commits);
    struct atoll_store_block_usage u = usage(s);
    CHECK(u.cache_hits > 0 && u.cache_misses > 0);
    CHECK(u.cache_objects > 0 && u.cache_bytes <= 2048);
    atoll_store_close(s);
    /* Cold, with the default cache: the same. */
    s = open_store();
    CHECK_EQ(usage(s).cache_objects, 0u);
    check_all(s, ROUNDS, commits);
    atoll_store_close(s);
    return 0;
}

TEST(store_cache, "every value reads back after writes, evicting, and after "
                  "reopening cold")
{
    RUN(after_writes);
}

static int failed_commit(void *arg)
{
    /* Room for a few small commits, not for a 64 KiB value. */
    make_disk(64);
    struct atoll_store *s = open_store();
    struct atoll_store_backend *be = atoll_store_backend_of(s);
    CHECK_EQ(atoll_store_set(s, "main", "a", "1", 1, NULL, NULL), 0);
    static char big[64 * 1024];
    memset(big, 'x', sizeof big);
    CHECK_EQ(atoll_store_block_cache(be, 1024 * 1024), 0);
    uint64_t objects = usage(s).cache_objects;
    CHECK_EQ(atoll_store_set(s, "main", "big", big, sizeof big, NULL, NULL),
             -ATOLL_ENOSPC);
    /* Its blob was staged, then dropped: neither the index nor the cache
     * knows it, and the cache holds no more objects than before. */
    uint8_t *obj;
    size_t len;
    atoll_store_id id;
    CHECK_EQ(store_obj_frame(OBJ_BLOB, big, sizeof big, &obj, &len, &id), 0);
    atoll_free(obj);
    CHECK_EQ(be->ops->read(be->state, &id, &obj, &len), -ATOLL_ENOENT);
    CHECK_EQ(usage(s).cache_objects, objects);
    expect(s, "main", "a", "1");
    void *v;
    size_t n;
    CHECK_EQ(atoll_store_get(s, "main", "big", &v, &n), -ATOLL_ENOENT);
    atoll_store_close(s);
    return 0;
}

TEST(store_cache, "a commit that fails leaves its objects out of the cache")
{
    RUN(failed_commit);
}
