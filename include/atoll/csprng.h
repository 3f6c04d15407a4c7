/*
 * atoll/csprng.h - the Fortuna random generator and its entropy sources.
 *
 * NAME
 *     atoll_fortuna_* - a cryptographically secure generator
 *     atoll_entropy_* - where its entropy comes from
 *
 * DESCRIPTION
 *     Fortuna (Ferguson, Schneier and Kohno, "Cryptography Engineering",
 *     chapter 9) as the generator behind atoll_random_platform()
 *     (atoll/random.h).  Applications use the atoll_random interface; this
 *     header is for code that builds generators (the platform's, the test
 *     doubles) and for tests.  docs/random.md describes the design.
 *
 *     Accumulator: ATOLL_FORTUNA_POOLS (32) pools, each a running SHA-256.
 *     Every entropy source spreads its events over the pools round-robin,
 *     one event of at most ATOLL_ENTROPY_EVENT_MAX bytes at a time.
 *
 *     Reseed: when pool 0 holds at least ATOLL_FORTUNA_MIN_POOL_BYTES and
 *     ATOLL_FORTUNA_RESEED_INTERVAL has passed since the last reseed, the
 *     reseed counter r is incremented and pool i takes part iff 2^i
 *     divides r (pool 0 every time, pool 1 every other time, ...).  The new
 *     key is SHA-256(old key || SHA-256(pool i) for each pool taken); a
 *     pool that took part starts empty.
 *
 *     Generator: ChaCha20 (atoll/chacha20.h) under that key with a 128-bit
 *     block counter (the RFC 8439 block counter and nonce words together).
 *     Every request of at most ATOLL_FORTUNA_MAX_REQUEST bytes is followed
 *     by one more block whose first 32 bytes become the new key, so the
 *     output of a request cannot be recomputed from a later state.  Larger
 *     fills are split into such requests.
 *
 *     Until seeded (no reseed yet) the generator produces nothing:
 *     atoll_fortuna_generate returns -ATOLL_EAGAIN and a fill waits (the
 *     calling fiber blocks, other fibers run) until a reseed or its
 *     deadline.
 *
 *     Collection: atoll_fortuna_watch registers a generator with the
 *     scheduler's iteration hook; on every scheduler iteration the sources
 *     whose poll interval has passed are polled.  A waiting fill polls too,
 *     every ATOLL_RANDOM_POLL_INTERVAL.
 *
 * RETURN VALUE
 *     As atoll/error.h: 0, -ATOLL_EAGAIN (not seeded), -ATOLL_ETIMEDOUT,
 *     -ATOLL_ENOSPC (too many sources), -ATOLL_EINVAL.
 */
#ifndef ATOLL_CSPRNG_H
#define ATOLL_CSPRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/random.h"
#include "atoll/time.h"

#ifndef ATOLL_FORTUNA_POOLS
#define ATOLL_FORTUNA_POOLS 32
#endif
/* Pool 0 must hold this much before a reseed (the book's suggestion). */
#ifndef ATOLL_FORTUNA_MIN_POOL_BYTES
#define ATOLL_FORTUNA_MIN_POOL_BYTES 64
#endif
/* At most ten reseeds a second: an attacker who can inject events cannot
 * drain the pools faster than the slow, honest sources fill the high
 * ones. */
#ifndef ATOLL_FORTUNA_RESEED_INTERVAL
#define ATOLL_FORTUNA_RESEED_INTERVAL ATOLL_MS(100)
#endif
/* Largest request under one key (the book's 2^20 bytes). */
#ifndef ATOLL_FORTUNA_MAX_REQUEST
#define ATOLL_FORTUNA_MAX_REQUEST (1u << 20)
#endif
/* Largest entropy event (bytes); longer data is cut. */
#ifndef ATOLL_ENTROPY_EVENT_MAX
#define ATOLL_ENTROPY_EVENT_MAX 32
#endif
/* Sources one generator can have (source numbers 0..N-1). */
#ifndef ATOLL_ENTROPY_SOURCES_MAX
#define ATOLL_ENTROPY_SOURCES_MAX 8
#endif
/* How often a fill that waits for the first seed polls the sources. */
#ifndef ATOLL_RANDOM_POLL_INTERVAL
#define ATOLL_RANDOM_POLL_INTERVAL ATOLL_MS(1)
#endif
/* How often the slow sources (host generator, RDSEED/RDRAND) are polled
 * once running; the cycle counter is polled on every iteration. */
#ifndef ATOLL_ENTROPY_SLOW_INTERVAL
#define ATOLL_ENTROPY_SLOW_INTERVAL ATOLL_SEC(1)
#endif

