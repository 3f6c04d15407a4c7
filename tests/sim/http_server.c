/*
 * tests/sim/http_server.c - lib/http end to end on virtual time: the
 * server and the client over an in-memory flow pair (atoll_flow_pipe),
 * where deadlines are asserted to the nanosecond, and over TCP between
 * two stacks on a simulated wire that loses, duplicates and reorders
 * frames.  Failing wire cases print their seed and keep their pcap.
 */
#include "atoll/http.h"
#include "atoll/sha256.h"
#include "net_util.h"

static uint8_t big[200000];
static const uint8_t page[] = "<html>hello</html>\n";

static struct atoll_kv_ro_file table[] = {
    {"big.bin", big, sizeof big, false, {0}},
    {"docs", NULL, 0, true, {0}},
    {"docs/index.html", page, sizeof page - 1, false, {0}},
    {"index.html", page, sizeof page - 1, false, {0}},
};
static const struct atoll_kv_ro_files files = {"site", table, 4};
static struct atoll_http_files site;

/* POST /echo answers with the request's body. */
static int echo(void *arg, struct atoll_http_req *r)
{
    return atoll_http_send(r, 200, "application/octet-stream", r->body,
                           r->body_len);
}

static struct atoll_http_server *make_server(const struct atoll_http_limits *l)
{
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + i / 256);
    for (size_t i = 0; i < 4; i++)
        atoll_sha256(table[i].data ? table[i].data : (const uint8_t *)"",
                     table[i].size, table[i].digest);
    struct atoll_kv_ro *kv;
    if (atoll_kv_ro_open_baked("site", &files, &kv) < 0)
        harness_fail(__FILE__, __LINE__, "kv");
    site = (struct atoll_http_files){kv, "/", ATOLL_SEC(1000000000)};
    struct atoll_http_server *s;
    CHECK_EQ(atoll_http_server_create(l, false, &s), 0);
    CHECK_EQ(atoll_http_route(s, "POST", "/echo", echo, NULL), 0);
    CHECK_EQ(atoll_http_route(s, NULL, "/*", atoll_http_files, &site), 0);
    return s;
}

struct served {
    struct atoll_http_server *s;
    struct atoll_flow *f;
    atoll_time_t ended; /* when serve_flow returned */
};

static int serve_fiber(void *arg)
{
    struct served *sv = arg;
    atoll_http_serve_flow(sv->s, sv->f);
    sv->ended = atoll_now();
    return 0;
}

