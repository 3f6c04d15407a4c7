/*
 * platform/host/fault.h - the SIGSEGV/SIGBUS handler of the Linux-process
 * targets (unix and sim; installed by host.c with the memory region): it
 * turns
 * a hit on a fiber's guard page into "atoll: stack overflow in fiber NAME"
 * and any other fault into "atoll: segmentation fault at ADDR" (bus error,
 * arithmetic exception, illegal instruction for SIGBUS, SIGFPE, SIGILL),
 * writes a core file when --dumpcore=DIR asked for one (dumpcore.h), then
 * stops with ATOLL_EXIT_PANIC.  For SIGILL (what __builtin_trap raises,
 * the fuzz targets' and the invariant checks' way to fail), a handler
 * that was installed before ours - libFuzzer's, in a fuzz target that
 * starts the runtime - is called after the message instead, so that it
 * can keep the input that crashed.  The other signals are not passed on:
 * a sanitizer's SIGSEGV handler would turn a fiber's stack overflow into
 * its own report and exit status.
 *
 * The handler runs on its own alternate stack (the faulting stack is
 * exhausted) and uses only async-signal-safe calls: it asks the runtime
 * which fiber owns the page (atoll_fiber_guard_owner is written to be safe
 * here), writes with write(2) and leaves with _exit.
 */
#ifndef ATOLL_PLATFORM_FAULT_H
#define ATOLL_PLATFORM_FAULT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "atoll/fiber.h"
#include "dumpcore.h"

static void fault_put(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* The SIGILL handler that was there before ours. */
static struct sigaction fault_prev_ill;

static void fault_on_signal(int sig, siginfo_t *si, void *uctx)
{
    const void *addr = si->si_addr;
    const char *fiber = atoll_fiber_guard_owner(addr);
    if (fiber) {
        fault_put("atoll: stack overflow in fiber ");
        fault_put(fiber);
        fault_put("\n");
    } else {
        char hex[2 + 16 + 1] = "0x";
        uintptr_t a = (uintptr_t)addr;
        for (int i = 0; i < 16; i++)
            hex[2 + i] = "0123456789abcdef"[(a >> (60 - 4 * i)) & 0xf];
        hex[18] = '\0';
        fault_put(sig == SIGBUS   ? "atoll: bus error at "
                  : sig == SIGFPE ? "atoll: arithmetic exception at "
                  : sig == SIGILL ? "atoll: illegal instruction at "
                                  : "atoll: segmentation fault at ");
        fault_put(hex);
        fault_put("\n");
    }
    char path[1200];
    int rc = host_dumpcore_write(sig, uctx, path, sizeof path);
    if (rc == 0) {
        fault_put("atoll: core dumped: ");
        fault_put(path);
        fault_put("\n");
    } else if (rc < 0) {
        fault_put("atoll: --dumpcore: could not write the core file\n");
    }
    const struct sigaction *prev = &fault_prev_ill;
    if (sig != SIGILL)
        prev = NULL;
    if (prev && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction)
        prev->sa_sigaction(sig, si, uctx);
    else if (prev && !(prev->sa_flags & SA_SIGINFO) &&
             prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN)
        prev->sa_handler(sig);
    _exit(ATOLL_EXIT_PANIC);
}

/* The alternate stack: static, so installing needs no allocation. */
static uint8_t fault_alt_stack[64 * 1024] __attribute__((aligned(16)));
static bool fault_installed;

static void fault_handler_install(void)
{
    if (fault_installed)
        return;
    fault_installed = true;
    stack_t ss = {.ss_sp = fault_alt_stack, .ss_size = sizeof fault_alt_stack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, &fault_prev_ill);
}

#endif
