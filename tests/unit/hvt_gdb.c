/*
 * tests/unit/hvt_gdb.c - atoll-hvt's gdb stub, every part that runs
 * without /dev/kvm (tender/hvt/gdb_guest.c, tender/hvt/seccomp.c, linked
 * into this test by mk/hvt.mk):
 *
 *   - KVM's registers to gdb's `g` packet, byte by byte (KVM keeps rsp
 *     before rbp, gdb the other way round), and a `G` back into KVM's,
 *     with the eflags gdb may not change kept and a changed segment
 *     selector refused;
 *   - memory accesses against a fake guest memory with a permission map:
 *     unmapped pages, guard pages, the end of memory and wrapping
 *     addresses refused, through the stub as E14;
 *   - the breakpoint table: int3 planted only in code, hidden from reads,
 *     kept under writes, lifted with the byte restored, the table's limit;
 *     the four hardware slots and the DR7 they make; why a debug exit
 *     stopped;
 *   - the seccomp filter, installed in a child process: the calls and
 *     ioctls the stub needs pass with --gdb and kill without it.
 * The KVM half - the ioctls themselves, KVM_EXIT_DEBUG - is tested by
 * tests/kvm/hvt_gdb.sh where /dev/kvm exists.
 */
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../tender/hvt/hvt.h"
#include "../harness.h"

/* mem.c's guard-page change is each tender's; nothing here changes one. */
int tender_guard_apply(struct hvt_mem *m, uint64_t addr, enum hvt_perm p,
                       bool *flush)
{
    CHECK(!"tender_guard_apply called");
    return -1;
}

/* ---- a fake guest memory --------------------------------------------------
 * 16 pages: 0 unmapped (NULL), 1-3 code (RX), 4 read-only, 5-7 read-write,
 * 8 a guard page, 9-15 unmapped. */
#define PAGE   4096u
#define NPAGES 16u
static uint8_t ram[NPAGES * PAGE];
static uint8_t perm[NPAGES];
static struct hvt_mem mem;
static struct hvt_gdb_guest gg;

static void setup(void)
{
    for (size_t i = 0; i < sizeof ram; i++)
        ram[i] = (uint8_t)(i * 7 + i / PAGE);
    memset(perm, HVT_PERM_NONE, sizeof perm);
    perm[1] = perm[2] = perm[3] = HVT_PERM_RX;
    perm[4] = HVT_PERM_R;
    perm[5] = perm[6] = perm[7] = HVT_PERM_RW;
    perm[8] = HVT_PERM_GUARD;
    memset(&mem, 0, sizeof mem);
    mem.base = ram;
    mem.size = sizeof ram;
    mem.perm = perm;
    hvt_gdb_guest_init(&gg, &mem);
}

/* ---- registers ------------------------------------------------------------
 */

static void kvm_sample(struct kvm_regs *r, struct kvm_sregs *sr)
{
    memset(r, 0, sizeof *r);
    memset(sr, 0, sizeof *sr);
    __u64 *v[18] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
                    &r->rsp, &r->rbp, &r->r8,  &r->r9,  &r->r10, &r->r11,
                    &r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags};
    for (int i = 0; i < 16; i++) /* in KVM's order: 0x0101.., 0x0202.. */
        *v[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
    r->rip = 0x100234;
    r->rflags = 0x3202; /* IOPL 3, IF */
    sr->cs.selector = 0x23;
    sr->ss.selector = 0x1b;
    sr->ds.selector = 0x1b;
    sr->es.selector = 0x1b;
    sr->fs.selector = 0x1b;
    sr->gs.selector = 0x1b;
}

static struct gdb_regs stub_regs;
static int get_regs(void *ctx, struct gdb_regs *r)
{
    *r = stub_regs;
    return 0;
}
static int set_regs(void *ctx, const struct gdb_regs *r)
{
    stub_regs = *r;
    return 0;
}
static int read_mem(void *ctx, uint64_t a, void *b, size_t n)
{
    return hvt_gdb_read(&gg, a, b, n);
}
static int write_mem(void *ctx, uint64_t a, const void *b, size_t n)
{
    return hvt_gdb_write(&gg, a, b, n);
}
static int set_sw(void *ctx, uint64_t a, bool on)
{
    return hvt_gdb_swbp(&gg, a, on);
}
static int set_hw(void *ctx, uint64_t a, bool on)
{
    return hvt_gdb_hwbp(&gg, a, on);
}
static const struct gdb_backend be = {get_regs,  set_regs, read_mem,
                                      write_mem, set_sw,   set_hw};

