/*
 * platform/platform.h - the one small interface every platform implements.
 *
 * This is Atoll's hypervisor interface layer (roughly Solo5's): everything
 * above it (lib/) is platform-independent and has no #ifdef for platforms;
 * everything below it is one folder per target:
 *
 *     platform/unix   a Linux process: tap devices, files, clock_gettime,
 *                     epoll
 *     platform/sim    a deterministic simulation: virtual clock, in-memory
 *                     wires and disks with faults, one seed
 *     platform/hvt    a KVM guest under atoll-hvt (hypercalls)
 *
 * A target is one static library that defines every plat_* function below,
 * plus a start object whose entry point (main() on unix/sim) calls
 * atoll_boot().  Tests link the library without the start object and call
 * atoll_runtime_init() (lib/core/runtime.h) themselves.
 *
 * Conventions: errors are negative ATOLL_E... codes; devices are small
 * integers (0 .. ATOLL_DEVICES_MAX-1) handed out by plat_*_open, shared
 * between net and block, so one 64-bit mask describes readiness.
 */
#ifndef ATOLL_PLATFORM_H
#define ATOLL_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

/* ---- identity ------------------------------------------------------- */

/* "unix", "sim", "hvt", "virtio": for messages, never for decisions
 * (a difference in behaviour is a capability of its own, below). */
extern const char plat_name[];

/* True where a run replays exactly from its seed (sim): entropy comes
 * only from the platform's seeded stream (plat_random), never from the
 * machine (RDSEED, RDRAND, cycle counters: lib/crypto/entropy.c). */
extern const bool plat_deterministic;

/* ---- console and clocks --------------------------------------------- */

/* Write all of buf (retrying short writes).  0 or -ATOLL_EIO. */
int plat_console_write(const char *buf, size_t len);

/* Monotonic nanoseconds (virtual on sim). */
atoll_time_t plat_clock_monotonic(void);

/* Nanoseconds since the Unix epoch. */
atoll_time_t plat_clock_wall(void);

/* ---- options -------------------------------------------------------- */

/*
 * A runtime option atoll_boot() does not know itself (before "--"), given
 * as key without the leading "--" and value (NULL if there was no "=").
 * Returns 0 if taken, -ATOLL_ENOENT if the platform has no such option,
 * -ATOLL_EINVAL if the value is bad (after writing a message naming the
 * option and the problem to `err`, errlen bytes).
 */
int plat_option(const char *key, const char *value, char *err, size_t errlen);

/* Lines describing the platform's own options, for --help ("" if none). */
const char *plat_options_help(void);

/* ---- memory --------------------------------------------------------- */

/*
 * Hand over the runtime's memory region: `want` bytes (a multiple of the
 * page size), page-aligned.  Called once at boot.  0 or -ATOLL_ENOMEM.
 */
int plat_mem_region(size_t want, void **base, size_t *len);

/*
 * Make one page of the region inaccessible (on == true) or accessible
 * again (on == false): the guard page under a fiber stack.  Returns 0, or
 * -ATOLL_ENOTSUP where the platform cannot protect pages (the runtime then
 * relies on a canary check at switch time).
 */
int plat_guard_page(void *page, bool on);

/*
 * A fiber stack the platform made ahead of time with its guard page in
 * place, for a platform where plat_guard_page is costly (hvt: a VM exit):
 * returns the guard page's address, with `size` (or more) bytes of stack
 * above it - the layout lib/core/fiber.c uses - or NULL when the platform
 * has none free that large.  plat_stack_return takes it back and says
 * whether `stack` was one of these (false: the caller frees it itself).
 */
void *plat_stack_take(size_t size);
bool plat_stack_return(void *stack);

/* ---- waiting -------------------------------------------------------- */

/*
 * Block until `deadline` (monotonic ns) or until one of the devices in
 * `interest` (bit d = device d) may have input; set *ready to the devices
 * that do (a subset of interest; spurious bits are allowed, the caller
 * retries its read).  Returns 0.  A deadline in the past polls.
 *
 * On sim this is where virtual time advances: the clock jumps to the
 * earlier of `deadline` and the next simulated event (a frame arriving on
 * a wire), and that event is delivered.
 */
int plat_wait(atoll_time_t deadline, uint64_t interest, uint64_t *ready);

/* ---- devices -------------------------------------------------------- */

/*
 * Attach a host resource to a declared device, from --net:NAME=SPEC or
 * --block:NAME=SPEC.  Only records it and checks the spec's syntax; the
 * host resource is opened by plat_*_open.  0, or -ATOLL_EINVAL with a
 * message in `err`.
 */
