/*
 * tests/sim/tcp_states.c - TCP segment by segment, grouped by connection
 * state (RFC 9293 3.3.2): a scripted peer (tests/sim/tcp_peer.h) brings a
 * connection to a state, sends one exact segment and checks the exact
 * answer - flags, sequence and acknowledgment numbers, payload length -
 * that nothing else was sent, and the state afterwards.
 *
 * Each row of the tables below is one test (harness_register_case), run
 * in its own process with a fresh stack.  Numbers are relative to the
 * connection just before the segment:
 *     RCV  RCV.NXT              RWE  RCV.NXT + RCV.WND (the right edge)
 *     SND  SND.MAX              UNA  SND.UNA
 *     SLO  SND.UNA - max(MAX.SND.WND, 65535), the oldest acceptable ACK
 *          (RFC 5961 5.2)
 *     ISS  our initial sequence number, PISS the peer's (0xfffffff0, so
 *          every connection's numbers wrap past 2^32)
 *
 * The synchronized states share one table (the acceptability test of
 * RFC 9293 3.10.7.4 for empty and non-empty segments at and around the
 * window's edges; RST and SYN handling with RFC 5961's challenge ACK;
 * ACKs outside the acceptable range; a segment without ACK), applied to
 * each of ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSING, TIME-WAIT,
 * CLOSE-WAIT and LAST-ACK; each state then has rows of its own (data,
 * FIN with and without data, the ACK of our FIN, timers), as do LISTEN
 * (and a closed port), SYN-SENT and SYN-RECEIVED.
 */
#include "net_util.h"
#include "tcp_peer.h"

enum base { B_ZERO, RCV, RWE, SND, UNA, SLO, ISS, PISS };

struct num {
    enum base b;
    int32_t off;
};

struct ans {
    uint8_t flags; /* 0: none */
    struct num seq, ack;
    uint32_t len;
};

/* The connection just before the segment. */
struct snap {
    uint32_t rcv, rwe, snd, una, slo, iss;
    enum tcp_state st;
    bool have; /* there was a connection */
};

#define AFTER_SAME (-1) /* the state the row started in */
#define AFTER_GONE (-2) /* no connection left (none made, or freed) */

struct row {
    const char *name;
    enum peer_state st;
    bool no_seg; /* no segment: `more` does it all */
    uint8_t flags;
    struct num seq, ack;
    uint32_t len;
    struct ans out[2];
    int after; /* enum tcp_state, AFTER_SAME or AFTER_GONE */
    void (*more)(struct tcp_peer *p, const struct snap *b);
    uint16_t port;               /* 0: the connection's port; else this one */
    const struct tcp_opts *opts; /* options of the segment */
};

static uint32_t resolve(const struct num *n, const struct snap *b,
                        struct tcp_peer *p)
{
    uint32_t base = 0;
    switch (n->b) {
    case B_ZERO:
        base = 0;
        break;
    case RCV:
        base = b->rcv;
        break;
    case RWE:
        base = b->rwe;
        break;
    case SND:
        base = b->snd;
        break;
    case UNA:
        base = b->una;
        break;
    case SLO:
        base = b->slo;
        break;
    case ISS:
        /* A passive open's ISS is known only once the SYN made the
         * connection. */
        base = b->have ? b->iss : (peer_conn(p) ? peer_conn(p)->iss : 0);
        break;
    case PISS:
        base = PEER_ISS;
        break;
    }
    return base + (uint32_t)n->off;
}

static void take_snap(struct tcp_peer *p, struct snap *b)
{
    struct atoll_tcp_conn *c = p->c;
    memset(b, 0, sizeof *b);
    if (!c)
        return;
    b->have = true;
    b->rcv = c->rcv_nxt;
    b->rwe = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv : c->rcv_nxt;
    b->snd = c->snd_max;
    b->una = c->snd_una;
    b->slo = c->snd_una - (c->max_snd_wnd > 65535 ? c->max_snd_wnd : 65535);
    b->iss = c->iss;
    b->st = c->state;
}

static const enum tcp_state state_of[] = {
    [PEER_LISTEN] = TCP_LISTEN,         [PEER_SYN_SENT] = TCP_SYN_SENT,
    [PEER_SYN_RECEIVED] = TCP_SYN_RCVD, [PEER_ESTABLISHED] = TCP_ESTABLISHED,
    [PEER_FIN_WAIT_1] = TCP_FIN_WAIT_1, [PEER_FIN_WAIT_2] = TCP_FIN_WAIT_2,
    [PEER_CLOSING] = TCP_CLOSING,       [PEER_TIME_WAIT] = TCP_TIME_WAIT,
    [PEER_CLOSE_WAIT] = TCP_CLOSE_WAIT, [PEER_LAST_ACK] = TCP_LAST_ACK,
};

static int row_main(void *arg)
{
    const struct row *r = arg;
    struct tcp_peer *p = peer_new();
    peer_reach(p, r->st);
    struct snap b;
    take_snap(p, &b);
    if (!r->no_seg) {
        uint16_t port = p->us_port;
        if (r->port)
            p->us_port = r->port;
        peer_send_full(p, r->flags, resolve(&r->seq, &b, p),
                       resolve(&r->ack, &b, p), NULL, r->len, r->opts);
        p->us_port = port;
        for (int i = 0; i < 2 && r->out[i].flags; i++)
            PEER_EXPECT(p, r->out[i].flags, resolve(&r->out[i].seq, &b, p),
                        resolve(&r->out[i].ack, &b, p), r->out[i].len);
        PEER_EXPECT_NONE(p);
    }
    if (!p->c)
        p->c = peer_conn(p);
    if (r->after == AFTER_GONE) {
        if (peer_conn(p))
            harness_fail(__FILE__, __LINE__, "a connection is left, in %s",
                         tcp_state_name(peer_conn(p)->state));
    } else {
        enum tcp_state want =
            r->after == AFTER_SAME ? state_of[r->st] : (enum tcp_state)r->after;
        if (r->st != PEER_LISTEN || r->after != AFTER_SAME) {
            if (!p->c)
                harness_fail(__FILE__, __LINE__, "no connection, want %s",
                             tcp_state_name(want));
            if (p->c->state != want)
                harness_fail(__FILE__, __LINE__, "state %s, want %s",
                             tcp_state_name(p->c->state), tcp_state_name(want));
        }
    }
    if (r->more)
        r->more(p, &b);
    return 0;
}

static void run_row(const void *arg)
{
    int rc = atoll_test_run(16u << 20, row_main, (void *)arg);
    if (rc != 0)
        harness_fail(__FILE__, __LINE__, "run ended with %d", rc);
}

/* ---- helpers for the rows' own checks ------------------------------------ */

#define PX(p, fl, seq, ack, len) PEER_EXPECT((p), (fl), (seq), (ack), (len))

