/*
 * tests/unit/random_fortuna.c - the Fortuna generator (lib/crypto/
 * fortuna.c): nothing before the first seed, a known answer for the whole
 * construction (pool hash -> key -> ChaCha20, computed independently with
 * Python's hashlib and OpenSSL's ChaCha20), rekey after every request, the
 * reseed interval, pool i taking part every 2^i reseeds, source polling,
 * and a waiting fill.  Runs on the sim platform: times are virtual and
 * asserted exactly.
 */
#include <stdio.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/csprng.h"

#define MEM (8u << 20)

static int run(int (*fn)(void *))
{
    return atoll_test_run(MEM, fn, NULL);
}

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* 64 bytes 0..63 into pool 0, as two events from source 0. */
static void seed_counting(struct atoll_fortuna *f)
{
    uint8_t b[64];
    for (int i = 0; i < 64; i++)
        b[i] = (uint8_t)i;
    atoll_fortuna_add_event(f, 0, 0, b, 32);
    atoll_fortuna_add_event(f, 0, 0, b + 32, 32);
}

static int body_unseeded(void *arg)
{
    (void)arg;
    struct atoll_fortuna *f = atoll_fortuna_create();
    CHECK(f != NULL);
    uint8_t buf[32] = {0}, zero[32] = {0};
    CHECK_EQ(atoll_fortuna_generate(f, 0, buf, sizeof buf), -ATOLL_EAGAIN);
    /* 63 bytes in pool 0: one short of a reseed. */
    uint8_t ev[32] = {1};
    atoll_fortuna_add_event(f, 0, 0, ev, 32);
    atoll_fortuna_add_event(f, 0, 0, ev, 31);
    for (unsigned p = 1; p < ATOLL_FORTUNA_POOLS; p++)
        atoll_fortuna_add_event(f, 0, p, ev, 32); /* other pools don't count */
    CHECK_EQ(atoll_fortuna_generate(f, 0, buf, sizeof buf), -ATOLL_EAGAIN);
    CHECK_MEM(buf, zero, sizeof buf);
    struct atoll_fortuna_stats st;
    atoll_fortuna_stats(f, &st);
    CHECK(!st.seeded);
    CHECK_EQ(st.reseeds, 0);
    CHECK_EQ(st.bytes, 0);
    CHECK_EQ(st.pool0_bytes, 63);
    atoll_fortuna_add_event(f, 0, 0, ev, 1);
    CHECK_EQ(atoll_fortuna_generate(f, 0, buf, sizeof buf), 0);
    CHECK(memcmp(buf, zero, sizeof buf) != 0);
    atoll_fortuna_stats(f, &st);
    CHECK(st.seeded);
    CHECK_EQ(st.reseeds, 1);
    CHECK_EQ(st.last_pools, 1);
    CHECK_EQ(st.pool0_bytes, 0);
    atoll_fortuna_destroy(f);
    return 0;
}

TEST(fortuna, "produces nothing until pool 0 holds 64 bytes")
{
    CHECK_EQ(run(body_unseeded), 0);
}

static int body_known_answer(void *arg)
{
    (void)arg;
    struct atoll_fortuna *f = atoll_fortuna_create();
    seed_counting(f);
    uint8_t out[32], want[32];
    /* key = SHA-256(32 zero bytes || SHA-256(pool 0)); block counter 1
     * (the reseed incremented it from 0). */
    CHECK_EQ(atoll_fortuna_generate(f, 0, out, 32), 0);
    hex("c717e2ac474fbe6c9814c8bf3bf7e2affed900bad5f2c839a8f9175250e4e99f",
        want, 32);
    CHECK_MEM(out, want, 32);
    /* The next request is under the key taken from block 2: block 3. */
    CHECK_EQ(atoll_fortuna_generate(f, 0, out, 32), 0);
    hex("a1ca9ce6235f907938a78c812ea6a4b64abe4dfc4bba2dad7472c405d85e19e1",
        want, 32);
    CHECK_MEM(out, want, 32);
    atoll_fortuna_destroy(f);
    return 0;
}

TEST(fortuna, "known answer: pool hash, reseed key, ChaCha20, rekey")
{
    CHECK_EQ(run(body_known_answer), 0);
}

