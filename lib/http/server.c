/*
 * lib/http/server.c - the server: a connection's request loop over a flow
 * (reading heads and bodies under the limits, pipelining, keep-alive,
 * error answers and closing), and the TCP accept loop that gives each
 * connection a fiber.
 *
 * One connection's memory is one allocation: its state, an input buffer
 * of header_max + HTTP_IN_SLACK bytes and an output buffer of HTTP_OUT_BUF
 * bytes.  A request's head is parsed in place in the input buffer and
 * stays there while its handler runs; bytes after it (a body, pipelined
 * requests) are kept and used next.  Bodies are read whole into memory
 * (at most body_max) before the handler runs.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/wclock.h"
#include "http_int.h"

/* Input room beyond the longest head: a chunked body's bytes are read
 * there while the head stays in place. */
#define HTTP_IN_SLACK 4096

static struct atoll_log_src http_log = {"http", -1, 0};

struct atoll_http_server {
    struct atoll_http_limits lim;
    bool log_requests;
    struct http_routes routes;
    struct atoll_http_stats st;
};

void atoll_http_limits_default(struct atoll_http_limits *l)
{
    l->header_max = HTTP_HEADER_MAX;
    l->body_max = HTTP_BODY_MAX;
    l->conns_max = HTTP_CONNS_MAX;
    l->header_timeout = HTTP_HEADER_TIMEOUT_NS;
    l->body_timeout = HTTP_BODY_TIMEOUT_NS;
    l->idle_timeout = HTTP_IDLE_TIMEOUT_NS;
    l->write_timeout = HTTP_WRITE_TIMEOUT_NS;
}

int atoll_http_server_create(const struct atoll_http_limits *limits,
                             bool log_requests, struct atoll_http_server **out)
{
    struct atoll_http_server *s = atoll_calloc(1, sizeof *s);
    if (!s)
        return -ATOLL_ENOMEM;
    if (limits)
        s->lim = *limits;
    else
        atoll_http_limits_default(&s->lim);
    if (s->lim.header_max < 64 || s->lim.conns_max < 1) {
        atoll_free(s);
        return -ATOLL_EINVAL;
    }
    s->log_requests = log_requests;
    *out = s;
    return 0;
}

void atoll_http_server_destroy(struct atoll_http_server *s)
{
    if (!s)
        return;
    http_routes_free(&s->routes);
    atoll_free(s);
}

int atoll_http_route(struct atoll_http_server *s, const char *method,
                     const char *pattern, atoll_http_handler fn, void *arg)
{
    return http_routes_add(&s->routes, method, pattern, fn, arg);
}

void atoll_http_server_stats(const struct atoll_http_server *s,
                             struct atoll_http_stats *out)
{
    *out = s->st;
}

const char *atoll_http_header(const struct atoll_http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (http_ieq(r->fields[i].name, name))
            return r->fields[i].value;
    return NULL;
}

/* Read more input within `deadline`.  Bytes read, 0 at end of stream, or
 * an error. */
static int fill(struct atoll_http_conn *c, atoll_time_t deadline)
{
    if (c->in_len == c->in_cap)
        return -ATOLL_E2BIG;
    return atoll_flow_read(c->f, c->in + c->in_len, c->in_cap - c->in_len,
                           deadline);
}

/* After an error answer: end our side, then read and drop what the client
 * still sends for a while, so that closing does not reset the connection
 * under the answer (RFC 9112 9.6). */
static void linger_close(struct atoll_http_conn *c)
{
    if (!c->err && http_flush(c) == 0 && atoll_flow_shutdown(c->f) == 0) {
        atoll_time_t deadline = atoll_after(HTTP_LINGER_NS);
        size_t dropped = 0;
        while (dropped < 256 * 1024) {
            int n = atoll_flow_read(c->f, c->in, c->in_cap, deadline);
            if (n <= 0)
                break;
            dropped += (size_t)n;
        }
    }
    atoll_flow_close(c->f);
}

/* A request we cannot serve: answer `status`, close.  `extra` is a field
 * to add ("Name", "value"), or NULL. */