/* Read exactly n bytes of the peer's pattern ('a' + i % 26 from `from`). */
static void read_pattern(struct tcp_peer *p, uint32_t n, uint32_t from)
{
    uint8_t buf[4096];
    int got = atoll_tcp_read(p->c, buf, sizeof buf, atoll_after(ATOLL_MS(1)));
    if (got != (int)n)
        harness_fail(__FILE__, __LINE__, "read %d bytes, want %u", got, n);
    for (uint32_t i = 0; i < n; i++)
        if (buf[i] != (uint8_t)('a' + (from + i) % 26))
            harness_fail(__FILE__, __LINE__, "byte %u differs", i);
}

static void read_eof(struct tcp_peer *p)
{
    uint8_t buf[16];
    int got = atoll_tcp_read(p->c, buf, sizeof buf, atoll_after(ATOLL_MS(1)));
    if (got != 0)
        harness_fail(__FILE__, __LINE__, "read %d, want end of stream", got);
}

/* Sleep until just before, then just after, deadline `t`. */
static void across(struct tcp_peer *p, atoll_time_t t)
{
    if (t <= atoll_now())
        harness_fail(__FILE__, __LINE__, "no timer armed");
    atoll_sleep(t - atoll_now() - ATOLL_US(100));
    PEER_EXPECT_NONE(p);
    atoll_sleep(ATOLL_US(200));
}

static void check_error(struct tcp_peer *p, int err)
{
    if (p->c->error != err)
        harness_fail(__FILE__, __LINE__, "error %d, want %d", p->c->error, err);
}

/* ---- the synchronized states' common table --------------------------------
 */

/* After a RST at RCV.NXT: a reset where the application could still
 * lose data, an orderly end where both sides had already sent FIN. */
static void reset_error(struct tcp_peer *p, const struct snap *b)
{
    bool both_closed =
        b->st == TCP_CLOSING || b->st == TCP_LAST_ACK || b->st == TCP_TIME_WAIT;
    check_error(p, both_closed ? 0 : -ATOLL_ECONNRESET);
}

#define SEG(fl, sb, so, ab, ao, l)                                             \
    .flags = (fl), .seq = {sb, so}, .ack = {ab, ao}, .len = (l)
#define ANS(fl, sb, so, ab, ao, l)                                             \
    {                                                                          \
        (fl), {sb, so}, {ab, ao}, (l)                                          \
    }
#define ACK_NOW ANS(TCP_ACK, SND, 0, RCV, 0, 0)

/* Which synchronized states a common row applies to. */
#define IN_ALL 0x3f8u /* ESTABLISHED .. LAST-ACK */
#define NOT_TW (IN_ALL & ~(1u << PEER_TIME_WAIT))

struct common {
    struct row r;
    unsigned states; /* bit per enum peer_state */
};

static const struct common common_rows[] = {
    {{"empty ACK at RCV.NXT: accepted, nothing sent",
      SEG(TCP_ACK, RCV, 0, UNA, 0, 0), .after = AFTER_SAME},
     IN_ALL},
    {{"empty ACK at RCV.NXT+RCV.WND-1 (last in window): accepted silently",
      SEG(TCP_ACK, RWE, -1, UNA, 0, 0), .after = AFTER_SAME},
     IN_ALL},
    {{"empty ACK below RCV.NXT: unacceptable, ACK",
      SEG(TCP_ACK, RCV, -1, SND, 0, 0), .out = {ACK_NOW}, .after = AFTER_SAME},
     IN_ALL},
    {{"empty ACK at RCV.NXT+RCV.WND: unacceptable, ACK",
      SEG(TCP_ACK, RWE, 0, SND, 0, 0), .out = {ACK_NOW}, .after = AFTER_SAME},
     IN_ALL},
    {{"data wholly below RCV.NXT (old duplicate): ACK, dropped",
      SEG(TCP_ACK, RCV, -100, SND, 0, 50), .out = {ACK_NOW},
      .after = AFTER_SAME},
     IN_ALL},
    {{"data starting at RCV.NXT+RCV.WND: unacceptable, ACK",
      SEG(TCP_ACK, RWE, 0, SND, 0, 10), .out = {ACK_NOW}, .after = AFTER_SAME},
     IN_ALL},
    {{"RST at RCV.NXT: the connection ends", SEG(TCP_RST, RCV, 0, B_ZERO, 0, 0),
      .after = TCP_CLOSED, .more = reset_error},
     IN_ALL},
    {{"RST+ACK at RCV.NXT: the connection ends",
      SEG(TCP_RST | TCP_ACK, RCV, 0, SND, 0, 0), .after = TCP_CLOSED,
      .more = reset_error},
     IN_ALL},
    {{"RST inside the window, not at RCV.NXT: challenge ACK (RFC 5961 3.2)",
      SEG(TCP_RST, RCV, 1, B_ZERO, 0, 0), .out = {ACK_NOW},
      .after = AFTER_SAME},
     IN_ALL},
    {{"RST at the window's last sequence number: challenge ACK",
      SEG(TCP_RST | TCP_ACK, RWE, -1, SND, 0, 0), .out = {ACK_NOW},
      .after = AFTER_SAME},
     IN_ALL},
    {{"RST below RCV.NXT: ignored, nothing sent",
      SEG(TCP_RST, RCV, -1, B_ZERO, 0, 0), .after = AFTER_SAME},
     IN_ALL},
    {{"RST at RCV.NXT+RCV.WND: ignored, nothing sent",
      SEG(TCP_RST, RWE, 0, B_ZERO, 0, 0), .after = AFTER_SAME},
     IN_ALL},
    {{"SYN at RCV.NXT: challenge ACK (RFC 5961 4.2), state kept",
      SEG(TCP_SYN, RCV, 0, B_ZERO, 0, 0), .out = {ACK_NOW},
      .after = AFTER_SAME},
     IN_ALL},
    {{"SYN+ACK inside the window: challenge ACK",
      SEG(TCP_SYN | TCP_ACK, RCV, 5, SND, 0, 0), .out = {ACK_NOW},
      .after = AFTER_SAME},
     IN_ALL},
    {{"SYN below the window: unacceptable, ACK",
      SEG(TCP_SYN, RCV, -5, B_ZERO, 0, 0), .out = {ACK_NOW},
      .after = AFTER_SAME},
     IN_ALL},
    {{"ACK of data never sent (SND.MAX+1): challenge ACK (RFC 5961 5.2)",
      SEG(TCP_ACK, RCV, 0, SND, 1, 0), .out = {ACK_NOW}, .after = AFTER_SAME},
     NOT_TW},
    {{"ACK older than SND.UNA-MAX.SND.WND: challenge ACK",
      SEG(TCP_ACK, RCV, 0, SLO, -1, 0), .out = {ACK_NOW}, .after = AFTER_SAME},
     NOT_TW},
    {{"ACK at the oldest acceptable value: accepted silently",
      SEG(TCP_ACK, RCV, 0, SLO, 0, 0), .after = AFTER_SAME},
     NOT_TW},
    {{"data without the ACK bit: dropped, nothing sent",
      SEG(TCP_PSH, RCV, 0, B_ZERO, 0, 10), .after = AFTER_SAME},
     IN_ALL},
};

