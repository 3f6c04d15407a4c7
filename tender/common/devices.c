/*
 * tender/common/devices.c - the host side of the guest's devices.
 *
 * A net device is a tap interface (opened non-blocking: the guest never
 * stalls the tender on a full queue), a block device a file read and
 * written with pread/pwrite.  Waiting uses one epoll set holding every tap
 * plus a timerfd armed at the guest's deadline (absolute CLOCK_MONOTONIC,
 * the guest's clock), so one epoll_wait answers "which of these devices has
 * input, or has the deadline passed".  Taps stay registered with an empty
 * event mask while the guest is not waiting on them, so an unwatched busy
 * device does not wake the tender.
 *
 * Buffers handed in here were checked by hypercall.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "host/pkt.h"
#include "host/tap.h"
#include "tender.h"

#define SECTOR     512
#define TIMER_DATA 0xffffffffU

static int open_tap(struct hvt_device *dv)
{
    /* The kernel sends ordinary frames until the guest asks for offload
     * frames (gro_on). */
    char err[256];
    int fd = host_tap_open(dv->host, 0, err, sizeof err);
    if (fd < 0) {
        hvt_msg("net device '%s': %s", dv->name, err);
        return -1;
    }
    /* A random locally administered unicast address per boot. */
    if (getrandom(dv->mac, sizeof dv->mac, 0) != sizeof dv->mac) {
        hvt_msg("getrandom failed: %s", strerror(errno));
        close(fd);
        return -1;
    }
    dv->mac[0] = (uint8_t)((dv->mac[0] & 0xfe) | 0x02);
    dv->fd = fd;
    return 0;
}

static int open_file(struct hvt_device *dv)
{
    int fd = open(dv->host, O_RDWR | O_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        fd = open(dv->host, O_RDONLY | O_CLOEXEC);
        dv->read_only = true;
    }
    if (fd < 0) {
        hvt_msg("block device '%s': cannot open '%s': %s", dv->name, dv->host,
                strerror(errno));
        return -1;
    }
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        hvt_msg("block device '%s': cannot size '%s': %s", dv->name, dv->host,
                strerror(errno));
        close(fd);
        return -1;
    }
    dv->sectors = (uint64_t)end / SECTOR;
    dv->fd = fd;
    return 0;
}

