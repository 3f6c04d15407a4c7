/*
 * bench/observe_cost.c - what watching a unikernel costs: one
 * application-like workload, run
 *
 *   (a) with the trace ring recording and without (atoll_trace_enable),
 *       goal: under 10% more time;
 *   (b) with a Prometheus metrics server listening (atoll_metrics_serve)
 *       that nobody scrapes, and without, goal: nothing measurable.
 *
 * The workload: four worker fibers, each making WORK_ITEMS commits of a
 * small value to one in-memory store (hashing, object encoding,
 * allocation) and yielding after each, so the scheduler switches between
 * them as between a service's connections, and the trace records each
 * switch.  The metrics
 * server sits on a stack over a network interface on which nothing ever
 * arrives (its fibers stay blocked, as on a service nobody scrapes).
 * Configurations alternate, each run REPEAT times, and the best CPU time
 * of each is kept (the least disturbed by the shared machine).  Linked with
 * the unix platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/core/runtime.h"
#include "atoll/atoll.h"
#include "atoll/metrics.h"
#include "atoll/netif.h"
#include "atoll/stack.h"
#include "atoll/store.h"

#define WORKERS    4
#define WORK_ITEMS 1000
#define REPEAT     9

/* CPU time of this (the only) thread: time the machine gives to other
 * processes does not count, so a busy shared machine disturbs less. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- a network interface on which nothing arrives ---------------------- */

static atoll_event never = ATOLL_EVENT_INIT("quiet netif");

static int quiet_recv(void *st, struct atoll_buf **frames, int max,
                      atoll_time_t deadline)
{
    int r = atoll_event_wait(&never, deadline);
    return r == -ATOLL_ETIMEDOUT ? 0 : r;
}

/* Takes every frame (the caller keeps its buffers: atoll/netif.h). */
static int quiet_send(void *st, struct atoll_buf *const *frames, int n)
{
    return n;
}

static void quiet_info(void *st, struct atoll_netif_info *out)
{
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 1};
    memset(out, 0, sizeof *out);
    memcpy(out->mac, mac, 6);
    out->mtu = 1500;
    out->name = "quiet";
}

static void quiet_stats(void *st, struct atoll_netif_stats *out)
{
    memset(out, 0, sizeof *out);
}

static const struct atoll_netif_ops quiet_ops = {quiet_recv, quiet_send,
                                                 quiet_info, quiet_stats};
static struct atoll_netif quiet = {&quiet_ops, NULL};

/* ---- the workload -------------------------------------------------------- */

static struct atoll_store *store;

static int worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    char key[32], val[64];
    for (int i = 0; i < WORK_ITEMS; i++) {
        snprintf(key, sizeof key, "w%d/k%d", me, i % 16);
        int n = snprintf(val, sizeof val, "value %d of worker %d", i, me);
        if (atoll_store_set(store, "main", key, val, (size_t)n, NULL, NULL) <
            0) {
            fprintf(stderr, "bench: store set failed\n");
            exit(1);
        }
        atoll_yield();
    }
    return 0;
}

/* One run of the workload on a fresh store: its time in ns. */
static double run_once(void)
{
    struct atoll_store_backend *be;
    if (atoll_store_mem_backend(&be) < 0 ||
        atoll_store_open(be, NULL, &store) < 0) {
        fprintf(stderr, "bench: no store\n");
        exit(1);
    }
    atoll_fiber *f[WORKERS];
    double t0 = now_ns();
    for (int i = 0; i < WORKERS; i++)
        if (atoll_fiber_spawn(&f[i], "worker", worker, (void *)(intptr_t)i, 0) <
            0) {
            fprintf(stderr, "bench: spawn failed\n");
            exit(1);
        }
    for (int i = 0; i < WORKERS; i++)
        atoll_fiber_join(f[i], ATOLL_NEVER, NULL);
    double t = now_ns() - t0;
    atoll_store_close(store);
    return t;
}

static double best(double b, double t)
{
    return t < b ? t : b;
}