static void refuse(struct atoll_http_conn *c, struct atoll_http_req *r,
                   int status, const char *extra, const char *value)
{
    c->s->st.bad_requests += status == 400;
    http_answer_reset(c);
    if (extra)
        atoll_http_add_header(r, extra, value);
    r->now = atoll_wclock_now(atoll_wclock_platform());
    r->keep_alive = false;
    r->head = false;
    http_send_error(r, status);
    if (c->s->log_requests)
        ATOLL_INFO(&http_log, "%s refused: %d", c->peer, status);
}

/* Read a Content-Length body into *body (body_len bytes, NUL after). */
static int read_length_body(struct atoll_http_conn *c, size_t at,
                            uint64_t length, uint8_t **body)
{
    uint8_t *b = atoll_malloc((size_t)length + 1);
    if (!b)
        return -503;
    size_t have = c->in_len - at;
    if (have > length)
        have = (size_t)length;
    memcpy(b, c->in + at, have);
    memmove(c->in + at, c->in + at + have, c->in_len - at - have);
    c->in_len -= have;
    atoll_time_t deadline = atoll_after(c->s->lim.body_timeout);
    while (have < length) {
        int n =
            atoll_flow_read(c->f, b + have, (size_t)length - have, deadline);
        if (n <= 0) {
            atoll_free(b);
            return n == -ATOLL_ETIMEDOUT ? -408 : -1;
        }
        have += (size_t)n;
    }
    b[length] = 0;
    *body = b;
    return 0;
}

/* Decode a chunked body that starts at c->in[at]; the decoded bytes go to
 * *body (*len of them).  Input past the head is compacted to `at` as it
 * is used, so the head stays where its fields point. */
static int read_chunked_body(struct atoll_http_conn *c, size_t at,
                             uint8_t **body, size_t *len)
{
    struct http_chunked ch;
    http_chunked_init(&ch);
    uint8_t *b = NULL;
    size_t blen = 0, bcap = 0;
    atoll_time_t deadline = atoll_after(c->s->lim.body_timeout);
    int rc;
    for (;;) {
        size_t used;
        const uint8_t *data;
        size_t dlen;
        rc = http_chunked_step(&ch, c->in + at, c->in_len - at, &used, &data,
                               &dlen);
        if (rc < 0)
            break;
        if (dlen) {
            if (dlen > c->s->lim.body_max - blen) {
                rc = -413;
                break;
            }
            if (blen + dlen + 1 > bcap) {
                size_t ncap = bcap ? bcap * 2 : 4096;
                while (ncap < blen + dlen + 1)
                    ncap *= 2;
                uint8_t *nb = atoll_realloc(b, ncap);
                if (!nb) {
                    rc = -503;
                    break;
                }
                b = nb;
                bcap = ncap;
            }
            memcpy(b + blen, data, dlen);
            blen += dlen;
        }
        memmove(c->in + at, c->in + at + used, c->in_len - at - used);
        c->in_len -= used;
        if (rc == 1)
            break;
        if (c->in_len == at || used == 0) {
            int n = fill(c, deadline);
            if (n <= 0) {
                rc = n == -ATOLL_ETIMEDOUT ? -408 : -1;
                break;
            }
            c->in_len += (size_t)n;
        }
    }
    if (rc != 1) {
        atoll_free(b);
        return rc;
    }
    if (!b && !(b = atoll_malloc(1)))
        return -503;
    b[blen] = 0;
    *body = b;
    *len = blen;
    return 0;
}

/* One connection's requests, until it closes.  Returns when done; the
 * caller closes the flow (linger_close, or a plain close). */