int hvt_devices_open(struct hvt_devices *d)
{
    d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (d->epoll_fd < 0 || d->timer_fd < 0) {
        hvt_msg("epoll/timerfd: %s", strerror(errno));
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TIMER_DATA};
    if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, d->timer_fd, &ev) < 0) {
        hvt_msg("epoll_ctl: %s", strerror(errno));
        return -1;
    }
    for (uint32_t i = 0; i < d->count; i++) {
        struct hvt_device *dv = &d->dev[i];
        if (dv->kind == ATOLL_HVT_DEV_BLOCK) {
            if (open_file(dv) < 0)
                return -1;
            continue;
        }
        if (open_tap(dv) < 0)
            return -1;
        ev.events = 0;
        ev.data.u32 = i;
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, dv->fd, &ev) < 0) {
            hvt_msg("epoll_ctl: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

static struct hvt_device *device(struct hvt_devices *d, uint32_t i,
                                 uint32_t kind)
{
    if (i >= d->count || d->dev[i].kind != kind)
        return NULL;
    return &d->dev[i];
}

/* One frame to the tap, behind its virtio_net_hdr: plain, or (gso_size)
 * a TCP/IPv4 or TCP/IPv6 offload frame for the kernel to segment (GSO). */
static ssize_t tap_write(int fd, const uint8_t *frame, uint32_t len,
                         uint32_t gso_size)
{
    struct virtio_net_hdr h;
    memset(&h, 0, sizeof h);
    if (gso_size && host_tap_gso_hdr(frame, len, gso_size, &h) < 0) {
        errno = EMSGSIZE;
        return -1;
    }
    struct iovec iov[2] = {{&h, sizeof h}, {(void *)frame, len}};
    ssize_t w = writev(fd, iov, 2);
    return w < 0 ? w : w - (ssize_t)sizeof h;
}

int64_t hvt_net_write(struct hvt_devices *d, uint32_t dev,
                      struct atoll_hvt_frame *f, uint32_t n,
                      const struct hvt_mem *m)
{
    struct hvt_device *dv = device(d, dev, ATOLL_HVT_DEV_NET);
    if (dv == NULL)
        return -ATOLL_ENODEV;
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (f[i].len < 14 || f[i].len > ATOLL_HVT_FRAME_MAX) {
            f[i].result = -ATOLL_EMSGSIZE;
            break;
        }
        ssize_t w = tap_write(dv->fd, (uint8_t *)hvt_gp(m, f[i].addr), f[i].len,
                              f[i].gso_size);
        if (w >= 0) {
            f[i].result = (int32_t)w;
        } else if (errno == EAGAIN || errno == ENOBUFS) {
            /* A full host queue drops the frame, like a congested wire. */
            f[i].result = -ATOLL_EAGAIN;
        } else if (errno == EMSGSIZE || errno == EINVAL) {
            f[i].result = -ATOLL_EMSGSIZE; /* a bad offload frame */
        } else {
            f[i].result = errno == EIO ? -ATOLL_ENETDOWN : -ATOLL_EIO;
            break;
        }
    }
    return i;
}

/* Turns the tap's receive offload on (the first packed or offload-taking
 * read): from then on the kernel may hand its reader a local sender's
 * 64 KiB TCP frames (IPv4 and IPv6) whole, checksum left partial. */
static int gro_on(struct hvt_device *dv)
{
    if (dv->gro)
        return 0;
    if (ioctl(dv->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0)
        return -1;
    dv->gro = true;
    return 0;
}

/* The receive flags of frame p/n read behind header h: CSUM_OK when the
 * host vouches for a TCP checksum (IPv4 or IPv6) and the reader takes such
 * frames
 * (`vouch`); otherwise a partial checksum is completed here. */
static uint32_t rx_flags(const struct virtio_net_hdr *h, uint8_t *p, size_t n,
                         bool vouch)
{
    size_t ihl, thl;
    if (vouch &&
        (h->flags &
         (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) &&
        host_tcp_headers(p, n, &ihl, &thl) > 0)
        return ATOLL_HVT_RX_CSUM_OK;
    if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
        host_csum_complete(p, n, h->csum_start, h->csum_offset);
    return 0;
}

int64_t hvt_net_read(struct hvt_devices *d, uint32_t dev,
                     struct atoll_hvt_frame *f, uint32_t n,
                     const struct hvt_mem *m)
{
    struct hvt_device *dv = device(d, dev, ATOLL_HVT_DEV_NET);
    if (dv == NULL)
        return -ATOLL_ENODEV;
    uint32_t i;
    for (i = 0; i < n; i++) {
        bool gro =
            (f[i].flags & ATOLL_HVT_RX_GRO) && f[i].len >= ATOLL_HVT_RX_GRO_MIN;
        f[i].flags = 0;
        if (gro && gro_on(dv) < 0)
            return i == 0 ? -ATOLL_EIO : (int64_t)i;
        struct virtio_net_hdr h;
        uint8_t *p = (uint8_t *)hvt_gp(m, f[i].addr);
        /* tun cuts a frame larger than the buffers to fit and reports the
         * cut length: one byte more tells a frame that did not fit.  (The
         * hvt platform's buffers take 64 KiB offload frames today, so no
         * frame is too big for them; a guest that offers less must still
         * get whole frames or none, as the unix target does.) */
        unsigned char over;
        struct iovec iov[3] = {{&h, sizeof h}, {p, f[i].len}, {&over, 1}};
        ssize_t r = readv(dv->fd, iov, 3);
        if (r > (ssize_t)(sizeof h + f[i].len)) {
            f[i].result = -ATOLL_EMSGSIZE; /* larger than its buffer */
            continue;
        }
        if (r >= (ssize_t)sizeof h) {
            r -= (ssize_t)sizeof h;
            /* Offload frames only into buffers that take them; without
             * receive offload the kernel segments and checksums what it
             * hands us, and a partial checksum is completed anyway. */
            if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
                !(gro && host_tap_gso_tcp(h.gso_type)))
                f[i].result = -ATOLL_EMSGSIZE;
            else
                f[i].result = (int32_t)r;
            f[i].flags = rx_flags(&h, p, (size_t)r, gro);
            continue;
        }
        if (r >= 0) {
            f[i].result = -ATOLL_EIO; /* shorter than its header */
            continue;
        }
        if (errno != EAGAIN && i == 0)
            return -ATOLL_EIO;
        break;
    }
    return i;
}

int64_t hvt_net_read_packed(struct hvt_devices *d, uint32_t dev, uint8_t *area,
                            uint64_t size, uint64_t *used)
{
    struct hvt_device *dv = device(d, dev, ATOLL_HVT_DEV_NET);
    *used = 0;
    if (dv == NULL)
        return -ATOLL_ENODEV;
    if (gro_on(dv) < 0)
        return -ATOLL_EIO;
    const uint64_t rec = sizeof(struct atoll_hvt_packed_frame);
    int64_t frames = 0;
    uint64_t at = 0;
    while (size - at >= rec + ATOLL_HVT_FRAME_MAX) {
        struct virtio_net_hdr h;
        uint8_t *p = area + at + rec;
        unsigned char over; /* as in hvt_net_read */
        struct iovec iov[3] = {
            {&h, sizeof h}, {p, ATOLL_HVT_FRAME_MAX}, {&over, 1}};
        ssize_t r = readv(dv->fd, iov, 3);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && frames == 0)
                return -ATOLL_EIO;
            break;
        }
        if (r < (ssize_t)sizeof h ||
            r > (ssize_t)(sizeof h + ATOLL_HVT_FRAME_MAX) ||
            (h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
             !host_tap_gso_tcp(h.gso_type)))
            continue; /* not a frame we asked for: dropped */
        size_t n = (size_t)r - sizeof h;
        struct atoll_hvt_packed_frame f = {(uint32_t)n, 0};
        f.flags = rx_flags(&h, p, n, true);
        memcpy(area + at, &f, sizeof f);
        at += (rec + n + 7) & ~(uint64_t)7;
        frames++;
    }
    *used = at;
    return frames;
}

