/*
 * tender/hvt/gdb_kvm.c - atoll-hvt --gdb[=PORT]: gdb debugging the KVM
 * guest through the remote serial protocol (tender/common/gdb.c).
 *
 * Before the guest's first instruction the tender listens on
 * 127.0.0.1:PORT (never another address: anyone who can reach the stub
 * owns the guest), waits for one gdb to connect and serves it until it
 * says continue or step.  The stub's backend is here: registers through
 * KVM_GET_REGS/KVM_GET_SREGS/KVM_SET_REGS, memory and breakpoints through
 * the tender's mapping of guest memory (gdb_guest.c, which checks every
 * address), and KVM_SET_GUEST_DEBUG before each resume: always
 * KVM_GUESTDBG_USE_SW_BP, so an int3 exits to the tender instead of
 * raising a #BP the guest has no IDT for, plus SINGLESTEP for a step and
 * USE_HW_BP with the debug registers when hardware breakpoints are set.
 * Each ends in a KVM_EXIT_DEBUG, which the run loop (vcpu.c) hands here.
 *
 * While the guest runs, the connection raises SIGIO (O_ASYNC) when gdb
 * sends something - a ^C, usually.  The handler sets hvt_gdb_requested
 * and kvm_run.immediate_exit, so KVM_RUN (or the device wait, devices.c)
 * returns EINTR and the run loop calls hvt_gdb_poll.
 *
 * Everything the stub does after the seccomp filter is in place - poll,
 * read and write on the connection, the ioctls above and
 * KVM_SET_VCPU_EVENTS - is allowed by it (seccomp.c).  It has run on kvm-pvm
 * only (docs/debugging.md).
 *
 * A KVM that takes KVM_SET_GUEST_DEBUG and ignores it (kvm-pvm) is found
 * before gdb sees the guest (probe()); then gdb's int3 and a step's trap
 * flag raise the guest's own #BP/#DB, which without an IDT become a
 * triple fault (KVM_EXIT_SHUTDOWN), and hvt_gdb_shutdown_exit takes the
 * guest back from it: the exception cleared, rip at the breakpoint, gdb
 * told.  Hardware breakpoints are refused there (no debug register
 * reaches the guest).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hvt.h"

static struct {
    int fd; /* the connection; -1: no debugger */
    int vcpu_fd;
    struct kvm_run *run;
    struct gdb_stub stub;
    struct hvt_gdb_guest guest;
    /* Bytes read but not yet fed: what followed a resume packet. */
    uint8_t in[GDB_PACKET_MAX];
    size_t in_off, in_len;
    bool crashed; /* the vCPU is dead: a resume ends the session */
    /* KVM ignores KVM_SET_GUEST_DEBUG (kvm-pvm, found by probe()): gdb's
     * int3 and a step's trap flag raise the guest's own #BP/#DB, which
     * without an IDT end in a triple fault; hvt_gdb_shutdown_exit takes
     * those back. */
    bool via_guest;
    bool stepping; /* via_guest: TF set for a step */
} dbg = {.fd = -1};

#define RFLAGS_TF 0x100ull /* trap flag: #DB after the next instruction */

/* ---- the backend --------------------------------------------------------- */

