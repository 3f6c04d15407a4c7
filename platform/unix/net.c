/*
 * platform/unix/net.c - network devices on tap interfaces, and plat_wait.
 *
 * --net:NAME=TAP attaches an EXISTING tap interface (the unikernel does not
 * create host interfaces: that needs privileges and is the operator's
 * choice).  Frames are read and written whole on a non-blocking fd opened
 * on /dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR: every frame
 * carries a struct virtio_net_hdr in front (readv/writev, no copy), which
 * lets plat_net_write_tso hand the kernel one TCP frame of up to 64 KiB
 * with a segment size (GSO) - the kernel segments it, or delivers it
 * whole to a local socket, saving a system call and its per-packet work
 * for every segment.  The other way, the tap's offloads (TUNSETOFFLOAD:
 * checksum and TCP segmentation, IPv4 and IPv6) let the kernel hand us a local
 * sender's offload frames whole, up to 64 KiB, with the checksum left
 * partial (NEEDS_CSUM): plat_net_read_gro returns them as they are and
 * says the checksum is vouched for (ATOLL_NETIF_GRO4), so the stack takes
 * 44 segments' worth of data in one read and one pass.
 *
 * plat_wait sleeps in one epoll instance that holds every tap fd.  A
 * device is armed for EPOLLIN only while it is in the caller's interest
 * set: a device nobody reads may hold frames forever and must not make
 * every wait return at once.  The timeout has nanosecond precision
 * (epoll_pwait2), falling back to milliseconds rounded up so that a wait
 * never returns before its deadline and spins.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "atoll/error.h"
#include "atoll/tunables.h"
#include "host/pkt.h"
#include "host/tap.h"
#include "platform.h"
#include "unix_int.h"

#define ATTACH_MAX ATOLL_DEVICES_MAX

static struct {
    char name[64];
    char tap[IFNAMSIZ];
    int dev; /* -1 until opened */
} attached[ATTACH_MAX];
static int n_attached;
static int epfd = -1;

int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    if (!name || !*name || strlen(name) >= sizeof attached[0].name) {
        host_errf(err, errlen, "--net: bad device name '%s'", name ? name : "");
        return -ATOLL_EINVAL;
    }
    if (!spec || !*spec || strlen(spec) >= IFNAMSIZ || strchr(spec, '/')) {
        host_errf(err, errlen,
                  "--net:%s: bad tap device name '%s' (1 to %d characters)",
                  name, spec ? spec : "", IFNAMSIZ - 1);
        return -ATOLL_EINVAL;
    }
    for (int i = 0; i < n_attached; i++) {
        if (strcmp(attached[i].name, name) == 0) {
            host_errf(err, errlen, "--net:%s: device attached twice", name);
            return -ATOLL_EINVAL;
        }
    }
    if (n_attached == ATTACH_MAX) {
        host_errf(err, errlen, "--net:%s: too many devices", name);
        return -ATOLL_EINVAL;
    }
    strcpy(attached[n_attached].name, name);
    strcpy(attached[n_attached].tap, spec);
    attached[n_attached].dev = -1;
    n_attached++;
    return 0;
}

/* A locally administered unicast MAC from the device and tap names
 * (FNV-1a), stable across runs. */
static void derive_mac(const char *name, const char *tap, uint8_t mac[6])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *s = name; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    h = (h ^ '=') * 0x100000001b3ULL;
    for (const char *s = tap; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)(h >> (8 * i));
    mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