static bool serve_requests(struct atoll_http_conn *c, char *pathbuf,
                           struct http_head *h)
{
    struct atoll_http_server *s = c->s;
    const struct atoll_http_limits *lim = &s->lim;
    bool first = true;
    for (;;) {
        struct atoll_http_req r = {
            .conn = c, .path = "/", .method = "GET", .minor = 1};
        http_answer_reset(c);
        /* Wait for the request's first byte: the idle deadline. */
        if (c->in_len == 0) {
            if (http_flush(c) < 0)
                return false;
            int n = fill(c, atoll_after(first ? lim->header_timeout
                                              : lim->idle_timeout));
            if (n <= 0) {
                s->st.timeouts += n == -ATOLL_ETIMEDOUT;
                return false;
            }
            c->in_len += (size_t)n;
        }
        first = false;
        /* The head, within header_timeout of its first byte. */
        atoll_time_t deadline = atoll_after(lim->header_timeout);
        size_t scan = 0;
        long hl;
        while ((hl = http_head_end(c->in, c->in_len, &scan, lim->header_max)) ==
               0) {
            if (http_flush(c) < 0)
                return false;
            int n = fill(c, deadline);
            if (n == -ATOLL_ETIMEDOUT) {
                s->st.timeouts++;
                refuse(c, &r, 408, NULL, NULL);
                return true;
            }
            if (n <= 0)
                return false;
            c->in_len += (size_t)n;
        }
        r.now = atoll_wclock_now(atoll_wclock_platform());
        if (hl < 0) {
            refuse(c, &r, (int)-hl, NULL, NULL);
            return true;
        }
        int rc = http_parse_request((char *)c->in, (size_t)hl, pathbuf,
                                    (size_t)hl + 1, h);
        if (rc < 0) {
            refuse(c, &r, -rc, NULL, NULL);
            return true;
        }
        r.method = h->method;
        r.target = h->target;
        r.path = h->path;
        r.query = h->query;
        r.minor = h->minor;
        r.keep_alive = h->keep_alive;
        r.head = !strcmp(h->method, "HEAD");
        r.fields = h->fields;
        r.nfields = h->nfields;

        /* The body. */
        uint8_t *body = NULL;
        size_t body_len = 0;
        rc = 0;
        if (h->framing == HTTP_BODY_LENGTH && h->length > lim->body_max) {
            rc = -413;
        } else if (h->framing != HTTP_BODY_NONE) {
            bool have_all = h->framing == HTTP_BODY_LENGTH &&
                            c->in_len - (size_t)hl >= h->length;
            if (h->expect_continue && !have_all && r.minor == 1) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                if (http_out(c, cont, sizeof cont - 1) < 0 || http_flush(c))
                    return false;
            }
            if (h->framing == HTTP_BODY_LENGTH) {
                rc = read_length_body(c, (size_t)hl, h->length, &body);
                body_len = (size_t)h->length;
            } else {
                rc = read_chunked_body(c, (size_t)hl, &body, &body_len);
            }
        }
        if (rc == -1)
            return false; /* the client went away */
        if (rc < 0) {
            if (rc == -408)
                s->st.timeouts++;
            refuse(c, &r, -rc, NULL, NULL);
            return true;
        }
        r.body = body ? body : (const uint8_t *)"";
        r.body_len = body_len;

        s->st.requests++;
        c->write_deadline = atoll_after(lim->write_timeout);
        rc = http_routes_dispatch(&s->routes, &r);
        if (!c->started && !c->err) {
            r.keep_alive = false;
            http_send_error(&r, 500);
        }
        atoll_free(body);
        if (c->started && c->sent < c->promised && !c->drop_body)
            c->close_after = true; /* a short body: framing is lost */
        if (s->log_requests)
            ATOLL_INFO(&http_log, "%s \"%s %s HTTP/1.%d\" %d %llu", c->peer,
                       r.method, r.target, r.minor, c->status,
                       (unsigned long long)c->sent);
        if (c->err)
            return false;
        if (rc < 0 || c->close_after)
            return true;
        /* Keep what follows (pipelined requests) for the next round. */
        memmove(c->in, c->in + hl, c->in_len - (size_t)hl);
        c->in_len -= (size_t)hl;
    }
}

