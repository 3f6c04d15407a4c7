/*
 * lib/crypto/random_blocking.c - the test double "an entropy source that
 * always blocks" as an application's random generator.
 *
 * A real Fortuna generator (fortuna.c) whose only source is
 * atoll_entropy_blocking(): it is polled like any source but never
 * delivers, so the generator is never seeded and every fill waits until
 * its deadline.  The waiting fiber sleeps in short steps, so the rest of
 * the unikernel keeps running (tests/sim/random_blocking.c shows it).
 */
#include "atoll/csprng.h"
#include "atoll/error.h"
#include "atoll/random.h"

int atoll_random_open_blocking(const char *name, struct atoll_random **out)
{
    (void)name;
    struct atoll_fortuna *f = atoll_fortuna_create();
    if (!f)
        return -ATOLL_ENOMEM;
    atoll_fortuna_add_source(f, atoll_entropy_blocking());
    atoll_fortuna_watch(f);
    *out = atoll_fortuna_random(f);
    return 0;
}