/* ---- LISTEN, and a port nobody listens on ---------------------------------
 */

static void synack_options(struct tcp_peer *p, const struct snap *b)
{
    /* Only MSS was offered, so only MSS comes back (RFC 7323 2.2,
     * RFC 2018 2). */
    if (p->c->ws_ok || p->c->sack_ok || p->c->ts_ok || p->c->mss != 1460)
        harness_fail(__FILE__, __LINE__, "options negotiated wrongly");
}

static const struct tcp_opts all_opts = {
    .present = TCP_HAS_MSS | TCP_HAS_WSCALE | TCP_HAS_SACK_OK | TCP_HAS_TS,
    .mss = 1400,
    .wscale = 7,
    .tsval = 5000,
};

static void synack_all_options(struct tcp_peer *p, const struct snap *b)
{
    /* The SYN-ACK was checked for flags and numbers; now its options. */
    struct atoll_tcp_conn *c = p->c;
    if (!c->ws_ok || c->snd_ws != 7 || !c->sack_ok || !c->ts_ok ||
        c->ts_recent != 5000 || c->mss != 1400 - 12)
        harness_fail(__FILE__, __LINE__, "options not adopted");
}

/* A segment from the peer's ISS, and what must come back.  The optional
 * last arguments are designated initializers (.port, .opts). */
#define LISTEN_ROW(name_, fl, so, ao, l, o0, after_, more_, ...)               \
    {                                                                          \
        .name = (name_), .st = PEER_LISTEN, SEG(fl, PISS, so, B_ZERO, ao, l),  \
        .out = {o0}, .after = (after_), .more = (more_), __VA_ARGS__           \
    }
#define NOTHING                                                                \
    {                                                                          \
        0                                                                      \
    }

static const struct row listen_rows[] = {
    LISTEN_ROW("SYN: SYN-ACK from our ISS acking the SYN, SYN-RECEIVED",
               TCP_SYN, 0, 0, 0, ANS(TCP_SYN | TCP_ACK, ISS, 0, PISS, 1, 0),
               TCP_SYN_RCVD, synack_options),
    LISTEN_ROW("SYN offering window scale, SACK and timestamps: all adopted",
               TCP_SYN, 0, 0, 0, ANS(TCP_SYN | TCP_ACK, ISS, 0, PISS, 1, 0),
               TCP_SYN_RCVD, synack_all_options, .opts = &all_opts),
    LISTEN_ROW("SYN with data: the SYN-ACK acknowledges only the SYN", TCP_SYN,
               0, 0, 20, ANS(TCP_SYN | TCP_ACK, ISS, 0, PISS, 1, 0),
               TCP_SYN_RCVD, NULL),
    LISTEN_ROW("RST: ignored", TCP_RST, 0, 0, 0, NOTHING, AFTER_GONE, NULL),
    LISTEN_ROW("ACK: RST with SEQ = SEG.ACK (RFC 9293 3.10.7.2)", TCP_ACK, 0,
               12345, 0, ANS(TCP_RST, B_ZERO, 12345, B_ZERO, 0, 0), AFTER_GONE,
               NULL),
    LISTEN_ROW("SYN+ACK: RST with SEQ = SEG.ACK", TCP_SYN | TCP_ACK, 0, 777, 0,
               ANS(TCP_RST, B_ZERO, 777, B_ZERO, 0, 0), AFTER_GONE, NULL),
    LISTEN_ROW("data without SYN or ACK: dropped", TCP_PSH, 0, 0, 10, NOTHING,
               AFTER_GONE, NULL),
    LISTEN_ROW("SYN+FIN: dropped", TCP_SYN | TCP_FIN, 0, 0, 0, NOTHING,
               AFTER_GONE, NULL),
    LISTEN_ROW("SYN+RST: dropped", TCP_SYN | TCP_RST, 0, 0, 0, NOTHING,
               AFTER_GONE, NULL),
    LISTEN_ROW("SYN to a port nobody listens on: RST+ACK acking the SYN",
               TCP_SYN, 0, 0, 0, ANS(TCP_RST | TCP_ACK, B_ZERO, 0, PISS, 1, 0),
               AFTER_GONE, NULL, .port = 81),
    LISTEN_ROW("ACK to a port nobody listens on: RST with SEQ = SEG.ACK",
               TCP_ACK, 0, 4242, 0, ANS(TCP_RST, B_ZERO, 4242, B_ZERO, 0, 0),
               AFTER_GONE, NULL, .port = 81),
    LISTEN_ROW("data and FIN to a port nobody listens on: RST+ACK past both",
               TCP_FIN | TCP_PSH, 0, 0, 10,
               ANS(TCP_RST | TCP_ACK, B_ZERO, 0, PISS, 11, 0), AFTER_GONE, NULL,
               .port = 81),
    LISTEN_ROW("RST to a port nobody listens on: nothing", TCP_RST, 0, 0, 0,
               NOTHING, AFTER_GONE, NULL, .port = 81),
};

/* ---- SYN-SENT -------------------------------------------------------------
 */

static void dial_done(struct tcp_peer *p, const struct snap *b)
{
    atoll_fiber_join(p->dialer, atoll_after(ATOLL_MS(1)), NULL);
    if (p->dial_err != 0)
        harness_fail(__FILE__, __LINE__, "connect: %d", p->dial_err);
}

static void dial_refused(struct tcp_peer *p, const struct snap *b)
{
    atoll_fiber_join(p->dialer, atoll_after(ATOLL_MS(1)), NULL);
    if (p->dial_err != -ATOLL_ECONNREFUSED)
        harness_fail(__FILE__, __LINE__, "connect: %d", p->dial_err);
}

static void syn_again(struct tcp_peer *p, const struct snap *b)
{
    /* Nothing before the initial RTO (1 s, RFC 6298 2.1), then the same
     * SYN. */
    atoll_sleep(ATOLL_MS(990));
    PEER_EXPECT_NONE(p);
    atoll_sleep(ATOLL_MS(20));
    PX(p, TCP_SYN, b->iss, 0, 0);
    PEER_EXPECT_NONE(p);
}

static const struct tcp_opts mss536 = {.present = TCP_HAS_MSS, .mss = 536};

