/*
 * tests/sim/tcp_sendref.c - TCP's referencing send path
 * (atoll_tcp_write_ref, lib/net/tcp_sndq.c) between two stacks on a
 * simulated wire, on virtual time:
 *
 *   - a 4 MB stream of copied writes and referred pieces, in turns, over
 *     a wire that loses and reorders: every byte arrives in order (the
 *     receiver computes each), retransmissions happened and read the
 *     referred memory again, every completion came once, with status 0,
 *     and only once the ACK covered its last byte; the referred bytes
 *     never went into the send ring (it stays small while the queue
 *     holds megabytes);
 *   - a completion waits for the ACK (none while the wire is dark, one
 *     as soon as it is not), and abort, a peer's RST and the end of the
 *     stack each release the memory with the connection's error;
 *   - memory-failure injection (tests/sim/memfail.h): an echo of copied
 *     and referred bytes with every allocation failing in turn, once and
 *     sticky: a clear error or the exact echo, every completion exactly
 *     once, nothing leaked.
 *
 * Failing cases print their seed and keep their pcap (net_util.h).
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "memfail.h"
#include "net_util.h"

#define B_ADDR 0xc6120003u /* 198.18.0.3 */

#if ATOLL_SANITIZE
#define STREAM (2u * 1024 * 1024)
#else
#define STREAM (4u * 1024 * 1024)
#endif

/* The stream's byte at offset pos: both ends compute it. */
static uint8_t byte_at(uint32_t pos)
{
    return (uint8_t)(pos * 131u + (pos >> 9) + (pos >> 17));
}

static uint8_t src[STREAM]; /* the referred memory: byte_at(0 .. STREAM) */

static void src_fill(void)
{
    for (uint32_t i = 0; i < STREAM; i++)
        src[i] = byte_at(i);
}

/* One write_ref's record, filled by its completion. */
struct ref_rec {
    struct atoll_tcp_conn *c;
    uint32_t end;    /* sequence number after its last byte */
    int calls;       /* completions (must end at exactly 1) */
    int status;      /* the last completion's */
    bool early;      /* completed with 0 before the ACK covered it */
    atoll_event *ev; /* notified, if set */
};

static void ref_done(void *arg, int status)
{
    struct ref_rec *r = arg;
    r->calls++;
    r->status = status;
    /* The queue moved snd_base past the acknowledged bytes first. */
    if (status == 0 && seq_lt(r->c->snd_base, r->end))
        r->early = true;
    if (r->ev)
        atoll_event_notify(r->ev);
}

/* Queue [p, p+n) by reference with its record. */
static int queue_ref(struct atoll_tcp_conn *c, const uint8_t *p, uint32_t n,
                     struct ref_rec *r, atoll_time_t deadline)
{
    r->c = c;
    int rc = atoll_tcp_write_ref(c, p, n, ref_done, r, deadline);
    if (rc == 0)
        r->end = c->snd_base + c->snd_len;
    return rc;
}

/* ---- a stream over a lossy wire ------------------------------------- */

#define PIECES_MAX 256

struct stream {
    struct atoll_stack *sa, *sb;
    struct atoll_tcp_listener *l;
    struct ref_rec rec[PIECES_MAX];
    int nrec;
    uint32_t ring_cap_max, queue_max;
    int tx_result, rx_result;
    uint32_t rx_got;
};

static int stream_send(struct atoll_tcp_conn *c, struct stream *s)
{
    uint8_t hdr[4096];
    uint32_t pos = 0, turn = 0;
    while (pos < STREAM) {
        /* A copied piece (its buffer is overwritten right after: write
         * copies), then a referred one. */
        uint32_t n = 100 + (turn * 977) % 3000;
        if (n > STREAM - pos)
            n = STREAM - pos;
        for (uint32_t i = 0; i < n; i++)
            hdr[i] = byte_at(pos + i);
        if (atoll_tcp_write(c, hdr, n, atoll_after(ATOLL_SEC(600))) != (int)n)
            return -ATOLL_EIO;
        memset(hdr, 0xee, sizeof hdr);
        pos += n;
        n = 20000 + (turn * 7919) % 180000;
        if (n > STREAM - pos)
            n = STREAM - pos;
        if (n && s->nrec < PIECES_MAX) {
            int rc = queue_ref(c, src + pos, n, &s->rec[s->nrec],
                               atoll_after(ATOLL_SEC(600)));
            if (rc < 0)
                return rc;
            s->nrec++;
            pos += n;
        }
        if (c->sndbuf.cap > s->ring_cap_max)
            s->ring_cap_max = c->sndbuf.cap;
        if (c->snd_len > s->queue_max)
            s->queue_max = c->snd_len;
        turn++;
    }
    return atoll_tcp_shutdown(c);
}

