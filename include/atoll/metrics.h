/*
 * atoll/metrics.h - the unikernel's counters as Prometheus metrics, served
 * over HTTP while it runs.
 *
 * DESCRIPTION
 *     The network stack, TCP, the heap, the scheduler, the trace and the
 *     HTTP servers and the store keep counters (atoll_stack_stats,
 *     atoll_tcp_stats, atoll_mem_stats, atoll_sched_stats,
 *     atoll_trace_total, atoll_http_server_stats, atoll_store_stats).
 * atoll_metrics_serve answers GET /metrics on a TCP port the application
 * chooses with all of them, read at the moment of the request, in the
 * Prometheus text exposition format (version 0.0.4): "# HELP" and "# TYPE"
 * lines, then one sample per line, counters named *_total.  Nothing is computed
 * or recorded between requests: serving costs nothing while nobody scrapes.
 *
 *     Every metric is named atoll_*; those of one kind share a name and
 *     differ by a label (atoll_net_dropped_total{layer="ip"}).
 *     docs/observability.md lists them.
 *
 * EXAMPLE
 *     static struct atoll_metrics m;
 *     m.stack = app->service;
 *     int err = atoll_metrics_serve(&m, 9100);
 *     ...
 *     $ curl http://198.18.0.2:9100/metrics
 */
#ifndef ATOLL_METRICS_H
#define ATOLL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/http.h"
#include "atoll/stack.h"
#include "atoll/store.h"

struct atoll_metrics {
    /* What to report; NULL leaves its metrics out. */
    struct atoll_stack *stack;     /* net and TCP counters */
    struct atoll_http_server *app; /* the application's own HTTP server */
    struct atoll_store *store;     /* the application's store */
    /* Set by atoll_metrics_serve: the metrics server (reported too). */
    struct atoll_http_server *self;
};

/*
 * Write the exposition into buf (len bytes, NUL-terminated).  Returns its
 * length, or -ATOLL_ENOSPC when it does not fit.
 */
int atoll_metrics_format(const struct atoll_metrics *m, char *buf, size_t len);

/* An atoll_http_route handler (GET and HEAD) answering with the
 * exposition of the struct atoll_metrics it is given. */
int atoll_metrics_handler(void *metrics, struct atoll_http_req *r);

/*
 * Serve GET /metrics on TCP `port` of m->stack, in fibers of its own, for
 * as long as the unikernel runs.  `m` must stay valid.  0, or the error
 * of creating the server or listening (-ATOLL_EINVAL without a stack).
 */
int atoll_metrics_serve(struct atoll_metrics *m, uint16_t port);

#endif
