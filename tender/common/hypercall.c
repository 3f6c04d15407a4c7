/*
 * tender/common/hypercall.c - checks and serves the guest's hypercalls.
 *
 * Each call copies its argument struct out of guest memory, checks every
 * guest address and length it names against the page permission map
 * (hvt_mem_readable / hvt_mem_writable: overflow-safe, and only pages the
 * guest itself may read or write), does the work, and copies the struct
 * back.  Copying means the tender never works on memory the guest can
 * change underneath it, and unaligned guest structs are harmless.  A bad
 * address stops the guest with ATOLL_HVT_EXIT_CRASH and a message naming
 * the call; the host is never touched outside guest memory.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tender.h"

const char *hvt_call_name(unsigned nr)
{
    static const char *const names[ATOLL_HVT_CALL_MAX] = {
        [ATOLL_HVT_CONSOLE_WRITE] = "console write",
        [ATOLL_HVT_MCLOCK] = "monotonic clock",
        [ATOLL_HVT_WCLOCK] = "wall clock",
        [ATOLL_HVT_WAIT] = "wait",
        [ATOLL_HVT_CLOCK_SYNC] = "clock sync",
        [ATOLL_HVT_NET_READ_PACKED] = "net read packed",
        [ATOLL_HVT_DEVICE_INFO] = "device info",
        [ATOLL_HVT_NET_WRITE] = "net write",
        [ATOLL_HVT_NET_READ] = "net read",
        [ATOLL_HVT_BLOCK_READ] = "block read",
        [ATOLL_HVT_BLOCK_WRITE] = "block write",
        [ATOLL_HVT_BLOCK_FLUSH] = "block flush",
        [ATOLL_HVT_EXIT] = "exit",
        [ATOLL_HVT_GUARD] = "guard page",
        [ATOLL_HVT_TRACE_WRITE] = "trace write",
    };
    return nr < ATOLL_HVT_CALL_MAX && names[nr] ? names[nr] : "unknown";
}

static void bad(unsigned nr, const char *what, uint64_t addr, uint64_t len)
    __attribute__((noreturn));

static void bad(unsigned nr, const char *what, uint64_t addr, uint64_t len)
{
    hvt_die(ATOLL_HVT_EXIT_CRASH,
            "guest crashed: bad hypercall %u (%s): %s %#llx+%#llx is not "
            "in guest memory the guest may use",
            nr, hvt_call_name(nr), what, (unsigned long long)addr,
            (unsigned long long)len);
}

/* Copies the argument struct in (it must be guest-writable: results go
 * back into it). */
static void arg_in(struct hvt_guest *g, unsigned nr, uint64_t gpa, void *a,
                   size_t size)
{
    if (!hvt_mem_writable(&g->mem, gpa, size))
        bad(nr, "argument struct", gpa, size);
    memcpy(a, hvt_gp(&g->mem, gpa), size);
}

static void arg_out(struct hvt_guest *g, uint64_t gpa, const void *a,
                    size_t size)
{
    memcpy(hvt_gp(&g->mem, gpa), a, size);
}

