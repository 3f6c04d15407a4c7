/*
 * platform/sim/core.c - the sim target's clock, console, memory, seeded
 * generator, options and exit.
 *
 * The monotonic clock is a variable: it starts at 0 and only plat_wait
 * (wire.c) moves it, so it stands still while fibers run.  The wall clock
 * is --sim-epoch plus that.  Randomness comes from xoshiro256** generators
 * seeded through splitmix64 from the simulation seed: one stream for the
 * simulated faults, another for plat_random, so that an application asking
 * for more random bytes does not change which frames a wire drops.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atoll/error.h"
#include "atoll/sim.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "platform.h"
#include "sim_int.h"

const char plat_name[] = "sim";
const bool plat_deterministic = true;

/* ---- clock ----------------------------------------------------------- */

static atoll_time_t now_ns;
static atoll_time_t epoch_ns = 946684800LL * 1000000000LL;

atoll_time_t sim_now(void)
{
    return now_ns;
}

void sim_advance(atoll_time_t t)
{
    if (t > now_ns)
        now_ns = t;
}

atoll_time_t sim_epoch(void)
{
    return epoch_ns;
}

atoll_time_t plat_clock_monotonic(void)
{
    return now_ns;
}

atoll_time_t plat_clock_wall(void)
{
    return epoch_ns + now_ns;
}

/* ---- generator ------------------------------------------------------- */

struct xoshiro {
    uint64_t s[4];
};

static uint64_t sim_seed_value = 1;
static bool seeded;
static struct xoshiro faults_rng, app_rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void xoshiro_seed(struct xoshiro *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro_next(struct xoshiro *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void ensure_seeded(void)
{
    if (seeded)
        return;
    /* Two streams from one seed: the second is keyed by a constant so the
     * streams never coincide. */
    xoshiro_seed(&faults_rng, sim_seed_value);
    xoshiro_seed(&app_rng, sim_seed_value ^ 0x6170702d72616e64ULL);
    seeded = true;
}

void atoll_sim_seed(uint64_t seed)
{
    sim_seed_value = seed;
    seeded = false;
    ensure_seeded();
}

uint64_t sim_rand(void)
{
    ensure_seeded();
    return xoshiro_next(&faults_rng);
}

double sim_rand_unit(void)
{
    return (double)(sim_rand() >> 11) * 0x1.0p-53;
}

uint64_t sim_rand_below(uint64_t n)
{
    /* Rejection sampling: no modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = sim_rand();
    while (x >= limit);
    return x % n;
}

bool sim_chance(double p)
{
    if (p <= 0)
        return false;
    /* Draw even when p >= 1 so that a wire's random sequence does not
     * depend on which of its probabilities are set. */
    return sim_rand_unit() < p;
}

int plat_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    ensure_seeded();
    while (len > 0) {
        uint64_t x = xoshiro_next(&app_rng);
        size_t n = len < 8 ? len : 8;
        memcpy(p, &x, n);
        p += n;
        len -= n;
    }
    return 0;
}

/* ---- device numbers -------------------------------------------------- */

static struct {
    enum sim_dev_kind kind;
    void *obj;
} devices[ATOLL_DEVICES_MAX];

int sim_dev_alloc(enum sim_dev_kind kind, void *obj)
{
    for (int i = 0; i < ATOLL_DEVICES_MAX; i++) {
        if (devices[i].kind == SIM_DEV_FREE) {
            devices[i].kind = kind;
            devices[i].obj = obj;
            return i;
        }
    }
    return -ATOLL_ENOMEM;
}

void *sim_dev_get(int dev, enum sim_dev_kind kind)
{
    if (dev < 0 || dev >= ATOLL_DEVICES_MAX || devices[dev].kind != kind)
        return NULL;
    return devices[dev].obj;
}

/* ---- options --------------------------------------------------------- */

int plat_option(const char *key, const char *value, char *err, size_t errlen)
{
    if (strcmp(key, "seed") == 0) {
        uint64_t seed;
        if (!value || sim_parse_u64(value, &seed) < 0) {
            host_errf(err, errlen, "--seed: bad seed '%s' (expected a number)",
                      value ? value : "");
            return -ATOLL_EINVAL;
        }
        atoll_sim_seed(seed);
        return 0;
    }
    if (strcmp(key, "sim-epoch") == 0) {
        uint64_t s;
        if (!value || sim_parse_u64(value, &s) < 0 ||
            s > (uint64_t)(INT64_MAX / 1000000000LL) / 2) {
            host_errf(err, errlen,
                      "--sim-epoch: bad time '%s' (expected seconds since "
                      "1970)",
                      value ? value : "");
            return -ATOLL_EINVAL;
        }
        epoch_ns = (atoll_time_t)s * 1000000000LL;
        return 0;
    }
    if (strncmp(key, "wire:", 5) == 0) {
        if (key[5] == '\0') {
            host_errf(err, errlen,
                      "--wire: missing wire name (--wire:NAME=...)");
            return -ATOLL_EINVAL;
        }
        return sim_wire_option(key + 5, value ? value : "", err, errlen);
    }
    return -ATOLL_ENOENT;
}

/* Nothing outside a simulation may change its course: a live trace
 * request (a signal) would make two runs of one seed differ. */
unsigned plat_trace_requests(void)
{
    return 0;
}

const char *plat_options_help(void)
{
    return "  --seed=N              simulation seed (default 1)\n"
           "  --net:IF=WIRE         attach interface IF to simulated wire "
           "WIRE\n"
           "  --wire:WIRE=OPTS      loss=P,dup=P,reorder=P,corrupt=P,"
           "delay=DUR,\n"
           "                        jitter=DUR,bw=RATE,tso=on|off,pcap=FILE\n"
           "  --block:NAME=SPEC     FILE or mem:SIZE, then ,full ,busy "
           ",fail-at=N\n"
           "                        ,torn-at=N ,sector=BYTES\n"
           "  --sim-epoch=SECONDS   wall clock at boot (default 946684800)\n";
}
