/*
 * tests/sim/store_crash.c - the block backend of the versioned store on
 * simulated disks: persistence across reopen; crash consistency (a
 * scripted workload crashes at every write index, by a failed write and
 * by torn writes with many seeds, and the reopened store must equal the
 * last acknowledged commit); random byte corruption (detected with a
 * message, never followed, never a crash); always-full, filling-up and
 * always-busy devices.
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
#define SECTORS 512 /* 256 KiB disks */

#ifdef ATOLL_SANITIZE
#define TORN_SEEDS     60
#define CORRUPT_TRIALS 1000
#else
#define TORN_SEEDS     150
#define CORRUPT_TRIALS 10000
#endif

#define RUN(fn) CHECK_EQ(atoll_test_run(MEM, fn, NULL), 0)

static int open_store(struct atoll_block *b, struct atoll_store **s, char *why,
                      size_t whylen)
{
    struct atoll_store_backend *be;
    int rc = atoll_store_block_backend(b, 0, &be, why, whylen);
    return rc < 0 ? rc : open_on(be, atoll_wclock_platform(), s);
}

/* The scripted workload: each step one commit (or ref change).  Returns
 * the number of steps acknowledged before the first failure; states[i]
 * gets the store's state after i acknowledged steps. */
#define STEPS 12
static int workload(struct atoll_block *b, struct state *states, int *err)
{
    struct atoll_store *s;
    *err = 0;
    char why[160];
    int rc = open_store(b, &s, why, sizeof why);
    if (rc < 0) {
        *err = rc;
        return 0;
    }
    if (states)
        snapshot(s, &states[0], false);
    static char big[3000];
    memset(big, 'B', sizeof big);
    int done = 0;
    for (int i = 0; i < STEPS; i++) {
        char k[32], v[32];
        snprintf(k, sizeof k, "notes/n%d", i % 5);
        snprintf(v, sizeof v, "value %d", i);
        switch (i) {
        case 3:
            rc = atoll_store_branch_create(s, "dev", "main");
            break;
        case 4:
            rc = atoll_store_set(s, "dev", "big", big, sizeof big, NULL, NULL);
            break;
        case 6: {
            struct atoll_store_batch *bt;
            rc = atoll_store_batch_begin(s, "main", &bt);
            for (int j = 0; rc == 0 && j < 20; j++) {
                snprintf(k, sizeof k, "batch/%d", j);
                rc = atoll_store_batch_set(bt, k, v, strlen(v));
            }
            if (rc == 0)
                rc = atoll_store_batch_commit(bt, "batch", NULL);
            break;
        }
        case 8:
            rc = atoll_store_merge(s, "main", "dev", atoll_store_merge_lww,
                                   NULL, NULL, NULL, NULL, 0);
            break;
        case 9:
            rc = atoll_store_remove(s, "main", "notes/n1", NULL, NULL);
            break;
        case 10:
            rc = atoll_store_revert(s, "dev", "main", NULL, NULL);
            break;
        default:
            rc = atoll_store_set(s, i == 7 ? "dev" : "main", k, v, strlen(v),
                                 NULL, NULL);
        }
        if (rc < 0) {
            *err = rc;
            break;
        }
        done++;
        if (states)
            snapshot(s, &states[done], false);
    }
    atoll_store_close(s);
    return done;
}

static struct atoll_block *disk(const char *name,
                                const struct atoll_sim_disk_opts *o,
                                const void *init, size_t len)
{
    CHECK_EQ(atoll_sim_disk_create(name, o, init, len), 0);
    struct atoll_block *b;
    CHECK_EQ(atoll_block_open_default(name, &b), 0);
    return b;
}

/* Reopen a copy of disk `from` and return its state (deep-checked). */
static int reopen_state(struct atoll_block *r, const char *from,
                        struct state *st, char *why, size_t whylen)
{
    const uint8_t *data;
    size_t len;
    uint64_t writes;
    CHECK_EQ(atoll_sim_disk_contents(from, &data, &len, &writes), 0);
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    CHECK_EQ(atoll_sim_disk_create("r", &o, data, len), 0);
    struct atoll_store *s;
    int rc = open_store(r, &s, why, whylen);
    if (rc < 0)
        return rc;
    rc = snapshot(s, st, true);
    atoll_store_close(s);
    return rc;
}