int plat_net_open(const char *name, struct plat_net_info *info, char *err,
                  size_t errlen)
{
    int i;
    for (i = 0; i < n_attached; i++)
        if (strcmp(attached[i].name, name) == 0)
            break;
    if (i == n_attached) {
        host_errf(err, errlen,
                  "net device '%s' is not attached (use --net:%s=TAP)", name,
                  name);
        return -ATOLL_ENOENT;
    }
    const char *tap = attached[i].tap;
    if (!unix_net_mac_override(name, info->mac))
        derive_mac(name, tap, info->mac);
    info->mtu = 1500;
    info->tso4 = info->gro4 = info->tso6 = unix_net_offload();
    if (attached[i].dev >= 0)
        return attached[i].dev;

    if (if_nametoindex(tap) == 0) {
        host_errf(err, errlen,
                  "tap device '%s' does not exist (create it with: ip tuntap "
                  "add %s mode tap)",
                  tap, tap);
        return -ATOLL_ENODEV;
    }
    /* The kernel may then send us offload frames (plat_net_read_gro). */
    unsigned offloads =
        unix_net_offload() ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
    int fd = host_tap_open(tap, offloads, err, errlen);
    if (fd < 0)
        return -ATOLL_ENODEV;
    if (epfd < 0 && (epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        host_errf(err, errlen, "tap device '%s': epoll: %s", tap,
                  strerror(errno));
        close(fd);
        return -ATOLL_ENODEV;
    }
    int dev = unix_dev_alloc(UNIX_DEV_NET);
    if (dev < 0) {
        host_errf(err, errlen, "net device '%s': too many devices", name);
        close(fd);
        return -ATOLL_ENODEV;
    }
    /* Registered disarmed; plat_wait arms it while someone waits on it. */
    struct epoll_event ev = {.events = 0, .data.u32 = (uint32_t)dev};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        host_errf(err, errlen, "tap device '%s': epoll: %s", tap,
                  strerror(errno));
        close(fd);
        unix_dev_get(dev, UNIX_DEV_NET)->kind = UNIX_DEV_FREE;
        return -ATOLL_ENODEV;
    }
    unix_dev_get(dev, UNIX_DEV_NET)->fd = fd;
    attached[i].dev = dev;
    return dev;
}

/* One frame and its virtio_net_hdr: the frame's length, or -ATOLL_EAGAIN,
 * -ATOLL_EMSGSIZE (larger than len, or an offload frame that the caller
 * did not ask for: `gro` false), -ATOLL_EIO.  *csum_ok: a TCP checksum
 * the kernel vouches for (may be partial); any other partial checksum is
 * completed here. */
static int read_frame(int dev, void *buf, size_t len, bool gro, bool *csum_ok)
{
    struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_NET);
    if (!d)
        return -ATOLL_EIO;
    struct virtio_net_hdr h;
    /* tun cuts a frame larger than the buffers to fit and reports the cut
     * length: one byte more tells a frame that did not fit. */
    unsigned char over;
    struct iovec iov[3] = {{&h, sizeof h}, {buf, len}, {&over, 1}};
    for (;;) {
        ssize_t n = readv(d->fd, iov, 3);
        if (n > (ssize_t)(sizeof h + len))
            return -ATOLL_EMSGSIZE; /* larger than len: dropped */
        if (n >= (ssize_t)sizeof h) {
            if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
                !(gro && host_tap_gso_tcp(h.gso_type)))
                return -ATOLL_EMSGSIZE; /* not offered: never sent */
            n -= (ssize_t)sizeof h;
            /* TCP's checksum the stack may take on trust (a partial one in
             * a 64 KiB frame would cost more to complete than all else). */
            size_t ihl, thl;
            bool tcp = gro && host_tcp_headers(buf, (size_t)n, &ihl, &thl) > 0;
            *csum_ok = tcp && (h.flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM |
                                          VIRTIO_NET_HDR_F_DATA_VALID));
            if (!tcp && (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
                host_csum_complete(buf, (size_t)n, h.csum_start, h.csum_offset);
            return (int)n;
        }
        if (n >= 0)
            return -ATOLL_EIO; /* shorter than its header */
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -ATOLL_EAGAIN;
        if (errno == EINVAL || errno == EMSGSIZE)
            return -ATOLL_EMSGSIZE;
        return -ATOLL_EIO;
    }
}

int plat_net_read(int dev, void *buf, size_t len)
{
    bool csum_ok;
    return read_frame(dev, buf, len, false, &csum_ok);
}

int plat_net_read_gro(int dev, void *buf, size_t len, bool *csum_ok)
{
    return read_frame(dev, buf, len, true, csum_ok);
}

