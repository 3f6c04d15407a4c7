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
 */
#ifndef ATOLL_PLATFORM_HOST_TAP_H
#define ATOLL_PLATFORM_HOST_TAP_H

#include <stddef.h>

int host_tap_open(const char *tap, unsigned offloads, char *err, size_t errlen);

#endif