static void mss_536(struct tcp_peer *p, const struct snap *b)
{
    dial_done(p, b);
    if (p->c->mss != 536 || p->c->ws_ok || p->c->sack_ok || p->c->ts_ok)
        harness_fail(__FILE__, __LINE__, "mss %u", p->c->mss);
    /* 600 bytes go as 536 + 64. */
    static uint8_t data[600];
    atoll_tcp_set_nodelay(p->c, true);
    atoll_tcp_write(p->c, data, sizeof data, ATOLL_NEVER);
    peer_settle();
    PX(p, TCP_ACK, b->iss + 1, PEER_ISS + 1, 536);
    PX(p, TCP_ACK | TCP_PSH, b->iss + 537, PEER_ISS + 1, 64);
}

static const struct row syn_sent_rows[] = {
    {"SYN+ACK acking our SYN: ACK, ESTABLISHED, connect returns", PEER_SYN_SENT,
     false, SEG(TCP_SYN | TCP_ACK, PISS, 0, ISS, 1, 0),
     .out = {ANS(TCP_ACK, ISS, 1, PISS, 1, 0)}, .after = TCP_ESTABLISHED,
     .more = dial_done},
    {"SYN+ACK acking only ISS: RST with SEQ = SEG.ACK", PEER_SYN_SENT, false,
     SEG(TCP_SYN | TCP_ACK, PISS, 0, ISS, 0, 0),
     .out = {ANS(TCP_RST, ISS, 0, B_ZERO, 0, 0)}, .after = AFTER_SAME},
    {"SYN+ACK acking beyond our SYN: RST with SEQ = SEG.ACK", PEER_SYN_SENT,
     false, SEG(TCP_SYN | TCP_ACK, PISS, 0, ISS, 2, 0),
     .out = {ANS(TCP_RST, ISS, 2, B_ZERO, 0, 0)}, .after = AFTER_SAME},
    {"RST+ACK acking our SYN: refused, CLOSED", PEER_SYN_SENT, false,
     SEG(TCP_RST | TCP_ACK, B_ZERO, 0, ISS, 1, 0), .after = TCP_CLOSED,
     .more = dial_refused},
    {"RST without ACK: ignored", PEER_SYN_SENT, false,
     SEG(TCP_RST, PISS, 0, B_ZERO, 0, 0), .after = AFTER_SAME},
    {"RST+ACK with a wrong ACK: ignored, no RST for a RST", PEER_SYN_SENT,
     false, SEG(TCP_RST | TCP_ACK, PISS, 0, ISS, 5, 0), .after = AFTER_SAME},
    {"SYN alone: simultaneous open, SYN+ACK, SYN-RECEIVED", PEER_SYN_SENT,
     false, SEG(TCP_SYN, PISS, 0, B_ZERO, 0, 0),
     .out = {ANS(TCP_SYN | TCP_ACK, ISS, 0, PISS, 1, 0)},
     .after = TCP_SYN_RCVD},
    {"ACK of our SYN without SYN: dropped", PEER_SYN_SENT, false,
     SEG(TCP_ACK, PISS, 0, ISS, 1, 0), .after = AFTER_SAME},
    {"a segment with no flags: dropped", PEER_SYN_SENT, false,
     SEG(0, PISS, 0, B_ZERO, 0, 5), .after = AFTER_SAME},
    {"SYN+ACK carrying data: ESTABLISHED, the data left for a resend",
     PEER_SYN_SENT, false, SEG(TCP_SYN | TCP_ACK, PISS, 0, ISS, 1, 30),
     .out = {ANS(TCP_ACK, ISS, 1, PISS, 1, 0)}, .after = TCP_ESTABLISHED,
     .more = dial_done},
    {"SYN+ACK with MSS 536 and no other option: 536-byte segments",
     PEER_SYN_SENT, false, SEG(TCP_SYN | TCP_ACK, PISS, 0, ISS, 1, 0),
     .out = {ANS(TCP_ACK, ISS, 1, PISS, 1, 0)}, .after = TCP_ESTABLISHED,
     .more = mss_536, .opts = &mss536},
    {"no answer: the same SYN again after the initial RTO", PEER_SYN_SENT, true,
     .after = AFTER_SAME, .more = syn_again},
};

/* ---- SYN-RECEIVED (a passive open) ------------------------------------------
 */

static void accepted(struct tcp_peer *p, const struct snap *b)
{
    struct atoll_tcp_conn *c;
    if (atoll_tcp_accept(p->l, atoll_after(ATOLL_MS(1)), &c) != 0 || c != p->c)
        harness_fail(__FILE__, __LINE__, "accept did not return it");
}

static void accepted_with_data(struct tcp_peer *p, const struct snap *b)
{
    accepted(p, b);
    read_pattern(p, 20, 0);
}

static void accepted_eof(struct tcp_peer *p, const struct snap *b)
{
    accepted(p, b);
    read_eof(p);
}

static void half_open_gone(struct tcp_peer *p, const struct snap *b)
{
    if (p->l->syn_n != 0 || p->l->acc_n != 0)
        harness_fail(__FILE__, __LINE__, "still queued");
}

static void synack_again(struct tcp_peer *p, const struct snap *b)
{
    atoll_sleep(ATOLL_MS(990));
    PEER_EXPECT_NONE(p);
    atoll_sleep(ATOLL_MS(20));
    PX(p, TCP_SYN | TCP_ACK, b->iss, PEER_ISS + 1, 0);
}

