/*
 * atoll/random.h - the random bytes interface.
 *
 * NAME
 *     struct atoll_random, atoll_random_fill
 *
 * DESCRIPTION
 *     Fills a buffer with random bytes.  fill may block the calling fiber
 *     (a generator that is not yet seeded waits for entropy) until
 *     `deadline`.  The platform implementation is the Fortuna generator
 *     (atoll/csprng.h, docs/random.md) fed by the machine's entropy
 *     sources (getrandom on unix, the tender's seed on hvt, RDSEED/RDRAND
 *     and cycle-counter jitter); on the sim target its only source is the
 *     stream derived from the simulation seed, so runs replay exactly.
 *
 *     Which implementation backs an application's app->random is chosen
 *     when it is built (`atoll configure --impl random=IMPL`, see
 *     docs/testing.md):
 *
 *       default   atoll_random_platform()
 *       list      a test double that returns the bytes of a list, over and
 *                 over: the application argument --random-list=HEX
 *       blocking  a test double: a Fortuna generator whose only entropy
 *                 source never delivers, so every fill waits until its
 *                 deadline and returns -ATOLL_ETIMEDOUT
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

/* The platform's generator (never NULL). */
struct atoll_random *atoll_random_platform(void);

struct atoll_arg_value;

/*
 * Constructors the generated wiring calls (CTOR(NAME, [values,] &out), as
 * for devices; atoll/app.h).  `values` of the list implementation is its
 * one argument, a string of hex bytes (blanks, ':' and ',' between bytes
 * allowed).  0, -ATOLL_EINVAL (bad or empty list), -ATOLL_ENOMEM.
 */
int atoll_random_open_default(const char *name, struct atoll_random **out);
int atoll_random_open_list(const char *name,
                           const struct atoll_arg_value *values,
                           struct atoll_random **out);
int atoll_random_open_blocking(const char *name, struct atoll_random **out);

/* The list test double from C: fill returns `bytes` (copied), repeated
 * cyclically, never blocking.  NULL if len is 0 or memory is short. */
struct atoll_random *atoll_random_list_create(const void *bytes, size_t len);

#endif