/*
 * An entropy source.  poll writes up to `len` (<= ATOLL_ENTROPY_EVENT_MAX)
 * fresh bytes to `buf` without blocking and returns how many (0: nothing
 * now), or a negative error (ignored: the source is polled again later).
 * It is polled at most once per `interval` (0: on every scheduler
 * iteration, so it must be cheap).
 */
struct atoll_entropy_source {
    const char *name;
    int (*poll)(void *state, void *buf, size_t len);
    void *state;
    atoll_time_t interval;
};

/*
 * The sources of the machine the unikernel runs on, written to `out` (at
 * most `max`); returns how many.  On the sim target only the seeded
 * platform stream ("platform"), so that runs replay exactly.  Elsewhere
 * "platform" (getrandom on unix, the tender's seed on hvt), "rdseed" and
 * "rdrand" when CPUID reports them, and "cycles" (cycle-counter jitter,
 * polled every iteration) on x86_64.
 */
size_t atoll_entropy_machine_sources(struct atoll_entropy_source *out,
                                     size_t max);

/* A test double: a source that never has anything (always blocks). */
const struct atoll_entropy_source *atoll_entropy_blocking(void);

struct atoll_fortuna;

/* A new, unseeded generator with no sources, from the default heap (the
 * runtime must be initialised).  NULL: out of memory. */
struct atoll_fortuna *atoll_fortuna_create(void);
void atoll_fortuna_destroy(struct atoll_fortuna *f);

/* Add a source (copied); it gets the next source number.  0 or
 * -ATOLL_ENOSPC. */
int atoll_fortuna_add_source(struct atoll_fortuna *f,
                             const struct atoll_entropy_source *src);

/* The book's AddRandomEvent: `len` bytes (cut at ATOLL_ENTROPY_EVENT_MAX)
 * from source number `source` into pool `pool` (mod the pool count). */
void atoll_fortuna_add_event(struct atoll_fortuna *f, unsigned source,
                             unsigned pool, const void *data, size_t len);

/* Poll every source `rounds` times back to back, ignoring intervals:
 * with rounds = ATOLL_FORTUNA_POOLS + 1 every pool gets an event from
 * every source that has something and pool 0 two, which seeds a generator
 * whose sources deliver at once (the boot seed). */
void atoll_fortuna_prime(struct atoll_fortuna *f, int rounds);

/* Poll the sources that are due at `now`, then reseed if due; wakes
 * waiting fills on the first seed. */
void atoll_fortuna_collect(struct atoll_fortuna *f, atoll_time_t now);

/* Collect on every scheduler iteration (until destroyed). */
void atoll_fortuna_watch(struct atoll_fortuna *f);

/* Reseed now if due at `now` (pool 0 full enough, interval passed).
 * Returns true if it reseeded. */
bool atoll_fortuna_reseed_if_due(struct atoll_fortuna *f, atoll_time_t now);

/* Without blocking: reseed if due at `now`, then `len` random bytes, or
 * -ATOLL_EAGAIN (never seeded; nothing written). */
int atoll_fortuna_generate(struct atoll_fortuna *f, atoll_time_t now, void *buf,
                           size_t len);

/* Blocking: as generate, but an unseeded generator waits (polling its
 * sources) until seeded or `deadline` (-ATOLL_ETIMEDOUT, nothing
 * written).  Must run in a fiber. */
int atoll_fortuna_fill(struct atoll_fortuna *f, void *buf, size_t len,
                       atoll_time_t deadline);

/* The generator as an atoll_random interface (fill = atoll_fortuna_fill). */
struct atoll_random *atoll_fortuna_random(struct atoll_fortuna *f);

/* What the generator has done, for tests and diagnostics. */
struct atoll_fortuna_stats {
    bool seeded;
    uint64_t reseeds;     /* the reseed counter r */
    uint32_t last_pools;  /* bit i: pool i took part in the last reseed */
    uint64_t events;      /* entropy events added */
    uint64_t requests;    /* generator requests served (= rekeys) */
    uint64_t bytes;       /* bytes produced */
    uint32_t pool0_bytes; /* bytes in pool 0 since it was last used */
};
void atoll_fortuna_stats(const struct atoll_fortuna *f,
                         struct atoll_fortuna_stats *out);

/* The platform's generator (the one atoll_random_platform() returns):
 * created, given the machine's sources, primed and watched on first use.
 * NULL: out of memory. */
struct atoll_fortuna *atoll_fortuna_platform(void);

#endif
