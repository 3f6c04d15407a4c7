/*
 * bench/fiber_switch.c - what a fiber switch costs, next to the thing it
 * replaces.
 *
 *   (a) two fibers ping-pong through atoll_event notify/wait, N round trips
 *   (b) two pthreads ping-pong through a mutex and condition variables,
 *       the same N, in the same run
 *   (c) (a) with the trace ring recording vs. not
 *
 * One "switch" is one hand-over from one fiber (thread) to the other; a
 * round trip is two.  Fiber runs are repeated and the best is kept (they
 * are short; the best is the least disturbed by the shared machine).
 * Linked with the unix platform; the timing itself uses clock_gettime, as
 * this is host code.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../lib/core/runtime.h"
#include "atoll/atoll.h"

#define ROUND_TRIPS 200000
#define REPEAT      5

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- (a) fibers ---------------------------------------------------- */

static atoll_event to_ping = ATOLL_EVENT_INIT("to ping");
static atoll_event to_pong = ATOLL_EVENT_INIT("to pong");

static int ping(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUND_TRIPS; i++) {
        atoll_event_notify(&to_pong);
        atoll_event_wait(&to_ping, ATOLL_NEVER);
    }
    return 0;
}

static int pong(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUND_TRIPS; i++) {
        atoll_event_wait(&to_pong, ATOLL_NEVER);
        atoll_event_notify(&to_ping);
    }
    return 0;
}

/* ns per switch of one fiber ping-pong run. */
static double fiber_run(void)
{
    atoll_fiber *a, *b;
    if (atoll_fiber_spawn(&b, "pong", pong, NULL, 0) < 0 ||
        atoll_fiber_spawn(&a, "ping", ping, NULL, 0) < 0) {
        fprintf(stderr, "bench: spawn failed\n");
        exit(1);
    }
    atoll_yield(); /* pong is waiting now */
    double t0 = now_ns();
    atoll_fiber_join(a, ATOLL_NEVER, NULL);
    double t1 = now_ns();
    atoll_fiber_join(b, ATOLL_NEVER, NULL);
    return (t1 - t0) / (2.0 * ROUND_TRIPS);
}

static double best_fiber_run(bool trace)
{
    double best = 1e30;
    atoll_trace_enable(trace);
    for (int i = 0; i < REPEAT; i++) {
        double t = fiber_run();
        if (t < best)
            best = t;
    }
    return best;
}

static double fiber_ns, fiber_traced_ns;

static int bench_main(void *arg)
{
    (void)arg;
    /* Alternate so that drift on the machine hits both alike. */
    double off = 1e30, on = 1e30;
    for (int i = 0; i < 3; i++) {
        double t = best_fiber_run(false);
        if (t < off)
            off = t;
        t = best_fiber_run(true);
        if (t < on)
            on = t;
    }
    fiber_ns = off;
    fiber_traced_ns = on;
    return 0;
}

/* ---- (b) pthreads -------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_ping = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_pong = PTHREAD_COND_INITIALIZER;
static int turn; /* 0: ping's turn, 1: pong's */

static void *thread_pong(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < ROUND_TRIPS; i++) {
        while (turn != 1)
            pthread_cond_wait(&cv_pong, &mu);
        turn = 0;
        pthread_cond_signal(&cv_ping);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

static double pthread_run(void)
{
    pthread_t t;
    turn = 0;
    if (pthread_create(&t, NULL, thread_pong, NULL) != 0) {
        fprintf(stderr, "bench: pthread_create failed\n");
        exit(1);
    }
    double t0 = now_ns();
    pthread_mutex_lock(&mu);
    for (int i = 0; i < ROUND_TRIPS; i++) {
        turn = 1;
        pthread_cond_signal(&cv_pong);
        while (turn != 0)
            pthread_cond_wait(&cv_ping, &mu);
    }
    pthread_mutex_unlock(&mu);
    double t1 = now_ns();
    pthread_join(t, NULL);
    return (t1 - t0) / (2.0 * ROUND_TRIPS);
}

int main(void)
{
    double thread_ns = pthread_run();
    /* The default ring (3 MiB, larger than the caches, as shipped);
     * BENCH_TRACE_RECORDS=N tries another size. */
    size_t records = getenv("BENCH_TRACE_RECORDS")
                         ? strtoul(getenv("BENCH_TRACE_RECORDS"), NULL, 0)
                         : ATOLL_TRACE_RECORDS_DEFAULT;
    struct atoll_runtime_opts o = {64u << 20, records, "quiet"};
    if (atoll_runtime_init(&o) < 0)
        return 1;
    int err = atoll_test_run(0, bench_main, NULL);
    if (err != 0) {
        fprintf(stderr, "bench: runtime failed: %d\n", err);
        return 1;
    }
    printf("fiber switch (event notify/wait):   %8.1f ns  (%d round "
           "trips)\n",
           fiber_ns, ROUND_TRIPS);
    printf("pthread switch (mutex + condvar):   %8.1f ns\n", thread_ns);
    printf("fiber switch is %.1fx faster than pthread condvar ping-pong "
           "(goal >= 20x)\n",
           thread_ns / fiber_ns);
    printf("fiber switch with trace recording:  %8.1f ns\n", fiber_traced_ns);
    printf("trace overhead: %.1f%% (goal < 10%%)\n",
           (fiber_traced_ns / fiber_ns - 1) * 100);
    return 0;
}
