/*
 * tests/unit/invariant.c - the invariant checks (atoll/invariant.h) stop
 * the unikernel when the state they guard is broken, and stay silent
 * when it is whole.  Each broken state is made by hand in a child
 * process (harness_in_child), as only a bug in the library could make
 * it: TCP's sequence space and rings, a buffer's bounds, a buffer
 * queue's count, a fiber queued twice, a tree with two entries of one
 * name.
 *
 * What is expected depends on ATOLL_INVARIANTS, the level these files
 * and the libraries are built with (1 in the optimised build, 2 under
 * the sanitizers): a check of a level that is compiled out must not
 * fire, one that is compiled in must.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/core/sched_int.h"
#include "../../lib/net/tcp_int.h"
#include "../../lib/store/store_int.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/invariant.h"

/* A runtime with a 4 MiB heap in the child; status 3 if it cannot. */
static void runtime(void)
{
    struct atoll_runtime_opts o = {4u << 20, 16, "quiet"};
    if (atoll_runtime_init(&o) < 0)
        exit(3);
}

/* The status and message a child ends with when a check of `level` is
 * given a broken state (`what` names the case in a failure). */
static void expect_stop(const char *what, void (*body)(void), int level,
                        const char *where)
{
    char out[2048];
    int st = harness_in_child(body, out, sizeof out);
    bool want = ATOLL_INVARIANTS >= level;
    if (want && (st != ATOLL_EXIT_PANIC || !strstr(out, "invariant violated") ||
                 !strstr(out, where)))
        harness_fail(__FILE__, __LINE__,
                     "%s: want a stop in %s, got status %d and \"%s\"", what,
                     where, st, out);
    if (!want && st != 0)
        harness_fail(__FILE__, __LINE__,
                     "%s: level %d is compiled out, yet status %d and \"%s\"",
                     what, level, st, out);
}

/* ---- TCP ------------------------------------------------------------------
 */

/* A connection in ESTABLISHED with 100 bytes sent, 40 of them
 * acknowledged, and a consistent send ring: every invariant holds. */
static struct atoll_tcp_conn *good_conn(void)
{
    static struct atoll_tcp_conn c;
    static uint8_t sndbuf[2048];
    memset(&c, 0, sizeof c);
    c.state = TCP_ESTABLISHED;
    c.iss = 1000;
    c.snd_base = c.snd_una = 1041;
    c.snd_nxt = c.snd_max = 1101;
    c.sndbuf = (struct tcp_ring){sndbuf, sizeof sndbuf, 40, 60};
    c.snd_len = 60; /* the send queue is the ring alone */
    c.mss = 1448;
    c.cc.mss = 1448;
    c.cc.cwnd = 10 * 1448;
    c.cc.ssthresh = UINT32_MAX / 2;
    c.rcv_nxt = 5000;
    c.rcv_adv = 5000 + 65535;
    return &c;
}

static void tcp_good(void)
{
    tcp_check_conn(good_conn());
}

TEST(invariant, "a whole TCP connection passes its check")
{
    char out[1024];
    CHECK_EQ(harness_in_child(tcp_good, out, sizeof out), 0);
    CHECK_STR(out, "");
}

static void tcp_nxt_behind_una(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->snd_nxt = c->snd_una - 1;
    tcp_check_conn(c);
}

static void tcp_max_past_data(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->snd_max = c->snd_base + c->snd_len + 1; /* no FIN queued */
    c->snd_nxt = c->snd_max;
    tcp_check_conn(c);
}

static void tcp_ring_overfull(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->sndbuf.len = c->sndbuf.cap + 1;
    tcp_check_conn(c);
}

static void tcp_window_too_big(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->rcv_adv = c->rcv_nxt + TCP_RCVBUF_MAX + 1;
    tcp_check_conn(c);
}

static void tcp_no_cwnd(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->cc.cwnd = 0;
    tcp_check_conn(c);
}

static void tcp_fin_wait_2_unacked(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->state = TCP_FIN_WAIT_2;
    c->wr_shut = c->fin_sent = true;
    tcp_check_conn(c);
}

static void tcp_segment_past_ring(void)
{
    struct atoll_tcp_conn *c = good_conn();
    uint8_t out[64];
    tcp_ring_read(&c->sndbuf, c->sndbuf.cap - 8, out, 16);
}

static void tcp_sack_outside(void)
{
    struct atoll_tcp_conn *c = good_conn();
    static struct tcp_scoreboard sb; /* made on demand in a connection */
    sb.n = 1;
    sb.r[0] = (struct tcp_range){c->snd_max, c->snd_max + 100};
    c->sb = &sb;
    tcp_check_conn(c);
}

