/*
 * lib/core/random.c - the platform's random generator as an atoll_random
 * interface (atoll/random.h).
 *
 * It is the Fortuna generator of lib/crypto (atoll/csprng.h), seeded from
 * the machine's entropy sources on first use, so everything that asks
 * atoll_random_platform() for bytes - applications, TCP initial sequence
 * numbers, DNS ids and ports, DHCP transaction ids - gets generator
 * output, never raw source bytes.  plat_random is one of its sources, not
 * the generator.
 */
#include "atoll/random.h"

#include "atoll/csprng.h"
#include "atoll/error.h"

/* Returned if the generator could not be set up (it needs no memory, so
 * this cannot happen today; the interface promises non-NULL). */
static int broken_fill(void *state, void *buf, size_t len,
                       atoll_time_t deadline)
{
    (void)state;
    (void)buf;
    (void)len;
    (void)deadline;
    return -ATOLL_EIO;
}

static const struct atoll_random_ops broken_ops = {broken_fill};
static struct atoll_random broken_dev = {&broken_ops, 0};

struct atoll_random *atoll_random_platform(void)
{
    struct atoll_fortuna *f = atoll_fortuna_platform();
    return f ? atoll_fortuna_random(f) : &broken_dev;
}

int atoll_random_open_default(const char *name, struct atoll_random **out)
{
    (void)name;
    *out = atoll_random_platform();
    return 0;
}
