/*
 * tender/spt/seccomp.c - the sandbox: the system call filter atoll-spt puts
 * on itself, and so on the guest, just before the guest's first
 * instruction.
 *
 * Under atoll-spt the guest is not behind a VM boundary: it shares the
 * tender's address space and can execute `syscall` itself.  So the filter
 * is the whole security boundary, and it is as narrow as the declared
 * devices allow.  Each allowed call is checked on its arguments where the
 * kernel lets a filter see them (seccomp sees the six argument registers,
 * not memory):
 *
 *   write                  fd 1 or 2 (console, messages) or a tap
 *   read, readv, writev    a tap (frames; taps carry a virtio_net_hdr)
 *   pread64, pwrite64,     a block device's file
 *   fdatasync
 *   epoll_wait, epoll_pwait, epoll_ctl   the tender's epoll set
 *   timerfd_settime        the tender's timerfd (the wait's deadline)
 *   ioctl                  a tap, request TUNSETOFFLOAD only (the first
 *                          packed read turns on receive offload)
 *   mprotect               one page (length 4096) inside the heap, to no
 *                          access or read-write: a fiber stack's guard page
 *                          going on or off; never PROT_EXEC, so code stays
 *                          unwritable and data unexecutable
 *   clock_gettime          the clocks (normally the vDSO, no system call)
 *   rt_sigreturn, exit, exit_group       the stop handler's return, exit
 *   write, read            with --trace only: the pipes to and from
 *                          the trace writer (tender/common/trace.c)
 *   write, close (the pipe), wait4 (the writer)   with --dumpcore only:
 *                          the core file goes to the writer process
 *                          started before the filter (tender/common/core.c)
 *
 * and only native x86_64 calls (no i386 or x32 entry points).  Anything
 * else raises SIGSYS (SECCOMP_RET_TRAP), whose handler names the call and
 * stops the guest (signals.c); a guest cannot catch or block it, because
 * rt_sigaction and rt_sigprocmask are not on the list.  No open, socket,
 * mmap, execve, fork, kill or ptrace.  The filter is raw classic BPF,
 * built here for this run's descriptors and heap.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spt.h"

#define MAX_INSNS  512
#define ARG_LO(n)  (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HI(n)  (ARG_LO(n) + 4)
#define MAX_VALUES (ATOLL_HVT_MAX_DEVICES + 2)

struct prog {
    struct sock_filter f[MAX_INSNS];
    unsigned n;
    bool overflow;
};

static void emit(struct prog *p, uint16_t code, uint32_t k, uint8_t jt,
                 uint8_t jf)
{
    if (p->n == MAX_INSNS) {
        p->overflow = true;
        return;
    }
    p->f[p->n++] = (struct sock_filter){code, jt, jf, k};
}

static void load(struct prog *p, uint32_t off)
{
    emit(p, BPF_LD | BPF_W | BPF_ABS, off, 0, 0);
}

static void ret(struct prog *p, uint32_t action)
{
    emit(p, BPF_RET | BPF_K, action, 0, 0);
}

/* A set of allowed values of one argument (its low 32 bits: descriptors
 * and requests are ints, which the kernel truncates to). */
struct values {
    uint32_t v[MAX_VALUES];
    unsigned n;
};

static void add(struct values *s, uint32_t v)
{
    if (s->n < MAX_VALUES)
        s->v[s->n++] = v;
}

/* Allows system call `nr` when argument `arg`'s low word is in `s` (and,
 * when `req` is set, argument 1 equals *req); otherwise the call is
 * refused.  Layout:
 *     LD nr; JEQ nr ? next : past the block
 *     LD arg; JEQ v0 ? ok : next; ... JEQ vn ? ok : next; RET TRAP
 *   ok: [LD arg1; JEQ req ? allow : trap; trap: RET TRAP]  allow: RET ALLOW */
static void allow_if(struct prog *p, long nr, unsigned arg,
                     const struct values *s, const uint32_t *req)
{
    unsigned tail = req ? 4 : 1; /* instructions from `ok` to the end */
    unsigned len = 3 + s->n + 1 + tail;
    load(p, offsetof(struct seccomp_data, nr));
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, (uint8_t)(len - 2));
    load(p, (uint32_t)ARG_LO(arg));
    for (unsigned i = 0; i < s->n; i++)
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, s->v[i], (uint8_t)(s->n - i), 0);
    ret(p, SECCOMP_RET_TRAP);
    if (req) {
        load(p, (uint32_t)ARG_LO(1));
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, *req, 1, 0);
        ret(p, SECCOMP_RET_TRAP);
    }
    ret(p, SECCOMP_RET_ALLOW);
}

static void allow(struct prog *p, long nr)
{
    load(p, offsetof(struct seccomp_data, nr));
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1);
    ret(p, SECCOMP_RET_ALLOW);
}

/* mprotect(addr, 4096, PROT_NONE or PROT_READ|PROT_WRITE) with addr in
 * [lo, hi) (below 4 GiB: the high word must be 0). */
