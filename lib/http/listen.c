/*
 * lib/http/listen.c - accepting TCP connections and giving them fibers.
 *
 * Plain HTTP is served by a pool: a connection waiting for a request
 * (just accepted, or kept alive between requests) is armed in the
 * listener's poller (atoll/tcp.h, POLLERS) and costs only its TCP record;
 * a worker fiber, which owns one connection buffer (http_conn_size),
 * takes a connection once bytes arrive, serves what it sent and, when the
 * client has nothing more to say, parks it in the poller again and takes
 * the next.  Workers are made on demand, so that one is always waiting
 * while others block on a slow client (a body trickling in, a large file
 * going out, a slowloris head), and end when enough others are idle:
 * memory follows the connections that are doing something, not those
 * that are open.
 *
 * A connection wrapped in another flow (TLS) cannot be parked: the
 * wrapper's state and buffered bytes live with it, so each such
 * connection keeps a fiber of its own for its whole life.
 */
#include <stdio.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "http_int.h"

struct listen_ctx {
    struct atoll_http_server *s;
    struct atoll_tcp_listener *l;
    atoll_http_wrap_fn wrap;
    void *wrap_arg;
    struct atoll_tcp_poller *p; /* plain HTTP: waiting connections */
    int workers, idle;          /* workers alive, and waiting */
};

/* The client as logs name it: RFC 3986's [v6]:port for IPv6. */
#define HTTP_PEER_TEXT (ATOLL_ADDR_TEXT + 8)
static void peer_name(struct atoll_tcp_conn *tc, char peer[HTTP_PEER_TEXT])
{
    atoll_addr_t addr;
    uint16_t port;
    char a[ATOLL_ADDR_TEXT];
    atoll_tcp_peer(tc, &addr, &port);
    atoll_addr_format(&addr, a);
    if (addr.family == ATOLL_AF_INET6)
        snprintf(peer, HTTP_PEER_TEXT, "[%s]:%u", a, (unsigned)port);
    else
        snprintf(peer, HTTP_PEER_TEXT, "%s:%u", a, (unsigned)port);
}

/* ---- a fiber per connection (wrapped flows, and 503 answers) ---------- */

struct conn_ctx {
    struct listen_ctx *lc;
    struct atoll_tcp_conn *tc;
};

static int conn_fiber(void *arg)
{
    struct conn_ctx cc = *(struct conn_ctx *)arg;
    atoll_free(arg);
    struct atoll_http_server *s = cc.lc->s;
    char peer[HTTP_PEER_TEXT];
    peer_name(cc.tc, peer);
    struct atoll_flow *f = atoll_tcp_flow(cc.tc);
    if (cc.lc->wrap) {
        struct atoll_flow *wrapped;
        if (cc.lc->wrap(cc.lc->wrap_arg, cc.tc, &wrapped) < 0) {
            atoll_tcp_abort(cc.tc);
            return 0;
        }
        f = wrapped;
    }
    struct atoll_http_conn *c = atoll_malloc(http_conn_size(s));
    if (!c) {
        atoll_flow_close(f);
        return -ATOLL_ENOMEM;
    }
    http_conn_init(c, s, f, peer);
    http_server_stats(s)->conns++;
    http_conn_end(c, http_conn_serve(c));
    atoll_free(c);
    return 0;
}

static int spawn_conn_fiber(struct listen_ctx *lc, struct atoll_tcp_conn *tc)
{
    struct conn_ctx *cc = atoll_malloc(sizeof *cc);
    if (!cc)
        return -ATOLL_ENOMEM;
    cc->lc = lc;
    cc->tc = tc;
    int e = atoll_fiber_spawn(
        NULL, lc->wrap ? "https conn" : "http conn", conn_fiber, cc,
        lc->wrap ? HTTP_TLS_FIBER_STACK : HTTP_FIBER_STACK);
    if (e < 0)
        atoll_free(cc);
    return e;
}

/* ---- the pool (plain HTTP) --------------------------------------------- */

static int worker_fiber(void *arg);

static void spawn_worker(struct listen_ctx *lc)
{
    if (lc->workers >= HTTP_WORKERS_MAX)
        return;
    lc->workers++;
    if (atoll_fiber_spawn(NULL, "http worker", worker_fiber, lc,
                          HTTP_FIBER_STACK) < 0)
        lc->workers--; /* no memory: the workers there are serve on */
}