static const struct row syn_rcvd_rows[] = {
    {"ACK of our SYN: ESTABLISHED, accept returns it", PEER_SYN_RECEIVED, false,
     SEG(TCP_ACK, RCV, 0, ISS, 1, 0), .after = TCP_ESTABLISHED,
     .more = accepted},
    {"ACK beyond our SYN: RST with SEQ = SEG.ACK", PEER_SYN_RECEIVED, false,
     SEG(TCP_ACK, RCV, 0, ISS, 2, 0),
     .out = {ANS(TCP_RST, ISS, 2, B_ZERO, 0, 0)}, .after = AFTER_SAME},
    {"ACK of ISS only (before our SYN): RST", PEER_SYN_RECEIVED, false,
     SEG(TCP_ACK, RCV, 0, ISS, 0, 0),
     .out = {ANS(TCP_RST, ISS, 0, B_ZERO, 0, 0)}, .after = AFTER_SAME},
    {"RST at RCV.NXT: the half-open connection is dropped", PEER_SYN_RECEIVED,
     false, SEG(TCP_RST, RCV, 0, B_ZERO, 0, 0), .after = AFTER_GONE,
     .more = half_open_gone},
    {"RST inside the window: challenge ACK", PEER_SYN_RECEIVED, false,
     SEG(TCP_RST, RCV, 3, B_ZERO, 0, 0),
     .out = {ANS(TCP_ACK, ISS, 1, RCV, 0, 0)}, .after = AFTER_SAME},
    {"the peer's SYN again (our SYN-ACK lost): SYN-ACK again",
     PEER_SYN_RECEIVED, false, SEG(TCP_SYN, PISS, 0, B_ZERO, 0, 0),
     .out = {ANS(TCP_SYN | TCP_ACK, ISS, 0, PISS, 1, 0)}, .after = AFTER_SAME},
    {"data with the ACK: ESTABLISHED, the data readable once accepted",
     PEER_SYN_RECEIVED, false, SEG(TCP_ACK | TCP_PSH, RCV, 0, ISS, 1, 20),
     .after = TCP_ESTABLISHED, .more = accepted_with_data},
    {"data without the ACK bit: dropped", PEER_SYN_RECEIVED, false,
     SEG(TCP_PSH, RCV, 0, B_ZERO, 0, 20), .after = AFTER_SAME},
    {"FIN with the ACK: ESTABLISHED then CLOSE-WAIT, ACK of the FIN",
     PEER_SYN_RECEIVED, false, SEG(TCP_FIN | TCP_ACK, RCV, 0, ISS, 1, 0),
     .out = {ANS(TCP_ACK, ISS, 1, RCV, 1, 0)}, .after = TCP_CLOSE_WAIT,
     .more = accepted_eof},
    {"an old segment below RCV.NXT: ACK", PEER_SYN_RECEIVED, false,
     SEG(TCP_ACK, RCV, -1, ISS, 1, 0), .out = {ANS(TCP_ACK, ISS, 1, RCV, 0, 0)},
     .after = AFTER_SAME},
    {"no answer: the SYN-ACK again after the initial RTO", PEER_SYN_RECEIVED,
     true, .after = AFTER_SAME, .more = synack_again},
};

/* ---- ESTABLISHED -----------------------------------------------------------
 */

static void delayed_ack_100(struct tcp_peer *p, const struct snap *b)
{
    /* RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3: at most TCP_DELACK_NS later. */
    atoll_sleep(TCP_DELACK_NS - ATOLL_MS(1));
    PEER_EXPECT_NONE(p);
    atoll_sleep(ATOLL_MS(2));
    PX(p, TCP_ACK, b->snd, b->rcv + 100, 0);
    read_pattern(p, 100, 0);
}

static void second_segment_acked(struct tcp_peer *p, const struct snap *b)
{
    peer_send(p, TCP_ACK, b->rcv + 100, b->snd, 100);
    PX(p, TCP_ACK, b->snd, b->rcv + 200, 0); /* every second segment */
    PEER_EXPECT_NONE(p);
}

static void burst_one_ack(struct tcp_peer *p, const struct snap *b)
{
    /* Eight segments in one receive batch: the ACKs for every second one
     * would all leave at the batch's end, so one, for all of it, does
     * (tcp_in.c ack_second_segment). */
    p->burst = true;
    for (uint32_t i = 0; i < 8; i++)
        peer_send(p, TCP_ACK, b->rcv + i * 100, b->snd, 100);
    peer_burst_end(p);
    PX(p, TCP_ACK, b->snd, b->rcv + 800, 0);
    PEER_EXPECT_NONE(p);
    uint8_t buf[1024];
    if (atoll_tcp_read(p->c, buf, sizeof buf, atoll_after(ATOLL_MS(1))) != 800)
        harness_fail(__FILE__, __LINE__, "the burst's 800 bytes not readable");
    for (uint32_t i = 0; i < 800; i++)
        if (buf[i] != (uint8_t)('a' + i % 100 % 26))
            harness_fail(__FILE__, __LINE__, "byte %u differs", i);
}

static void burst_dup_acks(struct tcp_peer *p, const struct snap *b)
{
    /* In one batch: two segments in order, then three beyond a hole.
     * Each out-of-order segment still gets its own duplicate ACK (the
     * sender counts them, RFC 5681 3.2); the in-order ACK rides the
     * first of them. */
    p->burst = true;
    peer_send(p, TCP_ACK, b->rcv, b->snd, 100);
    peer_send(p, TCP_ACK, b->rcv + 100, b->snd, 100);
    for (uint32_t i = 0; i < 3; i++)
        peer_send(p, TCP_ACK, b->rcv + 300 + i * 100, b->snd, 100);
    peer_burst_end(p);
    for (int i = 0; i < 3; i++)
        PX(p, TCP_ACK, b->snd, b->rcv + 200, 0);
    PEER_EXPECT_NONE(p);
}

static void hole_filled(struct tcp_peer *p, const struct snap *b)
{
    /* [RCV+100, RCV+200) is held; the hole comes: everything ACKed. */
    peer_send(p, TCP_ACK, b->rcv, b->snd, 100);
    PX(p, TCP_ACK, b->snd, b->rcv + 200, 0);
    PEER_EXPECT_NONE(p);
    uint8_t buf[300];
    if (atoll_tcp_read(p->c, buf, sizeof buf, atoll_after(ATOLL_MS(1))) != 200)
        harness_fail(__FILE__, __LINE__, "reassembled data not readable");
}

static void overlap_kept(struct tcp_peer *p, const struct snap *b)
{
    read_pattern(p, 20, 10); /* bytes 10..29 of the segment */
}

static void edge_kept(struct tcp_peer *p, const struct snap *b)
{
    const struct tcp_ooo *q = p->c->ooo;
    if (tcp_ooo_n(p->c) != 1 || q->r[0].left != b->rwe - 10 ||
        q->r[0].right != b->rwe)
        harness_fail(__FILE__, __LINE__, "kept %d ranges", tcp_ooo_n(p->c));
}

static void eof_now(struct tcp_peer *p, const struct snap *b)
{
    read_eof(p);
}

static void data_then_eof(struct tcp_peer *p, const struct snap *b)
{
    read_pattern(p, 50, 0);
    read_eof(p);
}

static void fin_after_hole(struct tcp_peer *p, const struct snap *b)
{
    /* 10 bytes and FIN beyond a 10-byte hole are held; the hole fills:
     * ACK of both, CLOSE-WAIT. */
    peer_send(p, TCP_ACK, b->rcv, b->snd, 10);
    PX(p, TCP_ACK, b->snd, b->rcv + 21, 0);
    PEER_EXPECT_NONE(p);
    if (p->c->state != TCP_CLOSE_WAIT)
        harness_fail(__FILE__, __LINE__, "state %s",
                     tcp_state_name(p->c->state));
}

static void fin_alone_after_hole(struct tcp_peer *p, const struct snap *b)
{
    peer_send(p, TCP_ACK, b->rcv, b->snd, 10);
    PX(p, TCP_ACK, b->snd, b->rcv + 11, 0);
    PEER_EXPECT_NONE(p);
    if (p->c->state != TCP_CLOSE_WAIT)
        harness_fail(__FILE__, __LINE__, "state %s",
                     tcp_state_name(p->c->state));
}

