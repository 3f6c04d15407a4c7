/*
 * atoll/sim.h - controls of the sim target (deterministic simulation).
 *
 * DESCRIPTION
 *     On the sim target the monotonic clock is virtual: it stands still
 *     while fibers run and jumps to the next deadline or simulated event
 *     when all of them wait.  Network interfaces are ports on in-memory
 *     wires; block devices are in memory.  Every random choice (loss,
 *     reordering, faults, the random device) is drawn from one generator
 *     seeded with the simulation seed, so the same seed gives the same run,
 *     byte for byte: the same console output, pcap and trace.
 *
 *     Runtime options on the sim target (before "--"):
 *
 *       --seed=N              the simulation seed (default 1)
 *       --net:IF=WIRE         attach interface IF to the wire named WIRE
 *                             (created on first use; any number of
 *                             interfaces may share a wire)
 *       --wire:WIRE=OPTS      wire properties, comma-separated:
 *                               loss=P dup=P reorder=P corrupt=P  (0..1)
 *                               delay=DUR jitter=DUR   (e.g. 2ms, 150us)
 *                               bw=RATE                (bits/s, e.g. 10M)
 *                               pcap=FILE              (capture every frame
 *                                                       put on the wire)
 *       --block:NAME=SPEC     SPEC is a file (copied into memory; never
 *                             written back) or mem:SIZE (zeroes; e.g.
 *                             mem:4M), followed by fault options:
 *                               ,full  ,busy  ,fail-at=N  ,torn-at=N
 *                               ,sector=BYTES
 *       --sim-epoch=SECONDS   wall-clock time at boot (default 946684800,
 *                             2000-01-01T00:00:00Z)
 *
 *     Tests can do the same from C with the functions below, before or
 *     after atoll_runtime_init.
 */
#ifndef ATOLL_SIM_H
#define ATOLL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

/* Set the simulation seed (resets the simulation's generator). */
void atoll_sim_seed(uint64_t seed);

struct atoll_sim_wire_opts {
    double loss;         /* probability a frame is dropped */
    double duplicate;    /* probability a frame is delivered twice */
    double reorder;      /* probability a frame is held back by an extra
                            delay so that later frames overtake it */
    double corrupt;      /* probability one random byte is flipped */
    atoll_time_t delay;  /* propagation delay */
    atoll_time_t jitter; /* extra uniform random delay in [0, jitter] */
    uint64_t bandwidth;  /* bits per second; 0 = unlimited */
    const char *pcap;    /* capture file, NULL = none */
    bool tso;            /* ports offer TCP segmentation offload
                            (ATOLL_NETIF_TSO4 and ATOLL_NETIF_TSO6): the
                            wire cuts offload frames into segments, which
                            then meet the faults above one by one */
};

/* Create or reconfigure the wire named `wire`.  0 or -ATOLL_EINVAL
 * (probability outside 0..1, negative delay) or -ATOLL_EIO (pcap file). */
int atoll_sim_wire_configure(const char *wire,
                             const struct atoll_sim_wire_opts *opts);

/* Per-wire counters. */
struct atoll_sim_wire_stats {
    uint64_t sent, delivered, lost, duplicated, reordered, corrupted;
};
int atoll_sim_wire_stats(const char *wire, struct atoll_sim_wire_stats *out);

/* Fault modes of a simulated disk. */
enum atoll_sim_disk_mode {
    ATOLL_SIM_DISK_NORMAL = 0,
    ATOLL_SIM_DISK_FULL, /* every write fails with -ATOLL_ENOSPC */
    ATOLL_SIM_DISK_BUSY, /* every request fails with -ATOLL_EBUSY */
};

struct atoll_sim_disk_opts {
    uint32_t sector_size; /* 0 = 512 */
    uint64_t sectors;     /* size of the disk */
    enum atoll_sim_disk_mode mode;
    uint64_t fail_at_write; /* 1-based index of the first write that
                               fails with -ATOLL_EIO (it and every
                               later write change nothing); 0 = never */
    uint64_t torn_at_write; /* 1-based index of a write that is torn:
                               only a prefix of it (a seeded random
                               number of bytes, possibly 0) reaches the
                               disk, it returns -ATOLL_EIO, and every
                               later write fails; 0 = never */
};

/* Create (or replace) an in-memory disk named `name`, as if attached with
 * --block:NAME=...; open it with atoll_block_open_default(name, ...).
 * `init` (may be NULL) gives its initial contents (init_len bytes, at most
 * the disk size).  0, -ATOLL_EINVAL, -ATOLL_ENOMEM. */
int atoll_sim_disk_create(const char *name,
                          const struct atoll_sim_disk_opts *opts,
                          const void *init, size_t init_len);

/* The bytes currently on the disk (what survives a crash: writes that
 * failed or were torn contribute exactly what reached the disk), and how
 * many writes it has seen.  Pointers stay valid until the disk is
 * replaced. */
int atoll_sim_disk_contents(const char *name, const uint8_t **data, size_t *len,
                            uint64_t *writes);

#endif