static int stream_recv(void *arg)
{
    struct stream *s = arg;
    struct atoll_tcp_conn *c;
    s->rx_result = atoll_tcp_accept(s->l, atoll_after(ATOLL_SEC(10)), &c);
    if (s->rx_result < 0)
        return 0;
    static uint8_t buf[65536];
    for (;;) {
        int n = atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(600)));
        if (n <= 0) {
            s->rx_result = n;
            break;
        }
        for (int i = 0; i < n; i++)
            if (buf[i] != byte_at(s->rx_got + (uint32_t)i)) {
                printf("       byte %u differs\n", s->rx_got + (uint32_t)i);
                s->rx_result = -ATOLL_ECORRUPT;
                atoll_tcp_close(c);
                return 0;
            }
        s->rx_got += (uint32_t)n;
    }
    atoll_tcp_close(c);
    return 0;
}

static int stream_main(void *arg)
{
    struct stream *s = arg;
    s->sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    s->sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    NCHECK_EQ(atoll_tcp_listen(s->sb, 80, 0, &s->l), 0);
    atoll_fiber *rx;
    atoll_fiber_spawn(&rx, "receiver", stream_recv, s, 0);
    struct atoll_tcp_conn *c;
    NCHECK_EQ(atoll_tcp_connect(s->sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(10)), &c),
              0);
    s->tx_result = stream_send(c, s);
    atoll_fiber_join(rx, ATOLL_NEVER, NULL);
    atoll_sleep(ATOLL_SEC(2)); /* the last ACKs */
    struct atoll_tcp_info ti;
    atoll_tcp_info(c, &ti);
    NCHECK_EQ(s->tx_result, 0);
    NCHECK_EQ(s->rx_result, 0);
    NCHECK_EQ(s->rx_got, STREAM);
    NCHECK(ti.retransmits > 0); /* the loss made it read memory again */
    NCHECK(s->nrec > 10);
    for (int i = 0; i < s->nrec; i++) {
        NCHECK_EQ(s->rec[i].calls, 1);
        NCHECK_EQ(s->rec[i].status, 0);
        NCHECK(!s->rec[i].early);
    }
    /* The referred bytes stayed where they were: the queue held
     * megabytes, the ring only the copied pieces. */
    NCHECK(s->queue_max > 1024 * 1024);
    NCHECK(s->ring_cap_max <= 64 * 1024);
    NCHECK(c->sq_head == NULL); /* every piece is gone */
    atoll_tcp_close(c);
    atoll_tcp_listener_close(s->l);
    atoll_stack_destroy(s->sa);
    atoll_stack_destroy(s->sb);
    return 0;
}

TEST(tcp_sendref, "4 MB of copied and referred pieces over 2% loss, reorder")
{
    src_fill();
    net_sim_begin("tcp-sendref", 11,
                  (struct atoll_sim_wire_opts){
                      .delay = ATOLL_MS(2), .loss = 0.02, .reorder = 0.02});
    static struct stream s;
    memset(&s, 0, sizeof s);
    CHECK_EQ(atoll_test_run(0, stream_main, &s), 0);
    net_sim_end();
}

/* ---- completion after the ACK; abort, RST and the stack's end -------- */

struct hold {
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *c; /* accepted, never read */
};

static int hold_accept(void *arg)
{
    struct hold *h = arg;
    atoll_tcp_accept(h->l, atoll_after(ATOLL_SEC(10)), &h->c);
    return 0;
}

static struct atoll_tcp_conn *connect_held(struct atoll_stack *sa,
                                           struct hold *h)
{
    atoll_fiber *f;
    atoll_fiber_spawn(&f, "accept", hold_accept, h, 0);
    struct atoll_tcp_conn *c = NULL;
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(10)), &c),
              0);
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    NCHECK(h->c != NULL);
    return c;
}

static void wire(double loss)
{
    struct atoll_sim_wire_opts o = {.delay = ATOLL_MS(1), .loss = loss};
    atoll_sim_wire_configure("w", &o);
}