int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen);
int plat_block_attach(const char *name, const char *spec, char *err,
                      size_t errlen);

struct plat_net_info {
    uint8_t mac[6];
    uint16_t mtu;
    bool tso4; /* plat_net_write_tso works (ATOLL_NETIF_TSO4) */
    bool gro4; /* plat_net_read_gro works (ATOLL_NETIF_GRO4) */
    bool tso6; /* plat_net_write_tso takes TCP/IPv6 frames too, and
                  plat_net_read_gro may return them (ATOLL_NETIF_TSO6) */
};

struct plat_block_info {
    uint32_t sector_size;
    uint64_t sectors;
    bool read_only;
};

/*
 * Open the attached device `name`.  Returns its device number (>= 0), or
 * -ATOLL_ENOENT (nothing attached under that name), -ATOLL_ENODEV (the
 * host resource is missing or unusable; a message naming it is in `err`).
 */
int plat_net_open(const char *name, struct plat_net_info *info, char *err,
                  size_t errlen);
int plat_block_open(const char *name, struct plat_block_info *info, char *err,
                    size_t errlen);

/*
 * Move frames without blocking.  plat_net_read returns the frame length,
 * or -ATOLL_EAGAIN when nothing is waiting, or -ATOLL_EMSGSIZE (frame
 * larger than len; dropped).  plat_net_write returns 0, -ATOLL_EAGAIN
 * (host queue full), -ATOLL_EIO.
 */
int plat_net_read(int dev, void *buf, size_t len);
int plat_net_write(int dev, const void *buf, size_t len);
/* A TCP/IPv4 frame (TCP/IPv6 too where info has tso6) of up to
 * ATOLL_NET_TSO_MAX bytes for the host to cut
 * into segments of `gso_size` payload bytes (atoll/netif.h,
 * ATOLL_NETIF_TSO4); only on devices whose info has tso4, else
 * -ATOLL_ENOTSUP.  Returns as plat_net_write. */
int plat_net_write_tso(int dev, const void *buf, size_t len, uint16_t gso_size);
/* plat_net_read for devices whose info has gro4: a frame may be a TCP/IPv4
 * frame of up to ATOLL_NET_TSO_MAX bytes (atoll/netif.h,
 * ATOLL_NETIF_GRO4), and *csum_ok says the host vouches for its transport
 * checksum.  Elsewhere -ATOLL_ENOTSUP. */
int plat_net_read_gro(int dev, void *buf, size_t len, bool *csum_ok);

/* Whole-sector I/O, completed before return (see atoll/block.h for the
 * error contract; range checks are done by the caller). */
int plat_block_read(int dev, uint64_t sector, void *buf, size_t n);
int plat_block_write(int dev, uint64_t sector, const void *buf, size_t n);
int plat_block_flush(int dev);

/* ---- randomness ----------------------------------------------------- */

/* Fill buf with random bytes (host generator; seeded stream on sim).
 * 0 or -ATOLL_EIO. */
int plat_random(void *buf, size_t len);

/* ---- end ------------------------------------------------------------ */

/* Stop the unikernel with `status`.  Does not return. */
_Noreturn void plat_exit(int status);

/*
 * Write the trace ring to a host file: at exit (`n` == 0) when
 * --trace=FILE was given, and for a live request (`n` >= 1, the n-th
 * one; see plat_trace_requests) while the unikernel keeps running.
 * unix and sim write `path` at exit and `path`.N for a request (NULL
 * path: -ATOLL_ENOENT, no --trace=FILE was given).  hvt images send the
 * ring to the tender, which names the file itself from its own
 * --trace=FILE the same way (`path` is ignored: a guest does not choose
 * host file names); -ATOLL_ENOTSUP when the tender was given none, as on
 * virtio, which has no host file system.  0 or a negative error.
 */
int plat_trace_write(const char *path, unsigned n);

/*
 * Requests from outside to write the trace now, counted since the last
 * call (0 nearly always).  The scheduler asks once per round and writes
 * the trace itself (lib/core/trace_dump.c): the trigger - a signal
 * handler on unix, the tender on hvt - only counts, and must also end a
 * plat_wait that is under way, so an idle unikernel answers at once.
 * unix: SIGUSR1 to the process; hvt: SIGUSR1 to atoll-spt; sim and
 * virtio: none (always 0).
 */
unsigned plat_trace_requests(void);

#endif