int64_t hvt_block_io(struct hvt_devices *d, uint32_t dev, bool write,
                     uint64_t sector, uint64_t count, void *buf)
{
    struct hvt_device *dv = device(d, dev, ATOLL_HVT_DEV_BLOCK);
    if (dv == NULL)
        return -ATOLL_ENODEV;
    if (count == 0 || sector > dv->sectors || count > dv->sectors - sector)
        return -ATOLL_ERANGE;
    if (write && dv->read_only)
        return -ATOLL_EPERM;
    uint64_t off = sector * SECTOR, len = count * SECTOR, done = 0;
    while (done < len) {
        ssize_t r = write ? pwrite(dv->fd, (uint8_t *)buf + done, len - done,
                                   (off_t)(off + done))
                          : pread(dv->fd, (uint8_t *)buf + done, len - done,
                                  (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 && errno == ENOSPC ? -ATOLL_ENOSPC : -ATOLL_EIO;
        done += (uint64_t)r;
    }
    return 0;
}

int64_t hvt_block_flush(struct hvt_devices *d, uint32_t dev)
{
    struct hvt_device *dv = device(d, dev, ATOLL_HVT_DEV_BLOCK);
    if (dv == NULL)
        return -ATOLL_ENODEV;
    if (dv->read_only)
        return 0;
    return fdatasync(dv->fd) < 0 ? -ATOLL_EIO : 0;
}

/* A tap whose interface was deleted (its network namespace went away, or
 * `ip link del`) reports an error for ever: epoll says EPOLLERR at once,
 * reads fail with EBADFD.  Waiting on it would spin, so the guest is
 * stopped with a tender error naming the device.  (Epoll reports errors
 * even for taps registered with an empty event mask.) */
static _Noreturn void tap_gone(struct hvt_devices *d, uint32_t i)
{
    const struct hvt_device *dv = i < d->count ? &d->dev[i] : NULL;
    hvt_die(ATOLL_HVT_EXIT_TENDER,
            "net device '%s': tap '%s' is gone (its interface was deleted)",
            dv ? dv->name : "?", dv ? dv->host : "?");
}

/* Registers exactly the taps in `mask` for EPOLLIN. */
static void arm(struct hvt_devices *d, uint64_t mask)
{
    uint64_t change = mask ^ d->armed;
    for (uint32_t i = 0; i < d->count; i++) {
        if (!(change & (1ULL << i)))
            continue;
        struct epoll_event ev = {.events = (mask >> i) & 1 ? EPOLLIN : 0,
                                 .data.u32 = i};
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_MOD, d->dev[i].fd, &ev) < 0)
            hvt_die(ATOLL_HVT_EXIT_TENDER, "epoll_ctl: %s", strerror(errno));
    }
    d->armed = mask;
}

uint64_t hvt_devices_wait(struct hvt_devices *d, uint64_t deadline_ns,
                          uint64_t mask)
{
    uint64_t blocks = 0, nets = 0;
    for (uint32_t i = 0; i < d->count; i++) {
        if (!(mask & (1ULL << i)))
            continue;
        if (d->dev[i].kind == ATOLL_HVT_DEV_BLOCK)
            blocks |= 1ULL << i;
        else
            nets |= 1ULL << i;
    }
    arm(d, nets);
    /* Block devices are always ready: poll the taps, do not sleep. */
    bool poll = blocks != 0 || deadline_ns <= hvt_mono_ns();
    if (!poll) {
        struct itimerspec its = {
            .it_value = {.tv_sec = (time_t)(deadline_ns / 1000000000ULL),
                         .tv_nsec = (long)(deadline_ns % 1000000000ULL)}};
        if (timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
            hvt_die(ATOLL_HVT_EXIT_TENDER, "timerfd_settime: %s",
                    strerror(errno));
    }
    for (;;) {
        struct epoll_event ev[ATOLL_HVT_MAX_DEVICES + 1];
        int n = epoll_wait(d->epoll_fd, ev, ATOLL_HVT_MAX_DEVICES + 1,
                           poll ? 0 : -1);
        if (n < 0 && errno == EINTR &&
            (hvt_stop_requested || hvt_trace_requested || hvt_gdb_requested))
            return 0; /* a spurious wake-up; the run loop stops the guest,
                         asks the guest for its trace (trace.c) or reads
                         what gdb sent (tender/hvt/gdb_kvm.c) */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            hvt_die(ATOLL_HVT_EXIT_TENDER, "epoll_wait: %s", strerror(errno));
        uint64_t ready = blocks;
        bool timer = false;
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u32 == TIMER_DATA)
                timer = true;
            else if (ev[i].events & (EPOLLERR | EPOLLHUP))
                tap_gone(d, ev[i].data.u32);
            else if (ev[i].events & EPOLLIN)
                ready |= (1ULL << ev[i].data.u32) & nets;
        }
        if (ready || timer || poll || deadline_ns <= hvt_mono_ns())
            return ready;
    }
}
