/*
 * atoll/mclock.h - the monotonic clock interface.
 *
 * NAME
 *     struct atoll_mclock, atoll_mclock_now
 *
 * DESCRIPTION
 *     Nanoseconds since an arbitrary origin near boot; never goes
 *     backwards, does not jump when the wall clock is set.  It is the clock
 *     of every deadline in Atoll (atoll_now() reads the same clock).  On the
 *     sim target it is virtual: it stands still while fibers run and jumps
 *     to the next deadline when all of them wait.
 */
#ifndef ATOLL_MCLOCK_H
#define ATOLL_MCLOCK_H

#include "atoll/time.h"

struct atoll_mclock_ops {
    atoll_time_t (*now)(void *state);
};

struct atoll_mclock {
    const struct atoll_mclock_ops *ops;
    void *state;
};

static inline atoll_time_t atoll_mclock_now(struct atoll_mclock *c)
{
    return c->ops->now(c->state);
}

/* The platform's monotonic clock. */
struct atoll_mclock *atoll_mclock_platform(void);

#endif