/* A connection is done: it no longer counts toward conns_max. */
static void conn_gone(struct listen_ctx *lc)
{
    http_server_stats(lc->s)->conns_now--;
}

/* Wait in the poller for c's next request, until `deadline`. */
static void park(struct listen_ctx *lc, struct atoll_tcp_conn *tc,
                 atoll_time_t deadline)
{
    if (atoll_tcp_poller_arm(lc->p, tc, ATOLL_TCP_READABLE, deadline, NULL) <
        0) {
        atoll_tcp_abort(tc);
        conn_gone(lc);
    }
}

static int worker_fiber(void *arg)
{
    struct listen_ctx *lc = arg;
    struct atoll_http_server *s = lc->s;
    const struct atoll_http_limits *lim = http_server_limits(s);
    struct atoll_http_conn *c;
    /* The last worker must not give up: it is what serves everyone. */
    while (!(c = atoll_malloc(http_conn_size(s)))) {
        if (lc->workers > 1) {
            lc->workers--;
            return -ATOLL_ENOMEM;
        }
        atoll_sleep(ATOLL_MS(10));
    }
    char peer[HTTP_PEER_TEXT];
    for (;;) {
        struct atoll_tcp_ready r;
        lc->idle++;
        int n = atoll_tcp_poller_wait(lc->p, &r, 1, ATOLL_NEVER);
        lc->idle--;
        if (n < 1)
            continue;
        if (r.events & ATOLL_TCP_EXPIRED) {
            /* No request within header_timeout of the connection, or
             * within idle_timeout of the last answer. */
            http_server_stats(s)->timeouts++;
            atoll_tcp_close(r.conn);
            conn_gone(lc);
            continue;
        }
        /* Keep one worker waiting while this one may block. */
        if (lc->idle == 0)
            spawn_worker(lc);
        peer_name(r.conn, peer);
        http_conn_init(c, s, atoll_tcp_flow(r.conn), peer);
        c->tc = r.conn;
        enum http_end e = http_conn_requests(c);
        if (e == HTTP_END_PARK) {
            park(lc, r.conn, atoll_after(lim->idle_timeout));
        } else {
            http_conn_end(c, e);
            conn_gone(lc);
        }
        if (lc->idle >= HTTP_WORKERS_SPARE)
            break; /* enough others wait: give the memory back */
    }
    atoll_free(c);
    lc->workers--;
    return 0;
}

/* ---- accepting ------------------------------------------------------- */

static int accept_fiber(void *arg)
{
    struct listen_ctx *lc = arg;
    struct atoll_http_server *s = lc->s;
    if (lc->p) /* the pool's first worker (it needs memory: try until then) */
        while (spawn_worker(lc), lc->workers == 0)
            atoll_sleep(ATOLL_MS(10));
    for (;;) {
        struct atoll_tcp_conn *tc;
        if (atoll_tcp_accept(lc->l, ATOLL_NEVER, &tc) < 0) {
            atoll_sleep(ATOLL_MS(10)); /* out of memory: let others run */
            continue;
        }
        atoll_tcp_set_nodelay(tc, true); /* lib/http gathers its answers */
        struct atoll_http_stats *st = http_server_stats(s);
        if (lc->wrap || st->conns_now >= http_server_limits(s)->conns_max) {
            /* A fiber of its own: a wrapped flow, or a 503 to answer
             * (http_conn_serve counts it, or refuses it). */
            if (spawn_conn_fiber(lc, tc) < 0)
                atoll_tcp_abort(tc);
            continue;
        }
        st->conns++;
        st->conns_now++;
        park(lc, tc, atoll_after(http_server_limits(s)->header_timeout));
    }
    return 0;
}

int atoll_http_listen(struct atoll_http_server *s, struct atoll_tcp_listener *l,
                      atoll_http_wrap_fn wrap, void *wrap_arg)
{
    struct listen_ctx *lc = atoll_calloc(1, sizeof *lc);
    if (!lc)
        return -ATOLL_ENOMEM;
    *lc =
        (struct listen_ctx){.s = s, .l = l, .wrap = wrap, .wrap_arg = wrap_arg};
    int e = wrap ? 0 : atoll_tcp_poller_create(&lc->p);
    if (e == 0 &&
        (e = atoll_fiber_spawn(NULL, "http accept", accept_fiber, lc, 0)) < 0 &&
        lc->p)
        atoll_tcp_poller_destroy(lc->p);
    if (e < 0)
        atoll_free(lc);
    return e;
}
