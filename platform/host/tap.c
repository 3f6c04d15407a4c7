/*
 * platform/host/tap.c - attaching to a Linux tap interface (tap.h).
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
