/*
 * lib/crypto/fortuna.c - the Fortuna generator (atoll/csprng.h): 32
 * SHA-256 pools, the 2^i reseed schedule, a ChaCha20 generator rekeyed
 * after every request, and a fill that waits until the first seed.
 *
 * The entropy sources themselves live in entropy.c; this file only polls
 * them through struct atoll_entropy_source, so the test doubles (a source
 * that never delivers) go through exactly the same code as the real ones.
 */
#include "atoll/csprng.h"

#include <string.h>

#include "../core/runtime.h"
#include "atoll/chacha20.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/sha256.h"

struct fortuna_source {
    struct atoll_entropy_source src;
    unsigned next_pool;   /* round-robin over the pools */
    atoll_time_t next_at; /* not polled before this */
};

struct atoll_fortuna {
    /* Generator: key and 128-bit block counter (c[0] is ChaCha20's block
     * counter word, c[1..3] its nonce).  Seeded iff a reseed happened. */
    uint8_t key[ATOLL_CHACHA20_KEY_LEN];
    uint32_t ctr[4];
    bool seeded;

    /* Accumulator. */
    struct atoll_sha256 pools[ATOLL_FORTUNA_POOLS];
    uint32_t pool0_bytes;
    uint64_t reseeds;
    atoll_time_t last_reseed;
    uint32_t last_pools;

    struct fortuna_source sources[ATOLL_ENTROPY_SOURCES_MAX];
    unsigned nsources;

    uint64_t events, requests, bytes;
    atoll_event seeded_ev; /* fills waiting for the first seed */
    struct atoll_random dev;
    struct atoll_fortuna *next_watched;
    bool watched;
};

/* Secrets are wiped with a barrier so the stores are not optimised away. */
static void wipe(void *p, size_t n)
{
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

static int random_fill(void *state, void *buf, size_t len,
                       atoll_time_t deadline)
{
    return atoll_fortuna_fill(state, buf, len, deadline);
}

static const struct atoll_random_ops fortuna_ops = {random_fill};

static void fortuna_init(struct atoll_fortuna *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < ATOLL_FORTUNA_POOLS; i++)
        atoll_sha256_init(&f->pools[i]);
    atoll_event_init(&f->seeded_ev, "random seed");
    f->dev.ops = &fortuna_ops;
    f->dev.state = f;
}

struct atoll_fortuna *atoll_fortuna_create(void)
{
    struct atoll_fortuna *f = atoll_malloc(sizeof *f);
    if (f)
        fortuna_init(f);
    return f;
}

/* ---- collection on every scheduler iteration -------------------------- */

static struct atoll_fortuna *watched; /* list through next_watched */

static void iteration_hook(void)
{
    atoll_time_t now = atoll_now();
    for (struct atoll_fortuna *f = watched; f; f = f->next_watched)
        atoll_fortuna_collect(f, now);
}

void atoll_fortuna_watch(struct atoll_fortuna *f)
{
    if (!f->watched) {
        f->next_watched = watched;
        watched = f;
        f->watched = true;
    }
    atoll_sched_set_iteration_hook(iteration_hook);
}

void atoll_fortuna_destroy(struct atoll_fortuna *f)
{
    if (!f)
        return;
    for (struct atoll_fortuna **p = &watched; *p; p = &(*p)->next_watched)
        if (*p == f) {
            *p = f->next_watched;
            break;
        }
    if (!watched)
        atoll_sched_set_iteration_hook(NULL);
    wipe(f, sizeof *f);
    atoll_free(f);
}

/* ---- accumulator ------------------------------------------------------- */

int atoll_fortuna_add_source(struct atoll_fortuna *f,
                             const struct atoll_entropy_source *src)
{
    if (f->nsources == ATOLL_ENTROPY_SOURCES_MAX)
        return -ATOLL_ENOSPC;
    struct fortuna_source *s = &f->sources[f->nsources++];
    s->src = *src;
    s->next_pool = 0;
    s->next_at = INT64_MIN; /* due at once */
    return 0;
}