/* ---- persistence
 * --------------------------------------------------------------- */

static int t_persist(void *arg)
{
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    struct atoll_block *w = disk("w", &o, NULL, 0);
    struct atoll_block *r = disk("r", &o, NULL, 0);
    struct state states[STEPS + 1], got;
    int err;
    CHECK_EQ(workload(w, states, &err), STEPS);
    CHECK_EQ(err, 0);
    char why[160] = "";
    int rr = reopen_state(r, "w", &got, why, sizeof why);
    if (rr < 0)
        harness_fail(__FILE__, __LINE__, "reopen: %d %s", rr, why);
    CHECK_STR(got.text, states[STEPS].text);
    /* Values survive, and a reopened store keeps committing. */
    struct atoll_store *s;
    CHECK_EQ(open_store(w, &s, why, sizeof why), 0);
    void *v;
    size_t n;
    CHECK_EQ(atoll_store_get(s, "main", "notes/n0", &v, &n), 0);
    CHECK_STR((char *)v, "value 5");
    atoll_free(v);
    CHECK_EQ(atoll_store_get(s, "main", "big", &v, &n), 0);
    CHECK_EQ(n, 3000);
    atoll_free(v);
    CHECK_EQ(atoll_store_set(s, "main", "after", "x", 1, NULL, NULL), 0);
    struct atoll_store_block_usage u;
    CHECK_EQ(atoll_store_block_usage(atoll_store_backend_of(s), &u), 0);
    CHECK_EQ(u.generation, STEPS + 1);
    CHECK(!atoll_store_block_recovered(atoll_store_backend_of(s)));
    atoll_store_close(s);
    CHECK_EQ(open_store(w, &s, why, sizeof why), 0);
    CHECK_EQ(atoll_store_get(s, "main", "after", &v, &n), 0);
    atoll_free(v);
    atoll_store_close(s);
    return 0;
}

TEST(store_block, "a workload persists across reopen and continues")
{
    RUN(t_persist);
}

/* ---- crash consistency
 * ------------------------------------------------------- */

struct crash_stats {
    int trials, in_flight_landed;
};

static int t_crash(void *arg)
{
    struct crash_stats *cs = arg;
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    struct atoll_block *w = disk("w", &o, NULL, 0);
    struct atoll_block *r = disk("r", &o, NULL, 0);
    struct state states[STEPS + 1], got;
    int err;
    CHECK_EQ(workload(w, states, &err), STEPS);
    uint64_t total;
    const uint8_t *data;
    size_t len;
    CHECK_EQ(atoll_sim_disk_contents("w", &data, &len, &total), 0);
    CHECK(total >= 2 * STEPS); /* log write + superblock per commit */

    for (int torn = 0; torn <= 1; torn++) {
        for (uint64_t at = 1; at <= total; at++) {
            for (int seed = 1; seed <= (torn ? TORN_SEEDS : 1); seed++) {
                atoll_sim_seed((uint64_t)seed * 7919 + at);
                struct atoll_sim_disk_opts fo = {.sectors = SECTORS};
                if (torn)
                    fo.torn_at_write = at;
                else
                    fo.fail_at_write = at;
                CHECK_EQ(atoll_sim_disk_create("w", &fo, NULL, 0), 0);
                int acked = workload(w, NULL, &err);
                CHECK(acked < STEPS);
                CHECK(err == -ATOLL_EIO);
                char why[160] = "";
                int rc = reopen_state(r, "w", &got, why, sizeof why);
                if (rc < 0)
                    harness_fail(__FILE__, __LINE__,
                                 "%s at write %llu (seed %d): reopen: %s: %s",
                                 torn ? "torn" : "fail", (unsigned long long)at,
                                 seed, atoll_strerror(rc), why);
                cs->trials++;
                if (!strcmp(got.text, states[acked].text))
                    continue;
                /* A torn write may put all of its bytes on the disk while
                 * reporting failure: the operation in flight then
                 * completed, which is also consistent. */
                if (torn && !strcmp(got.text, states[acked + 1].text)) {
                    cs->in_flight_landed++;
                    continue;
                }
                harness_fail(__FILE__, __LINE__,
                             "%s at write %llu (seed %d): %d steps acked; "
                             "reopened as\n  %s\nwant\n  %s",
                             torn ? "torn" : "fail", (unsigned long long)at,
                             seed, acked, got.text, states[acked].text);
            }
        }
    }
    printf("       %d crash trials, %d with the in-flight commit landed\n",
           cs->trials, cs->in_flight_landed);
    CHECK(cs->trials >= 1000);
    return 0;
}

