/*
 * atoll/random.h - the random bytes interface.
 *
 * NAME
 *     struct atoll_random, atoll_random_fill
 *
 * DESCRIPTION
 *     Fills a buffer with random bytes.  fill may block the calling fiber
 *     (a generator that is not yet seeded waits for entropy) until
 *     `deadline`.  The platform implementation reads the host's generator
 *     (getrandom on unix); on the sim target it is a deterministic stream
 *     derived from the simulation seed, so runs replay exactly.
 *
 * RETURN VALUE
 *     0 (the whole buffer is filled), or -ATOLL_ETIMEDOUT, -ATOLL_EIO.
 */
#ifndef ATOLL_RANDOM_H
#define ATOLL_RANDOM_H

#include <stddef.h>

#include "atoll/time.h"

struct atoll_random_ops {
    int (*fill)(void *state, void *buf, size_t len, atoll_time_t deadline);
};

struct atoll_random {
    const struct atoll_random_ops *ops;
    void *state;
};

static inline int atoll_random_fill(struct atoll_random *r, void *buf,
                                    size_t len, atoll_time_t deadline)
{
    return r->ops->fill(r->state, buf, len, deadline);
}

/* The platform's generator. */
struct atoll_random *atoll_random_platform(void);

#endif