static char sent[16384];
static size_t nsent;
static int out(void *ctx, const void *buf, size_t len)
{
    CHECK(nsent + len < sizeof sent);
    memcpy(sent + nsent, buf, len);
    nsent += len;
    sent[nsent] = 0;
    return 0;
}

/* The stub's answer to `payload`, without "+$" and "#cc". */
static const char *ask(struct gdb_stub *s, const char *payload)
{
    static char b[8192], ans[8192];
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum += (uint8_t)*p;
    snprintf(b, sizeof b, "$%s#%02x", payload, sum & 0xff);
    nsent = 0;
    size_t used;
    CHECK_EQ(gdb_feed(s, (const uint8_t *)b, strlen(b), &used), GDB_NONE);
    CHECK(nsent >= 5 && sent[0] == '+' && sent[1] == '$');
    size_t n = nsent - 5;
    memcpy(ans, sent + 2, n);
    ans[n] = 0;
    return ans;
}

/* The 8 bytes of `v` as gdb's little-endian hex. */
static const char *le64(uint64_t v)
{
    static char h[17];
    for (int i = 0; i < 8; i++)
        snprintf(h + 2 * i, 3, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
    return h;
}

TEST(hvt_gdb, "KVM's registers reach gdb's g packet in gdb's order and bytes")
{
    setup();
    struct kvm_regs r;
    struct kvm_sregs sr;
    kvm_sample(&r, &sr);
    hvt_gdb_regs_from_kvm(&r, &sr, &stub_regs);
    struct gdb_stub s;
    gdb_init(&s, &be, NULL, out, NULL);
    const char *g = ask(&s, "g");
    CHECK_EQ(strlen(g), 2u * GDB_REGS_BYTES);
    /* gdb: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip eflags cs ss ... */
    const uint64_t want[17] = {r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
                               r.rbp, r.rsp, r.r8,  r.r9,  r.r10, r.r11,
                               r.r12, r.r13, r.r14, r.r15, r.rip};
    for (int i = 0; i < 17; i++)
        CHECK(!strncmp(g + 16 * i, le64(want[i]), 16));
    CHECK(!strncmp(g + 16 * 6, "0808080808080808", 16));  /* rbp: KVM's 8th */
    CHECK(!strncmp(g + 16 * 7, "0707070707070707", 16));  /* rsp: KVM's 7th */
    CHECK(!strncmp(g + 16 * 16, "3402100000000000", 16)); /* rip */
    CHECK(!strncmp(g + 16 * 17, "02320000", 8));          /* eflags */
    CHECK(!strncmp(g + 16 * 17 + 8, "23000000", 8));      /* cs */
    CHECK(!strncmp(g + 16 * 17 + 16, "1b000000", 8));     /* ss */
    CHECK(!strncmp(g + 16 * 17 + 48, "1b000000", 8));     /* gs */
}

TEST(hvt_gdb, "a G packet comes back into KVM's registers, checked")
{
    setup();
    struct kvm_regs r, r2;
    struct kvm_sregs sr;
    kvm_sample(&r, &sr);
    struct gdb_regs g;
    hvt_gdb_regs_from_kvm(&r, &sr, &g);
    /* Unchanged: the same registers come back. */
    r2 = r;
    memset(&r2.rax, 0xee, 16 * 8);
    CHECK_EQ(hvt_gdb_regs_to_kvm(&g, &sr, &r2), 0);
    CHECK(!memcmp(&r, &r2, sizeof r));
    /* gdb's rsp (its 8th) is KVM's rsp; rip moves. */
    g.gpr[7] = 0x7ff000;
    g.gpr[6] = 0x7ff100;
    g.rip = 0x101000;
    CHECK_EQ(hvt_gdb_regs_to_kvm(&g, &sr, &r2), 0);
    CHECK_EQ(r2.rsp, 0x7ff000u);
    CHECK_EQ(r2.rbp, 0x7ff100u);
    CHECK_EQ(r2.rip, 0x101000u);
    /* eflags: CF and ZF change, IF, IOPL and TF do not. */
    g.eflags = 0x0041 | 0x0100; /* CF ZF TF, IF and IOPL cleared */
    CHECK_EQ(hvt_gdb_regs_to_kvm(&g, &sr, &r2), 0);
    CHECK_EQ(r2.rflags, 0x3243u);
    /* A selector changed: refused, nothing written. */
    struct kvm_regs before = r2;
    g.rip = 0x102000;
    g.cs = 0x08;
    CHECK_EQ(hvt_gdb_regs_to_kvm(&g, &sr, &r2), -1);
    CHECK(!memcmp(&before, &r2, sizeof r2));
    g.cs = 0x23;
    g.fs = 0;
    CHECK_EQ(hvt_gdb_regs_to_kvm(&g, &sr, &r2), -1);
}

/* ---- memory ---------------------------------------------------------------
 */

TEST(hvt_gdb, "memory: only pages the guest can see, bounds checked")
{
    setup();
    uint8_t b[2 * PAGE];
    CHECK_EQ(hvt_gdb_read(&gg, 1 * PAGE, b, 16), 0);
    CHECK(!memcmp(b, ram + PAGE, 16));
    CHECK_EQ(hvt_gdb_read(&gg, 4 * PAGE - 8, b, 16), 0);  /* RX into R */
    CHECK_EQ(hvt_gdb_read(&gg, 0, b, 1), -1);             /* NULL page */
    CHECK_EQ(hvt_gdb_read(&gg, PAGE - 1, b, 2), -1);      /* starts in it */
    CHECK_EQ(hvt_gdb_read(&gg, 8 * PAGE, b, 1), -1);      /* guard page */
    CHECK_EQ(hvt_gdb_read(&gg, 8 * PAGE - 4, b, 8), -1);  /* runs into it */
    CHECK_EQ(hvt_gdb_read(&gg, NPAGES * PAGE, b, 1), -1); /* past the end */
    CHECK_EQ(hvt_gdb_read(&gg, ~0ull, b, 2), -1);         /* wraps */
    CHECK_EQ(hvt_gdb_read(&gg, ~0ull - 1, b, 4), -1);
    CHECK_EQ(hvt_gdb_read(&gg, 5 * PAGE, b, 0), -1); /* empty */
    uint8_t w[4] = {1, 2, 3, 4};
    CHECK_EQ(hvt_gdb_write(&gg, 5 * PAGE + 10, w, 4), 0);
    CHECK(!memcmp(ram + 5 * PAGE + 10, w, 4));
    CHECK_EQ(hvt_gdb_write(&gg, 2 * PAGE, w, 4), 0); /* code: gdb may patch */
    CHECK(!memcmp(ram + 2 * PAGE, w, 4));
    uint8_t keep = ram[8 * PAGE - 2];
    CHECK_EQ(hvt_gdb_write(&gg, 8 * PAGE - 2, w, 4), -1);
    CHECK_EQ(ram[8 * PAGE - 2], keep); /* nothing written when refused */
    CHECK_EQ(hvt_gdb_write(&gg, 12 * PAGE, w, 1), -1);
}

TEST(hvt_gdb, "memory through the stub: E14 outside, bytes inside")
{
    setup();
    struct gdb_stub s;
    gdb_init(&s, &be, NULL, out, NULL);
    char q[64], want[16];
    snprintf(q, sizeof q, "m%x,2", 5 * PAGE);
    snprintf(want, sizeof want, "%02x%02x", ram[5 * PAGE], ram[5 * PAGE + 1]);
    CHECK_STR(ask(&s, q), want);
    CHECK_STR(ask(&s, "m0,8"), "E14");
    snprintf(q, sizeof q, "m%x,4", 8 * PAGE - 2);
    CHECK_STR(ask(&s, q), "E14");
    CHECK_STR(ask(&s, "mfffffffffffffffe,4"), "E14");
    snprintf(q, sizeof q, "M%x,2:abcd", 9 * PAGE);
    CHECK_STR(ask(&s, q), "E14");
}

/* ---- breakpoints ----------------------------------------------------------
 */

TEST(hvt_gdb, "software breakpoints: int3 in code only, hidden, restored")
{
    setup();
    uint64_t a = 2 * PAGE + 0x40;
    uint8_t orig = ram[a], b[4];
    CHECK_EQ(hvt_gdb_swbp(&gg, a, true), 0);
    CHECK_EQ(ram[a], 0xcc);
    CHECK(hvt_gdb_is_swbp(&gg, a));
    CHECK(!hvt_gdb_is_swbp(&gg, a + 1));
    CHECK_EQ(hvt_gdb_swbp(&gg, a, true), 0); /* twice: still one */
    CHECK_EQ(gg.nsw, 1u);
    /* Reads show the code as it is without the breakpoint. */
    CHECK_EQ(hvt_gdb_read(&gg, a - 1, b, 3), 0);
    CHECK_EQ(b[1], orig);
    CHECK_EQ(b[0], ram[a - 1]);
    /* A write over it changes the byte it will restore; the int3 stays. */
    uint8_t nb[3] = {0x90, 0x91, 0x92};
    CHECK_EQ(hvt_gdb_write(&gg, a - 1, nb, 3), 0);
    CHECK_EQ(ram[a], 0xcc);
    CHECK_EQ(ram[a - 1], 0x90);
    CHECK_EQ(hvt_gdb_swbp(&gg, a, false), 0);
    CHECK_EQ(ram[a], 0x91);
    CHECK_EQ(hvt_gdb_swbp(&gg, a, false), -1); /* not there any more */
    /* Not in code: data, read-only data, guard, unmapped, outside. */
    CHECK_EQ(hvt_gdb_swbp(&gg, 5 * PAGE, true), -1);
    CHECK_EQ(hvt_gdb_swbp(&gg, 4 * PAGE, true), -1);
    CHECK_EQ(hvt_gdb_swbp(&gg, 8 * PAGE, true), -1);
    CHECK_EQ(hvt_gdb_swbp(&gg, 0, true), -1);
    CHECK_EQ(hvt_gdb_swbp(&gg, NPAGES * PAGE + 1, true), -1);
    CHECK_EQ(gg.nsw, 0u);
}

TEST(hvt_gdb, "the breakpoint table holds GDB_BP_MAX, then refuses")
{
    setup();
    uint8_t before[3 * PAGE];
    memcpy(before, ram + PAGE, sizeof before);
    for (unsigned i = 0; i < GDB_BP_MAX; i++)
        CHECK_EQ(hvt_gdb_swbp(&gg, PAGE + 3 * i, true), 0);
    CHECK_EQ(hvt_gdb_swbp(&gg, 3 * PAGE, true), -1);
    CHECK_EQ(ram[3 * PAGE], before[2 * PAGE]);
    /* A read across all of them shows none. */
    uint8_t b[3 * GDB_BP_MAX];
    CHECK_EQ(hvt_gdb_read(&gg, PAGE, b, sizeof b), 0);
    CHECK(!memcmp(b, before, sizeof b));
    for (unsigned i = 0; i < GDB_BP_MAX; i++)
        CHECK_EQ(hvt_gdb_swbp(&gg, PAGE + 3 * (GDB_BP_MAX - 1 - i), false), 0);
    CHECK(!memcmp(ram + PAGE, before, sizeof before));
}

TEST(hvt_gdb, "Z0 through the stub plants an int3 that m does not show")
{
    setup();
    struct gdb_stub s;
    gdb_init(&s, &be, NULL, out, NULL);
    char q[64], want[8];
    uint64_t a = 3 * PAGE + 5;
    snprintf(want, sizeof want, "%02x", ram[a]);
    snprintf(q, sizeof q, "Z0,%llx,1", (unsigned long long)a);
    CHECK_STR(ask(&s, q), "OK");
    CHECK_EQ(ram[a], 0xcc);
    snprintf(q, sizeof q, "m%llx,1", (unsigned long long)a);
    CHECK_STR(ask(&s, q), want);
    snprintf(q, sizeof q, "Z0,%x,1", 6 * PAGE);
    CHECK_STR(ask(&s, q), "E14"); /* data: refused */
    gdb_clear_breakpoints(&s);    /* what a detach does */
    CHECK_EQ(gg.nsw, 0u);
    snprintf(q, sizeof q, "%02x", ram[a]);
    CHECK_STR(q, want);
}

TEST(hvt_gdb, "hardware breakpoints: four slots, DR0-DR3 and DR7")
{
    setup();
    uint64_t dr[8];
    hvt_gdb_debugregs(&gg, dr);
    CHECK_EQ(dr[7], 0x600u); /* nothing enabled */
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 1, true), 0);
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 2, true), 0);
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 3, true), 0);
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 4, true), 0);
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 5, true), -1); /* no fifth slot */
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 2, false), 0);
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 2, false), -1);
    CHECK_EQ(hvt_gdb_hwbp(&gg, 5 * PAGE, true), -1); /* not code */
    hvt_gdb_debugregs(&gg, dr);
    CHECK_EQ(dr[0], PAGE + 1u);
    CHECK_EQ(dr[1], 0u);
    CHECK_EQ(dr[2], PAGE + 3u);
    CHECK_EQ(dr[3], PAGE + 4u);
    CHECK_EQ(dr[7], 0x600u | 1 | 1 << 4 | 1 << 6);  /* L0 L2 L3, execute */
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 9, true), 0); /* the free slot 1 */
    hvt_gdb_debugregs(&gg, dr);
    CHECK_EQ(dr[1], PAGE + 9u);
    CHECK_EQ(dr[7], 0x655u);
    /* No code byte changed. */
    CHECK_EQ(ram[PAGE + 1], (uint8_t)((PAGE + 1) * 7 + 1));
}