/* Write `req`, read everything until the server closes. */
static size_t converse(struct atoll_flow *c, const char *req, char *out,
                       size_t cap)
{
    CHECK_EQ(atoll_flow_write(c, req, strlen(req), ATOLL_NEVER),
             (int)strlen(req));
    size_t len = 0;
    for (;;) {
        int n = atoll_flow_read(c, out + len, cap - 1 - len,
                                atoll_after(ATOLL_SEC(600)));
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    out[len] = 0;
    return len;
}

static int pipelined_main(void *arg)
{
    struct atoll_http_server *s = make_server(NULL);
    struct atoll_flow *c, *f;
    CHECK_EQ(atoll_flow_pipe(0, &c, &f), 0);
    struct served sv = {s, f, 0};
    atoll_fiber *fb;
    CHECK_EQ(atoll_fiber_spawn(&fb, "srv", serve_fiber, &sv, 0), 0);
    static char out[65536];
    converse(
        c,
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nwxyz"
        "GET /docs HTTP/1.1\r\nHost: a\r\n\r\n"
        "HEAD /index.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        out, sizeof out);
    const char *p = out;
    const char *want[] = {"HTTP/1.1 200 OK", "<html>hello</html>",
                          "HTTP/1.1 200 OK", "\r\n\r\nabcde",
                          "HTTP/1.1 200 OK", "\r\n\r\nwxyz",
                          "HTTP/1.1 301",    "Location: /docs/\r\n",
                          "HTTP/1.1 200 OK", "Connection: close\r\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *at = strstr(p, want[i]);
        if (!at)
            harness_fail(__FILE__, __LINE__, "no '%s' after offset %d in:\n%s",
                         want[i], (int)(p - out), out);
        p = at + strlen(want[i]);
    }
    CHECK(!strstr(p, "<html>")); /* HEAD: no body */
    CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    atoll_flow_close(c);
    struct atoll_http_stats st;
    atoll_http_server_stats(s, &st);
    CHECK_EQ(st.requests, 5);
    CHECK_EQ(st.conns_now, 0);
    return 0;
}

TEST(http_server, "pipelined GET, chunked and sized POSTs, 301, HEAD; in order")
{
    CHECK_EQ(atoll_test_run(0, pipelined_main, NULL), 0);
}

/* A request trickled one byte a second, against a 5 s header deadline. */
static int slowloris_main(void *arg)
{
    struct atoll_http_limits l;
    atoll_http_limits_default(&l);
    l.header_timeout = ATOLL_SEC(5);
    struct atoll_http_server *s = make_server(&l);
    struct atoll_flow *c, *f, *c2, *f2;
    CHECK_EQ(atoll_flow_pipe(0, &c, &f), 0);
    CHECK_EQ(atoll_flow_pipe(0, &c2, &f2), 0);
    struct served sv = {s, f, 0}, sv2 = {s, f2, 0};
    atoll_fiber *fb, *fb2;
    atoll_time_t t0 = atoll_now();
    CHECK_EQ(atoll_fiber_spawn(&fb, "slow", serve_fiber, &sv, 0), 0);
    CHECK_EQ(atoll_fiber_spawn(&fb2, "fast", serve_fiber, &sv2, 0), 0);
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    int sent = 0;
    for (; req[sent]; sent++) {
        if (atoll_flow_write(c, req + sent, 1, ATOLL_NEVER) != 1)
            break;
        if (sent == 2) {
            /* Another client meanwhile: served at once. */
            static char out[4096];
            converse(c2, "GET / HTTP/1.0\r\n\r\n", out, sizeof out);
            CHECK(strstr(out, "HTTP/1.1 200 OK") != NULL);
            CHECK_EQ(atoll_now() - t0, ATOLL_SEC(2));
        }
        atoll_sleep(ATOLL_SEC(1));
        if (sv.ended)
            break;
    }
    /* The first byte came at t0: the deadline is t0 + 5 s exactly. */
    CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    CHECK_EQ(sv.ended - t0, ATOLL_SEC(5) + HTTP_LINGER_NS);
    static char out[4096];
    int n = atoll_flow_read(c, out, sizeof out - 1, ATOLL_NEVER);
    CHECK(n > 0);
    out[n] = 0;
    CHECK(!strncmp(out, "HTTP/1.1 408 ", 13));
    CHECK(sent < (int)strlen(req));
    atoll_flow_close(c);
    atoll_flow_close(c2);
    CHECK_EQ(atoll_fiber_join(fb2, ATOLL_NEVER, NULL), 0);
    struct atoll_http_stats st;
    atoll_http_server_stats(s, &st);
    CHECK_EQ(st.timeouts, 1);
    return 0;
}

TEST(http_server,
     "slowloris: 408 at the header deadline, to the ns; others served")
{
    CHECK_EQ(atoll_test_run(0, slowloris_main, NULL), 0);
}

/* Idle keep-alive: the connection ends idle_timeout after the answer. */
static int idle_main(void *arg)
{
    struct atoll_http_limits l;
    atoll_http_limits_default(&l);
    l.idle_timeout = ATOLL_SEC(7);
    struct atoll_http_server *s = make_server(&l);
    struct atoll_flow *c, *f;
    CHECK_EQ(atoll_flow_pipe(0, &c, &f), 0);
    struct served sv = {s, f, 0};
    atoll_fiber *fb;
    CHECK_EQ(atoll_fiber_spawn(&fb, "srv", serve_fiber, &sv, 0), 0);
    struct atoll_http_response res;
    atoll_time_t t0 = atoll_now();
    CHECK_EQ(atoll_http_request(c, "GET", "a", "/", NULL, NULL, 0, 1024,
                                ATOLL_NEVER, &res),
             0);
    CHECK_EQ(res.status, 200);
    CHECK(res.keep_alive);
    atoll_http_response_free(&res);
    /* A second request on the same connection 6 s later is served. */
    atoll_sleep(ATOLL_SEC(6));
    CHECK_EQ(atoll_http_request(c, "GET", "a", "/index.html", NULL, NULL, 0,
                                1024, ATOLL_NEVER, &res),
             0);
    CHECK_EQ(res.status, 200);
    atoll_http_response_free(&res);
    CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    CHECK_EQ(sv.ended - t0, ATOLL_SEC(13));
    char b[16];
    CHECK_EQ(atoll_flow_read(c, b, sizeof b, ATOLL_NEVER), 0);
    atoll_flow_close(c);
    return 0;
}

TEST(http_server,
     "keep-alive: served again within, closed at the idle deadline")
{
    CHECK_EQ(atoll_test_run(0, idle_main, NULL), 0);
}

/* The client against hand-written answers: chunked, 1xx first, EOF. */
struct canned {
    struct atoll_flow *f;
    const char *answer;
};

static int canned_fiber(void *arg)
{
    struct canned *cn = arg;
    char buf[1024];
    atoll_flow_read(cn->f, buf, sizeof buf, ATOLL_NEVER);
    atoll_flow_write(cn->f, cn->answer, strlen(cn->answer), ATOLL_NEVER);
    atoll_flow_close(cn->f);
    return 0;
}

static int client_answer(const char *answer, struct atoll_http_response *res)
{
    struct atoll_flow *c, *f;
    CHECK_EQ(atoll_flow_pipe(0, &c, &f), 0);
    struct canned cn = {f, answer};
    atoll_fiber *fb;
    CHECK_EQ(atoll_fiber_spawn(&fb, "canned", canned_fiber, &cn, 0), 0);
    int rc = atoll_http_request(c, "GET", "a", "/", NULL, NULL, 0, 100,
                                atoll_after(ATOLL_SEC(5)), res);
    atoll_fiber_join(fb, ATOLL_NEVER, NULL);
    atoll_flow_close(c);
    return rc;
}

static int client_main(void *arg)
{
    struct atoll_http_response res;
    CHECK_EQ(client_answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n"
                           "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n",
                           &res),
             0);
    CHECK_EQ(res.status, 200);
    CHECK_EQ(res.body_len, 4);
    CHECK_STR((char *)res.body, "abcd");
    atoll_http_response_free(&res);
    CHECK_EQ(client_answer("HTTP/1.0 404 Not Found\r\nX-A: b\r\n\r\nuntil eof",
                           &res),
             0);
    CHECK_EQ(res.status, 404);
    CHECK(!res.keep_alive);
    CHECK_STR(atoll_http_response_header(&res, "x-a"), "b");
    CHECK_STR((char *)res.body, "until eof");
    atoll_http_response_free(&res);
    CHECK_EQ(client_answer("HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\nx", &res),
             -ATOLL_EBADMSG);
    CHECK_EQ(
        client_answer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nx", &res),
        -ATOLL_EMSGSIZE);
    CHECK_EQ(
        client_answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\n",
                      &res),
        -ATOLL_EBADMSG);
    CHECK_EQ(client_answer("SMTP ready\r\n\r\n", &res), -ATOLL_EBADMSG);
    return 0;
}