static double plain_ns = 1e30, traced_ns = 1e30;
static double plain2_ns = 1e30, served_ns = 1e30;
static uint64_t records_per_run;

static void serve_metrics(void)
{
    struct atoll_stack *s;
    struct atoll_stack_config c = {0};
    static struct atoll_metrics m;
    atoll_ipv4_parse("198.18.0.2/24", &c.addr, &c.prefix);
    if (atoll_stack_create("bench", &quiet, &c, &s) < 0) {
        fprintf(stderr, "bench: no stack\n");
        exit(1);
    }
    m.stack = s;
    if (atoll_metrics_serve(&m, 9100) < 0) {
        fprintf(stderr, "bench: no metrics server\n");
        exit(1);
    }
}

/* BENCH_OBSERVE_ONE=off|trace|metrics: one run of that configuration
 * and nothing else, for counting its instructions under
 * `valgrind --tool=callgrind`, which a busy machine does not disturb. */
static int one_config(const char *which)
{
    atoll_trace_enable(!strcmp(which, "trace"));
    if (!strcmp(which, "metrics"))
        serve_metrics();
    else if (strcmp(which, "off") && strcmp(which, "trace")) {
        fprintf(stderr, "bench: BENCH_OBSERVE_ONE=off|trace|metrics\n");
        return 1;
    }
    printf("%s: %.2f ms\n", which, run_once() / 1e6);
    return 0;
}

static int bench_main(void *arg)
{
    if (getenv("BENCH_OBSERVE_ONE"))
        return one_config(getenv("BENCH_OBSERVE_ONE"));
    /* (a): the same runs with the ring off and on, alternating. */
    for (int r = 0; r < REPEAT; r++) {
        atoll_trace_enable(false);
        plain_ns = best(plain_ns, run_once());
        atoll_trace_enable(true);
        uint64_t before = atoll_trace_total();
        traced_ns = best(traced_ns, run_once());
        records_per_run = atoll_trace_total() - before;
    }
    /* (b): the metrics server listening, nobody scraping; the ring off,
     * as in the plain runs it is compared with.  A server is not taken
     * down again, so its runs come last; a second plain series just
     * before them shows what the machine's drift alone does between two
     * series. */
    atoll_trace_enable(false);
    for (int r = 0; r < REPEAT; r++)
        plain2_ns = best(plain2_ns, run_once());
    serve_metrics();
    for (int r = 0; r < REPEAT; r++)
        served_ns = best(served_ns, run_once());
    return 0;
}

int main(void)
{
    struct atoll_runtime_opts o = {64u << 20, ATOLL_TRACE_RECORDS_DEFAULT,
                                   "quiet"};
    if (atoll_runtime_init(&o) < 0)
        return 1;
    int err = atoll_test_run(0, bench_main, NULL);
    if (getenv("BENCH_OBSERVE_ONE"))
        return err;
    if (err != 0) {
        fprintf(stderr, "bench: runtime failed: %d\n", err);
        return 1;
    }
    int items = WORKERS * WORK_ITEMS;
    printf("workload: %d fibers, %d store commits, a yield after each "
           "(best of %d)\n",
           WORKERS, items, REPEAT);
    printf("trace off:                     %8.2f ms\n", plain_ns / 1e6);
    printf("trace on:                      %8.2f ms  (%llu records)\n",
           traced_ns / 1e6, (unsigned long long)records_per_run);
    printf("trace overhead: %.1f%% (ratio %.3f, goal < 10%%)\n",
           (traced_ns / plain_ns - 1) * 100, traced_ns / plain_ns);
    printf("no metrics server (again):     %8.2f ms  (drift between "
           "series: %+.1f%%)\n",
           plain2_ns / 1e6, (plain2_ns / plain_ns - 1) * 100);
    printf("metrics server idle:           %8.2f ms\n", served_ns / 1e6);
    printf("metrics server idle cost: %+.1f%% (ratio %.3f against the "
           "series before it, goal: nothing measurable)\n",
           (served_ns / plain2_ns - 1) * 100, served_ns / plain2_ns);
    return 0;
}