TEST(hvt_gdb, "a debug exit is named: our int3, a hardware slot, a step")
{
    setup();
    CHECK_EQ(hvt_gdb_swbp(&gg, PAGE + 8, true), 0);
    CHECK_EQ(hvt_gdb_hwbp(&gg, PAGE + 16, true), 0); /* slot 0 */
    CHECK_EQ(hvt_gdb_why(&gg, 3, 0, PAGE + 8), GDB_STOP_SWBREAK);
    CHECK_EQ(hvt_gdb_why(&gg, 3, 0, PAGE + 9), GDB_STOP_SIGNAL); /* not ours */
    CHECK_EQ(hvt_gdb_why(&gg, 1, 0x4001, PAGE + 16), GDB_STOP_HWBREAK);
    CHECK_EQ(hvt_gdb_why(&gg, 1, 0x4000, PAGE + 16), GDB_STOP_SIGNAL); /* BS */
    CHECK_EQ(hvt_gdb_why(&gg, 1, 0x4002, PAGE + 16), GDB_STOP_SIGNAL); /* B1 */
}

/* ---- the seccomp filter ----------------------------------------------------
 */

/* In a child: installs the filter (with or without gdb) and makes one
 * call; returns how the child ended: 0 the call returned, SIGSYS killed.
 * which >= 100: ioctl request run_loop[which - 100] on no descriptor. */