TEST(store_block, "crash at every write, failed or torn: reopens at the last "
                  "acknowledged commit")
{
    struct crash_stats cs = {0};
    CHECK_EQ(atoll_test_run(MEM, t_crash, &cs), 0);
}

/* ---- corruption
 * --------------------------------------------------------------- */

static int t_corrupt(void *arg)
{
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    struct atoll_block *w = disk("w", &o, NULL, 0);
    struct atoll_block *r = disk("r", &o, NULL, 0);
    struct state states[STEPS + 1], got;
    int err;
    CHECK_EQ(workload(w, states, &err), STEPS);
    const uint8_t *data;
    size_t len;
    uint64_t writes;
    CHECK_EQ(atoll_sim_disk_contents("w", &data, &len, &writes), 0);
    uint8_t *img = malloc(len), *bad = malloc(len);
    memcpy(img, data, len);
    struct atoll_store *s;
    char why[160];
    CHECK_EQ(open_store(w, &s, why, sizeof why), 0);
    struct atoll_store_block_usage u;
    CHECK_EQ(atoll_store_block_usage(atoll_store_backend_of(s), &u), 0);
    atoll_store_close(s);
    size_t used = 2 * 512 + (size_t)u.log_bytes;

    uint64_t x = 88172645463325252ull;
    int detected = 0, log_flips = 0, fallback = 0;
    for (int t = 0; t < CORRUPT_TRIALS; t++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(bad, img, len);
        size_t pos = (size_t)(x % used);
        uint8_t flip = (uint8_t)(1u << ((x >> 40) % 8));
        bad[pos] ^= flip;
        CHECK_EQ(atoll_sim_disk_create("r", &o, bad, len), 0);
        why[0] = 0;
        int rc = open_store(r, &s, why, sizeof why);
        if (rc == 0) {
            rc = snapshot(s, &got, true);
            atoll_store_close(s);
        }
        if (rc < 0) {
            /* Detected: always a checksum/format error with a message. */
            CHECK(rc == -ATOLL_ECORRUPT || rc == -ATOLL_EBADMSG);
            CHECK(rc != -ATOLL_ECORRUPT || why[0] || pos >= 1024);
            detected++;
            if (pos >= 1024)
                log_flips++;
            continue;
        }
        /* Not detected: only the superblocks (the older one is not used;
         * a damaged newer one falls back to an older complete state). */
        bool known = false;
        for (int i = 0; i <= STEPS && !known; i++)
            known = !strcmp(got.text, states[i].text);
        CHECK(known);
        if (strcmp(got.text, states[STEPS].text))
            fallback++;
        CHECK(pos < 1024); /* every log byte is under a checksum */
    }
    printf("       %d flips, %d detected, %d fell back to an older "
           "superblock\n",
           CORRUPT_TRIALS, detected, fallback);
    CHECK(detected > CORRUPT_TRIALS / 2);
    CHECK(log_flips > 0);
    free(img);
    free(bad);
    return 0;
}

TEST(store_block, "random byte corruption is detected, never followed")
{
    RUN(t_corrupt);
}

static int t_corrupt_message(void *arg)
{
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    struct atoll_block *w = disk("w", &o, NULL, 0);
    int err;
    CHECK_EQ(workload(w, NULL, &err), STEPS);
    const uint8_t *data;
    size_t len;
    uint64_t writes;
    CHECK_EQ(atoll_sim_disk_contents("w", &data, &len, &writes), 0);
    uint8_t *bad = malloc(len);
    memcpy(bad, data, len);
    bad[1024 + 10] ^= 0x40; /* inside the first record */
    struct atoll_block *r = disk("r", &o, bad, len);
    struct atoll_store *s;
    char why[160] = "";
    CHECK_EQ(open_store(r, &s, why, sizeof why), -ATOLL_ECORRUPT);
    CHECK(strncmp(why, "log record at byte 0", 20) == 0);
    /* Both superblocks damaged. */
    memcpy(bad, data, len);
    bad[20] ^= 1;
    bad[512 + 300] ^= 1;
    CHECK_EQ(atoll_sim_disk_create("r", &o, bad, len), 0);
    CHECK_EQ(open_store(r, &s, why, sizeof why), -ATOLL_ECORRUPT);
    CHECK_STR(why, "both superblocks are damaged (checksum mismatch)");
    /* Not a store at all. */
    memset(bad, 0x5a, len);
    CHECK_EQ(atoll_sim_disk_create("r", &o, bad, len), 0);
    CHECK_EQ(open_store(r, &s, why, sizeof why), -ATOLL_EINVAL);
    CHECK(strstr(why, "not a store") != NULL);
    free(bad);
    return 0;
}

