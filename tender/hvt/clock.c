/*
 * tender/hvt/clock.c - the anchor that lets a KVM guest read the host's
 * clocks without a VM exit.
 *
 * A hypercall costs tens of microseconds on software KVM (PVM measured
 * ~66 us per exit), and the guest's runtime reads its monotonic clock on
 * every scheduler round and on every TCP segment: a clock hypercall made
 * the clock the guest's biggest cost.  So the guest reads its own TSC and
 * converts: the tender gives it the TSC rate (KVM_GET_TSC_KHZ, the rate
 * KVM runs the guest's TSC at) and an anchor, one instant seen on both
 * sides - the guest's TSC (KVM_GET_MSRS of MSR_IA32_TSC, which KVM
 * computes from the host TSC and the vCPU's offset) bracketed by two
 * CLOCK_MONOTONIC readings, so the anchor is good to half the ioctl's
 * time (a few microseconds here).  The guest asks for a fresh anchor
 * (ATOLL_HVT_CLOCK_SYNC) about once a second, so it follows NTP's slewing
 * of the host clock and its wait deadlines keep meaning the same instant
 * to the tender.
 *
 * The TSC is used only when the host's is invariant (CPUID 0x80000007
 * EDX bit 8: constant rate, does not stop in deep C-states) and KVM
 * reports a rate; otherwise tsc_khz is 0 and the guest falls back to the
 * clock hypercalls.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvt.h"

#define MSR_IA32_TSC 0x10

static int vcpu_fd = -1;
static uint64_t tsc_khz;

static int guest_tsc(uint64_t *tsc)
{
    /* struct kvm_msrs ends in a flexible array: room for one entry
     * (a struct around it would be a GNU extension clang rejects). */
    uint64_t buf[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)) /
                 sizeof(uint64_t)];
    memset(buf, 0, sizeof buf);
    struct kvm_msrs *m = (struct kvm_msrs *)buf;
    m->nmsrs = 1;
    m->entries[0].index = MSR_IA32_TSC;
    if (ioctl(vcpu_fd, KVM_GET_MSRS, m) != 1)
        return -1;
    *tsc = m->entries[0].data;
    return 0;
}

int tender_clock_sync(struct atoll_hvt_clock_sync *s)
{
    memset(s, 0, sizeof *s);
    if (tsc_khz == 0) {
        s->ret = -ATOLL_ENOTSUP;
        return -1;
    }
    uint64_t t0 = hvt_mono_ns();
    if (guest_tsc(&s->tsc) < 0) {
        s->ret = -ATOLL_ENOTSUP;
        return -1;
    }
    uint64_t t1 = hvt_mono_ns();
    uint64_t wall = hvt_wall_ns();
    s->mono_ns = t0 + (t1 - t0) / 2;
    s->wall_ns = wall - (t1 - s->mono_ns);
    return 0;
}

void hvt_clock_boot(int fd, struct atoll_hvt_boot_info *bi)
{
    vcpu_fd = fd;
    uint32_t r[4];
    hvt_host_cpuid(0x80000000u, r);
    bool invariant = false;
    if (r[0] >= 0x80000007u) {
        hvt_host_cpuid(0x80000007u, r);
        invariant = (r[3] >> 8) & 1;
    }
    int khz = invariant ? ioctl(fd, KVM_GET_TSC_KHZ, 0) : -1;
    /* ATOLL_HVT_NO_TSC (tests): run the guest on the clock hypercalls. */
    tsc_khz = khz > 0 && !getenv("ATOLL_HVT_NO_TSC") ? (uint64_t)khz : 0;
    struct atoll_hvt_clock_sync s;
    if (tender_clock_sync(&s) < 0) {
        tsc_khz = 0;
        s.mono_ns = hvt_mono_ns();
        s.wall_ns = hvt_wall_ns();
    }
    bi->tsc_khz = tsc_khz;
    bi->tsc_base = s.tsc;
    bi->mono_base_ns = s.mono_ns;
    bi->wall_base_ns = s.wall_ns;
}
