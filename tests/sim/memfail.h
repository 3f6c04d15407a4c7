/*
 * tests/sim/memfail.h - memory-failure loops in the manner of SQLite's:
 * a scenario runs once for every N with the Nth allocation failing
 * (atoll_heap_fail_nth), first "once" (only the Nth fails, the rest
 * succeed), then "sticky" (the Nth and every later one fail), until a
 * run makes fewer than N requests and so meets no failure.
 *
 * Each run is a child process with a fresh runtime (atoll_test_run) on
 * the sim platform, so one run cannot disturb the next.  In the child:
 *
 *     setup(arg)            devices and the like, not counted
 *     baseline = allocs - frees
 *     atoll_mem_fail_nth(N, sticky)
 *     scenario(arg, sticky) returns 0 if its outcome is acceptable: it
 *                           completed exactly, or an operation failed
 *                           with a clear error (-ATOLL_ENOMEM, or what
 *                           the scenario allows) and nothing was lost
 *     atoll_mem_fail_nth(0)
 *     check(arg)            optional, after injection: e.g. reopen the
 *                           store and find every acknowledged commit
 *     allocs - frees == baseline and atoll_heap_check == 0: no leak,
 *                           no damaged heap
 *
 * A crash, a sanitizer report, a violated invariant, a leak or an
 * unacceptable outcome fails the test with N and the mode named
 * (replay one run with ATOLL_MEMFAIL=N[s] and ATOLL_TEST_NOFORK=1).  A
 * leak is reported block by block with the number of the request that
 * made it (atoll_heap_walk), for a breakpoint in the replay.
 * Header-only (static functions), like net_util.h.
 */
#ifndef ATOLL_TESTS_MEMFAIL_H
#define ATOLL_TESTS_MEMFAIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

struct memfail {
    void (*setup)(void *arg);                /* may be NULL */
    int (*scenario)(void *arg, bool sticky); /* 0: acceptable outcome */
    int (*check)(void *arg);                 /* may be NULL; 0: fine */
    void *arg;
    size_t mem;     /* heap bytes; 0 = 32 MiB */
    uint64_t max_n; /* a scenario needing more requests fails */
};

/* Child exit statuses. */
#define MEMFAIL_INJECTED  0  /* the failure happened; all is well */
#define MEMFAIL_UNTOUCHED 10 /* N beyond the scenario's requests */
#define MEMFAIL_OUTCOME   11 /* scenario() said the outcome is wrong */
#define MEMFAIL_LEAK      12
#define MEMFAIL_HEAP      13
#define MEMFAIL_CHECK     14 /* check() failed */

struct memfail_run {
    const struct memfail *m;
    uint64_t n;
    bool sticky;
};

/* Print a block made during the run that is still held. */
static void memfail_leaked(void *p, size_t size, uint64_t request, void *arg)
{
    if (request > *(uint64_t *)arg)
        printf("       leaked: %zu bytes at %p, made by request %llu\n", size,
               p, (unsigned long long)request);
}

static int memfail_main(void *p)
{
    struct memfail_run *r = p;
    const struct memfail *m = r->m;
    if (m->setup)
        m->setup(m->arg);
    struct atoll_mem_stats st;
    atoll_mem_stats(&st);
    uint64_t base = st.allocs - st.frees, base_requests = st.requests;
    atoll_mem_fail_nth(r->n, r->sticky);
    int outcome = m->scenario(m->arg, r->sticky);
    atoll_mem_stats(&st);
    uint64_t injected = st.injected;
    atoll_mem_fail_nth(0, false);
    if (outcome != 0)
        return MEMFAIL_OUTCOME;
    if (m->check && m->check(m->arg) != 0)
        return MEMFAIL_CHECK;
    atoll_mem_stats(&st);
    if (st.allocs - st.frees != base) {
        printf("       %llu blocks outstanding after the run, %llu before\n",
               (unsigned long long)(st.allocs - st.frees),
               (unsigned long long)base);
        atoll_heap_walk(atoll_heap_default(), memfail_leaked, &base_requests);
        return MEMFAIL_LEAK;
    }
    if (atoll_heap_check(atoll_heap_default()) != 0)
        return MEMFAIL_HEAP;
    return injected ? MEMFAIL_INJECTED : MEMFAIL_UNTOUCHED;
}

/* One run in a child; its exit status, or -1 if a signal ended it. */
static int memfail_one(const struct memfail *m, uint64_t n, bool sticky)
{
    struct memfail_run r = {m, n, sticky};
    size_t mem = m->mem ? m->mem : 32u << 20;
    if (getenv("ATOLL_TEST_NOFORK"))
        return atoll_test_run(mem, memfail_main, &r);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        harness_fail(__FILE__, __LINE__, "fork failed");
    if (pid == 0) {
        harness_exit(atoll_test_run(mem, memfail_main, &r));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run the loops (or only the run ATOLL_MEMFAIL=N[s] names, and end the
 * test there); fail the test on the first bad run.  Returns the number
 * of runs that met a failure. */
static uint64_t memfail_loop(const struct memfail *m)
{
    const char *only = getenv("ATOLL_MEMFAIL");
    if (only) {
        uint64_t n = strtoull(only, NULL, 10);
        bool sticky = strchr(only, 's') != NULL;
        int st = memfail_one(m, n, sticky);
        if (st != MEMFAIL_INJECTED && st != MEMFAIL_UNTOUCHED)
            harness_fail(__FILE__, __LINE__, "N=%llu%s: status %d",
                         (unsigned long long)n, sticky ? " sticky" : "", st);
        harness_exit(0); /* the one run replayed passed */
    }
    uint64_t runs = 0;
    for (int sticky = 0; sticky < 2; sticky++) {
        for (uint64_t n = 1;; n++) {
            if (n > m->max_n)
                harness_fail(__FILE__, __LINE__,
                             "more than %llu requests: raise max_n",
                             (unsigned long long)m->max_n);
            int st = memfail_one(m, n, sticky);
            if (st == MEMFAIL_UNTOUCHED)
                break;
            if (st != MEMFAIL_INJECTED) {
                const char *why = st == MEMFAIL_OUTCOME ? "unacceptable outcome"
                                  : st == MEMFAIL_LEAK  ? "leak"
                                  : st == MEMFAIL_HEAP  ? "heap damaged"
                                  : st == MEMFAIL_CHECK ? "check after the run"
                                                        : "crash or stop";
                harness_fail(__FILE__, __LINE__,
                             "failing allocation %llu%s: %s (status %d; "
                             "replay: ATOLL_MEMFAIL=%llu%s)",
                             (unsigned long long)n, sticky ? " (sticky)" : "",
                             why, st, (unsigned long long)n, sticky ? "s" : "");
            }
            runs++;
        }
    }
    if (getenv("ATOLL_MEMFAIL_COUNT"))
        printf("       %llu runs met a failure\n", (unsigned long long)runs);
    return runs;
}

#endif