static int get_regs(void *ctx, struct gdb_regs *g)
{
    struct kvm_regs r;
    struct kvm_sregs sr;
    if (ioctl(dbg.vcpu_fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(dbg.vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return -1;
    hvt_gdb_regs_from_kvm(&r, &sr, g);
    return 0;
}

static int set_regs(void *ctx, const struct gdb_regs *g)
{
    struct kvm_regs r;
    struct kvm_sregs sr;
    if (ioctl(dbg.vcpu_fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(dbg.vcpu_fd, KVM_GET_SREGS, &sr) < 0 ||
        hvt_gdb_regs_to_kvm(g, &sr, &r) < 0 ||
        ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r) < 0)
        return -1;
    return 0;
}

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    return hvt_gdb_read(&dbg.guest, addr, buf, len);
}

static int write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    return hvt_gdb_write(&dbg.guest, addr, buf, len);
}

static int set_sw(void *ctx, uint64_t addr, bool on)
{
    return hvt_gdb_swbp(&dbg.guest, addr, on);
}

/* Takes effect at the next resume (resume()).  A KVM that ignores
 * KVM_SET_GUEST_DEBUG loads no debug register of ours (nor, on kvm-pvm,
 * the guest's own): refused, so gdb says it cannot insert it. */
static int set_hw(void *ctx, uint64_t addr, bool on)
{
    if (dbg.via_guest && on)
        return -1;
    return hvt_gdb_hwbp(&dbg.guest, addr, on);
}

static const struct gdb_backend backend = {get_regs,  set_regs, read_mem,
                                           write_mem, set_sw,   set_hw};

/* ---- the connection ------------------------------------------------------ */

/* Writes all of buf; a lost connection shows up at the next read. */
static int out(void *ctx, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0 && dbg.fd >= 0) {
        ssize_t n = write(dbg.fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd pf = {.fd = dbg.fd, .events = POLLOUT};
            (void)poll(&pf, 1, 1000);
            continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void on_sigio(int sig)
{
    (void)sig;
    hvt_gdb_requested = 1;
    if (dbg.run)
        dbg.run->immediate_exit = 1;
}

/* gdb is gone or detached: breakpoints out, KVM's debugging off, the
 * guest runs on as if there had been no debugger. */
static void let_go(void)
{
    if (dbg.fd < 0)
        return;
    gdb_clear_breakpoints(&dbg.stub);
    struct kvm_guest_debug off;
    memset(&off, 0, sizeof off);
    (void)ioctl(dbg.vcpu_fd, KVM_SET_GUEST_DEBUG, &off);
    (void)close(dbg.fd);
    dbg.fd = -1;
    hvt_msg("gdb detached; the guest runs on");
}

/* via_guest: a step is the guest's trap flag. */
static void resume_via_guest(bool step)
{
    struct kvm_regs r;
    if (ioctl(dbg.vcpu_fd, KVM_GET_REGS, &r) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_GET_REGS: %s", strerror(errno));
    r.rflags = step ? r.rflags | RFLAGS_TF : r.rflags & ~RFLAGS_TF;
    dbg.stepping = step;
    if (ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_SET_REGS: %s", strerror(errno));
}

/* Before each resume: single step or not, and the hardware breakpoints. */
static void resume(bool step)
{
    if (dbg.via_guest) {
        resume_via_guest(step);
        return;
    }
    struct kvm_guest_debug d;
    memset(&d, 0, sizeof d);
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP |
                (step ? KVM_GUESTDBG_SINGLESTEP : 0) |
                (dbg.guest.hw_used ? KVM_GUESTDBG_USE_HW_BP : 0);
    uint64_t dr[8];
    hvt_gdb_debugregs(&dbg.guest, dr);
    for (int i = 0; i < 8; i++)
        d.arch.debugreg[i] = dr[i];
    if (ioctl(dbg.vcpu_fd, KVM_SET_GUEST_DEBUG, &d) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_SET_GUEST_DEBUG: %s",
                strerror(errno));
}

/* Reads what gdb sent into dbg.in; waits for it when `wait`.  false: the
 * connection is gone. */
static bool fill(bool wait)
{
    for (;;) {
        ssize_t n = read(dbg.fd, dbg.in, sizeof dbg.in);
        if (n > 0) {
            dbg.in_off = 0;
            dbg.in_len = (size_t)n;
            return true;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            return false;
        if (!wait)
            return true;
        if (hvt_stop_requested)
            return false;
        struct pollfd pf = {.fd = dbg.fd, .events = POLLIN};
        (void)poll(&pf, 1, -1);
    }
}

/* The guest is stopped: serves gdb until it resumes the guest (true) or
 * lets it go (false: detached, or the connection lost).  A kill ends the
 * tender here. */
static bool serve(void)
{
    while (dbg.fd >= 0) {
        if (dbg.in_off == dbg.in_len && !fill(true)) {
            let_go();
            return false;
        }
        size_t used;
        enum gdb_action a = gdb_feed(&dbg.stub, dbg.in + dbg.in_off,
                                     dbg.in_len - dbg.in_off, &used);
        dbg.in_off += used;
        switch (a) {
        case GDB_NONE:
        case GDB_INTERRUPT: /* already stopped */
            break;
        case GDB_CONTINUE:
        case GDB_STEP:
            if (!dbg.crashed)
                resume(a == GDB_STEP);
            return true;
        case GDB_DETACH:
            let_go();
            return false;
        case GDB_KILL:
            hvt_die(128 + SIGKILL, "guest killed by gdb");
        }
    }
    return false;
}

int hvt_gdb_attach(struct hvt_vcpu *v, struct hvt_mem *m, unsigned port)
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (ls < 0 ||
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0) {
        hvt_msg("--gdb: cannot listen on 127.0.0.1:%u: %s", port,
                strerror(errno));
        return -1;
    }
    hvt_msg("waiting for gdb on 127.0.0.1:%u (gdb IMAGE -ex 'target remote "
            "127.0.0.1:%u')",
            port, port);
    int fd;
    do
        fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR && !hvt_stop_requested);
    (void)close(ls);
    if (fd < 0) {
        hvt_msg("--gdb: no debugger: %s", strerror(errno));
        return -1;
    }
    /* Small packets both ways, answered at once; input raises SIGIO. */
    struct sigaction sa = {.sa_handler = on_sigio};
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        sigaction(SIGIO, &sa, NULL) < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 ||
        fcntl(fd, F_SETFL, O_NONBLOCK | O_ASYNC) < 0) {
        hvt_msg("--gdb: connection setup: %s", strerror(errno));
        (void)close(fd);
        return -1;
    }
    dbg.fd = fd;
    dbg.vcpu_fd = v->vcpu_fd;
    dbg.run = v->run;
    hvt_gdb_guest_init(&dbg.guest, m);
    gdb_init(&dbg.stub, &backend, NULL, out, NULL);
    v->gdb = true;
    hvt_msg("gdb connected");
    /* The first resume sets KVM's debugging; until then the guest is not
     * running at all. */
    return 0;
}

/* The guest's #BP or #DB, which became a triple fault, undone: the vCPU
 * runs on as if the exception had not been raised. */
static void clear_exception(struct kvm_vcpu_events *ev)
{
    ev->exception.injected = 0;
    ev->exception.pending = 0;
    ev->exception.nr = 0;
    ev->exception.has_error_code = 0;
    ev->exception.error_code = 0;
    ev->exception_has_payload = 0;
    ev->exception_payload = 0;
    ev->triple_fault.pending = 0;
    ev->flags &= KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM |
                 KVM_VCPUEVENT_VALID_PAYLOAD | KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
    if (ioctl(dbg.vcpu_fd, KVM_SET_VCPU_EVENTS, ev) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_SET_VCPU_EVENTS: %s",
                strerror(errno));
}

/* Before gdb sees the guest: does this KVM honour KVM_SET_GUEST_DEBUG?
 * One instruction (start.S's first, `xor %ebp, %ebp`) runs with KVM's
 * single step on and the guest's own trap flag set.  A KVM that honours
 * it stops with KVM_EXIT_DEBUG; one that ignores it (kvm-pvm) lets the
 * trap flag raise the guest's #DB, a triple fault without an IDT.  Either
 * way the registers go back to what they were: the instruction is undone
 * and the guest starts at its first one. */
static void probe(void)
{
    struct kvm_regs r0, r;
    struct kvm_guest_debug d;
    memset(&d, 0, sizeof d);
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
    if (ioctl(dbg.vcpu_fd, KVM_GET_REGS, &r0) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_GET_REGS: %s", strerror(errno));
    r = r0;
    r.rflags |= RFLAGS_TF;
    if (ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r) < 0 ||
        ioctl(dbg.vcpu_fd, KVM_SET_GUEST_DEBUG, &d) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "--gdb probe: %s", strerror(errno));
    int rc;
    do {
        /* gdb's first packets raise SIGIO, which sets immediate_exit:
         * serve() reads them once the probe is done. */
        dbg.run->immediate_exit = 0;
        rc = ioctl(dbg.vcpu_fd, KVM_RUN, 0);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "--gdb probe: KVM_RUN: %s",
                strerror(errno));
    if (dbg.run->exit_reason == KVM_EXIT_SHUTDOWN) {
        struct kvm_vcpu_events ev;
        if (ioctl(dbg.vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) < 0 ||
            ev.exception.nr != 1)
            hvt_die(ATOLL_HVT_EXIT_TENDER,
                    "--gdb probe: the first instruction did not trap");
        clear_exception(&ev);
        dbg.via_guest = true;
        hvt_msg("this KVM ignores KVM_SET_GUEST_DEBUG (kvm-pvm does): gdb's "
                "breakpoints and steps go through the guest's own traps, "
                "hardware breakpoints are refused");
    } else if (dbg.run->exit_reason != KVM_EXIT_DEBUG) {
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "--gdb probe: unexpected exit %u after one instruction",
                dbg.run->exit_reason);
    }
    memset(&d, 0, sizeof d);
    if (ioctl(dbg.vcpu_fd, KVM_SET_GUEST_DEBUG, &d) < 0 ||
        ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r0) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "--gdb probe: %s", strerror(errno));
}

void hvt_gdb_start(void)
{
    /* gdb asks `?` itself: no stop reply before it does. */
    if (dbg.fd >= 0) {
        probe();
        (void)serve();
    }
}

/* After an MMIO exit the vCPU's state is complete only once KVM_RUN is
 * entered again (KVM's API documentation); with immediate_exit set, that
 * entry finishes the pending operation and returns EINTR without running
 * a single guest instruction.  Done before gdb looks at a guest stopped
 * between exits. */
static void settle(void)
{
    dbg.run->immediate_exit = 1;
    (void)ioctl(dbg.vcpu_fd, KVM_RUN, 0);
    dbg.run->immediate_exit = 0;
}

void hvt_gdb_poll(void)
{
    hvt_gdb_requested = 0;
    if (dbg.fd < 0)
        return;
    /* Bytes left from before the resume first, then what came since. */
    if (dbg.in_off == dbg.in_len && !fill(false)) {
        let_go();
        return;
    }
    while (dbg.in_off < dbg.in_len) {
        size_t used;
        enum gdb_action a = gdb_feed(&dbg.stub, dbg.in + dbg.in_off,
                                     dbg.in_len - dbg.in_off, &used);
        dbg.in_off += used;
        if (a == GDB_INTERRUPT) {
            settle();
            gdb_stopped(&dbg.stub, GDB_SIGINT);
            (void)serve();
            return;
        }
        if (a == GDB_DETACH) {
            let_go();
            return;
        }
        if (a == GDB_KILL)
            hvt_die(128 + SIGKILL, "guest killed by gdb");
        /* A resume while running: it runs already. */
    }
}

bool hvt_gdb_debug_exit(void)
{
    if (dbg.fd < 0)
        return false;
    struct kvm_debug_exit_arch *e = &dbg.run->debug.arch;
    struct kvm_regs r;
    if (ioctl(dbg.vcpu_fd, KVM_GET_REGS, &r) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_GET_REGS: %s", strerror(errno));
    if (e->exception == 3 && !hvt_gdb_is_swbp(&dbg.guest, r.rip) &&
        hvt_gdb_is_swbp(&dbg.guest, r.rip - 1)) {
        /* KVM stops at the int3 itself (the #BP intercepted before it is
         * delivered); should a CPU report the address after it, gdb still
         * gets the breakpoint's. */
        r.rip--;
        (void)ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r);
    }
    enum gdb_stop_reason why =
        hvt_gdb_why(&dbg.guest, e->exception, e->dr6, r.rip);
    if (e->exception == 3 && why != GDB_STOP_SWBREAK) {
        /* The guest's own int3, not one of gdb's: as for a process, the
         * stop is after it. */
        r.rip++;
        (void)ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r);
    }
    gdb_stopped_why(&dbg.stub, GDB_SIGTRAP, why);
    (void)serve();
    return true;
}

