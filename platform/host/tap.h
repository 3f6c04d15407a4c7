/*
 * platform/host/tap.h - attaching to a Linux tap interface, for every
 * program of ours that moves frames through one: the unix platform
 * (platform/unix/net.c) and the tenders (tender/common/devices.c).
 *
 * NAME
 *     host_tap_open
 * DESCRIPTION
 *     Opens /dev/net/tun non-blocking and close-on-exec and attaches it to
 *     the existing tap interface `tap` with IFF_TAP | IFF_NO_PI |
 *     IFF_VNET_HDR: every frame read or written carries a struct
 *     virtio_net_hdr in front, so offload frames (TSO/GSO) can cross
 *     whole.  Then sets the tap's offloads to `offloads` (TUN_F_* bits; 0:
 *     the kernel sends ordinary frames only).  Set every time: a tap keeps
 *     its features across users.
 * RETURN VALUE
 *     The file descriptor, or -1 with one line in err (cut to errlen)
 *     saying what failed, with advice where there is some (a tun device
 *     where a tap was wanted, a tap another process holds).
 *
 * NAME
 *     host_tap_gso_hdr, host_tap_gso_tcp
 * DESCRIPTION
 *     host_tap_gso_hdr fills *h for a TCP/IPv4 or TCP/IPv6 segmentation
 *     offload frame (atoll/netif.h) of `len` bytes cut into segments of
 *     gso_size payload bytes: the kernel's segmentation type, the headers'
 *     length, and the checksum it completes (NEEDS_CSUM from the TCP
 *     header on).  host_tap_gso_tcp says whether a received header's
 *     segmentation type is one of the two, the only ones a reader with
 *     the tap's offloads on (TUN_F_TSO4 | TUN_F_TSO6) may get.
 * RETURN VALUE
 *     host_tap_gso_hdr: 0, or -1 when the frame is not TCP over IPv4 or
 *     IPv6 with complete headers, or gso_size is 0.
 */
#ifndef ATOLL_PLATFORM_HOST_TAP_H
#define ATOLL_PLATFORM_HOST_TAP_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int host_tap_open(const char *tap, unsigned offloads, char *err, size_t errlen);

int host_tap_gso_hdr(const uint8_t *frame, size_t len, uint32_t gso_size,
                     struct virtio_net_hdr *h);
bool host_tap_gso_tcp(uint8_t gso_type);

#endif