/* Write `n` bytes with Nagle off and see them go as one segment. */
static uint32_t send_data(struct tcp_peer *p, uint32_t n)
{
    static uint8_t data[8192];
    uint32_t seq = p->c->snd_max;
    atoll_tcp_set_nodelay(p->c, true);
    if (atoll_tcp_write(p->c, data, n, ATOLL_NEVER) != (int)n)
        harness_fail(__FILE__, __LINE__, "write");
    peer_settle();
    return seq;
}

static void acked_data(struct tcp_peer *p, const struct snap *b)
{
    uint32_t seq = send_data(p, 100);
    PX(p, TCP_ACK | TCP_PSH, seq, b->rcv, 100);
    if (!p->c->t_rexmit)
        harness_fail(__FILE__, __LINE__, "no retransmission timer");
    peer_send(p, TCP_ACK, b->rcv, seq + 100, 0);
    PEER_EXPECT_NONE(p);
    if (p->c->snd_una != seq + 100 || p->c->t_rexmit)
        harness_fail(__FILE__, __LINE__, "not acknowledged");
}

static void fast_retransmit(struct tcp_peer *p, const struct snap *b)
{
    /* Five segments out; the first is lost: three duplicate ACKs
     * retransmit it at once (RFC 5681 3.2), the first two each let one
     * new segment out first (Limited Transmit, RFC 3042). */
    uint32_t seq = send_data(p, 5 * 1460);
    for (int i = 0; i < 5; i++)
        PX(p, i == 4 ? TCP_ACK | TCP_PSH : TCP_ACK, seq + 1460u * (uint32_t)i,
           b->rcv, 1460);
    for (int d = 0; d < 3; d++)
        peer_send(p, TCP_ACK, b->rcv, seq, 0);
    PX(p, TCP_ACK, seq, b->rcv, 1460);
    PEER_EXPECT_NONE(p);
    if (!p->c->in_recovery)
        harness_fail(__FILE__, __LINE__, "not in recovery");
}

static void window_opens(struct tcp_peer *p, const struct snap *b)
{
    /* The peer's window is 0: nothing goes, a probe after the RTO; a
     * window update lets the data out. */
    uint32_t seq = send_data(p, 100);
    PEER_EXPECT_NONE(p);
    if (!p->c->persist)
        harness_fail(__FILE__, __LINE__, "no persist timer");
    across(p, p->c->t_rexmit);
    PX(p, TCP_ACK, seq - 1, b->rcv, 0); /* zero-window probe */
    p->wnd = 1000;
    peer_send(p, TCP_ACK, b->rcv, seq, 0);
    PX(p, TCP_ACK | TCP_PSH, seq, b->rcv, 100);
}

static void zero_window_peer(struct tcp_peer *p, const struct snap *b);

static const struct tcp_opts ts_opts = {
    .present = TCP_HAS_MSS | TCP_HAS_TS, .mss = 1460, .tsval = 100000};

static void paws(struct tcp_peer *p, const struct snap *b)
{
    /* Timestamps in use: a segment whose TSval is older than the last
     * one is an old duplicate (RFC 7323 5): ACK, data dropped. */
    struct atoll_tcp_conn *c = p->c;
    if (!c->ts_ok || c->ts_recent != 100000)
        harness_fail(__FILE__, __LINE__, "timestamps not in use");
    struct tcp_opts o = {.present = TCP_HAS_TS, .tsval = 99999};
    peer_send_full(p, TCP_ACK, c->rcv_nxt, c->snd_max, NULL, 10, &o);
    struct peer_seg *g = PX(p, TCP_ACK, c->snd_max, c->rcv_nxt, 0);
    if (!(g->o.present & TCP_HAS_TS) || g->o.tsecr != 100000)
        harness_fail(__FILE__, __LINE__, "ACK without TSecr 100000");
    if (c->rcvbuf.len != 0)
        harness_fail(__FILE__, __LINE__, "old data taken");
    o.tsval = 100001; /* a newer one is taken */
    peer_send_full(p, TCP_ACK, c->rcv_nxt, c->snd_max, NULL, 10, &o);
    if (c->rcvbuf.len != 10 || c->ts_recent != 100001)
        harness_fail(__FILE__, __LINE__, "new data not taken");
}

static const struct row est_rows[] = {
    {"data at RCV.NXT: no ACK at once, one after the delayed-ACK time",
     PEER_ESTABLISHED, false, SEG(TCP_ACK | TCP_PSH, RCV, 0, SND, 0, 100),
     .after = AFTER_SAME, .more = delayed_ack_100},
    {"two segments in order: ACK at once after the second (RFC 1122)",
     PEER_ESTABLISHED, false, SEG(TCP_ACK, RCV, 0, SND, 0, 100),
     .after = AFTER_SAME, .more = second_segment_acked},
    {"eight segments in one receive batch: one ACK, for all of them",
     PEER_ESTABLISHED, true, .after = AFTER_SAME, .more = burst_one_ack},
    {"in one batch, in order then beyond a hole: a duplicate ACK each",
     PEER_ESTABLISHED, true, .after = AFTER_SAME, .more = burst_dup_acks},
    {"data beyond a hole: duplicate ACK at once, the data held",
     PEER_ESTABLISHED, false, SEG(TCP_ACK, RCV, 100, SND, 0, 100),
     .out = {ACK_NOW}, .after = AFTER_SAME, .more = hole_filled},
    {"data overlapping RCV.NXT: the new part kept, ACK at once",
     PEER_ESTABLISHED, false, SEG(TCP_ACK, RCV, -10, SND, 0, 30),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 20, 0)}, .after = AFTER_SAME,
     .more = overlap_kept},
    {"data straddling the right window edge: kept up to it, ACK at once",
     PEER_ESTABLISHED, false, SEG(TCP_ACK, RWE, -10, SND, 0, 20),
     .out = {ACK_NOW}, .after = AFTER_SAME, .more = edge_kept},
    {"FIN at RCV.NXT: ACK at once, CLOSE-WAIT, end of stream", PEER_ESTABLISHED,
     false, SEG(TCP_FIN | TCP_ACK, RCV, 0, SND, 0, 0),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 1, 0)}, .after = TCP_CLOSE_WAIT,
     .more = eof_now},
    {"FIN with data: one ACK past both, CLOSE-WAIT, data then end",
     PEER_ESTABLISHED, false,
     SEG(TCP_FIN | TCP_ACK | TCP_PSH, RCV, 0, SND, 0, 50),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 51, 0)}, .after = TCP_CLOSE_WAIT,
     .more = data_then_eof},
    {"FIN with data beyond a hole: held, taken when the hole fills",
     PEER_ESTABLISHED, false, SEG(TCP_FIN | TCP_ACK, RCV, 10, SND, 0, 10),
     .out = {ACK_NOW}, .after = AFTER_SAME, .more = fin_after_hole},
    {"FIN alone beyond a hole: duplicate ACK, taken when the hole fills",
     PEER_ESTABLISHED, false, SEG(TCP_FIN | TCP_ACK, RCV, 10, SND, 0, 0),
     .out = {ACK_NOW}, .after = AFTER_SAME, .more = fin_alone_after_hole},
    {"our data ACKed: SND.UNA moves, the retransmission timer stops",
     PEER_ESTABLISHED, true, .after = AFTER_SAME, .more = acked_data},
    {"three duplicate ACKs: the lost segment again at once", PEER_ESTABLISHED,
     true, .after = AFTER_SAME, .more = fast_retransmit},
    {"a zero window: a probe after the RTO, data once it opens",
     PEER_ESTABLISHED, true, .after = AFTER_SAME, .more = zero_window_peer},
};

