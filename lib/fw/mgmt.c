/*
 * lib/fw/mgmt.c - the firewall's management interface over HTTP or
 * HTTPS (atoll/fw_history.h): read the rules and counters, put a new rule
 * set, read the history, revert; every request with the bearer token.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/fw_history.h"
#include "atoll/http.h"
#include "atoll/mem.h"
#include "atoll/tcp.h"
#include "atoll/tls.h"
#include "fw_int.h"

struct mgmt {
    struct atoll_fw_history *h;
    char token[128];
    size_t token_len;
};

/* "Authorization: Bearer TOKEN", the token compared in constant time. */
static bool authorized(const struct mgmt *m, struct atoll_http_req *r)
{
    const char *a = atoll_http_header(r, "Authorization");
    if (!a || strncmp(a, "Bearer ", 7) != 0)
        return false;
    a += 7;
    size_t n = strlen(a);
    unsigned diff = (unsigned)(n ^ m->token_len);
    for (size_t k = 0; k < m->token_len; k++)
        diff |= (unsigned char)(m->token[k] ^ (k < n ? a[k] : 0));
    return diff == 0;
}

static int text(struct atoll_http_req *r, int status, const char *s)
{
    return atoll_http_send(r, status, "text/plain; charset=utf-8", s,
                           strlen(s));
}

static int deny(struct atoll_http_req *r)
{
    atoll_http_add_header(r, "WWW-Authenticate", "Bearer");
    return text(r, 401, "a bearer token is required\n");
}

static int get_rules(void *arg, struct atoll_http_req *r)
{
    struct mgmt *m = arg;
    if (!authorized(m, r))
        return deny(r);
    const struct atoll_fw_rules *rs =
        atoll_firewall_rules(fw_history_firewall(m->h));
    return atoll_http_send(r, 200, "text/plain; charset=utf-8", rs->text,
                           rs->text_len);
}

static void answer_error(struct atoll_http_req *r, int e,
                         const struct atoll_fw_error *err)
{
    char msg[200];
    if (e == -ATOLL_EINVAL || e == -ATOLL_E2BIG)
        snprintf(msg, sizeof msg, "%d:%d: %s\n", err->line, err->column,
                 err->msg);
    else
        snprintf(msg, sizeof msg, "%s\n", atoll_strerror(e));
    text(r, e == -ATOLL_ENOENT ? 404 : e == -ATOLL_EINVAL ? 400 : 500, msg);
}

static int answer_commit(struct atoll_http_req *r, const atoll_store_id *id)
{
    char hex[ATOLL_STORE_HEX_LEN + 1], msg[ATOLL_STORE_HEX_LEN + 2];
    atoll_store_id_hex(id, hex);
    snprintf(msg, sizeof msg, "%s\n", hex);
    return text(r, 200, msg);
}

static int put_rules(void *arg, struct atoll_http_req *r)
{
    struct mgmt *m = arg;
    if (!authorized(m, r))
        return deny(r);
    struct atoll_fw_error err = {0, 0, ""};
    atoll_store_id id;
    int e = atoll_fw_history_put(m->h, (const char *)r->body, r->body_len,
                                 atoll_http_header(r, "X-Author"),
                                 atoll_http_header(r, "X-Message"), &err, &id);
    if (e < 0) {
        answer_error(r, e, &err);
        return 0;
    }
    return answer_commit(r, &id);
}

static int revert(void *arg, struct atoll_http_req *r)
{
    struct mgmt *m = arg;
    if (!authorized(m, r))
        return deny(r);
    if (strncmp(r->query, "to=", 3) != 0 || !r->query[3] ||
        strlen(r->query) > 70)
        return text(r, 400, "POST /revert?to=COMMIT\n");
    struct atoll_fw_error err = {0, 0, ""};
    atoll_store_id id;
    int e = atoll_fw_history_revert(
        m->h, r->query + 3, atoll_http_header(r, "X-Author"), &err, &id);
    if (e < 0) {
        answer_error(r, e, &err);
        return 0;
    }
    return answer_commit(r, &id);
}

/* A growing text answer. */
struct out {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = o->cap - o->len;
        int n = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0 || o->failed)
            return;
        if ((size_t)n < room) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n + 256;
        char *b = atoll_realloc(o->buf, cap);
        if (!b) {
            o->failed = true;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
}

