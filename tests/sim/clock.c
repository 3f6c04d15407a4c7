/*
 * tests/sim/clock.c - the sim target's virtual clock and seeded random
 * device: sleeps end exactly at their deadlines, the wall clock is the
 * configured epoch plus virtual time, and the random device replays per
 * seed without being disturbed by (or disturbing) the simulated faults.
 */
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/sim.h"
#include "platform.h"
#include "../../platform/sim/sim_int.h"

struct times {
    atoll_time_t t[4];
};

static int sleeper(void *arg)
{
    struct times *t = arg;
    t->t[0] = atoll_now();
    atoll_sleep(ATOLL_MS(7));
    t->t[1] = atoll_now();
    atoll_sleep_until(ATOLL_SEC(3) + 5);
    t->t[2] = atoll_now();
    atoll_event ev = ATOLL_EVENT_INIT("never");
    atoll_event_wait(&ev, atoll_after(ATOLL_US(250)));
    t->t[3] = atoll_now();
    return 0;
}

TEST(clock, "sleeps and timeouts end exactly at their deadlines")
{
    struct times t;
    CHECK_EQ(atoll_test_run(0, sleeper, &t), 0);
    CHECK_EQ(t.t[0], 0);
    CHECK_EQ(t.t[1], ATOLL_MS(7));
    CHECK_EQ(t.t[2], ATOLL_SEC(3) + 5);
    CHECK_EQ(t.t[3], ATOLL_SEC(3) + 5 + ATOLL_US(250));
}

TEST(clock, "the wall clock is --sim-epoch plus virtual time")
{
    char err[256] = "";
    CHECK_EQ(plat_clock_wall(), 946684800LL * 1000000000);
    CHECK_EQ(plat_option("sim-epoch", "1700000000", err, sizeof err), 0);
    uint64_t ready;
    plat_wait(ATOLL_MS(1500), 0, &ready);
    CHECK_EQ(plat_clock_wall(), 1700000001LL * 1000000000 + ATOLL_MS(500));
    CHECK_EQ(plat_option("sim-epoch", "soon", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "--sim-epoch") != NULL);
    CHECK(strstr(plat_options_help(), "--wire:") != NULL);
    CHECK_STR(plat_name, "sim");
}

TEST(clock, "the random device replays per seed, apart from the faults")
{
    uint8_t a[64], b[64], c[64];
    char err[256];
    CHECK_EQ(plat_option("seed", "99", err, sizeof err), 0);
    CHECK_EQ(plat_random(a, sizeof a), 0);
    atoll_sim_seed(99);
    uint64_t f1 = sim_rand();
    atoll_sim_seed(99);
    /* Drawing fault randomness first does not shift the app stream... */
    (void)sim_rand();
    CHECK_EQ(plat_random(b, sizeof b), 0);
    CHECK_MEM(a, b, sizeof a);
    /* ...and drawing app randomness does not shift the fault stream. */
    atoll_sim_seed(99);
    CHECK_EQ(plat_random(c, 13), 0);
    CHECK_EQ(sim_rand(), f1);
    atoll_sim_seed(100);
    CHECK_EQ(plat_random(c, sizeof c), 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
}