TEST(http_server,
     "client: chunked after 100, close-delimited, malformed answers")
{
    CHECK_EQ(atoll_test_run(0, client_main, NULL), 0);
}

/* ---- over TCP on a lossy wire ------------------------------------------- */

static int wire_main(void *arg)
{
    struct atoll_stack *sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct atoll_http_server *s = make_server(NULL);
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sa, 80, 0, &l), 0);
    NCHECK_EQ(atoll_http_listen(s, l, NULL, NULL), 0);
    for (int conn = 0; conn < 3; conn++) {
        struct atoll_tcp_conn *tc;
        NCHECK_EQ(atoll_tcp_connect(sb, atoll_addr4(0xc6120002u), 80,
                                    atoll_after(ATOLL_SEC(60)), &tc),
                  0);
        struct atoll_flow *f = atoll_tcp_flow(tc);
        for (int i = 0; i < 3; i++) {
            struct atoll_http_response res;
            const char *range = i == 2 ? "Range: bytes=1000-1999\r\n" : NULL;
            NCHECK_EQ(atoll_http_request(f, "GET", "a", "/big.bin", range, NULL,
                                         0, sizeof big,
                                         atoll_after(ATOLL_SEC(120)), &res),
                      0);
            if (i < 2) {
                NCHECK_EQ(res.status, 200);
                NCHECK_EQ(res.body_len, sizeof big);
                NCHECK(!memcmp(res.body, big, sizeof big));
            } else {
                NCHECK_EQ(res.status, 206);
                NCHECK_EQ(res.body_len, 1000);
                NCHECK(!memcmp(res.body, big + 1000, 1000));
            }
            atoll_http_response_free(&res);
        }
        atoll_flow_close(f);
    }
    struct atoll_http_stats st;
    atoll_http_server_stats(s, &st);
    NCHECK_EQ(st.requests, 9);
    NCHECK_EQ(st.conns, 3);
    return 0;
}