static int release_main(void *arg)
{
    (void)arg;
    src_fill();
    struct atoll_stack *sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct hold h = {NULL, NULL};
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &h.l), 0);
    struct atoll_tcp_conn *c = connect_held(sa, &h);
    atoll_event ev;
    atoll_event_init(&ev, "ref done");

    /* The wire goes dark: no ACK, no completion, however long. */
    wire(1.0);
    struct ref_rec r1 = {.ev = &ev};
    NCHECK_EQ(queue_ref(c, src, 10000, &r1, atoll_after(ATOLL_SEC(1))), 0);
    atoll_sleep(ATOLL_SEC(3));
    NCHECK_EQ(r1.calls, 0);
    NCHECK(c->retransmits > 0); /* sent again from the same memory */
    /* Light again: the next retransmission is acknowledged. */
    wire(0);
    while (r1.calls == 0)
        NCHECK_EQ(atoll_event_wait(&ev, atoll_after(ATOLL_SEC(30))), 0);
    NCHECK_EQ(r1.calls, 1);
    NCHECK_EQ(r1.status, 0);
    NCHECK(!r1.early);
    uint8_t got[10000];
    size_t n = 0;
    while (n < sizeof got) {
        int k = atoll_tcp_read(h.c, got + n, sizeof got - n,
                               atoll_after(ATOLL_SEC(5)));
        NCHECK(k > 0);
        n += (size_t)k;
    }
    NCHECK(memcmp(got, src, sizeof got) == 0);

    /* Abort with referred bytes unacknowledged: released at once, with
     * the connection's error. */
    wire(1.0);
    struct ref_rec r2 = {0};
    NCHECK_EQ(queue_ref(c, src, 50000, &r2, atoll_after(ATOLL_SEC(1))), 0);
    NCHECK_EQ(atoll_tcp_write(c, "tail", 4, atoll_after(ATOLL_SEC(1))), 4);
    atoll_sleep(ATOLL_MS(500));
    NCHECK_EQ(r2.calls, 0);
    atoll_tcp_abort(c);
    NCHECK_EQ(r2.calls, 1);
    NCHECK_EQ(r2.status, -ATOLL_ECONNRESET);
    wire(0);
    atoll_tcp_close(h.c);
    atoll_sleep(ATOLL_SEC(1));

    /* The peer resets: its receiver is full (it never reads), so bytes
     * stay unacknowledged until its RST releases them. */
    h.c = NULL;
    c = connect_held(sa, &h);
    struct ref_rec r3 = {0};
    NCHECK_EQ(queue_ref(c, src, STREAM, &r3, atoll_after(ATOLL_SEC(1))), 0);
    atoll_sleep(ATOLL_SEC(2));
    NCHECK_EQ(r3.calls, 0);
    atoll_tcp_abort(h.c);
    atoll_sleep(ATOLL_MS(100));
    NCHECK_EQ(r3.calls, 1);
    NCHECK_EQ(r3.status, -ATOLL_ECONNRESET);
    NCHECK_EQ(atoll_tcp_write_ref(c, src, 10, NULL, NULL, ATOLL_NEVER),
              -ATOLL_ECONNRESET);
    atoll_tcp_close(c);

    /* The stack ends with referred bytes queued: released too. */
    h.c = NULL;
    c = connect_held(sa, &h);
    wire(1.0);
    struct ref_rec r4 = {0};
    NCHECK_EQ(queue_ref(c, src, 30000, &r4, atoll_after(ATOLL_SEC(1))), 0);
    atoll_tcp_close(c); /* the handle goes; the connection lives on */
    NCHECK_EQ(r4.calls, 0);
    atoll_tcp_listener_close(h.l);
    atoll_stack_destroy(sa);
    NCHECK_EQ(r4.calls, 1);
    NCHECK(r4.status < 0);
    atoll_stack_destroy(sb);
    wire(0);
    return 0;
}

TEST(tcp_sendref, "completion only after the ACK; abort, RST, end release")
{
    net_sim_begin("tcp-sendref-release", 12,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, release_main, NULL), 0);
    net_sim_end();
}

/* ---- memory-failure injection ------------------------------------------ */

#define ECHO_BYTES 12000

struct mf_run {
    struct atoll_netif *nif[2];
};

static struct mf_run the_run;
static const char *const ports[] = {"a", "b"};

static void mf_setup(void *arg)
{
    struct mf_run *r = arg;
    net_ports(13, (struct atoll_sim_wire_opts){0}, ports, r->nif, 2);
}

static int mf_drain(void *arg)
{
    struct mf_run *r = arg;
    net_drain_all(r->nif, 2);
    return 0;
}

struct mf_server {
    struct atoll_tcp_listener *l;
    int err;
};

