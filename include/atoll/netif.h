/*
 * atoll/netif.h - the network interface: Ethernet frames in and out.
 *
 * NAME
 *     struct atoll_netif, atoll_netif_recv, atoll_netif_send,
 *     atoll_netif_info
 *
 * DESCRIPTION
 *     A network interface moves whole Ethernet II frames (destination MAC,
 *     source MAC, EtherType, payload; no preamble, no FCS) of at most
 *     ATOLL_NET_FRAME_MAX bytes.
 *
 *     Both directions work on batches so that one crossing of an expensive
 *     boundary (a system call, a VM exit) can move many frames.
 *
 *     recv blocks the calling fiber until at least one frame has arrived or
 *     `deadline` passes, then returns up to `max` frames.  Each is a buffer
 *     (atoll/buf.h) with ATOLL_BUF_HEADROOM bytes of headroom, owned by the
 *     caller from then on.
 *
 *     An interface whose info has ATOLL_NETIF_TSO4 in `offloads` also
 *     sends TCP/IPv4 frames of up to ATOLL_NET_TSO_MAX bytes whose buffer
 *     has a nonzero gso_size (TCP segmentation offload): it puts on the
 *     wire the segments of gso_size payload bytes each that the frame
 *     stands for (the TCP header, options included, repeated; sequence
 *     numbers, IP ids, lengths and checksums adjusted; FIN and PSH only on
 *     the last), or hands the frame to a host that does so.  In such a
 *     frame the IPv4 header checksum is complete and the TCP checksum
 *     field holds only the folded pseudo-header sum (addresses, protocol,
 *     TCP length), not complemented, as the segments' checksums are
 *     completed by the device.  One large frame instead of dozens saves a
 *     system call and the host's per-packet work for each segment.
 *
 *     An interface with ATOLL_NETIF_GRO4 may receive TCP/IPv4 frames of
 *     up to ATOLL_NET_TSO_MAX bytes (segments its host merged, or a local
 *     host's offload frames passed on whole), and frames whose buffer has
 *     csum_ok set, whose transport checksum the host vouches for and may
 *     have left partial.  The stack accepts both.
 *
 *     send queues `n` frames to the wire and returns how many it took
 *     (frames after the first refused one are not sent).  It does not take
 *     ownership: the caller still frees the buffers.  It never blocks a
 *     fiber; a full host queue drops the frame and counts it (like a
 *     congested wire) rather than stalling the unikernel.
 *
 *     Implementations chosen at build time include the platform's device
 *     (a tap device on unix, the simulated wire on sim, a hypercall on hvt)
 *     and "flood", a test double that always has a frame waiting.
 *
 * RETURN VALUE
 *     recv: number of frames (>= 1), or -ATOLL_ETIMEDOUT, -ATOLL_ENOMEM
 *     (no buffer for the frame), -ATOLL_EIO, -ATOLL_ENETDOWN.
 *     send: number of frames taken (>= 0), or -ATOLL_EMSGSIZE (first frame
 *     shorter than 14 bytes or longer than the MTU allows, or a gso_size
 *     frame the interface cannot segment), -ATOLL_EIO,
 *     -ATOLL_ENETDOWN.
 */
#ifndef ATOLL_NETIF_H
#define ATOLL_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/buf.h"
#include "atoll/time.h"

/* atoll_netif_info.offloads */
#define ATOLL_NETIF_TSO4 0x1u /* TCP/IPv4 segmentation offload (above) */
#define ATOLL_NETIF_GRO4 0x2u /* large TCP/IPv4 frames received (above) */
/* The same for TCP/IPv6 frames (no extension headers): segmentation as
 * above, the pseudo-header sum RFC 8200 8.1's. */
#define ATOLL_NETIF_TSO6 0x4u
/* Largest frame an interface with ATOLL_NETIF_TSO4 takes: an IPv4 packet
 * of 65535 bytes after the Ethernet header. */
#define ATOLL_NET_TSO_MAX (14 + 65535)

struct atoll_netif_info {
    uint8_t mac[6];    /* our hardware address */
    uint16_t mtu;      /* largest payload after the 14-byte header */
    const char *name;  /* the name the manifest gave the device */
    uint32_t offloads; /* ATOLL_NETIF_* the interface does for the stack */
};

