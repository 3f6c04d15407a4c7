/*
 * atoll/wclock.h - the wall clock interface.
 *
 * NAME
 *     struct atoll_wclock, atoll_wclock_now, atoll_civil_from_time
 *
 * DESCRIPTION
 *     Nanoseconds since the Unix epoch (1970-01-01T00:00:00Z), UTC, no leap
 *     seconds.  It can jump (the host's clock is set); measure durations
 *     with the monotonic clock instead.  On the sim target it is a fixed
 *     start time (--sim-epoch=SECONDS, default 2000-01-01T00:00:00Z) plus
 *     the virtual monotonic time, so runs are reproducible.
 */
#ifndef ATOLL_WCLOCK_H
#define ATOLL_WCLOCK_H

#include <stdint.h>

#include "atoll/time.h"

struct atoll_wclock_ops {
    atoll_time_t (*now)(void *state);
};

struct atoll_wclock {
    const struct atoll_wclock_ops *ops;
    void *state;
};

static inline atoll_time_t atoll_wclock_now(struct atoll_wclock *c)
{
    return c->ops->now(c->state);
}

/* The platform's wall clock. */
struct atoll_wclock *atoll_wclock_platform(void);

/* A broken-down UTC time. */
struct atoll_civil {
    int32_t year;    /* e.g. 2026 */
    uint8_t month;   /* 1..12 */
    uint8_t day;     /* 1..31 */
    uint8_t hour;    /* 0..23 */
    uint8_t minute;  /* 0..59 */
    uint8_t second;  /* 0..59 */
    uint8_t weekday; /* 0 = Sunday .. 6 */
    uint32_t nanosecond;
};

/* Convert nanoseconds since the epoch (may be negative) to UTC fields. */
void atoll_civil_from_time(atoll_time_t t, struct atoll_civil *out);

#endif
