/*
 * platform/hvt/tunables.h - the tunables only the hvt target reads (the
 * guest side of its net device), with the others' rules: each can be set
 * at build time with -DNAME=VALUE (include/atoll/tunables.h).
 */
#ifndef ATOLL_PLATFORM_HVT_TUNABLES_H
#define ATOLL_PLATFORM_HVT_TUNABLES_H

/* hvt target: frames one VM exit moves per net device and direction
 * (platform/hvt/net.c; the ABI allows up to 256).  A VM exit costs tens of
 * microseconds on software KVM, so bulk throughput grows with the batch
 * (measured on PVM, Linux -> guest: 64 frames 2.7 Gbit/s, 128 3.2, 256
 * 4.0, before receive offload); each receive slot costs
 * ATOLL_NET_FRAME_MAX bytes of heap per net device when the tender offers
 * no receive offload (else ATOLL_HVT_NET_RX_AREA; sending uses
 * ATOLL_HVT_NET_TX_ARENA). */
#ifndef ATOLL_HVT_NET_BATCH
#define ATOLL_HVT_NET_BATCH 256
#endif

/* hvt target: bytes of heap per net device that queued frames are packed
 * into until one exit sends them (or the guest waits).  At least one
 * offload frame (64 KiB); more lets one exit carry more offload frames
 * (measured on PVM, guest -> Linux with offload: 388 KiB 12.0 Gbit/s,
 * 1 MiB 15.7, 2 MiB 18.2: then every send rides on a wait). */
#ifndef ATOLL_HVT_NET_TX_ARENA
#define ATOLL_HVT_NET_TX_ARENA (2 * 1024 * 1024)
#endif

/* hvt target: bytes of heap per net device that received frames are
 * packed into when the tender offers receive offload (frames of up to
 * 64 KiB; at least 4 of those must fit). */
#ifndef ATOLL_HVT_NET_RX_AREA
#define ATOLL_HVT_NET_RX_AREA (512 * 1024)
#endif

#endif