/* Guest output to the tender's standard output: 0 or -ATOLL_EIO. */
static int64_t out(const uint8_t *p, uint64_t len)
{
    uint64_t done = 0;
    while (done < len) {
        ssize_t w = write(1, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -ATOLL_EIO;
        done += (uint64_t)w;
    }
    return 0;
}

int hvt_console_drain(struct hvt_guest *g)
{
    struct atoll_hvt_console_area *a = (struct atoll_hvt_console_area *)(hvt_gp(
        &g->mem, ATOLL_HVT_CONSOLE_AREA));
    uint32_t len = a->len; /* the guest's: read once, then checked */
    if (len == 0)
        return 0;
    if (len > ATOLL_HVT_CONSOLE_CAP)
        return -1;
    /* An error (closed pipe) loses this output, as a failed console
     * write would; the guest is not stopped for it. */
    (void)out(a->data, len);
    a->len = 0;
    return 0;
}

static void console_write(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_console a;
    arg_in(g, nr, gpa, &a, sizeof a);
    if (!hvt_mem_readable(&g->mem, a.data, a.len))
        bad(nr, "data", a.data, a.len);
    a.ret = out(hvt_gp(&g->mem, a.data), a.len);
    arg_out(g, gpa, &a, sizeof a);
}

static void clock_call(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_clock a;
    arg_in(g, nr, gpa, &a, sizeof a);
    a.ns = nr == ATOLL_HVT_MCLOCK ? hvt_mono_ns() : hvt_wall_ns();
    arg_out(g, gpa, &a, sizeof a);
}

static void device_info(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_device_info a;
    arg_in(g, nr, gpa, &a, sizeof a);
    uint32_t index = a.index;
    memset(&a, 0, sizeof a);
    a.index = index;
    if (index >= g->devs.count) {
        a.ret = -ATOLL_ENODEV;
    } else {
        const struct hvt_device *d = &g->devs.dev[index];
        a.kind = d->kind;
        if (d->kind == ATOLL_HVT_DEV_BLOCK) {
            a.sectors = d->sectors;
            a.sector_size = 512;
            a.read_only = d->read_only;
        } else {
            memcpy(a.mac, d->mac, sizeof a.mac);
            a.mtu = 1500;
            a.offloads =
                ATOLL_HVT_NET_TSO4 | ATOLL_HVT_NET_GRO4 | ATOLL_HVT_NET_TSO6;
        }
    }
    arg_out(g, gpa, &a, sizeof a);
}

/* One batch of frames (NET_READ / NET_WRITE, or one entry of a wait's
 * tx/rx list; `nr` names the call in messages).  Checks the frame array
 * and every buffer, moves the frames, writes the per-frame results back. */
static void net_batch(struct hvt_guest *g, unsigned nr, bool rd,
                      struct atoll_hvt_net_io *a)
{
    static struct atoll_hvt_frame f[ATOLL_HVT_NET_BATCH_MAX];
    if (a->count > ATOLL_HVT_NET_BATCH_MAX)
        hvt_die(ATOLL_HVT_EXIT_CRASH,
                "guest crashed: bad hypercall %u (%s): batch of %u frames "
                "(max %d)",
                nr, hvt_call_name(nr), a->count, ATOLL_HVT_NET_BATCH_MAX);
    uint64_t fsize = (uint64_t)a->count * sizeof f[0];
    if (!hvt_mem_writable(&g->mem, a->frames, fsize))
        bad(nr, "frame array", a->frames, fsize);
    memcpy(f, hvt_gp(&g->mem, a->frames), fsize);
    for (uint32_t i = 0; i < a->count; i++) {
        f[i].result = 0;
        if (!rd)
            f[i].flags = 0;
        bool ok = rd ? hvt_mem_writable(&g->mem, f[i].addr, f[i].len)
                     : hvt_mem_readable(&g->mem, f[i].addr, f[i].len);
        if (!ok)
            bad(nr, "frame buffer", f[i].addr, f[i].len);
    }
    a->ret = rd ? hvt_net_read(&g->devs, a->device, f, a->count, &g->mem)
                : hvt_net_write(&g->devs, a->device, f, a->count, &g->mem);
    memcpy(hvt_gp(&g->mem, a->frames), f, fsize);
}

static void net_io(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_net_io a;
    arg_in(g, nr, gpa, &a, sizeof a);
    net_batch(g, nr, nr == ATOLL_HVT_NET_READ, &a);
    arg_out(g, gpa, &a, sizeof a);
}

/* Copies in a wait's list of `n` (> 0) entries of `esize` bytes at guest `at`
 * (at most ATOLL_HVT_MAX_DEVICES, in writable guest memory: the results
 * go back there) into buf; returns its size in bytes. */
static uint64_t list_in(struct hvt_guest *g, unsigned nr, const char *what,
                        uint64_t at, uint32_t n, size_t esize, void *buf)
{
    if (n > ATOLL_HVT_MAX_DEVICES)
        hvt_die(ATOLL_HVT_EXIT_CRASH,
                "guest crashed: bad hypercall %u (wait): %s of %u entries "
                "(max %d)",
                nr, what, n, ATOLL_HVT_MAX_DEVICES);
    uint64_t size = (uint64_t)n * esize;
    if (!hvt_mem_writable(&g->mem, at, size))
        bad(nr, what, at, size);
    memcpy(buf, hvt_gp(&g->mem, at), size);
    return size;
}

static bool is_ready(uint64_t ready, uint32_t dev)
{
    return dev < 64 && (ready & (1ULL << dev));
}

/* A wait's tx or rx list: each entry done as a single net call.  For rx,
 * only devices in `ready` are read. */
static void wait_list(struct hvt_guest *g, unsigned nr, bool rd, uint64_t at,
                      uint32_t n, uint64_t ready)
{
    struct atoll_hvt_net_io io[ATOLL_HVT_MAX_DEVICES];
    uint64_t size =
        list_in(g, nr, rd ? "rx list" : "tx list", at, n, sizeof io[0], io);
    for (uint32_t i = 0; i < n; i++) {
        if (rd && !is_ready(ready, io[i].device))
            io[i].ret = 0;
        else
            net_batch(g, nr, rd, &io[i]);
    }
    memcpy(hvt_gp(&g->mem, at), io, size);
}

/* One packed read (ATOLL_HVT_NET_READ_PACKED, or an entry of a wait's
 * rxp list): the area checked writable, then filled. */
static void packed_read(struct hvt_guest *g, unsigned nr,
                        struct atoll_hvt_net_packed *a)
{
    if (!hvt_mem_writable(&g->mem, a->area, a->size))
        bad(nr, "packed area", a->area, a->size);
    a->ret = hvt_net_read_packed(&g->devs, a->device, hvt_gp(&g->mem, a->area),
                                 a->size, &a->used);
}

static void packed_call(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_net_packed a;
    arg_in(g, nr, gpa, &a, sizeof a);
    packed_read(g, nr, &a);
    arg_out(g, gpa, &a, sizeof a);
}

/* A wait's rxp list: packed reads of the ready devices. */
static void wait_packed(struct hvt_guest *g, unsigned nr, uint64_t at,
                        uint32_t n, uint64_t ready)
{
    struct atoll_hvt_net_packed p[ATOLL_HVT_MAX_DEVICES];
    if (n == 0)
        return;
    uint64_t size = list_in(g, nr, "rxp list", at, n, sizeof p[0], p);
    for (uint32_t i = 0; i < n; i++) {
        p[i].used = 0;
        if (is_ready(ready, p[i].device))
            packed_read(g, nr, &p[i]);
        else
            p[i].ret = 0;
    }
    memcpy(hvt_gp(&g->mem, at), p, size);
}

static void wait_call(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_wait a;
    arg_in(g, nr, gpa, &a, sizeof a);
    wait_list(g, nr, false, a.tx, a.ntx, 0);
    a.ready = hvt_devices_wait(&g->devs, a.deadline_ns, a.devices);
    wait_list(g, nr, true, a.rx, a.nrx, a.ready);
    wait_packed(g, nr, a.rxp, a.nrxp, a.ready);
    arg_out(g, gpa, &a, sizeof a);
}

static void clock_sync(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_clock_sync a;
    arg_in(g, nr, gpa, &a, sizeof a);
    tender_clock_sync(&a);
    arg_out(g, gpa, &a, sizeof a);
}

static void block_io(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_block_io a;
    arg_in(g, nr, gpa, &a, sizeof a);
    if (nr == ATOLL_HVT_BLOCK_FLUSH) {
        a.ret = hvt_block_flush(&g->devs, a.device);
        arg_out(g, gpa, &a, sizeof a);
        return;
    }
    bool wr = nr == ATOLL_HVT_BLOCK_WRITE;
    uint64_t len = a.count * 512;
    if (a.count > g->mem.size / 512) /* count * 512 could overflow */
        hvt_die(ATOLL_HVT_EXIT_CRASH,
                "guest crashed: bad hypercall %u (%s): %llu sectors do not "
                "fit in guest memory",
                nr, hvt_call_name(nr), (unsigned long long)a.count);
    if (!(wr ? hvt_mem_readable(&g->mem, a.data, len)
             : hvt_mem_writable(&g->mem, a.data, len)))
        bad(nr, "data", a.data, len);
    a.ret = hvt_block_io(&g->devs, a.device, wr, a.sector, a.count,
                         hvt_gp(&g->mem, a.data));
    arg_out(g, gpa, &a, sizeof a);
}

static void exit_call(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_exit a;
    if (!hvt_mem_readable(&g->mem, gpa, sizeof a))
        bad(nr, "argument struct", gpa, sizeof a);
    memcpy(&a, hvt_gp(&g->mem, gpa), sizeof a);
    if (a.status < 0 || a.status > ATOLL_HVT_EXIT_MAX)
        hvt_die(ATOLL_HVT_EXIT_CRASH,
                "guest crashed: bad hypercall %u (exit): status %lld is "
                "outside 0..%d",
                nr, (long long)a.status, ATOLL_HVT_EXIT_MAX);
    g->exited = true;
    g->status = (int)a.status;
}

static void guard_call(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_guard a;
    arg_in(g, nr, gpa, &a, sizeof a);
    bool flush = false;
    a.ret =
        a.on > 1 ? -ATOLL_EINVAL : hvt_mem_guard(&g->mem, a.addr, a.on, &flush);
    if (flush)
        g->flush = true;
    arg_out(g, gpa, &a, sizeof a);
}

static void trace_call(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    struct atoll_hvt_trace a;
    arg_in(g, nr, gpa, &a, sizeof a);
    if (a.len > ATOLL_HVT_TRACE_PIECE_MAX) {
        a.ret = -ATOLL_EINVAL;
    } else {
        if (!hvt_mem_readable(&g->mem, a.data, a.len))
            bad(nr, "data", a.data, a.len);
        a.ret =
            hvt_trace_put(a.file, hvt_gp(&g->mem, a.data), a.len, g->mem.size);
    }
    arg_out(g, gpa, &a, sizeof a);
}

void hvt_hypercall(struct hvt_guest *g, unsigned nr, uint64_t gpa)
{
    switch (nr) {
    case ATOLL_HVT_CONSOLE_WRITE:
        console_write(g, nr, gpa);
        break;
    case ATOLL_HVT_MCLOCK:
    case ATOLL_HVT_WCLOCK:
        clock_call(g, nr, gpa);
        break;
    case ATOLL_HVT_WAIT:
        wait_call(g, nr, gpa);
        break;
    case ATOLL_HVT_DEVICE_INFO:
        device_info(g, nr, gpa);
        break;
    case ATOLL_HVT_NET_WRITE:
    case ATOLL_HVT_NET_READ:
        net_io(g, nr, gpa);
        break;
    case ATOLL_HVT_BLOCK_READ:
    case ATOLL_HVT_BLOCK_WRITE:
    case ATOLL_HVT_BLOCK_FLUSH:
        block_io(g, nr, gpa);
        break;
    case ATOLL_HVT_EXIT:
        exit_call(g, nr, gpa);
        break;
    case ATOLL_HVT_GUARD:
        guard_call(g, nr, gpa);
        break;
    case ATOLL_HVT_CLOCK_SYNC:
        clock_sync(g, nr, gpa);
        break;
    case ATOLL_HVT_NET_READ_PACKED:
        packed_call(g, nr, gpa);
        break;
    case ATOLL_HVT_TRACE_WRITE:
        trace_call(g, nr, gpa);
        break;
    default:
        hvt_die(ATOLL_HVT_EXIT_CRASH,
                "guest crashed: bad hypercall %u: no such call", nr);
    }
}