void atoll_fortuna_add_event(struct atoll_fortuna *f, unsigned source,
                             unsigned pool, const void *data, size_t len)
{
    if (len > ATOLL_ENTROPY_EVENT_MAX)
        len = ATOLL_ENTROPY_EVENT_MAX;
    pool %= ATOLL_FORTUNA_POOLS;
    /* The book prefixes each event with its source and length, so that
     * events from different sources cannot be confused with each other. */
    uint8_t hdr[2] = {(uint8_t)source, (uint8_t)len};
    atoll_sha256_update(&f->pools[pool], hdr, sizeof hdr);
    atoll_sha256_update(&f->pools[pool], data, len);
    if (pool == 0)
        f->pool0_bytes += (uint32_t)len;
    f->events++;
}

static void poll_source(struct atoll_fortuna *f, unsigned i)
{
    struct fortuna_source *s = &f->sources[i];
    uint8_t ev[ATOLL_ENTROPY_EVENT_MAX];
    int n = s->src.poll(s->src.state, ev, sizeof ev);
    if (n > 0) {
        atoll_fortuna_add_event(f, i, s->next_pool, ev, (size_t)n);
        s->next_pool = (s->next_pool + 1) % ATOLL_FORTUNA_POOLS;
    }
    wipe(ev, sizeof ev);
}

void atoll_fortuna_prime(struct atoll_fortuna *f, int rounds)
{
    for (int r = 0; r < rounds; r++)
        for (unsigned i = 0; i < f->nsources; i++)
            poll_source(f, i);
}

bool atoll_fortuna_reseed_if_due(struct atoll_fortuna *f, atoll_time_t now)
{
    if (f->pool0_bytes < ATOLL_FORTUNA_MIN_POOL_BYTES)
        return false;
    if (f->reseeds > 0 && now - f->last_reseed < ATOLL_FORTUNA_RESEED_INTERVAL)
        return false;

    uint64_t r = ++f->reseeds;
    struct atoll_sha256 k;
    atoll_sha256_init(&k);
    atoll_sha256_update(&k, f->key, sizeof f->key);
    f->last_pools = 0;
    for (int i = 0; i < ATOLL_FORTUNA_POOLS; i++) {
        /* Pool i takes part iff 2^i divides r. */
        if (i > 0 && (r & ((UINT64_C(1) << i) - 1)) != 0)
            break;
        uint8_t d[32];
        atoll_sha256_final(&f->pools[i], d);
        atoll_sha256_init(&f->pools[i]);
        atoll_sha256_update(&k, d, sizeof d);
        wipe(d, sizeof d);
        f->last_pools |= UINT32_C(1) << i;
    }
    atoll_sha256_final(&k, f->key);
    wipe(&k, sizeof k);
    f->pool0_bytes = 0;
    f->last_reseed = now;
    /* The book increments the counter on reseed, which also makes it
     * non-zero: the generator is seeded from now on. */
    for (int i = 0; i < 4 && ++f->ctr[i] == 0; i++)
        ;
    if (!f->seeded) {
        f->seeded = true;
        atoll_event_broadcast(&f->seeded_ev);
    }
    return true;
}

void atoll_fortuna_collect(struct atoll_fortuna *f, atoll_time_t now)
{
    for (unsigned i = 0; i < f->nsources; i++) {
        struct fortuna_source *s = &f->sources[i];
        if (now < s->next_at)
            continue;
        s->next_at = s->src.interval > 0 ? now + s->src.interval : now;
        poll_source(f, i);
    }
    atoll_fortuna_reseed_if_due(f, now);
}

/* ---- generator ---------------------------------------------------------- */

