/*
 * platform/sim/sim_int.h - state shared by the files of the sim platform.
 *
 * The sim target is split by concern: core.c (clock, console, memory,
 * randomness, options, exit), wire.c (simulated Ethernet wires, the event
 * queue and plat_wait), disk.c (in-memory disks with faults), pcap.c (the
 * capture writer).  They share the virtual clock, the seeded generator and
 * the device-number table declared here.  Nothing in this platform depends
 * on real time, real randomness, addresses or hash order: a run is a pure
 * function of the seed and the program.
 */
#ifndef ATOLL_PLATFORM_SIM_INT_H
#define ATOLL_PLATFORM_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "atoll/time.h"
#include "host/errf.h"

/* ---- virtual clock (core.c) ------------------------------------------ */

/* Current virtual monotonic time. */
atoll_time_t sim_now(void);
/* Move the clock forward to t (never backwards). */
void sim_advance(atoll_time_t t);
/* Nanoseconds since the Unix epoch at virtual time 0 (--sim-epoch). */
atoll_time_t sim_epoch(void);

/* ---- the simulation's generator (core.c) ----------------------------- */

/* One stream for every simulated fault (wires, disks); plat_random draws
 * from a separate stream derived from the same seed, so an application's
 * randomness does not perturb the faults. */
uint64_t sim_rand(void);
/* Uniform in [0, 1). */
double sim_rand_unit(void);
/* Uniform in [0, n) (n > 0). */
uint64_t sim_rand_below(uint64_t n);
/* True with probability p. */
bool sim_chance(double p);

/* ---- device numbers (core.c) ----------------------------------------- */

enum sim_dev_kind { SIM_DEV_FREE = 0, SIM_DEV_NET, SIM_DEV_BLOCK };

/* Hand out the lowest free device number for `obj` of `kind`, or
 * -ATOLL_ENOMEM when all ATOLL_DEVICES_MAX are in use. */
int sim_dev_alloc(enum sim_dev_kind kind, void *obj);
/* The object behind device `dev` if it is of `kind`, else NULL. */
void *sim_dev_get(int dev, enum sim_dev_kind kind);

/* ---- pieces implemented elsewhere ------------------------------------ */

/* wire.c: parse "--wire:WIRE=OPTS"; 0 or -ATOLL_EINVAL with a message. */
int sim_wire_option(const char *wire, const char *opts, char *err,
                    size_t errlen);

/* tso.c: cut the TCP offload frame [p, p+len) into segments of `mss`
 * payload bytes and send each with plat_net_write on `dev`.  0, or the
 * first error other than -ATOLL_EAGAIN (a dropped segment), or
 * -ATOLL_EMSGSIZE for a frame that is not TCP/IPv4. */
int sim_tso_segment(int dev, const uint8_t *p, size_t len, uint16_t mss);

/* pcap.c: classic libpcap capture files with nanosecond timestamps. */
FILE *sim_pcap_open(const char *path);
void sim_pcap_record(FILE *f, atoll_time_t wall_ns, const void *frame,
                     size_t len);

/* Stable 64-bit hash of a string (FNV-1a): MAC addresses from names. */
uint64_t sim_hash(const char *s);

/* Parse a decimal/suffixed number; 0 or -ATOLL_EINVAL.  Suffixes for
 * sizes: K M G (x1024); for rates: k M G (x1000); durations: ns us ms s. */
int sim_parse_u64(const char *s, uint64_t *out);
int sim_parse_size(const char *s, uint64_t *out);
int sim_parse_rate(const char *s, uint64_t *out);
int sim_parse_duration(const char *s, atoll_time_t *out);

#endif
