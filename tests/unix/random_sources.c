/*
 * tests/unix/random_sources.c - the entropy sources of a real machine
 * (lib/crypto/entropy.c) on the unix target: the host generator always,
 * RDSEED/RDRAND exactly when /proc/cpuinfo lists them, and cycle-counter
 * jitter handing over an event every 16 polls; and the platform generator
 * seeded from them at once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/csprng.h"

static bool cpu_has(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[8192], want[32];
    snprintf(want, sizeof want, " %s", flag);
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5)) {
            char *p = strstr(line, want);
            found = p && (p[strlen(want)] == ' ' || p[strlen(want)] == '\n');
        }
    fclose(f);
    return found;
}

static const struct atoll_entropy_source *
find(const struct atoll_entropy_source *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, name))
            return &s[i];
    return NULL;
}

TEST(entropy_unix, "sources follow what the CPU reports")
{
    struct atoll_entropy_source s[ATOLL_ENTROPY_SOURCES_MAX];
    size_t n = atoll_entropy_machine_sources(s, ATOLL_ENTROPY_SOURCES_MAX);
    CHECK(find(s, n, "platform") != NULL);
    CHECK((find(s, n, "rdrand") != NULL) == cpu_has("rdrand"));
    CHECK((find(s, n, "rdseed") != NULL) == cpu_has("rdseed"));
#if defined(__x86_64__)
    CHECK(find(s, n, "cycles") != NULL);
#endif
    const char *cpu[] = {"platform", "rdrand", "rdseed"};
    for (size_t i = 0; i < 3; i++) {
        const struct atoll_entropy_source *src = find(s, n, cpu[i]);
        if (!src)
            continue;
        uint8_t a[32] = {0}, b[32] = {0};
        CHECK_EQ(src->poll(src->state, a, 32), 32);
        CHECK_EQ(src->poll(src->state, b, 32), 32);
        CHECK(memcmp(a, b, 32) != 0);
    }
}

TEST(entropy_unix, "cycle counter hands over one event per 16 polls")
{
    struct atoll_entropy_source s[ATOLL_ENTROPY_SOURCES_MAX];
    size_t n = atoll_entropy_machine_sources(s, ATOLL_ENTROPY_SOURCES_MAX);
    const struct atoll_entropy_source *c = find(s, n, "cycles");
    if (!c)
        SKIP("no cycle counter on this CPU architecture");
    CHECK_EQ(c->interval, 0); /* every scheduler iteration */
    uint8_t buf[32];
    int events = 0, bytes = 0;
    for (int i = 0; i < 64; i++) {
        int r = c->poll(c->state, buf, sizeof buf);
        CHECK(r == 0 || r == 16);
        events += r > 0;
        bytes += r;
    }
    CHECK_EQ(events, 4);
    CHECK_EQ(bytes, 64);
}

static int body_seeded(void *arg)
{
    (void)arg;
    uint8_t a[32], b[32];
    atoll_time_t t0 = atoll_now();
    CHECK_EQ(atoll_random_fill(atoll_random_platform(), a, 32, t0), 0);
    CHECK_EQ(atoll_random_fill(atoll_random_platform(), b, 32, t0), 0);
    CHECK(memcmp(a, b, 32) != 0);
    struct atoll_fortuna_stats st;
    atoll_fortuna_stats(atoll_fortuna_platform(), &st);
    CHECK(st.seeded);
    /* Keep the scheduler turning: the hook feeds the cycle counter. */
    uint64_t ev = st.events;
    for (int i = 0; i < 1000; i++)
        atoll_yield();
    atoll_fortuna_stats(atoll_fortuna_platform(), &st);
    CHECK(st.events > ev);
    return 0;
}

TEST(entropy_unix, "platform generator is seeded at boot and fed as it runs")
{
    CHECK_EQ(atoll_test_run(0, body_seeded, NULL), 0);
}
