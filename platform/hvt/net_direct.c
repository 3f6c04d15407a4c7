/*
 * platform/hvt/net_direct.c - net devices when hypercalls are cheap.
 *
 * Under atoll-spt a hypercall is a function call into the tender (the boot
 * info's hypercall field is set), not a VM exit.  Batching frames through
 * the send arena and the receive area (net.c) then buys nothing and costs
 * a copy each way.  So frames go one at a time, straight from and into
 * the runtime's own buffers: a read is one NET_READ of one frame into the
 * caller's buffer (with ATOLL_HVT_RX_GRO when the buffer takes receive
 * offload frames), a write one NET_WRITE from the caller's buffer.  Each
 * is one readv/writev on the tap in the tender - what the unix target
 * does - and the wait carries no frame lists.  No send arena or receive
 * area is allocated (2.5 MiB less heap per device).
 */
#include "atoll/error.h"
#include "hvt_int.h"

bool hvt_net_direct(void)
{
    return hvt_hypercall_entry != 0;
}

int hvt_net_direct_read(int dev, void *buf, size_t len, bool *csum_ok)
{
    struct atoll_hvt_frame f = {
        .addr = (uint64_t)(uintptr_t)buf,
        .len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
        .flags = csum_ok ? ATOLL_HVT_RX_GRO : 0,
    };
    struct atoll_hvt_net_io io = {(uint32_t)dev, 1, (uint64_t)(uintptr_t)&f, 0};
    hvt_call(ATOLL_HVT_NET_READ, &io);
    if (io.ret < 0)
        return io.ret == -ATOLL_ENODEV ? -ATOLL_ENODEV : -ATOLL_EIO;
    if (io.ret == 0)
        return -ATOLL_EAGAIN;
    if (f.result < 0)
        return f.result == -ATOLL_EMSGSIZE ? -ATOLL_EMSGSIZE : -ATOLL_EIO;
    if (csum_ok)
        *csum_ok = (f.flags & ATOLL_HVT_RX_CSUM_OK) != 0;
    return f.result;
}

int hvt_net_direct_write(int dev, const void *buf, size_t len, uint16_t gso)
{
    struct atoll_hvt_frame f = {
        .addr = (uint64_t)(uintptr_t)buf,
        .len = (uint32_t)len,
        .gso_size = gso,
    };
    struct atoll_hvt_net_io io = {(uint32_t)dev, 1, (uint64_t)(uintptr_t)&f, 0};
    hvt_call(ATOLL_HVT_NET_WRITE, &io);
    if (io.ret < 0)
        return io.ret == -ATOLL_ENODEV ? -ATOLL_ENODEV : -ATOLL_EIO;
    /* A full host queue drops the frame, like a congested wire: the
     * batched path does the same, and TCP sends it again. */
    if (f.result >= 0 || f.result == -ATOLL_EAGAIN)
        return 0;
    if (f.result == -ATOLL_EMSGSIZE)
        return -ATOLL_EMSGSIZE;
    return f.result == -ATOLL_ENETDOWN ? -ATOLL_ENETDOWN : -ATOLL_EIO;
}