static void allow_guard(struct prog *p, uint32_t lo, uint32_t hi)
{
    /* Jump offsets count from the next instruction: 14 and 17 refuse,
     * 18 allows, 19 is the next block. */
    static const struct sock_filter block[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                         offsetof(struct seccomp_data, nr)),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 0, 17),
        /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(0)),
        /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 10),
        /* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
        /* 5 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0 /* lo */, 0, 8),
        /* 6 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0 /* hi */, 7, 0),
        /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(1)),
        /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 5),
        /* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
        /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ATOLL_HVT_PAGE_SIZE, 0, 3),
        /* 11 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_NONE, 2, 0),
        /* 13 */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_READ | PROT_WRITE, 1, 0),
        /* 14 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        /* 15 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(2)),
        /* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
        /* 17 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        /* 18 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    unsigned at = p->n;
    for (size_t i = 0; i < sizeof block / sizeof block[0]; i++)
        emit(p, block[i].code, block[i].k, block[i].jt, block[i].jf);
    if (!p->overflow) {
        p->f[at + 5].k = lo;
        p->f[at + 6].k = hi;
    }
}

int spt_seccomp_install(const struct hvt_guest *g)
{
    static struct prog p;
    struct values console = {0}, taps = {0}, blocks = {0}, epfd = {0},
                  tfd = {0};
    add(&console, 1);
    add(&console, 2);
    for (uint32_t i = 0; i < g->devs.count; i++) {
        const struct hvt_device *d = &g->devs.dev[i];
        if (d->kind == ATOLL_HVT_DEV_NET) {
            add(&console, (uint32_t)d->fd);
            add(&taps, (uint32_t)d->fd);
        } else {
            add(&blocks, (uint32_t)d->fd);
        }
    }
    struct values corefd = {0}, corepid = {0};
    if (hvt_core.fd >= 0) {
        add(&console, (uint32_t)hvt_core.fd);
        add(&corefd, (uint32_t)hvt_core.fd);
        add(&corepid, (uint32_t)hvt_core.pid);
    }
    /* read: the taps, and the trace writer's answers (one rule per
     * call: the first rule for a call decides it). */
    struct values reads = taps;
    if (hvt_trace.fd >= 0) {
        add(&console, (uint32_t)hvt_trace.fd);
        add(&reads, (uint32_t)hvt_trace.ack);
    }
    add(&epfd, (uint32_t)g->devs.epoll_fd);
    add(&tfd, (uint32_t)g->devs.timer_fd);
    uint32_t offload = TUNSETOFFLOAD;

    p.n = 0;
    /* Only native x86_64 calls (no i386 or x32 entry points). */
    load(&p, offsetof(struct seccomp_data, arch));
    emit(&p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    ret(&p, SECCOMP_RET_KILL_PROCESS);
    load(&p, offsetof(struct seccomp_data, nr));
    emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
    ret(&p, SECCOMP_RET_KILL_PROCESS);

    allow(&p, __NR_clock_gettime);
    allow(&p, __NR_rt_sigreturn);
    allow(&p, __NR_exit_group);
    allow(&p, __NR_exit);
    allow_if(&p, __NR_write, 0, &console, NULL);
    allow_if(&p, __NR_epoll_wait, 0, &epfd, NULL);
    allow_if(&p, __NR_epoll_pwait, 0, &epfd, NULL);
    allow_if(&p, __NR_epoll_ctl, 0, &epfd, NULL);
    allow_if(&p, __NR_timerfd_settime, 0, &tfd, NULL);
    if (reads.n)
        allow_if(&p, __NR_read, 0, &reads, NULL);
    if (taps.n) {
        allow_if(&p, __NR_readv, 0, &taps, NULL);
        allow_if(&p, __NR_writev, 0, &taps, NULL);
        allow_if(&p, __NR_ioctl, 0, &taps, &offload);
    }
    if (blocks.n) {
        allow_if(&p, __NR_pread64, 0, &blocks, NULL);
        allow_if(&p, __NR_pwrite64, 0, &blocks, NULL);
        allow_if(&p, __NR_fdatasync, 0, &blocks, NULL);
    }
    if (corefd.n) {
        allow_if(&p, __NR_close, 0, &corefd, NULL);
        allow_if(&p, __NR_wait4, 0, &corepid, NULL);
    }
    allow_guard(&p, (uint32_t)g->mem.heap_start, (uint32_t)g->mem.heap_end);
    ret(&p, SECCOMP_RET_TRAP);
    if (p.overflow) {
        hvt_msg("the seccomp filter does not fit in %d instructions",
                MAX_INSNS);
        return -1;
    }
    struct sock_fprog prog = {.len = (unsigned short)p.n, .filter = p.f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
        hvt_msg("cannot install the seccomp filter: %s", strerror(errno));
        return -1;
    }
    return 0;
}