static int mf_serve(void *arg)
{
    struct mf_server *sv = arg;
    struct atoll_tcp_conn *c;
    sv->err = atoll_tcp_accept(sv->l, atoll_after(ATOLL_SEC(30)), &c);
    if (sv->err < 0)
        return 0;
    char buf[2048];
    for (;;) {
        int n = atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(30)));
        if (n <= 0) {
            sv->err = n;
            break;
        }
        int w = atoll_tcp_write(c, buf, (size_t)n, atoll_after(ATOLL_SEC(30)));
        if (w != n) {
            sv->err = w < 0 ? w : -ATOLL_EIO;
            break;
        }
    }
    atoll_tcp_close(c);
    return 0;
}

/* 2000 copied bytes, 8000 referred, 2000 copied; read the echo back. */
static int mf_exchange(struct atoll_stack *sa, struct ref_rec *rec,
                       bool *queued)
{
    static uint8_t in[ECHO_BYTES];
    struct atoll_tcp_conn *c;
    int rc = atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 7,
                               atoll_after(ATOLL_SEC(30)), &c);
    if (rc < 0)
        return rc;
    atoll_time_t dl = atoll_after(ATOLL_SEC(30));
    rc = atoll_tcp_write(c, src, 2000, dl);
    if (rc == 2000) {
        rc = queue_ref(c, src + 2000, 8000, rec, dl);
        *queued = rc == 0;
    } else if (rc >= 0) {
        rc = -ATOLL_ETIMEDOUT;
    }
    if (rc == 0) {
        rc = atoll_tcp_write(c, src + 10000, 2000, dl);
        if (rc >= 0 && rc != 2000)
            rc = -ATOLL_ETIMEDOUT;
    }
    size_t got = 0;
    while (rc >= 0 && got < ECHO_BYTES) {
        int n = atoll_tcp_read(c, in + got, ECHO_BYTES - got, dl);
        if (n <= 0)
            rc = n == 0 ? -ATOLL_ECONNRESET : n;
        else
            got += (size_t)n;
    }
    if (memcmp(in, src, got) != 0) {
        printf("       echo differs within its first %zu bytes\n", got);
        rc = -ATOLL_EBADMSG;
    }
    if (rc >= 0)
        rc = 0;
    atoll_tcp_close(c);
    return rc;
}

static bool mf_allowed(int err, bool sticky)
{
    return err == -ATOLL_ENOMEM ||
           (sticky && (err == -ATOLL_ETIMEDOUT || err == -ATOLL_ECONNRESET ||
                       err == -ATOLL_ECONNREFUSED || err == -ATOLL_ENOTCONN));
}

static int mf_scenario(void *arg, bool sticky)
{
    struct mf_run *r = arg;
    int err, verdict = 0;
    struct atoll_stack *sa =
        net_stack_on(r->nif[0], "a", "198.18.0.2/24", &err);
    struct atoll_stack *sb =
        sa ? net_stack_on(r->nif[1], "b", "198.18.0.3/24", &err) : 0;
    struct mf_server sv = {NULL, 0};
    struct ref_rec rec = {0};
    bool queued = false;
    atoll_fiber *srv = NULL;
    if (sb)
        err = atoll_tcp_listen(sb, 7, 0, &sv.l);
    if (sb && err == 0)
        err = atoll_fiber_spawn(&srv, "echo", mf_serve, &sv, 0);
    if (err == 0) {
        err = mf_exchange(sa, &rec, &queued);
        atoll_fiber_join(srv, ATOLL_NEVER, NULL);
        atoll_sleep(ATOLL_SEC(5));
    }
    int serr = srv ? sv.err : 0;
    bool enomem = err == -ATOLL_ENOMEM || serr == -ATOLL_ENOMEM;
    if (err == -ATOLL_EBADMSG ||
        (!enomem && ((err && !mf_allowed(err, sticky)) ||
                     (serr && !mf_allowed(serr, sticky))))) {
        printf("       client: %s, server: %s\n", atoll_strerror(err),
               atoll_strerror(serr));
        verdict = -1;
    }
    if (sv.l)
        atoll_tcp_listener_close(sv.l);
    atoll_stack_destroy(sa);
    atoll_stack_destroy(sb);
    /* Queued memory is released exactly once, by the ACK or the end;
     * an echo that came back whole was acknowledged. */
    if (rec.calls != (queued ? 1 : 0) || rec.early ||
        (queued && err == 0 && rec.status != 0)) {
        printf("       completion: queued %d, calls %d, status %s%s\n", queued,
               rec.calls, atoll_strerror(rec.status),
               rec.early ? ", before its ACK" : "");
        verdict = -1;
    }
    return verdict;
}

TEST(tcp_sendref, "memory failure: every allocation, once and sticky")
{
    src_fill();
    struct memfail m = {mf_setup, mf_scenario, mf_drain, &the_run, 0, 20000};
    CHECK(memfail_loop(&m) > 50);
}