static void next_block(struct atoll_fortuna *f, uint8_t out[64])
{
    uint8_t nonce[ATOLL_CHACHA20_NONCE_LEN];
    for (int i = 0; i < 3; i++) {
        uint32_t w = f->ctr[1 + i];
        nonce[4 * i] = (uint8_t)w;
        nonce[4 * i + 1] = (uint8_t)(w >> 8);
        nonce[4 * i + 2] = (uint8_t)(w >> 16);
        nonce[4 * i + 3] = (uint8_t)(w >> 24);
    }
    atoll_chacha20_block(f->key, f->ctr[0], nonce, out);
    for (int i = 0; i < 4 && ++f->ctr[i] == 0; i++)
        ;
}

/* One request: at most ATOLL_FORTUNA_MAX_REQUEST bytes, then a new key. */
static void request(struct atoll_fortuna *f, uint8_t *out, size_t len)
{
    uint8_t blk[64];
    while (len >= sizeof blk) {
        next_block(f, out);
        out += sizeof blk;
        len -= sizeof blk;
    }
    if (len > 0) {
        next_block(f, blk);
        memcpy(out, blk, len);
    }
    next_block(f, blk);
    memcpy(f->key, blk, sizeof f->key);
    wipe(blk, sizeof blk);
    f->requests++;
}

int atoll_fortuna_generate(struct atoll_fortuna *f, atoll_time_t now, void *buf,
                           size_t len)
{
    atoll_fortuna_reseed_if_due(f, now);
    if (!f->seeded)
        return -ATOLL_EAGAIN;
    uint8_t *p = buf;
    size_t left = len;
    do {
        size_t n =
            left < ATOLL_FORTUNA_MAX_REQUEST ? left : ATOLL_FORTUNA_MAX_REQUEST;
        request(f, p, n);
        p += n;
        left -= n;
    } while (left > 0);
    f->bytes += len;
    return 0;
}

int atoll_fortuna_fill(struct atoll_fortuna *f, void *buf, size_t len,
                       atoll_time_t deadline)
{
    for (;;) {
        atoll_time_t now = atoll_now();
        if (!f->seeded)
            atoll_fortuna_collect(f, now);
        int err = atoll_fortuna_generate(f, now, buf, len);
        if (err != -ATOLL_EAGAIN)
            return err;
        if (now >= deadline)
            return -ATOLL_ETIMEDOUT;
        /* Wait for the seed, polling the sources now and then: a source
         * may deliver without any other fiber making the scheduler turn. */
        atoll_time_t until = now + ATOLL_RANDOM_POLL_INTERVAL;
        atoll_event_wait(&f->seeded_ev, until < deadline ? until : deadline);
    }
}

struct atoll_random *atoll_fortuna_random(struct atoll_fortuna *f)
{
    return &f->dev;
}

void atoll_fortuna_stats(const struct atoll_fortuna *f,
                         struct atoll_fortuna_stats *out)
{
    out->seeded = f->seeded;
    out->reseeds = f->reseeds;
    out->last_pools = f->last_pools;
    out->events = f->events;
    out->requests = f->requests;
    out->bytes = f->bytes;
    out->pool0_bytes = f->pool0_bytes;
}

/* ---- the platform's generator ------------------------------------------ */

struct atoll_fortuna *atoll_fortuna_platform(void)
{
    static struct atoll_fortuna platform;
    static bool ready;
    if (!ready) {
        fortuna_init(&platform);
        struct atoll_entropy_source srcs[ATOLL_ENTROPY_SOURCES_MAX];
        size_t n =
            atoll_entropy_machine_sources(srcs, ATOLL_ENTROPY_SOURCES_MAX);
        for (size_t i = 0; i < n; i++)
            atoll_fortuna_add_source(&platform, &srcs[i]);
        atoll_fortuna_prime(&platform, ATOLL_FORTUNA_POOLS + 1);
        atoll_fortuna_reseed_if_due(&platform, atoll_now());
        ready = true;
    }
    /* Re-installed every time: cheap, and survives a runtime restart. */
    atoll_fortuna_watch(&platform);
    return &platform;
}
