/*
 * lib/core/clock.c - atoll_now/atoll_after and the platform clocks as
 * interfaces (atoll/mclock.h, atoll/wclock.h).
 *
 * Every clock reading in lib/ goes through plat_clock_*, so the sim target
 * can make time virtual without the layers above noticing.
 */
#include "atoll/mclock.h"
#include "atoll/time.h"
#include "atoll/wclock.h"
#include "platform.h"

atoll_time_t atoll_now(void)
{
    return plat_clock_monotonic();
}

atoll_time_t atoll_after(atoll_time_t duration)
{
    atoll_time_t now = plat_clock_monotonic(), out;
    /* Saturate instead of wrapping: a huge timeout means "never", not a
     * deadline in the distant past. */
    if (__builtin_add_overflow(now, duration, &out))
        return duration > 0 ? ATOLL_NEVER : INT64_MIN;
    return out;
}

static atoll_time_t mclock_now(void *state)
{
    (void)state;
    return plat_clock_monotonic();
}

static atoll_time_t wclock_now(void *state)
{
    (void)state;
    return plat_clock_wall();
}

static const struct atoll_mclock_ops mclock_ops = {mclock_now};
static const struct atoll_wclock_ops wclock_ops = {wclock_now};
static struct atoll_mclock mclock = {&mclock_ops, 0};
static struct atoll_wclock wclock = {&wclock_ops, 0};

struct atoll_mclock *atoll_mclock_platform(void)
{
    return &mclock;
}

struct atoll_wclock *atoll_wclock_platform(void)
{
    return &wclock;
}
