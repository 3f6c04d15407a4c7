/*
 * lib/http/server.c - the server: a connection's request loop over a flow
 * (reading heads and bodies under the limits, pipelining, keep-alive,
 * error answers and closing).  Accepting TCP connections and handing them
 * to fibers is lib/http/listen.c.
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

/* One connection's requests, until it closes or (c->tc set) waits idle
 * for its next request.  The caller then closes the flow (linger_close,
 * or a plain close), or parks the connection. */
enum http_end http_conn_requests(struct atoll_http_conn *c)
{
    char *pathbuf = (char *)c->in + c->in_cap;
    struct http_head *h = c->head;
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
                return HTTP_END_CLOSE;
            /* Nothing more has come: a connection from a pool waits
             * without its fiber and buffers (listen.c).  Not the first
             * round: that one was handed over because it is readable, and
             * the end of the stream reads 0 too. */
            if (c->tc && !first && atoll_tcp_readable(c->tc) == 0)
                return HTTP_END_PARK;
            int n = fill(c, atoll_after(first ? lim->header_timeout
                                              : lim->idle_timeout));
            if (n <= 0) {
                s->st.timeouts += n == -ATOLL_ETIMEDOUT;
                return HTTP_END_CLOSE;
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
                return HTTP_END_CLOSE;
            int n = fill(c, deadline);
            if (n == -ATOLL_ETIMEDOUT) {
                s->st.timeouts++;
                refuse(c, &r, 408, NULL, NULL);
                return HTTP_END_LINGER;
            }
            if (n <= 0)
                return HTTP_END_CLOSE;
            c->in_len += (size_t)n;
        }
        r.now = atoll_wclock_now(atoll_wclock_platform());
        if (hl < 0) {
            refuse(c, &r, (int)-hl, NULL, NULL);
            return HTTP_END_LINGER;
        }
        int rc = http_parse_request((char *)c->in, (size_t)hl, pathbuf,
                                    (size_t)hl + 1, h);
        if (rc < 0) {
            refuse(c, &r, -rc, NULL, NULL);
            return HTTP_END_LINGER;
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
                    return HTTP_END_CLOSE;
            }
            if (h->framing == HTTP_BODY_LENGTH) {
                rc = read_length_body(c, (size_t)hl, h->length, &body);
                body_len = (size_t)h->length;
            } else {
                rc = read_chunked_body(c, (size_t)hl, &body, &body_len);
            }
        }
        if (rc == -1)
            return HTTP_END_CLOSE; /* the client went away */
        if (rc < 0) {
            if (rc == -408)
                s->st.timeouts++;
            refuse(c, &r, -rc, NULL, NULL);
            return HTTP_END_LINGER;
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
            return HTTP_END_CLOSE;
        if (rc < 0 || c->close_after)
            return HTTP_END_LINGER;
        /* Keep what follows (pipelined requests) for the next round. */
        memmove(c->in, c->in + hl, c->in_len - (size_t)hl);
        c->in_len -= (size_t)hl;
    }
}

size_t http_conn_size(const struct atoll_http_server *s)
{
    size_t in_cap = s->lim.header_max + HTTP_IN_SLACK;
    return sizeof(struct atoll_http_conn) + sizeof(struct http_head) +
           2 * in_cap + HTTP_OUT_BUF + 1;
}

void http_conn_init(struct atoll_http_conn *c, struct atoll_http_server *s,
                    struct atoll_flow *f, const char *peer)
{
    memset(c, 0, sizeof *c);
    c->head = (struct http_head *)(c + 1);
    c->s = s;
    c->f = f;
    c->peer = peer;
    c->in = (uint8_t *)(c->head + 1);
    c->in_cap = s->lim.header_max + HTTP_IN_SLACK;
    /* the decoded path's buffer (in_cap + 1) follows the input */
    c->out = c->in + 2 * c->in_cap + 1;
    c->out_cap = HTTP_OUT_BUF;
    c->write_deadline = atoll_after(s->lim.write_timeout);
}

enum http_end http_conn_serve(struct atoll_http_conn *c)
{
    struct atoll_http_server *s = c->s;
    if (s->st.conns_now >= s->lim.conns_max) {
        /* Over the limit: say so rather than leave the client waiting. */
        s->st.conns_refused++;
        struct atoll_http_req r = {
            .conn = c, .method = "GET", .minor = 1, .target = "", .path = "/"};
        c->write_deadline = atoll_after(ATOLL_SEC(1));
        refuse(c, &r, 503, "Retry-After", "1");
        return HTTP_END_LINGER;
    }
    s->st.conns_now++;
    enum http_end e = http_conn_requests(c);
    s->st.conns_now--;
    return e;
}

void http_conn_end(struct atoll_http_conn *c, enum http_end e)
{
    if (e == HTTP_END_LINGER)
        linger_close(c);
    else
        atoll_flow_close(c->f);
}

struct atoll_http_stats *http_server_stats(struct atoll_http_server *s)
{
    return &s->st;
}

const struct atoll_http_limits *http_server_limits(struct atoll_http_server *s)
{
    return &s->lim;
}

int atoll_http_serve_flow(struct atoll_http_server *s, struct atoll_flow *f)
{
    struct atoll_http_conn *c = atoll_malloc(http_conn_size(s));
    if (!c) {
        atoll_flow_close(f);
        return -ATOLL_ENOMEM;
    }
    http_conn_init(c, s, f, "");
    s->st.conns++;
    http_conn_end(c, http_conn_serve(c));
    atoll_free(c);
    return 0;
}