static void tcp_queue_short(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->snd_len = 100; /* more queued than the ring holds, and no piece */
    tcp_check_conn(c);
}

static void tcp_pieces_short(void)
{
    struct atoll_tcp_conn *c = good_conn();
    static uint8_t mem[100];
    /* The ring's 60 bytes, then 100 referred to: but 200 counted. */
    static struct tcp_sref ref = {NULL, mem, 100, NULL, NULL};
    static struct tcp_sref ring = {&ref, NULL, 60, NULL, NULL};
    c->sq_head = &ring;
    c->sq_tail = &ref;
    c->snd_len = 200;
    tcp_check_conn(c);
}

static void tcp_queued_unarmed(void)
{
    struct atoll_tcp_conn *c = good_conn();
    c->pe.queued = true; /* on a ready list, but armed in no poller */
    tcp_check_conn(c);
}

/* Each broken TCP state, the level of the check that must catch it, and
 * the file that holds the check. */
static const struct {
    const char *what;
    void (*body)(void);
    int level;
    const char *where;
} tcp_cases[] = {
    {"SND.NXT behind SND.UNA", tcp_nxt_behind_una, 1, "tcp_check.c"},
    {"SND.MAX beyond the buffered data", tcp_max_past_data, 1, "tcp_check.c"},
    {"a ring holding more than its capacity", tcp_ring_overfull, 1,
     "tcp_check.c"},
    {"a window beyond the buffer limit", tcp_window_too_big, 1, "tcp_check.c"},
    {"a synchronized connection without a cwnd", tcp_no_cwnd, 1, "tcp_check.c"},
    {"FIN_WAIT_2 with data unacknowledged", tcp_fin_wait_2_unacked, 1,
     "tcp_check.c"},
    {"a read past a ring's end", tcp_segment_past_ring, 1, "tcp_ring.c"},
    {"a SACK range beyond SND.MAX", tcp_sack_outside, 2, "tcp_check.c"},
    {"a send queue longer than its ring", tcp_queue_short, 1, "tcp_check.c"},
    {"send queue pieces that do not add up", tcp_pieces_short, 2,
     "tcp_check.c"},
    {"a poller entry queued but not armed", tcp_queued_unarmed, 1,
     "tcp_check.c"},
};

TEST(invariant, "TCP: each broken connection state stops the unikernel")
{
    for (size_t i = 0; i < sizeof tcp_cases / sizeof tcp_cases[0]; i++) {
        expect_stop(tcp_cases[i].what, tcp_cases[i].body, tcp_cases[i].level,
                    tcp_cases[i].where);
    }
}

/* ---- buffers --------------------------------------------------------------
 */

static void buf_len_past_storage(void)
{
    runtime();
    struct atoll_buf *b = atoll_buf_alloc(64, 100);
    b->len = b->cap; /* headroom + len > cap */
    atoll_buf_pull(b, 1);
}

static void bufq_count_wrong(void)
{
    runtime();
    struct atoll_bufq q = ATOLL_BUFQ_INIT;
    atoll_bufq_push(&q, atoll_buf_alloc(0, 10));
    q.count = 0;
    atoll_bufq_pop(&q);
}

TEST(invariant, "a buffer whose data runs past its storage stops it")
{
    expect_stop("buf_len_past_storage", buf_len_past_storage, 1, "buf.c");
}

TEST(invariant, "a buffer queue whose count disagrees with its list stops it")
{
    expect_stop("bufq_count_wrong", bufq_count_wrong, 1, "buf.c");
}

/* ---- the scheduler ---------------------------------------------------------
 */

static int ready_twice_main(void *arg)
{
    atoll_fiber *f = atoll_fiber_self();
    core_make_ready(f);
    core_make_ready(f); /* already queued */
    return 0;
}

static void ready_twice(void)
{
    if (atoll_test_run(4u << 20, ready_twice_main, NULL) < 0)
        exit(3);
}

TEST(invariant, "a fiber put in the ready queue twice stops it")
{
    expect_stop("ready_twice", ready_twice, 1, "sched.c");
}

/* ---- the store -------------------------------------------------------------
 */

static void tree_duplicate(void)
{
    runtime();
    struct store_tree_entry e[2] = {{"same", false, {{1}}},
                                    {"same", false, {{2}}}};
    struct store_tree t = {e, 2, 2};
    uint8_t *p;
    size_t len;
    store_tree_encode(&t, &p, &len);
}

TEST(invariant, "a tree with two entries of one name is never encoded "
                "(level 2)")
{
    expect_stop("tree_duplicate", tree_duplicate, 2, "object.c");
}