struct atoll_netif_stats {
    uint64_t rx_frames, rx_bytes, rx_dropped;
    uint64_t tx_frames, tx_bytes, tx_dropped;
};

struct atoll_netif_ops {
    int (*recv)(void *state, struct atoll_buf **frames, int max,
                atoll_time_t deadline);
    int (*send)(void *state, struct atoll_buf *const *frames, int n);
    void (*info)(void *state, struct atoll_netif_info *out);
    void (*stats)(void *state, struct atoll_netif_stats *out);
};

struct atoll_netif {
    const struct atoll_netif_ops *ops;
    void *state;
};

static inline int atoll_netif_recv(struct atoll_netif *nif,
                                   struct atoll_buf **frames, int max,
                                   atoll_time_t deadline)
{
    return nif->ops->recv(nif->state, frames, max, deadline);
}

static inline int atoll_netif_send(struct atoll_netif *nif,
                                   struct atoll_buf *const *frames, int n)
{
    return nif->ops->send(nif->state, frames, n);
}

static inline void atoll_netif_info(struct atoll_netif *nif,
                                    struct atoll_netif_info *out)
{
    nif->ops->info(nif->state, out);
}

static inline void atoll_netif_stats(struct atoll_netif *nif,
                                     struct atoll_netif_stats *out)
{
    nif->ops->stats(nif->state, out);
}

/*
 * Implementations (constructors used by the generated wiring; `name` is the
 * manifest's device name, attached with --net:NAME=...).
 * Return 0, -ATOLL_ENODEV (not attached / host resource missing, with a
 * message on the console), -ATOLL_ENOMEM.
 */
int atoll_netif_open_default(const char *name, struct atoll_netif **out);
/* Test double: every recv returns at once with `max` copies of a broadcast
 * frame; send accepts and discards. */
int atoll_netif_open_flood(const char *name, struct atoll_netif **out);

/*
 * The fault-injecting wrapper ("faulty"): any interface, with frames lost,
 * duplicated, reordered (held back until a later frame has passed, or at
 * most about 1 ms) and corrupted (one byte after the Ethernet header
 * flipped), each with its own probability, in both directions.  Choices
 * come from a generator seeded with `seed`, or with bytes of the platform
 * generator when seed is 0 (the simulation seed on sim), so sim runs
 * replay exactly.
 *
 * As a device implementation (`device net NAME faulty`, or a stack's
 * --impl NAME=faulty) it wraps the platform's interface attached with
 * --net:NAME=..., with the faults given by the runtime option
 *
 *     --faults:NAME=loss=P,dup=P,reorder=P,corrupt=P[,seed=N]
 *
 * (P from 0 to 1; omitted ones are 0; no option at all = no faults).
 */
struct atoll_netif_faults {
    double loss, duplicate, reorder, corrupt;
    uint64_t seed;
};

/* Parse a SPEC as above into *out.  0, or -ATOLL_EINVAL with a message
 * naming the bad item in `err` (errlen bytes). */
int atoll_netif_faults_parse(const char *spec, struct atoll_netif_faults *out,
                             char *err, size_t errlen);

/* Record the faults for device `name` (what --faults:NAME=SPEC does; the
 * last call for a name wins).  0, -ATOLL_EINVAL (bad SPEC, message in
 * err), -ATOLL_ENOSPC (too many devices). */
int atoll_netif_faults_set(const char *name, const char *spec, char *err,
                           size_t errlen);
/* The faults recorded for device `name` by atoll_netif_faults_set, or
 * NULL. */
const struct atoll_netif_faults *atoll_netif_faults_get(const char *name);

/* Wrap `inner` (which the wrapper then owns as its only user). */
int atoll_netif_faulty_wrap(struct atoll_netif *inner,
                            const struct atoll_netif_faults *faults,
                            struct atoll_netif **out);

/* The constructor: atoll_netif_open_default(name) wrapped with the faults
 * recorded for `name`. */
int atoll_netif_open_faulty(const char *name, struct atoll_netif **out);

#endif
