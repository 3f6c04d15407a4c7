/*
 * atoll/time.h - time values, durations and deadlines.
 *
 * All times in Atoll are signed 64-bit nanosecond counts (atoll_time_t).
 * A *duration* is a difference of two times; a *deadline* is an absolute
 * point on the monotonic clock (see atoll/mclock.h and atoll_now()).
 *
 * Every blocking call in Atoll takes a deadline, not a relative timeout:
 * deadlines compose (a retry loop keeps one deadline for all its attempts)
 * and cannot drift.  Build one with atoll_after(duration); ATOLL_NEVER waits
 * without limit.
 */
#ifndef ATOLL_TIME_H
#define ATOLL_TIME_H

#include <stdint.h>

typedef int64_t atoll_time_t;

#define ATOLL_NS(x)  ((atoll_time_t)(x))
#define ATOLL_US(x)  ((atoll_time_t)(x)*1000)
#define ATOLL_MS(x)  ((atoll_time_t)(x)*1000000)
#define ATOLL_SEC(x) ((atoll_time_t)(x)*1000000000)

/* A deadline that never arrives. */
#define ATOLL_NEVER INT64_MAX

/* Current monotonic time in nanoseconds (the platform's clock; virtual on
 * the sim target).  Starts near 0 at boot and never goes backwards. */
atoll_time_t atoll_now(void);

/* The deadline `duration` from now, saturating at ATOLL_NEVER.  A negative
 * duration gives a deadline in the past (the call times out at once). */
atoll_time_t atoll_after(atoll_time_t duration);

#endif
