/*
 * tests/unix/net_flood.c - a stack over the flood netif ("a network
 * interface that always has a new packet waiting") does not starve timers
 * or other fibers.
 *
 * The stack's receive fiber never blocks here: every recv returns a full
 * batch at once.  It yields after each full batch, so a sleeping fiber
 * must still wake on time and a busy fiber must still get turns.  This
 * runs on the unix target's real clock: on sim, where the clock stands
 * still while fibers run, a reader that never blocks would also stop
 * virtual time, and the sleeper's deadline would never come.
 */
#include <stdio.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

struct share {
    struct atoll_stack *s;
    atoll_time_t late;
    long spins;
    bool done;
};

static int sleeper(void *arg)
{
    struct share *sh = arg;
    for (int i = 0; i < 5; i++) {
        atoll_time_t d = atoll_after(ATOLL_MS(10));
        atoll_sleep_until(d);
        atoll_time_t late = atoll_now() - d;
        if (late > sh->late)
            sh->late = late;
    }
    sh->done = true;
    return 0;
}

static int spinner(void *arg)
{
    struct share *sh = arg;
    while (!sh->done) {
        sh->spins++;
        atoll_yield();
    }
    return 0;
}

static int flood_main(void *arg)
{
    struct share *sh = arg;
    struct atoll_netif *nif;
    if (atoll_netif_open_flood("flood0", &nif) < 0)
        return 1;
    struct atoll_stack_config c = {.addr = 0xc6120002, .prefix = 16};
    if (atoll_stack_create("flood", nif, &c, &sh->s) < 0)
        return 2;
    atoll_fiber *z, *p;
    atoll_fiber_spawn(&z, "sleeper", sleeper, sh, 0);
    atoll_fiber_spawn(&p, "spinner", spinner, sh, 0);
    atoll_fiber_join(z, ATOLL_NEVER, NULL);
    atoll_fiber_join(p, ATOLL_NEVER, NULL);
    return 0;
}

TEST(net_flood, "a stack under a packet flood leaves timers and fibers running")
{
    struct share sh = {0};
    CHECK_EQ(atoll_test_run(0, flood_main, &sh), 0);
    struct atoll_stack_stats st;
    atoll_stack_stats(sh.s, &st);
    printf("       %llu frames processed, %ld spinner turns, worst timer "
           "%lld us late\n",
           (unsigned long long)st.rx_frames, sh.spins,
           (long long)(sh.late / 1000));
    CHECK(st.rx_frames > 1000); /* the flood was real and processed */
    CHECK(sh.spins > 10);       /* the other fiber ran */
    CHECK(sh.late >= 0);
    CHECK(sh.late < ATOLL_MS(200)); /* timers fired (a starved one never) */
}