static int send_out(struct atoll_http_req *r, struct out *o)
{
    int e = o->failed ? text(r, 500, "out of memory\n")
                      : atoll_http_send(r, 200, "text/plain; charset=utf-8",
                                        o->buf, o->len);
    atoll_free(o->buf);
    return e;
}

static int get_counters(void *arg, struct atoll_http_req *r)
{
    struct mgmt *m = arg;
    if (!authorized(m, r))
        return deny(r);
    struct atoll_firewall *fw = fw_history_firewall(m->h);
    const struct atoll_fw_rules *rs = atoll_firewall_rules(fw);
    struct out o = {NULL, 0, 0, false};
    for (int k = 0; k < rs->n_rules; k++)
        put(&o, "rule line %d: %llu packets %llu bytes\n", rs->rules[k].line,
            (unsigned long long)rs->rules[k].packets,
            (unsigned long long)rs->rules[k].bytes);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    uint32_t n, max;
    uint64_t refused;
    atoll_firewall_ct_usage(fw, &n, &max, &refused);
    const struct {
        const char *name;
        uint64_t v;
    } c[] = {
        {"forwarded", st.forwarded},
        {"local", st.local},
        {"dropped", st.dropped},
        {"policy", st.policy},
        {"rejected", st.rejected},
        {"spoofed", st.spoofed},
        {"invalid", st.invalid},
        {"window", st.window},
        {"bad", st.bad},
        {"fragment", st.fragment},
        {"no_route", st.no_route},
        {"nat_exhausted", st.nat_exhausted},
        {"ttl_exceeded", st.ttl_exceeded},
        {"too_big", st.too_big},
        {"related", st.related},
        {"answers", st.answers},
        {"answers_limited", st.answers_limited},
        {"refused_full", refused},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
        put(&o, "%s %llu\n", c[k].name, (unsigned long long)c[k].v);
    put(&o, "connections %u of %u\n", n, max);
    return send_out(r, &o);
}

static int log_line(const struct atoll_store_commit *c, void *arg)
{
    struct out *o = arg;
    char hex[ATOLL_STORE_HEX_LEN + 1];
    atoll_store_id_hex(&c->id, hex);
    size_t n = strcspn(c->message, "\n");
    put(o, "%.12s %lld %s %.*s\n", hex, (long long)c->time, c->author, (int)n,
        c->message);
    return 0;
}

static int get_log(void *arg, struct atoll_http_req *r)
{
    struct mgmt *m = arg;
    if (!authorized(m, r))
        return deny(r);
    struct out o = {NULL, 0, 0, false};
    int e =
        atoll_store_log(fw_history_store(m->h), "main", "rules", log_line, &o);
    if (e < 0 && e != -ATOLL_ENOENT) {
        atoll_free(o.buf);
        return text(r, 500, atoll_strerror(e));
    }
    if (!o.buf)
        put(&o, "%s", "");
    return send_out(r, &o);
}

int atoll_fw_mgmt_listen(struct atoll_fw_history *h, struct atoll_stack *s,
                         uint16_t port, const char *token,
                         struct atoll_tls_server *tls)
{
    size_t tl = token ? strlen(token) : 0;
    if (tl < 16 || tl >= sizeof((struct mgmt *)0)->token)
        return -ATOLL_EINVAL; /* a token of 16 to 127 bytes */
    struct mgmt *m = atoll_calloc(1, sizeof *m);
    if (!m)
        return -ATOLL_ENOMEM;
    m->h = h;
    memcpy(m->token, token, tl);
    m->token_len = tl;
    struct atoll_http_server *srv;
    struct atoll_tcp_listener *l;
    int e = atoll_http_server_create(NULL, true, &srv);
    if (e < 0)
        return e;
    if ((e = atoll_http_route(srv, NULL, "/rules", get_rules, m)) < 0 ||
        (e = atoll_http_route(srv, "PUT", "/rules", put_rules, m)) < 0 ||
        (e = atoll_http_route(srv, NULL, "/counters", get_counters, m)) < 0 ||
        (e = atoll_http_route(srv, NULL, "/log", get_log, m)) < 0 ||
        (e = atoll_http_route(srv, "POST", "/revert", revert, m)) < 0 ||
        (e = atoll_tcp_listen(s, port, 0, &l)) < 0 ||
        (e = atoll_http_listen(srv, l, tls ? atoll_tls_http_wrap : NULL, tls)) <
            0)
        return e;
    return 0;
}