bool hvt_gdb_shutdown_exit(void)
{
    /* Without a debugger, or where KVM stops at gdb's breakpoints itself,
     * a triple fault is the guest's own crash. */
    if (dbg.fd < 0 || !dbg.via_guest)
        return false;
    struct kvm_vcpu_events ev;
    struct kvm_regs r;
    if (ioctl(dbg.vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) < 0 ||
        ioctl(dbg.vcpu_fd, KVM_GET_REGS, &r) < 0)
        return false;
    enum gdb_stop_reason why;
    unsigned nr = ev.exception.nr;
    if (nr == 3 && hvt_gdb_is_swbp(&dbg.guest, r.rip - 1)) {
        r.rip--; /* a trap: past the int3 */
        why = GDB_STOP_SWBREAK;
    } else if (nr == 1 && dbg.stepping) {
        why = GDB_STOP_SIGNAL;
    } else {
        return false;
    }
    dbg.stepping = false;
    r.rflags &= ~RFLAGS_TF;
    clear_exception(&ev);
    if (ioctl(dbg.vcpu_fd, KVM_SET_REGS, &r) < 0) {
        hvt_msg("cannot take the guest back from its trap: %s",
                strerror(errno));
        return false;
    }
    gdb_stopped_why(&dbg.stub, GDB_SIGTRAP, why);
    (void)serve();
    return true;
}

/* The guest is gone: gdb hears how (W with a status, X with a signal). */
static void gone(bool exited, int n)
{
    if (dbg.fd < 0)
        return;
    if (exited)
        gdb_exited(&dbg.stub, n);
    else
        gdb_terminated(&dbg.stub, n);
    (void)close(dbg.fd);
    dbg.fd = -1;
}

void hvt_gdb_exited(int status)
{
    gone(true, status);
}

void hvt_gdb_terminated(int sig)
{
    gone(false, sig);
}

void hvt_gdb_crashed(int sig)
{
    if (dbg.fd < 0)
        return;
    hvt_msg("the guest is stopped at the fault for gdb; it ends when gdb "
            "continues, detaches or kills it");
    dbg.crashed = true;
    gdb_stopped(&dbg.stub, sig);
    if (serve())
        hvt_gdb_terminated(sig);
}
