/*
 * lib/core/random.c - the platform's random generator as an atoll_random
 * interface (atoll/random.h).
 *
 * It is the Fortuna generator of lib/crypto (atoll/csprng.h), seeded from
 * the machine's entropy sources on first use (the first fill), so everything
 * that asks atoll_random_platform() for bytes - applications, TCP initial
 * sequence numbers, DNS ids and ports, DHCP transaction ids - gets
 * generator output, never raw source bytes.  plat_random is one of its
 * sources, not the generator.
 */
#include "atoll/random.h"

#include "atoll/csprng.h"
#include "atoll/error.h"

/* The generator is set up on the first fill, not when the handle is
 * handed out: every application's wiring asks for the handle at boot, and
 * seeding (sampling every entropy source, hashing the pools) is work a
 * unikernel that never draws a random byte should not pay at every boot
 * (on hvt, also the pages it touches: each is a shadow-paging fault). */
static int platform_fill(void *state, void *buf, size_t len,
                         atoll_time_t deadline)
{
    (void)state;
    struct atoll_fortuna *f = atoll_fortuna_platform();
    if (!f)
        return -ATOLL_EIO; /* cannot happen today: it needs no memory */
    return atoll_random_fill(atoll_fortuna_random(f), buf, len, deadline);
}

static const struct atoll_random_ops platform_ops = {platform_fill};
static struct atoll_random platform_dev = {&platform_ops, 0};

struct atoll_random *atoll_random_platform(void)
{
    return &platform_dev;
}

int atoll_random_open_default(const char *name, struct atoll_random **out)
{
    (void)name;
    *out = atoll_random_platform();
    return 0;
}
