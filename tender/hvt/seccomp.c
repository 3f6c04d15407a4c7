/*
 * tender/hvt/seccomp.c - the system call filter the tender puts on itself
 * once setup is done, just before the guest's first instruction.
 *
 * From then on a compromised tender can do only what the run loop needs:
 * run the vCPU and read its registers (ioctl, restricted to KVM_RUN,
 * KVM_GET_MSRS for the guest's TSC (clock anchors, clock.c), TUNSETOFFLOAD
 * (a tap's receive offload, turned on by the guest's first packed read),
 * KVM_GET_REGS, KVM_GET_SREGS and KVM_GET_VCPU_EVENTS, the last three for
 * crash reports, and KVM_SET_USER_MEMORY_REGION, which re-adds the same
 * guest memory to flush translations after a guard page changed), move bytes on
 * descriptors it already holds (console, taps, block files), wait (epoll,
 * timerfd), read clocks and exit.  No open, no socket, no mmap, no exec.
 * With --gdb, the stub also needs KVM_SET_REGS and KVM_SET_GUEST_DEBUG
 * (gdb changes registers, sets breakpoints and steps) and poll (waiting
 * for gdb on its connection, accepted before the filter goes in); without
 * it they stay refused.
 * Anything else kills the whole process (SECCOMP_RET_KILL_PROCESS, seen as
 * SIGSYS).  The filter is raw classic BPF; docs/hvt.md lists the calls.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvt.h"

#define ALLOW_NR(nr)                                                           \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                           \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JEQ(k, jt, jf)                                                         \
    ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf))

int hvt_seccomp_install(bool gdb)
{
    static const struct sock_filter head[] = {
        /* Only native x86_64 calls (no i386 or x32 entry points). */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        ALLOW_NR(__NR_read),
        ALLOW_NR(__NR_write),
        ALLOW_NR(__NR_readv),
        ALLOW_NR(__NR_writev),
        ALLOW_NR(__NR_pread64),
        ALLOW_NR(__NR_pwrite64),
        ALLOW_NR(__NR_fdatasync),
        ALLOW_NR(__NR_epoll_wait),
        ALLOW_NR(__NR_epoll_pwait),
        ALLOW_NR(__NR_epoll_ctl),
        ALLOW_NR(__NR_timerfd_settime),
        ALLOW_NR(__NR_clock_gettime),
        ALLOW_NR(__NR_rt_sigreturn),
        ALLOW_NR(__NR_exit_group),
        ALLOW_NR(__NR_exit),
        /* --dumpcore: closing the pipe to the core writer, waiting for it
         * (tender/common/core.c). */
        ALLOW_NR(__NR_close),
        ALLOW_NR(__NR_wait4),
    };
    /* --gdb: waiting for the debugger's next bytes (gdb_kvm.c). */
    static const struct sock_filter gdb_calls[] = {
        ALLOW_NR(__NR_poll),
        ALLOW_NR(__NR_ppoll),
    };
    /* ioctl: only the run loop's requests; the last three for --gdb only. */
    static const uint32_t req[] = {
        KVM_RUN,
        TUNSETOFFLOAD,
        KVM_GET_MSRS,
        KVM_GET_REGS,
        KVM_GET_SREGS,
        KVM_GET_VCPU_EVENTS,
        KVM_SET_USER_MEMORY_REGION,
        KVM_SET_REGS,
        KVM_SET_GUEST_DEBUG,
        KVM_SET_VCPU_EVENTS,
    };
    const size_t nreq = sizeof req / sizeof req[0] - (gdb ? 0 : 3);
    struct sock_filter f[sizeof head / sizeof head[0] +
                         sizeof gdb_calls / sizeof gdb_calls[0] + 3 +
                         sizeof req / sizeof req[0] + 2];
    size_t n = sizeof head / sizeof head[0];
    memcpy(f, head, sizeof head);
    if (gdb) {
        memcpy(f + n, gdb_calls, sizeof gdb_calls);
        n += sizeof gdb_calls / sizeof gdb_calls[0];
    }
    /* Not ioctl: killed.  ioctl: its request (the low 32 bits of the
     * second argument) jumps to ALLOW if listed, else falls to KILL. */
    f[n++] = JEQ(__NR_ioctl, 1, 0);
    f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1));
    for (size_t i = 0; i < nreq; i++)
        f[n++] = JEQ(req[i], (uint8_t)(nreq - i), 0);
    f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
        hvt_msg("cannot install the seccomp filter: %s", strerror(errno));
        return -1;
    }
    return 0;
}