TEST(store_block, "corruption errors say what is wrong")
{
    RUN(t_corrupt_message);
}

/* ---- full and busy devices
 * ------------------------------------------------------ */

static int t_full(void *arg)
{
    /* Always full: the first commit fails with ENOSPC; nothing is lost
     * because nothing was there, and the store stays usable for reads. */
    struct atoll_sim_disk_opts o = {.sectors = SECTORS,
                                    .mode = ATOLL_SIM_DISK_FULL};
    struct atoll_block *f = disk("f", &o, NULL, 0);
    struct atoll_store *s;
    char why[160];
    CHECK_EQ(open_store(f, &s, why, sizeof why), 0);
    CHECK_EQ(atoll_store_set(s, "main", "k", "v", 1, NULL, NULL),
             -ATOLL_ENOSPC);
    void *v;
    size_t n;
    CHECK_EQ(atoll_store_get(s, "main", "k", &v, &n), -ATOLL_ENOENT);
    atoll_store_close(s);
    /* The "full" test double behaves the same. */
    struct atoll_block *fd;
    CHECK_EQ(atoll_block_open_full("f", &fd), 0);
    CHECK_EQ(open_store(fd, &s, why, sizeof why), 0);
    CHECK_EQ(atoll_store_set(s, "main", "k", "v", 1, NULL, NULL),
             -ATOLL_ENOSPC);
    atoll_store_close(s);

    /* A small disk that fills up: ENOSPC, every committed value intact,
     * before and after reopening, and smaller commits still fit later. */
    struct atoll_sim_disk_opts so = {.sectors = 40};
    struct atoll_block *sm = disk("small", &so, NULL, 0);
    CHECK_EQ(open_store(sm, &s, why, sizeof why), 0);
    static char val[1500];
    int ok = 0, rc = 0;
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        memset(val, 'a' + i % 26, sizeof val);
        rc = atoll_store_set(s, "main", k, val, sizeof val, NULL, NULL);
        if (rc < 0)
            break;
        ok++;
    }
    CHECK_EQ(rc, -ATOLL_ENOSPC);
    CHECK(ok > 3);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < ok; i++) {
            char k[16];
            snprintf(k, sizeof k, "k%d", i);
            CHECK_EQ(atoll_store_get(s, "main", k, &v, &n), 0);
            CHECK_EQ(n, sizeof val);
            CHECK_EQ(((char *)v)[0], 'a' + i % 26);
            atoll_free(v);
        }
        atoll_store_close(s);
        CHECK_EQ(open_store(sm, &s, why, sizeof why), 0);
    }
    atoll_store_close(s);
    return 0;
}

TEST(store_block, "full device: ENOSPC, nothing committed lost")
{
    RUN(t_full);
}

static int t_busy(void *arg)
{
    struct atoll_sim_disk_opts o = {.sectors = SECTORS,
                                    .mode = ATOLL_SIM_DISK_BUSY};
    struct atoll_block *b = disk("b", &o, NULL, 0);
    struct atoll_store *s;
    char why[160] = "";
    CHECK_EQ(open_store(b, &s, why, sizeof why), -ATOLL_EBUSY);
    CHECK(strstr(why, "busy") != NULL);
    struct atoll_block *bd;
    CHECK_EQ(atoll_block_open_busy("b", &bd), 0);
    CHECK_EQ(open_store(bd, &s, why, sizeof why), -ATOLL_EBUSY);
    return 0;
}

TEST(store_block, "busy device: EBUSY")
{
    RUN(t_busy);
}
