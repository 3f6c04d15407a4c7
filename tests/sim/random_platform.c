/*
 * tests/sim/random_platform.c - the platform generator on the sim target:
 * Fortuna seeded at boot from the simulation's seeded stream only, so it
 * never waits, and the same seed gives the same bytes (runs replay), a
 * different seed different ones; the iteration hook keeps feeding it.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/csprng.h"
#include "atoll/sim.h"

static int body_ready(void *arg)
{
    (void)arg;
    struct atoll_random *r = atoll_random_platform();
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    atoll_time_t t0 = atoll_now();
    CHECK_EQ(atoll_random_fill(r, a, sizeof a, t0), 0); /* no waiting */
    CHECK_EQ(atoll_random_fill(r, b, sizeof b, t0), 0);
    CHECK_EQ(atoll_now(), t0);
    CHECK(memcmp(a, zero, 32) != 0);
    CHECK(memcmp(a, b, 32) != 0);
    struct atoll_fortuna_stats st;
    atoll_fortuna_stats(atoll_fortuna_platform(), &st);
    CHECK(st.seeded);
    CHECK_EQ(st.reseeds, 1);
    CHECK_EQ(st.requests, 2);
    return 0;
}

TEST(random_sim, "platform generator is seeded at boot and never waits")
{
    CHECK_EQ(atoll_test_run(0, body_ready, NULL), 0);
}

TEST(random_sim, "sim feeds it from the seeded stream only")
{
    struct atoll_entropy_source s[ATOLL_ENTROPY_SOURCES_MAX];
    size_t n = atoll_entropy_machine_sources(s, ATOLL_ENTROPY_SOURCES_MAX);
    CHECK_EQ(n, 1);
    CHECK_STR(s[0].name, "platform");
    CHECK(s[0].interval > 0); /* never the per-iteration cycle counter */
}

static int body_print(void *arg)
{
    uint8_t *out = arg;
    return atoll_random_fill(atoll_random_platform(), out, 16, 0);
}

/* 16 bytes of the platform generator in a fresh process seeded `seed`. */
static void bytes_for_seed(uint64_t seed, uint8_t out[16])
{
    int fd[2];
    CHECK_EQ(pipe(fd), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        uint8_t b[16];
        atoll_sim_seed(seed);
        int rc = atoll_test_run(0, body_print, b);
        if (rc != 0 || write(fd[1], b, 16) != 16)
            harness_exit(1);
        harness_exit(0);
    }
    close(fd[1]);
    CHECK_EQ(read(fd[0], out, 16), 16);
    close(fd[0]);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(random_sim, "same seed gives the same bytes, another seed others")
{
    uint8_t a[16], b[16], c[16];
    bytes_for_seed(7, a);
    bytes_for_seed(7, b);
    bytes_for_seed(8, c);
    CHECK_MEM(a, b, 16);
    CHECK(memcmp(a, c, 16) != 0);
}

static int body_feed(void *arg)
{
    (void)arg;
    atoll_random_platform();
    struct atoll_fortuna_stats before, after;
    atoll_fortuna_stats(atoll_fortuna_platform(), &before);
    for (int i = 0; i < 50; i++)
        atoll_sleep(ATOLL_MS(100)); /* 5 virtual seconds */
    atoll_fortuna_stats(atoll_fortuna_platform(), &after);
    /* The platform source is polled once per ATOLL_ENTROPY_SLOW_INTERVAL
     * (1 s) from the scheduler's iteration hook. */
    CHECK(after.events >= before.events + 4);
    CHECK(after.events <= before.events + 6);
    return 0;
}

TEST(random_sim, "the scheduler hook keeps feeding entropy")
{
    CHECK_EQ(atoll_test_run(0, body_feed, NULL), 0);
}