static int body_rekey(void *arg)
{
    (void)arg;
    struct atoll_fortuna *a = atoll_fortuna_create();
    struct atoll_fortuna *b = atoll_fortuna_create();
    seed_counting(a);
    seed_counting(b);
    uint8_t one[64], two[64];
    CHECK_EQ(atoll_fortuna_generate(a, 0, one, 64), 0); /* one request */
    CHECK_EQ(atoll_fortuna_generate(b, 0, two, 32), 0); /* two requests */
    CHECK_EQ(atoll_fortuna_generate(b, 0, two + 32, 32), 0);
    /* Same state, so the first halves agree; b rekeyed between its two
     * requests, so its second half is not the old key's continuation. */
    CHECK_MEM(one, two, 32);
    CHECK(memcmp(one + 32, two + 32, 32) != 0);
    struct atoll_fortuna_stats st;
    atoll_fortuna_stats(b, &st);
    CHECK_EQ(st.requests, 2);
    CHECK_EQ(st.reseeds, 1); /* no reseed in between: the rekey did it */
    atoll_fortuna_destroy(a);
    atoll_fortuna_destroy(b);
    return 0;
}

TEST(fortuna, "rekeys after every request")
{
    CHECK_EQ(run(body_rekey), 0);
}

static int body_big(void *arg)
{
    (void)arg;
    struct atoll_fortuna *f = atoll_fortuna_create();
    seed_counting(f);
    size_t n = 3 * ATOLL_FORTUNA_MAX_REQUEST + 5;
    uint8_t *buf = atoll_malloc(n);
    CHECK(buf != NULL);
    CHECK_EQ(atoll_fortuna_generate(f, 0, buf, n), 0);
    struct atoll_fortuna_stats st;
    atoll_fortuna_stats(f, &st);
    CHECK_EQ(st.requests, 4); /* split at ATOLL_FORTUNA_MAX_REQUEST */
    CHECK_EQ(st.bytes, n);
    /* Crude sanity: every byte value shows up in 3 MiB. */
    static unsigned seen[256];
    for (size_t i = 0; i < n; i++)
        seen[buf[i]]++;
    for (int v = 0; v < 256; v++)
        CHECK(seen[v] > n / 256 * 9 / 10 && seen[v] < n / 256 * 11 / 10);
    atoll_free(buf);
    atoll_fortuna_destroy(f);
    return 0;
}

TEST(fortuna, "large fills are split into requests of at most 1 MiB")
{
    CHECK_EQ(run(body_big), 0);
}

static int body_interval(void *arg)
{
    (void)arg;
    struct atoll_fortuna *f = atoll_fortuna_create();
    seed_counting(f);
    CHECK(atoll_fortuna_reseed_if_due(f, ATOLL_MS(1000)));
    seed_counting(f);
    CHECK(!atoll_fortuna_reseed_if_due(f, ATOLL_MS(1099)));
    CHECK(atoll_fortuna_reseed_if_due(f, ATOLL_MS(1100)));
    CHECK(!atoll_fortuna_reseed_if_due(f, ATOLL_MS(5000))); /* pool 0 empty */
    struct atoll_fortuna_stats st;
    atoll_fortuna_stats(f, &st);
    CHECK_EQ(st.reseeds, 2);
    atoll_fortuna_destroy(f);
    return 0;
}

TEST(fortuna, "reseeds at most once per 100 ms and only with 64 bytes")
{
    CHECK_EQ(run(body_interval), 0);
}

static int body_schedule(void *arg)
{
    (void)arg;
    struct atoll_fortuna *f = atoll_fortuna_create();
    uint8_t ev[32] = {0};
    for (uint64_t r = 1; r <= 300; r++) {
        for (unsigned p = 0; p < ATOLL_FORTUNA_POOLS; p++)
            atoll_fortuna_add_event(f, 0, p, ev, 32);
        atoll_fortuna_add_event(f, 0, 0, ev, 32);
        CHECK(atoll_fortuna_reseed_if_due(f, (atoll_time_t)r * ATOLL_SEC(1)));
        uint32_t want = 0;
        for (int i = 0; i < ATOLL_FORTUNA_POOLS; i++)
            if (r % (UINT64_C(1) << i) == 0)
                want |= UINT32_C(1) << i;
        struct atoll_fortuna_stats st;
        atoll_fortuna_stats(f, &st);
        CHECK_EQ(st.reseeds, r);
        CHECK_EQ(st.last_pools, want);
    }
    atoll_fortuna_destroy(f);
    return 0;
}

TEST(fortuna, "pool i takes part in every 2^i-th reseed")
{
    CHECK_EQ(run(body_schedule), 0);
}

/* Two generators fed alike except for one event in pool 5: their outputs
 * agree until the 32nd reseed, the first that uses pool 5. */
