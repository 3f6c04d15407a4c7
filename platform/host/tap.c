/*
 * platform/host/tap.c - attaching to a Linux tap interface, and the
 * virtio_net_hdr of the offload frames that cross it (tap.h).
 */
#include "host/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "host/pkt.h"

/* host_gso_describe speaks virtio's numbers, which the kernel's are. */
_Static_assert(HOST_GSO_TCPV4 == VIRTIO_NET_HDR_GSO_TCPV4 &&
                   HOST_GSO_TCPV6 == VIRTIO_NET_HDR_GSO_TCPV6,
               "the kernel's segmentation types are virtio's");

int host_tap_gso_hdr(const uint8_t *frame, size_t len, uint32_t gso_size,
                     struct virtio_net_hdr *h)
{
    struct host_gso g;
    if (gso_size == 0 || gso_size > 0xffff ||
        host_gso_describe(frame, len, &g) < 0)
        return -1;
    memset(h, 0, sizeof *h);
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->gso_type = g.type;
    h->hdr_len = g.hdr_len;
    h->gso_size = (uint16_t)gso_size;
    h->csum_start = g.csum_start;
    h->csum_offset = g.csum_offset;
    return 0;
}

bool host_tap_gso_tcp(uint8_t gso_type)
{
    return gso_type == VIRTIO_NET_HDR_GSO_TCPV4 ||
           gso_type == VIRTIO_NET_HDR_GSO_TCPV6;
}

int host_tap_open(const char *tap, unsigned offloads, char *err, size_t errlen)
{
    struct ifreq ifr;
    if (strlen(tap) >= sizeof ifr.ifr_name) {
        snprintf(err, errlen, "tap name '%s' too long (at most %zu bytes)", tap,
                 sizeof ifr.ifr_name - 1);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "tap device '%s': cannot open /dev/net/tun: %s",
                 tap, strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    memcpy(ifr.ifr_name, tap, strlen(tap));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        snprintf(err, errlen, "tap device '%s': cannot attach: %s%s", tap,
                 strerror(errno),
                 errno == EINVAL  ? " (is it a tap, not a tun, device?)"
                 : errno == EBUSY ? " (another process uses it)"
                                  : "");
        close(fd);
        return -1;
    }
    if (ioctl(fd, TUNSETOFFLOAD, offloads) < 0) {
        snprintf(err, errlen, "tap device '%s': TUNSETOFFLOAD: %s", tap,
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
