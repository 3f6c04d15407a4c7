/*
 * tests/unix/overflow.c - a fiber that recurses without bound hits the
 * guard page under its stack, and the unikernel stops with exit status 70
 * (ATOLL_EXIT_PANIC) and "atoll: stack overflow in fiber NAME" on stderr,
 * instead of silently corrupting whatever lies below the stack.
 *
 * The runtime runs in a child whose stderr the parent captures.  Under
 * AddressSanitizer the child is re-executed with ASan's own SEGV handling
 * off (ASAN_OPTIONS=handle_segv=0), so that the platform's handler is the
 * one that sees the fault, as in a release build.
 *
 * tests/sim/overflow.c includes this file to run the same tests on the sim
 * target, under its own suite name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

#ifndef OVERFLOW_SUITE
#define OVERFLOW_SUITE overflow
#endif

static int depth;
/* Never reached (volatile, so the compiler cannot know). */
static volatile int stop_at = -1;

__attribute__((noinline)) static int recurse(int n)
{
    volatile char frame[512];
    if (n == stop_at)
        return 0;
    frame[0] = (char)n;
    frame[511] = (char)depth++;
    /* Use the result after the call: no tail call, no loop. */
    return recurse(n + 1) + frame[0] + frame[511];
}

static int deep(void *arg)
{
    return recurse(0);
}

static int overflow_main(void *arg)
{
    atoll_fiber *f;
    if (atoll_fiber_spawn(&f, "deep-thought", deep, NULL, 16 * 1024) < 0)
        return 1;
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    return 2; /* not reached: the overflow stops the unikernel */
}

static int wild_main(void *arg)
{
    static volatile uintptr_t wild = 0x10;
    *(volatile int *)wild = 1;
    return 3;
}

__attribute__((constructor)) static void overflow_child_entry(void)
{
    /* Re-executed as the child: run the crash, never return. */
    const char *mode = getenv("ATOLL_OVERFLOW_CHILD");
    if (mode)
        harness_exit(atoll_test_run(
            0, strcmp(mode, "wild") ? overflow_main : wild_main, NULL));
}

/* Re-execute this binary in `mode`; return its exit status and stderr. */
static int run_child(const char *mode, char *out, size_t outlen)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(n > 0);
    self[n] = '\0';
    int pipefd[2];
    CHECK_EQ(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("ATOLL_OVERFLOW_CHILD", mode, 1);
        setenv("ASAN_OPTIONS", "handle_segv=0:handle_sigbus=0:detect_leaks=0",
               1);
        execl(self, self, (char *)NULL);
        harness_exit(127);
    }
    close(pipefd[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(pipefd[0], out + len, outlen - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(pipefd[0]);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status))
        harness_fail(__FILE__, __LINE__, "child status %#x, stderr: %s", status,
                     out);
    return WEXITSTATUS(status);
}

TEST(OVERFLOW_SUITE, "stack overflow stops with status 70 naming the fiber")
{
    char out[8192];
    int st = run_child("overflow", out, sizeof out);
    if (st != ATOLL_EXIT_PANIC)
        harness_fail(__FILE__, __LINE__, "status %d, stderr: %s", st, out);
    CHECK(strstr(out, "atoll: stack overflow in fiber deep-thought\n") != NULL);
}

TEST(OVERFLOW_SUITE, "a wild pointer is reported as a segmentation fault")
{
    char out[8192];
    int st = run_child("wild", out, sizeof out);
    if (st != ATOLL_EXIT_PANIC)
        harness_fail(__FILE__, __LINE__, "status %d, stderr: %s", st, out);
    CHECK(strstr(out, "atoll: segmentation fault at 0x0000000000000010\n") !=
          NULL);
}