static int body_pool_effect(void *arg)
{
    (void)arg;
    struct atoll_fortuna *a = atoll_fortuna_create();
    struct atoll_fortuna *b = atoll_fortuna_create();
    uint8_t x[8] = {42};
    atoll_fortuna_add_event(b, 3, 5, x, sizeof x);
    for (int r = 1; r <= 32; r++) {
        seed_counting(a);
        seed_counting(b);
        uint8_t oa[16], ob[16];
        atoll_time_t t = (atoll_time_t)r * ATOLL_SEC(1);
        CHECK_EQ(atoll_fortuna_generate(a, t, oa, 16), 0);
        CHECK_EQ(atoll_fortuna_generate(b, t, ob, 16), 0);
        if (r < 32)
            CHECK_MEM(oa, ob, 16);
        else
            CHECK(memcmp(oa, ob, 16) != 0);
    }
    atoll_fortuna_destroy(a);
    atoll_fortuna_destroy(b);
    return 0;
}

TEST(fortuna, "a pool's entropy reaches the key only when its turn comes")
{
    CHECK_EQ(run(body_pool_effect), 0);
}

/* A source that hands out 32 bytes per poll and counts its polls. */
static int polls;
static int counting_poll(void *state, void *buf, size_t len)
{
    (void)state;
    polls++;
    memset(buf, polls, len);
    return (int)len;
}

static int body_sources(void *arg)
{
    (void)arg;
    struct atoll_fortuna *f = atoll_fortuna_create();
    struct atoll_entropy_source s = {"count", counting_poll, NULL,
                                     ATOLL_MS(10)};
    CHECK_EQ(atoll_fortuna_add_source(f, &s), 0);
    atoll_fortuna_collect(f, 0);
    atoll_fortuna_collect(f, ATOLL_MS(5));
    atoll_fortuna_collect(f, ATOLL_MS(10));
    atoll_fortuna_collect(f, ATOLL_MS(15));
    CHECK_EQ(polls, 2);
    /* Round-robin over the pools: pool 0 got the first event only, so 32
     * polls in all put 32 bytes there and the 33rd makes it 64: seeded. */
    struct atoll_fortuna_stats st;
    atoll_fortuna_prime(f, 30);
    atoll_fortuna_stats(f, &st);
    CHECK_EQ(st.pool0_bytes, 32);
    CHECK(!st.seeded);
    atoll_fortuna_prime(f, 1);
    atoll_fortuna_collect(f, ATOLL_MS(15)); /* not due: no poll */
    atoll_fortuna_stats(f, &st);
    CHECK_EQ(polls, 33);
    CHECK(st.seeded);
    CHECK_EQ(st.events, 33);
    for (int i = 0; i < ATOLL_ENTROPY_SOURCES_MAX - 1; i++)
        CHECK_EQ(atoll_fortuna_add_source(f, &s), 0);
    CHECK_EQ(atoll_fortuna_add_source(f, &s), -ATOLL_ENOSPC);
    atoll_fortuna_destroy(f);
    return 0;
}

TEST(fortuna, "sources are polled per interval, round-robin over pools")
{
    CHECK_EQ(run(body_sources), 0);
}

static struct atoll_fortuna *shared;
static int feeder(void *arg)
{
    (void)arg;
    atoll_sleep(ATOLL_MS(50));
    seed_counting(shared);
    return 0;
}

static int body_wait(void *arg)
{
    (void)arg;
    shared = atoll_fortuna_create();
    uint8_t buf[16];
    atoll_time_t t0 = atoll_now();
    /* No sources at all: times out at its deadline, exactly. */
    CHECK_EQ(atoll_fortuna_fill(shared, buf, 16, t0 + ATOLL_MS(20)),
             -ATOLL_ETIMEDOUT);
    CHECK_EQ(atoll_now(), t0 + ATOLL_MS(20));
    CHECK_EQ(atoll_fiber_spawn(NULL, "feeder", feeder, NULL, 0), 0);
    CHECK_EQ(atoll_fortuna_fill(shared, buf, 16, ATOLL_NEVER), 0);
    atoll_time_t waited = atoll_now() - t0;
    CHECK(waited >= ATOLL_MS(70));
    CHECK(waited <= ATOLL_MS(70) + ATOLL_RANDOM_POLL_INTERVAL);
    /* Through the interface too. */
    struct atoll_random *r = atoll_fortuna_random(shared);
    CHECK_EQ(atoll_random_fill(r, buf, 16, 0), 0);
    atoll_fortuna_destroy(shared);
    return 0;
}

TEST(fortuna, "a fill waits for the first seed, or times out")
{
    CHECK_EQ(run(body_wait), 0);
}