static void zero_window_peer(struct tcp_peer *p, const struct snap *b)
{
    /* Announce the zero window first. */
    p->wnd = 0;
    peer_send(p, TCP_ACK, b->rcv, b->snd, 0);
    PEER_EXPECT_NONE(p);
    window_opens(p, b);
}

/* ESTABLISHED with timestamps (the peer's SYN-ACK offers them). */
static int est_ts_main(void *arg)
{
    (void)arg;
    struct tcp_peer *p = peer_new();
    peer_reach(p, PEER_SYN_SENT);
    struct atoll_tcp_conn *c = p->c;
    peer_send_full(p, TCP_SYN | TCP_ACK, PEER_ISS, c->iss + 1, NULL, 0,
                   &ts_opts);
    PEER_EXPECT(p, TCP_ACK, c->iss + 1, PEER_ISS + 1, 0);
    paws(p, NULL);
    return 0;
}

static void run_est_ts(const void *arg)
{
    if (atoll_test_run(16u << 20, est_ts_main, NULL) != 0)
        harness_fail(__FILE__, __LINE__, "run failed");
}

/* ---- FIN-WAIT-1 (our FIN at SND.MAX-1, not acknowledged) ------------------
 */

static void fin_again(struct tcp_peer *p, const struct snap *b)
{
    /* The retransmission timeout (RFC 6298 5): RTO after the FIN left,
     * with RTO from the handshake's sample (the minimum, 200 ms). */
    if (p->c->t_rexmit > atoll_now() + p->c->rto.rto)
        harness_fail(__FILE__, __LINE__, "timer beyond one RTO");
    across(p, p->c->t_rexmit);
    PX(p, TCP_FIN | TCP_ACK, b->snd - 1, b->rcv, 0);
}

static void read_30(struct tcp_peer *p, const struct snap *b)
{
    read_pattern(p, 30, 0);
}

static const struct row fw1_rows[] = {
    {"ACK of our FIN: FIN-WAIT-2, nothing sent", PEER_FIN_WAIT_1, false,
     SEG(TCP_ACK, RCV, 0, SND, 0, 0), .after = TCP_FIN_WAIT_2},
    {"ACK short of our FIN: stays", PEER_FIN_WAIT_1, false,
     SEG(TCP_ACK, RCV, 0, SND, -1, 0), .after = AFTER_SAME},
    {"FIN not acking ours: ACK, CLOSING (simultaneous close)", PEER_FIN_WAIT_1,
     false, SEG(TCP_FIN | TCP_ACK, RCV, 0, SND, -1, 0),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 1, 0)}, .after = TCP_CLOSING},
    {"FIN acking ours: ACK, TIME-WAIT", PEER_FIN_WAIT_1, false,
     SEG(TCP_FIN | TCP_ACK, RCV, 0, SND, 0, 0),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 1, 0)}, .after = TCP_TIME_WAIT},
    {"data: accepted, readable, the ACK delayed", PEER_FIN_WAIT_1, false,
     SEG(TCP_ACK | TCP_PSH, RCV, 0, SND, -1, 30), .after = AFTER_SAME,
     .more = read_30},
    {"no ACK of our FIN: the FIN again after the RTO", PEER_FIN_WAIT_1, true,
     .after = AFTER_SAME, .more = fin_again},
};

/* ---- FIN-WAIT-2 ------------------------------------------------------------
 */

static void read_20_eof(struct tcp_peer *p, const struct snap *b)
{
    read_pattern(p, 20, 0);
    read_eof(p);
}

static const struct row fw2_rows[] = {
    {"FIN: ACK, TIME-WAIT", PEER_FIN_WAIT_2, false,
     SEG(TCP_FIN | TCP_ACK, RCV, 0, SND, 0, 0),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 1, 0)}, .after = TCP_TIME_WAIT,
     .more = eof_now},
    {"FIN with data: one ACK past both, TIME-WAIT", PEER_FIN_WAIT_2, false,
     SEG(TCP_FIN | TCP_ACK | TCP_PSH, RCV, 0, SND, 0, 20),
     .out = {ANS(TCP_ACK, SND, 0, RCV, 21, 0)}, .after = TCP_TIME_WAIT,
     .more = read_20_eof},
    {"data: accepted, readable", PEER_FIN_WAIT_2, false,
     SEG(TCP_ACK | TCP_PSH, RCV, 0, SND, 0, 30), .after = AFTER_SAME,
     .more = read_30},
};

/* ---- CLOSING ---------------------------------------------------------------
 */

static const struct row closing_rows[] = {
    {"ACK of our FIN: TIME-WAIT", PEER_CLOSING, false,
     SEG(TCP_ACK, RCV, 0, SND, 0, 0), .after = TCP_TIME_WAIT},
    {"ACK short of our FIN: stays", PEER_CLOSING, false,
     SEG(TCP_ACK, RCV, 0, SND, -1, 0), .after = AFTER_SAME},
    {"the peer's FIN again: ACK", PEER_CLOSING, false,
     SEG(TCP_FIN | TCP_ACK, RCV, -1, SND, -1, 0), .out = {ACK_NOW},
     .after = AFTER_SAME},
};

/* ---- TIME-WAIT -------------------------------------------------------------
 */