/* Serve `f` until it ends; `peer` names the client in logs. */
static int serve(struct atoll_http_server *s, struct atoll_flow *f,
                 const char *peer)
{
    size_t in_cap = s->lim.header_max + HTTP_IN_SLACK;
    size_t size = sizeof(struct atoll_http_conn) + sizeof(struct http_head) +
                  2 * in_cap + HTTP_OUT_BUF + 1;
    struct atoll_http_conn *c = atoll_malloc(size);
    if (!c) {
        atoll_flow_close(f);
        return -ATOLL_ENOMEM;
    }
    memset(c, 0, sizeof *c);
    struct http_head *h = (struct http_head *)(c + 1);
    c->s = s;
    c->f = f;
    c->peer = peer;
    c->in = (uint8_t *)(h + 1);
    c->in_cap = in_cap;
    char *pathbuf = (char *)c->in + in_cap;
    c->out = (uint8_t *)pathbuf + in_cap + 1;
    c->out_cap = HTTP_OUT_BUF;
    c->write_deadline = atoll_after(s->lim.write_timeout);

    s->st.conns++;
    bool linger;
    if (s->st.conns_now >= s->lim.conns_max) {
        /* Over the limit: say so rather than leave the client waiting. */
        s->st.conns_refused++;
        struct atoll_http_req r = {
            .conn = c, .method = "GET", .minor = 1, .target = "", .path = "/"};
        c->write_deadline = atoll_after(ATOLL_SEC(1));
        refuse(c, &r, 503, "Retry-After", "1");
        linger = true;
    } else {
        s->st.conns_now++;
        linger = serve_requests(c, pathbuf, h);
        s->st.conns_now--;
    }
    if (linger)
        linger_close(c);
    else
        atoll_flow_close(f);
    atoll_free(c);
    return 0;
}

int atoll_http_serve_flow(struct atoll_http_server *s, struct atoll_flow *f)
{
    return serve(s, f, "");
}

/* ---- TCP ------------------------------------------------------------- */

struct listen_ctx {
    struct atoll_http_server *s;
    struct atoll_tcp_listener *l;
    atoll_http_wrap_fn wrap;
    void *wrap_arg;
};

struct conn_ctx {
    struct listen_ctx *lc;
    struct atoll_tcp_conn *tc;
};

static int conn_fiber(void *arg)
{
    struct conn_ctx cc = *(struct conn_ctx *)arg;
    atoll_free(arg);
    char peer[24];
    atoll_ipv4_t addr;
    uint16_t port;
    atoll_tcp_peer(cc.tc, &addr, &port);
    char a[16];
    snprintf(peer, sizeof peer, "%s:%u", atoll_ipv4_format(addr, a),
             (unsigned)port);
    struct atoll_flow *f = atoll_tcp_flow(cc.tc);
    if (cc.lc->wrap) {
        struct atoll_flow *wrapped;
        if (cc.lc->wrap(cc.lc->wrap_arg, cc.tc, &wrapped) < 0) {
            atoll_tcp_abort(cc.tc);
            return 0;
        }
        f = wrapped;
    }
    atoll_tcp_set_nodelay(cc.tc, true);
    return serve(cc.lc->s, f, peer);
}

static int accept_fiber(void *arg)
{
    struct listen_ctx *lc = arg;
    for (;;) {
        struct atoll_tcp_conn *tc;
        if (atoll_tcp_accept(lc->l, ATOLL_NEVER, &tc) < 0) {
            atoll_sleep(ATOLL_MS(10)); /* out of memory: let others run */
            continue;
        }
        struct conn_ctx *cc = atoll_malloc(sizeof *cc);
        if (cc) {
            cc->lc = lc;
            cc->tc = tc;
        }
        if (!cc ||
            atoll_fiber_spawn(
                NULL, lc->wrap ? "https conn" : "http conn", conn_fiber, cc,
                lc->wrap ? HTTP_TLS_FIBER_STACK : HTTP_FIBER_STACK) < 0) {
            atoll_free(cc);
            atoll_tcp_abort(tc);
        }
    }
    return 0;
}

int atoll_http_listen(struct atoll_http_server *s, struct atoll_tcp_listener *l,
                      atoll_http_wrap_fn wrap, void *wrap_arg)
{
    struct listen_ctx *lc = atoll_malloc(sizeof *lc);
    if (!lc)
        return -ATOLL_ENOMEM;
    *lc = (struct listen_ctx){s, l, wrap, wrap_arg};
    int e = atoll_fiber_spawn(NULL, "http accept", accept_fiber, lc, 0);
    if (e < 0)
        atoll_free(lc);
    return e;
}