static int write_frame(int dev, const struct virtio_net_hdr *h, const void *buf,
                       size_t len)
{
    struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_NET);
    if (!d)
        return -ATOLL_EIO;
    struct iovec iov[2] = {{(void *)h, sizeof *h}, {(void *)buf, len}};
    for (;;) {
        ssize_t n = writev(d->fd, iov, 2);
        if (n >= 0)
            return 0; /* tap writes are whole frames */
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return -ATOLL_EAGAIN;
        if (errno == EINVAL || errno == EMSGSIZE)
            return -ATOLL_EMSGSIZE;
        return -ATOLL_EIO;
    }
}

int plat_net_write(int dev, const void *buf, size_t len)
{
    static const struct virtio_net_hdr plain; /* no offload */
    return write_frame(dev, &plain, buf, len);
}

int plat_net_write_tso(int dev, const void *buf, size_t len, uint16_t gso_size)
{
    /* Where the TCP header starts and how long the headers are, for the
     * kernel's segmentation. */
    struct virtio_net_hdr h;
    if (host_tap_gso_hdr(buf, len, gso_size, &h) < 0)
        return -ATOLL_EMSGSIZE;
    return write_frame(dev, &h, buf, len);
}

/* Arm exactly the net devices in `interest`; returns the armed mask. */
static uint64_t arm(uint64_t interest)
{
    uint64_t armed = 0;
    for (int dev = 0; dev < ATOLL_DEVICES_MAX; dev++) {
        struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_NET);
        if (!d)
            continue;
        bool want = (interest >> dev) & 1;
        if (want != d->armed) {
            struct epoll_event ev = {.events = want ? EPOLLIN : 0,
                                     .data.u32 = (uint32_t)dev};
            if (epoll_ctl(epfd, EPOLL_CTL_MOD, d->fd, &ev) == 0)
                d->armed = want;
        }
        if (d->armed)
            armed |= 1ULL << dev;
    }
    return armed;
}

static void sleep_until(atoll_time_t deadline)
{
    /* Compare before subtracting: the scheduler polls with INT64_MIN,
     * and INT64_MIN - now would overflow into a huge wait. */
    atoll_time_t now = plat_clock_monotonic();
    if (deadline <= now)
        return;
    atoll_time_t left = deadline - now;
    struct timespec ts = {.tv_sec = left / 1000000000,
                          .tv_nsec = left % 1000000000};
    nanosleep(&ts, NULL); /* EINTR: an early return is allowed */
}

int plat_wait(atoll_time_t deadline, uint64_t interest, uint64_t *ready)
{
    *ready = 0;
    uint64_t armed = epfd >= 0 ? arm(interest) : 0;
    if (!armed) {
        /* Nothing to wait for but time.  With no deadline either, return
         * at once: the scheduler reports the deadlock. */
        if (deadline != ATOLL_NEVER)
            sleep_until(deadline);
        return 0;
    }
    struct epoll_event evs[ATOLL_DEVICES_MAX];
    int n;
    if (deadline == ATOLL_NEVER) {
        n = epoll_wait(epfd, evs, ATOLL_DEVICES_MAX, -1);
    } else {
        atoll_time_t now = plat_clock_monotonic();
        atoll_time_t left = deadline > now ? deadline - now : 0;
        struct timespec ts = {.tv_sec = left / 1000000000,
                              .tv_nsec = left % 1000000000};
        n = epoll_pwait2(epfd, evs, ATOLL_DEVICES_MAX, &ts, NULL);
        if (n < 0 && errno == ENOSYS) {
            /* Older kernels: milliseconds, rounded up. */
            atoll_time_t ms = (left + 999999) / 1000000;
            n = epoll_wait(epfd, evs, ATOLL_DEVICES_MAX,
                           ms > INT_MAX ? INT_MAX : (int)ms);
        }
    }
    if (n < 0)
        return 0; /* EINTR: a spurious wakeup, the caller loops */
    for (int i = 0; i < n; i++) {
        uint32_t dev = evs[i].data.u32;
        if (dev < ATOLL_DEVICES_MAX && ((interest >> dev) & 1))
            *ready |= 1ULL << dev;
    }
    return 0;
}
