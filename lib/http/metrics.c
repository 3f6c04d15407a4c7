/*
 * lib/http/metrics.c - the Prometheus text exposition of the runtime's
 * counters, and the HTTP server that answers GET /metrics with it (see
 * atoll/metrics.h).
 *
 * The format (Prometheus "text-based format", version 0.0.4): for each
 * metric family a "# HELP name text" and a "# TYPE name counter|gauge"
 * line, then its samples, "name{label="value"} number", each on its own
 * line ending in '\n'.  The counters are read when the request arrives;
 * the text is formatted into one buffer from the heap and sent with its
 * length.
 */
#include "atoll/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/tcp.h"
#include "atoll/time.h"
#include "atoll/trace.h"

/* Room for the whole exposition (a few KiB; a 500 answer says when it
 * no longer fits). */
#define METRICS_BUF 16384

struct out {
    char *buf;
    size_t len, n;
    bool full;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    if (o->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= o->len - o->n)
        o->full = true;
    else
        o->n += (size_t)k;
}

/* The HELP and TYPE lines of a family. */
static void family(struct out *o, const char *name, const char *type,
                   const char *help)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void one(struct out *o, const char *name, const char *type,
                const char *help, uint64_t v)
{
    family(o, name, type, help);
    put(o, "%s %llu\n", name, (unsigned long long)v);
}

static void sample(struct out *o, const char *name, const char *label,
                   const char *value, uint64_t v)
{
    put(o, "%s{%s=\"%s\"} %llu\n", name, label, value, (unsigned long long)v);
}

static void net(struct out *o, struct atoll_stack *s)
{
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    family(o, "atoll_net_frames_total", "counter",
           "Ethernet frames the network stack received and sent.");
    sample(o, "atoll_net_frames_total", "direction", "rx", st.rx_frames);
    sample(o, "atoll_net_frames_total", "direction", "tx", st.tx_frames);
    family(o, "atoll_net_dropped_total", "counter",
           "Input the network stack dropped, by layer (bad or unwanted "
           "packets, full queues).");
    const struct {
        const char *layer;
        uint64_t v;
    } drops[] = {
        {"eth", st.eth_drop},
        {"arp", st.arp_drop},
        {"arp_queue", st.arp_queue_drop},
        {"ip", st.ip_drop},
        {"ip_reasm", st.ip_reasm_drop},
        {"icmp", st.icmp_drop},
        {"udp", st.udp_drop},
        {"tcp", st.tcp_drop},
        {"ip6", st.ip6_drop},
        {"ip6_frag", st.ip6_frag_drop},
        {"icmp6", st.icmp6_drop},
        {"nd", st.nd_drop},
        {"nd_queue", st.nd_queue_drop},
    };
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++)
        sample(o, "atoll_net_dropped_total", "layer", drops[i].layer,
               drops[i].v);

    struct atoll_tcp_stats t;
    atoll_tcp_stats(s, &t);
    family(o, "atoll_tcp_segments_total", "counter",
           "TCP segments received and sent.");
    sample(o, "atoll_tcp_segments_total", "direction", "in", t.segs_in);
    sample(o, "atoll_tcp_segments_total", "direction", "out", t.segs_out);
    family(o, "atoll_tcp_opens_total", "counter",
           "TCP connections opened, by side.");
    sample(o, "atoll_tcp_opens_total", "side", "active", t.active_opens);
    sample(o, "atoll_tcp_opens_total", "side", "passive", t.passive_opens);
    one(o, "atoll_tcp_connections", "gauge", "TCP connections open now.",
        t.conns);
    one(o, "atoll_tcp_retransmits_total", "counter", "TCP segments sent again.",
        t.retransmits);
    one(o, "atoll_tcp_rst_sent_total", "counter", "TCP resets sent.",
        t.rst_sent);
    one(o, "atoll_tcp_refused_total", "counter",
        "SYNs refused for lack of room.", t.refused);
    family(o, "atoll_tcp_bad_input_total", "counter",
           "TCP segments dropped, by reason.");
    sample(o, "atoll_tcp_bad_input_total", "reason", "checksum",
           t.bad_checksum);
    sample(o, "atoll_tcp_bad_input_total", "reason", "header", t.bad_header);
    sample(o, "atoll_tcp_bad_input_total", "reason", "no_connection",
           t.no_conn);
    sample(o, "atoll_tcp_bad_input_total", "reason", "syn", t.syn_dropped);
    sample(o, "atoll_tcp_bad_input_total", "reason", "out_of_order",
           t.ooo_dropped);
    one(o, "atoll_tcp_memory_short_total", "counter",
        "Times a TCP buffer could not grow for lack of memory.", t.mem_short);
}

static void store(struct out *o, struct atoll_store *s)
{
    struct atoll_store_stats st;
    atoll_store_stats(s, &st);
    family(o, "atoll_store_objects_total", "counter",
           "Objects the store read from its backend and wrote to it.");
    sample(o, "atoll_store_objects_total", "op", "read", st.objects_read);
    sample(o, "atoll_store_objects_total", "op", "write", st.objects_written);
    family(o, "atoll_store_bytes_total", "counter",
           "Bytes of the objects the store read and wrote.");
    sample(o, "atoll_store_bytes_total", "op", "read", st.bytes_read);
    sample(o, "atoll_store_bytes_total", "op", "write", st.bytes_written);
    one(o, "atoll_store_commits_total", "counter",
        "Durable store transactions (commits, branch changes).", st.commits);
    family(o, "atoll_store_cache_total", "counter",
           "Reads of committed objects the block backend's cache answered "
           "or missed.");
    sample(o, "atoll_store_cache_total", "result", "hit", st.cache_hits);
    sample(o, "atoll_store_cache_total", "result", "miss", st.cache_misses);
    one(o, "atoll_store_flushes_total", "counter",
        "Block device flushes the store asked for.", st.flushes);
}

