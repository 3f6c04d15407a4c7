/*
 * lib/fw/segment.h - TCP segmentation in software, for an offload frame
 * (atoll/netif.h: many segments in one, with a segment size) that the
 * firewall forwards out of an interface which cannot cut it itself.
 *
 * NAME
 *     fw_segment
 *
 * DESCRIPTION
 *     fw_segment(p, len, mss, out, arg) cuts the TCP packet at p (an IPv4
 *     header with options, or an IPv6 header followed directly by TCP;
 *     len bytes, no link header) into packets of at most mss payload
 *     bytes and hands each, in a buffer of its own with
 *     ATOLL_BUF_HEADROOM of headroom, to out(arg, b), which takes it.
 *     Each carries the large packet's headers (TCP options included)
 *     with its own lengths, the sequence number advanced by its offset,
 *     IPv4 identification one more than the one before, FIN and PSH on
 *     the last segment only and CWR on the first only, and checksums
 *     computed whole (the large packet's TCP checksum may be only a
 *     pseudo-header sum and is not read).
 *
 * RETURN VALUE
 *     The number of segments handed out, or -ATOLL_EINVAL (not TCP, or
 *     headers that do not fit), -ATOLL_ENOMEM (no buffer: the segments
 *     handed out so far stay sent).
 */
#ifndef ATOLL_FW_SEGMENT_H
#define ATOLL_FW_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/buf.h"

int fw_segment(const uint8_t *p, size_t len, uint16_t mss,
               void (*out)(void *arg, struct atoll_buf *b), void *arg);

#endif