static void fin_again_in_tw(struct tcp_peer *p, const struct snap *b)
{
    /* 10 s into TIME-WAIT the peer's FIN comes again (our ACK was lost):
     * ACK, and 2 MSL counts from now (RFC 9293 3.10.7.4), so the
     * connection outlives its first deadline. */
    atoll_time_t first = p->c->t_wait;
    atoll_sleep(ATOLL_SEC(10));
    peer_send(p, TCP_FIN | TCP_ACK, b->rcv - 1, b->snd, 0);
    PX(p, TCP_ACK, b->snd, b->rcv, 0);
    PEER_EXPECT_NONE(p);
    if (p->c->t_wait < first + ATOLL_SEC(10) - ATOLL_MS(1))
        harness_fail(__FILE__, __LINE__, "2 MSL not restarted");
    atoll_sleep(first - atoll_now() + ATOLL_SEC(1));
    if (p->c->state != TCP_TIME_WAIT)
        harness_fail(__FILE__, __LINE__, "gone at the first deadline");
}

static void two_msl(struct tcp_peer *p, const struct snap *b)
{
    atoll_sleep(2 * TCP_MSL_NS - ATOLL_MS(10));
    if (p->c->state != TCP_TIME_WAIT)
        harness_fail(__FILE__, __LINE__, "left TIME-WAIT early");
    atoll_sleep(ATOLL_MS(20));
    if (p->c->state != TCP_CLOSED)
        harness_fail(__FILE__, __LINE__, "still %s after 2 MSL",
                     tcp_state_name(p->c->state));
    PEER_EXPECT_NONE(p);
}

static const struct row tw_rows[] = {
    {"the peer's FIN again: ACK", PEER_TIME_WAIT, false,
     SEG(TCP_FIN | TCP_ACK, RCV, -1, SND, 0, 0), .out = {ACK_NOW},
     .after = AFTER_SAME},
    {"the peer's FIN again 10 s later: ACK, 2 MSL starts over", PEER_TIME_WAIT,
     true, .after = AFTER_SAME, .more = fin_again_in_tw},
    {"data at RCV.NXT: ignored, nothing sent", PEER_TIME_WAIT, false,
     SEG(TCP_ACK, RCV, 0, SND, 0, 10), .after = AFTER_SAME},
    {"ACK of data never sent: ignored", PEER_TIME_WAIT, false,
     SEG(TCP_ACK, RCV, 0, SND, 1, 0), .after = AFTER_SAME},
    {"an ACK older than SND.UNA-MAX.SND.WND: ignored", PEER_TIME_WAIT, false,
     SEG(TCP_ACK, RCV, 0, SLO, -1, 0), .after = AFTER_SAME},
    {"2 MSL later: CLOSED", PEER_TIME_WAIT, true, .after = AFTER_SAME,
     .more = two_msl},
};

/* ---- CLOSE-WAIT ------------------------------------------------------------
 */

static void write_then_close(struct tcp_peer *p, const struct snap *b)
{
    uint32_t seq = send_data(p, 40);
    PX(p, TCP_ACK | TCP_PSH, seq, b->rcv, 40);
    atoll_tcp_shutdown(p->c);
    peer_settle();
    PX(p, TCP_FIN | TCP_ACK, seq + 40, b->rcv, 0);
    if (p->c->state != TCP_LAST_ACK)
        harness_fail(__FILE__, __LINE__, "state %s",
                     tcp_state_name(p->c->state));
}

static const struct row cw_rows[] = {
    {"data after the peer's FIN: ignored", PEER_CLOSE_WAIT, false,
     SEG(TCP_ACK, RCV, 0, SND, 0, 10), .after = AFTER_SAME, .more = eof_now},
    {"the peer's FIN again: ACK", PEER_CLOSE_WAIT, false,
     SEG(TCP_FIN | TCP_ACK, RCV, -1, SND, 0, 0), .out = {ACK_NOW},
     .after = AFTER_SAME},
    {"our data and FIN: sent, LAST-ACK", PEER_CLOSE_WAIT, true,
     .after = AFTER_SAME, .more = write_then_close},
};

/* ---- LAST-ACK --------------------------------------------------------------
 */

static void ended_cleanly(struct tcp_peer *p, const struct snap *b)
{
    check_error(p, 0);
}

static const struct row la_rows[] = {
    {"ACK of our FIN: CLOSED without error", PEER_LAST_ACK, false,
     SEG(TCP_ACK, RCV, 0, SND, 0, 0), .after = TCP_CLOSED,
     .more = ended_cleanly},
    {"ACK short of our FIN: stays", PEER_LAST_ACK, false,
     SEG(TCP_ACK, RCV, 0, SND, -1, 0), .after = AFTER_SAME},
    {"no ACK of our FIN: the FIN again after the RTO", PEER_LAST_ACK, true,
     .after = AFTER_SAME, .more = fin_again},
};

/* ---- registration
 * ------------------------------------------------------------
 */

struct group {
    const char *suite;
    enum peer_state st;
    const struct row *rows;
    size_t n;
};

#define GROUP(suite, st, rows)                                                 \
    {                                                                          \
        suite, st, rows, sizeof rows / sizeof rows[0]                          \
    }

static const struct group groups[] = {
    GROUP("tcp LISTEN", PEER_LISTEN, listen_rows),
    GROUP("tcp SYN-SENT", PEER_SYN_SENT, syn_sent_rows),
    GROUP("tcp SYN-RCVD", PEER_SYN_RECEIVED, syn_rcvd_rows),
    GROUP("tcp ESTAB", PEER_ESTABLISHED, est_rows),
    GROUP("tcp FIN-WAIT-1", PEER_FIN_WAIT_1, fw1_rows),
    GROUP("tcp FIN-WAIT-2", PEER_FIN_WAIT_2, fw2_rows),
    GROUP("tcp CLOSING", PEER_CLOSING, closing_rows),
    GROUP("tcp TIME-WAIT", PEER_TIME_WAIT, tw_rows),
    GROUP("tcp CLOSE-WAIT", PEER_CLOSE_WAIT, cw_rows),
    GROUP("tcp LAST-ACK", PEER_LAST_ACK, la_rows),
};

#define NCOMMON (sizeof common_rows / sizeof common_rows[0])
static struct row expanded[10][NCOMMON];

__attribute__((constructor)) static void register_rows(void)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        const struct group *gr = &groups[g];
        for (size_t i = 0; i < NCOMMON; i++) {
            if (!(common_rows[i].states & (1u << gr->st)))
                continue;
            expanded[gr->st][i] = common_rows[i].r;
            expanded[gr->st][i].st = gr->st;
            harness_register_case(gr->suite, common_rows[i].r.name, run_row,
                                  &expanded[gr->st][i], __FILE__, __LINE__);
        }
        for (size_t i = 0; i < gr->n; i++)
            harness_register_case(gr->suite, gr->rows[i].name, run_row,
                                  &gr->rows[i], __FILE__, __LINE__);
        if (gr->st == PEER_ESTABLISHED)
            harness_register_case(gr->suite,
                                  "timestamps: an old TSval is dropped with "
                                  "an ACK (PAWS), a newer one taken",
                                  run_est_ts, NULL, __FILE__, __LINE__);
    }
}
