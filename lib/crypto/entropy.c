/*
 * lib/crypto/entropy.c - the entropy sources Fortuna (fortuna.c) polls:
 *
 *   platform  plat_random: getrandom on unix, the seed the tender hands
 *             over on hvt, the seeded stream on sim
 *   rdseed    the CPU's RDSEED, when CPUID reports it
 *   rdrand    the CPU's RDRAND, when CPUID reports it
 *   cycles    cycle-counter (RDTSC) jitter, one byte per scheduler
 *             iteration, handed over 16 bytes at a time
 *
 * The CPU sources are x86_64 instructions, so they are behind
 * `#if defined(__x86_64__)`: that is a CPU condition, not a platform one
 * (the same code runs on unix and hvt).  On the sim target only the
 * platform stream is used: the simulation seed must decide every byte of a
 * run, and the cycle counter or RDRAND would make runs unrepeatable.
 *
 * Also the test double "an entropy source that always blocks".
 */
#include "atoll/csprng.h"

#include <string.h>

#include "atoll/error.h"
#include "platform.h"

static int platform_poll(void *state, void *buf, size_t len)
{
    (void)state;
    int err = plat_random(buf, len);
    return err < 0 ? err : (int)len;
}

#if defined(__x86_64__)

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ __volatile__("cpuid"
                         : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(sub));
}

static bool has_rdrand(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 1)
        return false;
    cpuid(1, 0, r);
    return r[2] & (1u << 30); /* CPUID.01H:ECX.RDRAND[bit 30] */
}

static bool has_rdseed(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 7)
        return false;
    cpuid(7, 0, r);
    return r[1] & (1u << 18); /* CPUID.(EAX=07H,ECX=0):EBX.RDSEED[bit 18] */
}

/* One 64-bit value, or false when the CPU has none ready right now (carry
 * clear).  All-ones is refused too: some CPUs return it forever after a
 * suspend while still setting the carry. */
static bool rdrand64(uint64_t *v)
{
    unsigned char ok;
    __asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok && *v != ~UINT64_C(0);
}

static bool rdseed64(uint64_t *v)
{
    unsigned char ok;
    __asm__ __volatile__("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok && *v != ~UINT64_C(0);
}

/* Up to len bytes from `get`, retrying a few times: Intel documents that
 * RDRAND may transiently fail and RDSEED does so often under load. */
static int cpu_poll(bool (*get)(uint64_t *), void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t got = 0;
    int tries = 0;
    while (got < len && tries < 10) {
        uint64_t v;
        if (!get(&v)) {
            tries++;
            continue;
        }
        size_t n = len - got < 8 ? len - got : 8;
        memcpy(p + got, &v, n);
        got += n;
    }
    return (int)got;
}

static int rdrand_poll(void *state, void *buf, size_t len)
{
    (void)state;
    return cpu_poll(rdrand64, buf, len);
}

static int rdseed_poll(void *state, void *buf, size_t len)
{
    (void)state;
    return cpu_poll(rdseed64, buf, len);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* Cycle-counter jitter: the low byte of the time between two scheduler
 * iterations varies with caches, interrupts and I/O.  Each poll keeps one
 * byte; every 16 polls they are handed over as one event (one pool update
 * per 16 iterations keeps the hook cheap). */
#define JITTER_EVENT 16
static struct {
    uint64_t last;
    uint8_t buf[JITTER_EVENT];
    size_t n;
} jitter;

static int cycles_poll(void *state, void *buf, size_t len)
{
    (void)state;
    uint64_t t = rdtsc();
    uint64_t d = t - jitter.last;
    jitter.last = t;
    jitter.buf[jitter.n++] = (uint8_t)(d ^ d >> 8);
    if (jitter.n < JITTER_EVENT)
        return 0;
    size_t n = len < JITTER_EVENT ? len : JITTER_EVENT;
    memcpy(buf, jitter.buf, n);
    jitter.n = 0;
    return (int)n;
}

#endif /* __x86_64__ */

size_t atoll_entropy_machine_sources(struct atoll_entropy_source *out,
                                     size_t max)
{
    size_t n = 0;
    if (n < max)
        out[n++] = (struct atoll_entropy_source){
            "platform", platform_poll, NULL, ATOLL_ENTROPY_SLOW_INTERVAL};
    if (plat_deterministic)
        return n; /* the seeded stream only */
#if defined(__x86_64__)
    if (n < max && has_rdseed())
        out[n++] = (struct atoll_entropy_source){"rdseed", rdseed_poll, NULL,
                                                 ATOLL_ENTROPY_SLOW_INTERVAL};
    if (n < max && has_rdrand())
        out[n++] = (struct atoll_entropy_source){"rdrand", rdrand_poll, NULL,
                                                 ATOLL_ENTROPY_SLOW_INTERVAL};
    if (n < max)
        out[n++] =
            (struct atoll_entropy_source){"cycles", cycles_poll, NULL, 0};
#endif
    return n;
}

/* ---- test double --------------------------------------------------------- */

static int blocking_poll(void *state, void *buf, size_t len)
{
    (void)state;
    (void)buf;
    (void)len;
    return 0; /* never anything: whoever waits for it waits forever */
}

static const struct atoll_entropy_source blocking_source = {
    "blocking", blocking_poll, NULL, 0};

const struct atoll_entropy_source *atoll_entropy_blocking(void)
{
    return &blocking_source;
}
