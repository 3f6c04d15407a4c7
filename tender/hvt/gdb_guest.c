/*
 * tender/hvt/gdb_guest.c - the KVM guest as atoll-hvt's gdb stub sees it,
 * without a single KVM call, so that all of it is tested on hosts without
 * /dev/kvm (tests/unit/hvt_gdb.c):
 *
 *   - registers: KVM's struct kvm_regs/kvm_sregs to gdb's amd64 order and
 *     back (KVM keeps rsp before rbp, gdb rbp before rsp; the segment
 *     selectors come from the special registers);
 *   - memory: gdb's addresses are the guest's virtual addresses, which the
 *     tender's page tables map one to one onto guest-physical ones
 *     (paging.c), so an access is a copy through the tender's mapping,
 *     after checking that every page of it is one the guest can see;
 *   - breakpoints: software ones are int3 bytes written into the guest's
 *     code with the byte they replace kept here (memory reads show the
 *     kept byte, writes over a breakpoint update it), hardware ones are
 *     the four debug-register slots, turned into DR0-DR3 and DR7.
 *
 * tender/hvt/gdb_kvm.c does the ioctls and the connection.
 */
#include <linux/kvm.h>
#include <string.h>

#include "hvt.h"

#define INT3 0xcc

/* The eflags bits gdb may change: CF PF AF ZF SF DF OF, what a program's
 * own instructions change.  The rest stay the vCPU's: IF, IOPL or VM
 * changed under the guest would change what ring 3 may do or fail the
 * next VM entry, and TF would raise a #DB the guest has no IDT for
 * (single steps go through KVM instead). */
#define EFLAGS_GDB 0x0cd5u

void hvt_gdb_regs_from_kvm(const struct kvm_regs *r, const struct kvm_sregs *sr,
                           struct gdb_regs *g)
{
    const uint64_t gpr[16] = {r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi,
                              r->rbp, r->rsp, r->r8,  r->r9,  r->r10, r->r11,
                              r->r12, r->r13, r->r14, r->r15};
    memcpy(g->gpr, gpr, sizeof gpr);
    g->rip = r->rip;
    g->eflags = (uint32_t)r->rflags;
    g->cs = sr->cs.selector;
    g->ss = sr->ss.selector;
    g->ds = sr->ds.selector;
    g->es = sr->es.selector;
    g->fs = sr->fs.selector;
    g->gs = sr->gs.selector;
}

int hvt_gdb_regs_to_kvm(const struct gdb_regs *g, const struct kvm_sregs *sr,
                        struct kvm_regs *r)
{
    /* A selector is only half a segment (the descriptor cache is the
     * other half): gdb sends back what it read, and a change is refused
     * rather than half done. */
    if (g->cs != sr->cs.selector || g->ss != sr->ss.selector ||
        g->ds != sr->ds.selector || g->es != sr->es.selector ||
        g->fs != sr->fs.selector || g->gs != sr->gs.selector)
        return -1;
    __u64 *const gpr[16] = {
        &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp,
        &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15};
    for (int i = 0; i < 16; i++)
        *gpr[i] = g->gpr[i];
    r->rip = g->rip;
    r->rflags = (r->rflags & ~(uint64_t)EFLAGS_GDB) | (g->eflags & EFLAGS_GDB);
    return 0;
}

void hvt_gdb_guest_init(struct hvt_gdb_guest *d, struct hvt_mem *m)
{
    memset(d, 0, sizeof *d);
    d->mem = m;
}

/* [addr, addr+len) lies in guest memory, in pages the guest can see (R, RW
 * or RX: not the unmapped low pages, the page tables or a guard page);
 * with `exec`, in executable pages only.  Overflow-safe; len 0 is an
 * error (nothing gdb asks for is empty). */
static bool visible(const struct hvt_mem *m, uint64_t addr, uint64_t len,
                    bool exec)
{
    return len > 0 && hvt_mem_perm_in(m, addr, len,
                                      exec ? HVT_PERMS(HVT_PERM_RX)
                                           : HVT_PERMS(HVT_PERM_R) |
                                                 HVT_PERMS(HVT_PERM_RW) |
                                                 HVT_PERMS(HVT_PERM_RX));
}

