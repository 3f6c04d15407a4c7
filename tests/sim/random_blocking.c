/*
 * tests/sim/random_blocking.c - the test double "an entropy source that
 * always blocks" (atoll_random_open_blocking, --impl random=blocking):
 * nothing random is ever produced - every fill waits until its deadline
 * and leaves the buffer alone - while the rest of the unikernel keeps
 * running: a timer-driven fiber ticks on schedule all along, and another
 * fiber's generator (the list double) serves at once.
 */
#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/csprng.h"

static int ticks;
static bool stop;

static int ticker(void *arg)
{
    (void)arg;
    while (!stop) {
        atoll_sleep(ATOLL_MS(10));
        ticks++;
    }
    return 0;
}

static int waiter_result = 1;
static int waiter(void *arg)
{
    struct atoll_random *r = arg;
    uint8_t buf[8] = {0};
    waiter_result =
        atoll_random_fill(r, buf, sizeof buf, atoll_after(ATOLL_SEC(2)));
    return 0;
}

static int body(void *arg)
{
    (void)arg;
    struct atoll_random *r = NULL;
    CHECK_EQ(atoll_random_open_blocking("random", &r), 0);
    CHECK_EQ(atoll_fiber_spawn(NULL, "ticker", ticker, NULL, 0), 0);
    atoll_fiber *w;
    CHECK_EQ(atoll_fiber_spawn(&w, "waiter", waiter, r, 0), 0);

    uint8_t buf[64], zero[64] = {0};
    memset(buf, 0, sizeof buf);
    atoll_time_t t0 = atoll_now();
    CHECK_EQ(atoll_random_fill(r, buf, sizeof buf, t0 + ATOLL_SEC(1)),
             -ATOLL_ETIMEDOUT);
    CHECK_EQ(atoll_now(), t0 + ATOLL_SEC(1)); /* waited the full second */
    CHECK_MEM(buf, zero, sizeof buf);         /* and got nothing */
    /* Meanwhile the ticker ran on time: 100 ticks of 10 ms, give or take
     * the last one at the boundary. */
    CHECK(ticks >= 99 && ticks <= 100);

    /* Another generator is unaffected. */
    const uint8_t list[] = {4};
    struct atoll_random *dice = atoll_random_list_create(list, 1);
    CHECK_EQ(atoll_random_fill(dice, buf, 1, t0), 0);
    CHECK_EQ(buf[0], 4);

    /* A second waiter times out at its own deadline too. */
    int res;
    CHECK_EQ(atoll_fiber_join(w, ATOLL_NEVER, &res), 0);
    CHECK_EQ(waiter_result, -ATOLL_ETIMEDOUT);
    CHECK_EQ(atoll_now(), t0 + ATOLL_SEC(2));
    CHECK(ticks >= 199);

    stop = true;
    return 0;
}

TEST(random_blocking, "entropy that always blocks: fills wait, system runs")
{
    CHECK_EQ(atoll_test_run(0, body, NULL), 0);
}
