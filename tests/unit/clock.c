/*
 * tests/unit/clock.c - time helpers and the calendar conversion.
 */
#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

static void civil(atoll_time_t t, int y, int mo, int d, int h, int mi, int s,
                  int wd, const char *file, int line)
{
    struct atoll_civil c;
    atoll_civil_from_time(t, &c);
    if (c.year != y || c.month != mo || c.day != d || c.hour != h ||
        c.minute != mi || c.second != s || c.weekday != wd)
        harness_fail(file, line,
                     "%lld -> %d-%02d-%02d %02d:%02d:%02d wd%d, want "
                     "%d-%02d-%02d %02d:%02d:%02d wd%d",
                     (long long)t, c.year, c.month, c.day, c.hour, c.minute,
                     c.second, c.weekday, y, mo, d, h, mi, s, wd);
}
#define CIVIL(t, ...) civil((t), __VA_ARGS__, __FILE__, __LINE__)

TEST(clock, "epoch times convert to proleptic Gregorian UTC dates")
{
    CIVIL(0, 1970, 1, 1, 0, 0, 0, 4);
    CIVIL(ATOLL_SEC(946684800), 2000, 1, 1, 0, 0, 0, 6);
    CIVIL(ATOLL_SEC(951782400), 2000, 2, 29, 0, 0, 0, 2); /* leap day */
    CIVIL(ATOLL_SEC(1709251199), 2024, 2, 29, 23, 59, 59, 4);
    CIVIL(ATOLL_SEC(4102444800), 2100, 1, 1, 0, 0, 0, 5);
    CIVIL(ATOLL_SEC(-1), 1969, 12, 31, 23, 59, 59, 3);
    CIVIL(ATOLL_SEC(-2208988800), 1900, 1, 1, 0, 0, 0, 1);
    CIVIL(ATOLL_SEC(-8515238400), 1700, 3, 1, 0, 0, 0, 1);
    struct atoll_civil c;
    atoll_civil_from_time(-1, &c);
    CHECK_EQ(c.nanosecond, 999999999);
    CHECK_EQ(c.second, 59);
    atoll_civil_from_time(ATOLL_SEC(1) + 5, &c);
    CHECK_EQ(c.nanosecond, 5);
}

static void init(void)
{
    struct atoll_runtime_opts o = {4u << 20, 64, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
}

static int after_main(void *arg)
{
    (void)arg;
    atoll_sleep(ATOLL_MS(1)); /* the clock is past 0 now */
    CHECK_EQ(atoll_after(ATOLL_NEVER), ATOLL_NEVER);
    CHECK_EQ(atoll_after(ATOLL_NEVER - 1), ATOLL_NEVER);
    CHECK(atoll_after(INT64_MIN) < 0);
    return 0;
}

TEST(clock, "atoll_after saturates at ATOLL_NEVER")
{
    CHECK_EQ(atoll_test_run(4u << 20, after_main, NULL), 0);
    atoll_time_t now = atoll_now();
    CHECK(atoll_after(ATOLL_MS(5)) >= now + ATOLL_MS(5));
    CHECK(atoll_after(-ATOLL_MS(5)) < atoll_now());
    CHECK(atoll_mclock_now(atoll_mclock_platform()) >= now);
    CHECK(atoll_wclock_now(atoll_wclock_platform()) > 0);
}

TEST(clock, "the platform random device fills buffers")
{
    uint8_t a[64] = {0}, zero[64] = {0};
    init();
    CHECK_EQ(
        atoll_random_fill(atoll_random_platform(), a, sizeof a, ATOLL_NEVER),
        0);
    CHECK(memcmp(a, zero, sizeof a) != 0);
}