/* The HTTP servers' counters: each family once, a sample per server
 * (the format keeps a family's lines together). */
static void http(struct out *o, const struct atoll_metrics *m)
{
    static const struct {
        const char *name, *type, *help;
    } fam[] = {
        {"atoll_http_connections_total", "counter",
         "HTTP connections accepted."},
        {"atoll_http_connections_refused_total", "counter",
         "HTTP connections refused (503) beyond the limit."},
        {"atoll_http_requests_total", "counter", "HTTP requests answered."},
        {"atoll_http_bad_requests_total", "counter",
         "Malformed HTTP requests."},
        {"atoll_http_timeouts_total", "counter",
         "HTTP connections that timed out."},
        {"atoll_http_connections", "gauge", "HTTP connections open now."},
    };
    const struct atoll_http_server *srv[2] = {m->app, m->self};
    const char *names[2] = {"app", "metrics"};
    uint64_t v[2][6];
    for (int k = 0; k < 2; k++) {
        struct atoll_http_stats h;
        if (!srv[k])
            continue;
        atoll_http_server_stats(srv[k], &h);
        uint64_t row[6] = {
            h.conns,    h.conns_refused,
            h.requests, h.bad_requests,
            h.timeouts, (uint64_t)(h.conns_now < 0 ? 0 : h.conns_now)};
        memcpy(v[k], row, sizeof row);
    }
    for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
        family(o, fam[i].name, fam[i].type, fam[i].help);
        for (int k = 0; k < 2; k++)
            if (srv[k])
                sample(o, fam[i].name, "server", names[k], v[k][i]);
    }
}

int atoll_metrics_format(const struct atoll_metrics *m, char *buf, size_t len)
{
    struct out o = {buf, len, 0, false};
    if (len == 0)
        return -ATOLL_ENOSPC;
    buf[0] = '\0';
    one(&o, "atoll_uptime_seconds", "gauge",
        "Seconds since the unikernel started (monotonic clock).",
        (uint64_t)(atoll_now() / ATOLL_SEC(1)));
    struct atoll_sched_stats sc;
    atoll_sched_stats(&sc);
    family(&o, "atoll_fibers", "gauge", "Fibers not yet finished, and ready.");
    sample(&o, "atoll_fibers", "state", "live", sc.live);
    sample(&o, "atoll_fibers", "state", "ready", sc.ready);
    one(&o, "atoll_fibers_created_total", "counter", "Fibers ever created.",
        sc.created);
    one(&o, "atoll_timers", "gauge", "Deadlines pending.", sc.timers);
    one(&o, "atoll_trace_records_total", "counter",
        "Records written to the trace ring.", atoll_trace_total());
    struct atoll_mem_stats ms;
    atoll_mem_stats(&ms);
    family(&o, "atoll_heap_bytes", "gauge", "The default heap, in bytes.");
    sample(&o, "atoll_heap_bytes", "kind", "size", ms.region_size);
    sample(&o, "atoll_heap_bytes", "kind", "in_use", ms.in_use);
    sample(&o, "atoll_heap_bytes", "kind", "peak_in_use", ms.peak_in_use);
    sample(&o, "atoll_heap_bytes", "kind", "largest_free", ms.largest_free);
    one(&o, "atoll_heap_allocations_total", "counter",
        "Allocations from the default heap.", ms.allocs);
    one(&o, "atoll_heap_frees_total", "counter",
        "Blocks freed to the default heap.", ms.frees);
    one(&o, "atoll_heap_failures_total", "counter",
        "Allocations the default heap refused.", ms.failures);
    if (m->stack)
        net(&o, m->stack);
    if (m->app || m->self)
        http(&o, m);
    if (m->store)
        store(&o, m->store);
    if (o.full)
        return -ATOLL_ENOSPC;
    return (int)o.n;
}

int atoll_metrics_handler(void *metrics, struct atoll_http_req *r)
{
    char *buf = atoll_malloc(METRICS_BUF);
    if (!buf)
        return atoll_http_send(r, 503, "text/plain", "out of memory\n", 14);
    int n = atoll_metrics_format(metrics, buf, METRICS_BUF);
    int err = n < 0 ? atoll_http_send(r, 500, "text/plain",
                                      "metrics do not fit\n", 19)
                    : atoll_http_send(r, 200,
                                      "text/plain; version=0.0.4; "
                                      "charset=utf-8",
                                      buf, (size_t)n);
    atoll_free(buf);
    return err;
}

int atoll_metrics_serve(struct atoll_metrics *m, uint16_t port)
{
    if (!m || !m->stack)
        return -ATOLL_EINVAL;
    struct atoll_http_server *s;
    struct atoll_tcp_listener *l;
    int err = atoll_http_server_create(NULL, false, &s);
    if (err < 0)
        return err;
    if ((err = atoll_http_route(s, NULL, "/metrics", atoll_metrics_handler,
                                m)) < 0 ||
        (err = atoll_tcp_listen(m->stack, port, 0, &l)) < 0) {
        atoll_http_server_destroy(s);
        return err;
    }
    m->self = s;
    if ((err = atoll_http_listen(s, l, NULL, NULL)) < 0) {
        m->self = NULL;
        atoll_tcp_listener_close(l);
        atoll_http_server_destroy(s);
    }
    return err;
}