int hvt_gdb_read(const struct hvt_gdb_guest *d, uint64_t addr, void *buf,
                 size_t len)
{
    if (!visible(d->mem, addr, len, false))
        return -1;
    memcpy(buf, hvt_gp(d->mem, addr), len);
    /* gdb sees the code without its own breakpoints in it. */
    for (unsigned i = 0; i < d->nsw; i++)
        if (d->sw[i].addr - addr < len)
            ((uint8_t *)buf)[d->sw[i].addr - addr] = d->sw[i].saved;
    return 0;
}

int hvt_gdb_write(struct hvt_gdb_guest *d, uint64_t addr, const void *buf,
                  size_t len)
{
    if (!visible(d->mem, addr, len, false))
        return -1;
    memcpy(hvt_gp(d->mem, addr), buf, len);
    /* A byte written over a breakpoint becomes the one it restores. */
    for (unsigned i = 0; i < d->nsw; i++)
        if (d->sw[i].addr - addr < len) {
            d->sw[i].saved = ((const uint8_t *)buf)[d->sw[i].addr - addr];
            *(uint8_t *)hvt_gp(d->mem, d->sw[i].addr) = INT3;
        }
    return 0;
}

static int sw_find(const struct hvt_gdb_guest *d, uint64_t addr)
{
    for (unsigned i = 0; i < d->nsw; i++)
        if (d->sw[i].addr == addr)
            return (int)i;
    return -1;
}

bool hvt_gdb_is_swbp(const struct hvt_gdb_guest *d, uint64_t addr)
{
    return sw_find(d, addr) >= 0;
}

int hvt_gdb_swbp(struct hvt_gdb_guest *d, uint64_t addr, bool on)
{
    int i = sw_find(d, addr);
    uint8_t *p = hvt_gp(d->mem, addr);
    if (!on) {
        if (i < 0)
            return -1;
        *p = d->sw[i].saved;
        d->sw[i] = d->sw[--d->nsw];
        return 0;
    }
    if (i >= 0)
        return 0;
    /* Only in code: a breakpoint elsewhere could never be hit, and gdb
     * tells its user it could not insert it. */
    if (d->nsw == GDB_BP_MAX || !visible(d->mem, addr, 1, true))
        return -1;
    d->sw[d->nsw].addr = addr;
    d->sw[d->nsw].saved = *p;
    d->nsw++;
    *p = INT3;
    return 0;
}

int hvt_gdb_hwbp(struct hvt_gdb_guest *d, uint64_t addr, bool on)
{
    int free_slot = -1;
    for (int i = 0; i < HVT_GDB_HW_MAX; i++) {
        bool used = d->hw_used & (1u << i);
        if (used && d->hw[i] == addr) {
            if (!on)
                d->hw_used &= (uint8_t) ~(1u << i);
            return 0;
        }
        if (!used && free_slot < 0)
            free_slot = i;
    }
    /* On: a free slot, for an address in code (the CPU would compare
     * any address; one outside code is a mistake gdb reports). */
    if (!on || free_slot < 0 || !visible(d->mem, addr, 1, true))
        return -1;
    d->hw[free_slot] = addr;
    d->hw_used |= (uint8_t)(1u << free_slot);
    return 0;
}

void hvt_gdb_debugregs(const struct hvt_gdb_guest *d, uint64_t dr[8])
{
    memset(dr, 0, 8 * sizeof *dr);
    /* DR7: bit 10 is reserved as 1, GE (bit 9) asks for exact breakpoint
     * reporting; each slot's local enable Ln is bit 2n, and its R/W and
     * LEN fields (bits 16+4n..19+4n) stay 0: break on executing the byte
     * at DRn. */
    dr[7] = 0x600;
    for (int i = 0; i < HVT_GDB_HW_MAX; i++)
        if (d->hw_used & (1u << i)) {
            dr[i] = d->hw[i];
            dr[7] |= 1ull << (2 * i);
        }
}

enum gdb_stop_reason hvt_gdb_why(const struct hvt_gdb_guest *d,
                                 uint32_t exception, uint64_t dr6, uint64_t rip)
{
    if (exception == 3 && hvt_gdb_is_swbp(d, rip))
        return GDB_STOP_SWBREAK;
    /* #DB: DR6's low four bits say which slot matched; BS (bit 14) alone
     * is a single step. */
    if (exception == 1 && (dr6 & d->hw_used & 0xf))
        return GDB_STOP_HWBREAK;
    return GDB_STOP_SIGNAL;
}
