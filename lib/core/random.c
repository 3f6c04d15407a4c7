/*
 * lib/core/random.c - the platform's random generator as an atoll_random
 * interface (atoll/random.h).
 *
 * plat_random never blocks (the host generator is seeded by the time a
 * process runs; the sim stream is always ready), so the deadline is not
 * needed here.
 */
#include "atoll/random.h"
#include "platform.h"

static int platform_fill(void *state, void *buf, size_t len,
                         atoll_time_t deadline)
{
    (void)state;
    (void)deadline;
    return plat_random(buf, len);
}

static const struct atoll_random_ops random_ops = {platform_fill};
static struct atoll_random random_dev = {&random_ops, 0};

struct atoll_random *atoll_random_platform(void)
{
    return &random_dev;
}