static const unsigned long run_loop[] = {KVM_RUN,
                                         TUNSETOFFLOAD,
                                         KVM_GET_MSRS,
                                         KVM_GET_REGS,
                                         KVM_GET_SREGS,
                                         KVM_GET_VCPU_EVENTS,
                                         KVM_SET_USER_MEMORY_REGION};

static int filtered(bool gdb, int which)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (hvt_seccomp_install(gdb) < 0)
            syscall(__NR_exit_group, 99);
        struct pollfd pf = {.fd = -1};
        if (which >= 100)
            syscall(__NR_ioctl, -1, run_loop[which - 100], 0);
        switch (which) {
        case 0: /* the run loop's own: KVM_RUN on no descriptor */
            syscall(__NR_ioctl, -1, KVM_RUN, 0);
            break;
        case 1:
            syscall(__NR_ioctl, -1, KVM_SET_GUEST_DEBUG, 0);
            break;
        case 2:
            syscall(__NR_ioctl, -1, KVM_SET_REGS, 0);
            break;
        case 3:
            syscall(__NR_poll, &pf, 1, 0);
            break;
        case 4:
            syscall(__NR_socket, AF_INET, SOCK_STREAM, 0);
            break;
        case 5: /* an ioctl nobody needs */
            syscall(__NR_ioctl, -1, KVM_SET_SREGS, 0);
            break;
        case 6: /* a guest's trap taken back (kvm-pvm, gdb_kvm.c) */
            syscall(__NR_ioctl, -1, KVM_SET_VCPU_EVENTS, 0);
            break;
        }
        syscall(__NR_exit_group, 0);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        return WTERMSIG(st);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    return 0;
}

TEST(hvt_gdb, "seccomp: the stub's ioctls and poll only with --gdb")
{
    /* The run loop's seven requests pass either way. */
    for (int i = 0; i < (int)(sizeof run_loop / sizeof run_loop[0]); i++) {
        CHECK_EQ(filtered(false, 100 + i), 0);
        CHECK_EQ(filtered(true, 100 + i), 0);
    }
    CHECK_EQ(filtered(false, 0), 0);
    CHECK_EQ(filtered(false, 1), SIGSYS);
    CHECK_EQ(filtered(false, 2), SIGSYS);
    CHECK_EQ(filtered(false, 3), SIGSYS);
    CHECK_EQ(filtered(false, 4), SIGSYS);
    CHECK_EQ(filtered(false, 5), SIGSYS);
    CHECK_EQ(filtered(false, 6), SIGSYS);
    CHECK_EQ(filtered(true, 6), 0);
    CHECK_EQ(filtered(true, 0), 0);
    CHECK_EQ(filtered(true, 1), 0);
    CHECK_EQ(filtered(true, 2), 0);
    CHECK_EQ(filtered(true, 3), 0);
    CHECK_EQ(filtered(true, 4), SIGSYS);
    CHECK_EQ(filtered(true, 5), SIGSYS);
}