TEST(http_server, "200 KB files and a range over TCP, 3% loss, dups, reorder")
{
    struct atoll_sim_wire_opts o = {.loss = 0.03,
                                    .duplicate = 0.01,
                                    .reorder = 0.02,
                                    .delay = ATOLL_MS(5),
                                    .jitter = ATOLL_MS(2)};
    net_sim_begin("http-wire", 13, o);
    CHECK_EQ(atoll_test_run(0, wire_main, NULL), 0);
    net_sim_end();
}

/* ---- idle kept-alive connections cost their TCP record only ------------- */

#define IDLE_CONNS 300

static int parked_main(void *arg)
{
    struct atoll_stack *sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct atoll_http_limits lim;
    atoll_http_limits_default(&lim);
    lim.idle_timeout = ATOLL_SEC(30);
    struct atoll_http_server *s = make_server(&lim);
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sa, 80, 0, &l), 0);
    NCHECK_EQ(atoll_http_listen(s, l, NULL, NULL), 0);
    static struct atoll_tcp_conn *tc[IDLE_CONNS];
    struct atoll_http_response res;
    /* One request on a first connection, so the pool's worker exists and
     * the rings of a served connection have been made once. */
    struct atoll_tcp_conn *first;
    NCHECK_EQ(atoll_tcp_connect(sb, atoll_addr4(0xc6120002u), 80,
                                atoll_after(ATOLL_SEC(10)), &first),
              0);
    NCHECK_EQ(atoll_http_request(atoll_tcp_flow(first), "GET", "a",
                                 "/index.html", NULL, NULL, 0, 100,
                                 atoll_after(ATOLL_SEC(10)), &res),
              0);
    atoll_http_response_free(&res);
    atoll_sleep(ATOLL_SEC(2)); /* rings of quiet connections are freed */
    struct atoll_mem_stats m0, m1;
    struct atoll_sched_stats f0, f1;
    atoll_mem_stats(&m0);
    atoll_sched_stats(&f0);
    for (int i = 0; i < IDLE_CONNS; i++) {
        NCHECK_EQ(atoll_tcp_connect(sb, atoll_addr4(0xc6120002u), 80,
                                    atoll_after(ATOLL_SEC(10)), &tc[i]),
                  0);
        NCHECK_EQ(atoll_http_request(atoll_tcp_flow(tc[i]), "GET", "a",
                                     "/index.html", NULL, NULL, 0, 100,
                                     atoll_after(ATOLL_SEC(10)), &res),
                  0);
        NCHECK_EQ(res.status, 200);
        atoll_http_response_free(&res);
    }
    atoll_sleep(ATOLL_SEC(2));
    atoll_mem_stats(&m1);
    atoll_sched_stats(&f1);
    struct atoll_http_stats st;
    atoll_http_server_stats(s, &st);
    NCHECK_EQ(st.conns_now, IDLE_CONNS + 1);
    /* Both ends' TCP records are in this one heap: about 720 bytes each.
     * A fiber and buffers per connection would be over 70 KiB. */
    size_t each = (m1.in_use - m0.in_use) / IDLE_CONNS;
    printf("       %d idle kept-alive connections: %zu bytes each (both "
           "ends), fibers %d -> %d\n",
           IDLE_CONNS, each, (int)f0.live, (int)f1.live);
    NCHECK(each < 2048);
    NCHECK(f1.live <= f0.live + 2);
    /* Each is still served: a second request on every one. */
    for (int i = 0; i < IDLE_CONNS; i++) {
        NCHECK_EQ(atoll_http_request(atoll_tcp_flow(tc[i]), "GET", "a",
                                     "/index.html", NULL, NULL, 0, 100,
                                     atoll_after(ATOLL_SEC(10)), &res),
                  0);
        NCHECK_EQ(res.status, 200);
        NCHECK(res.keep_alive);
        atoll_http_response_free(&res);
    }
    /* The idle deadline closes them all; the server counts none. */
    atoll_sleep(ATOLL_SEC(31));
    atoll_http_server_stats(s, &st);
    NCHECK_EQ(st.conns_now, 0);
    NCHECK_EQ(st.requests, 2 * IDLE_CONNS + 1);
    for (int i = 0; i < IDLE_CONNS; i++)
        atoll_tcp_close(tc[i]);
    atoll_tcp_close(first);
    return 0;
}

TEST(http_server, "300 idle kept-alive connections: no fiber, no buffers, "
                  "served again, closed at the idle deadline")
{
    net_sim_begin("http-idle", 13, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(0, parked_main, NULL), 0);
    net_sim_end();
}
