/*
 * tests/sim/tcp_transfer.c - bulk TCP transfers between two stacks on a
 * simulated wire, in both directions at once, byte-exact, under the
 * faults of the issue: none, 1%/5%/10% loss, reordering, duplication,
 * corruption, and a 100 ms RTT with a bandwidth limit; NewReno and CUBIC;
 * and with TCP segmentation offload (a wire with .tso cuts the stacks'
 * offload frames into segments in software, before the faults); over
 * IPv4 and, through the same code and API, over IPv6.
 *
 * The data is a pseudo-random stream both ends can generate, so the
 * receiver checks every byte as it arrives.  Full size (50 MB each way)
 * in the optimised build; smaller under the sanitizers, where the cost
 * (CPU only: the clock is virtual) is several times higher.
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "net_util.h"

#define B_ADDR 0xc6120003u

#if ATOLL_SANITIZE
#define XFER_BYTES (8u * 1024 * 1024)
#else
#define XFER_BYTES (50u * 1024 * 1024)
#endif

/* The stream: xorshift64 output, 8 bytes per step. */
struct gen {
    uint64_t x;
    uint8_t buf[8];
    int pos;
};

static void gen_init(struct gen *g, uint64_t seed)
{
    g->x = seed | 1;
    g->pos = 8;
}

static uint8_t gen_byte(struct gen *g)
{
    if (g->pos == 8) {
        g->x ^= g->x << 13;
        g->x ^= g->x >> 7;
        g->x ^= g->x << 17;
        memcpy(g->buf, &g->x, 8);
        g->pos = 0;
    }
    return g->buf[g->pos++];
}

struct side {
    struct atoll_tcp_conn *c;
    uint64_t seed_tx, seed_rx;
    uint32_t bytes;
    int tx_result, rx_result;
    uint32_t rx_got;
};

static int sender(void *arg)
{
    struct side *sd = arg;
    struct gen g;
    gen_init(&g, sd->seed_tx);
    static uint8_t chunk_a[65536], chunk_b[65536];
    uint8_t *chunk = sd->seed_tx == 1 ? chunk_a : chunk_b;
    uint32_t left = sd->bytes;
    while (left) {
        uint32_t n = left < sizeof chunk_a ? left : (uint32_t)sizeof chunk_a;
        for (uint32_t i = 0; i < n; i++)
            chunk[i] = gen_byte(&g);
        int w = atoll_tcp_write(sd->c, chunk, n, atoll_after(ATOLL_SEC(600)));
        if (w != (int)n) {
            sd->tx_result = w < 0 ? w : -ATOLL_EIO;
            return 0;
        }
        left -= n;
    }
    sd->tx_result = atoll_tcp_shutdown(sd->c);
    return 0;
}

static int receiver(void *arg)
{
    struct side *sd = arg;
    struct gen g;
    gen_init(&g, sd->seed_rx);
    static uint8_t buf_a[65536], buf_b[65536];
    uint8_t *buf = sd->seed_rx == 1 ? buf_a : buf_b;
    for (;;) {
        int n = atoll_tcp_read(sd->c, buf, sizeof buf_a,
                               atoll_after(ATOLL_SEC(600)));
        if (n < 0) {
            sd->rx_result = n;
            return 0;
        }
        if (n == 0)
            break;
        for (int i = 0; i < n; i++)
            if (buf[i] != gen_byte(&g)) {
                printf("       byte %u differs\n", sd->rx_got + (uint32_t)i);
                sd->rx_result = -ATOLL_ECORRUPT;
                return 0;
            }
        sd->rx_got += (uint32_t)n;
    }
    sd->rx_result = sd->rx_got == sd->bytes ? 0 : -ATOLL_EIO;
    return 0;
}

struct xfer {
    bool v6; /* connect over IPv6 (both stacks dual-stack) */
    enum atoll_tcp_cc cc;
    uint32_t bytes;
    size_t mem_left; /* 0, or: fill the heap but this much during the run */
    struct side a, b;
    struct atoll_tcp_info ia, ib;
    struct atoll_tcp_stats sta, stb;
    atoll_time_t elapsed;
};

static void dump(const char *who, const struct atoll_tcp_conn *c)
{
    printf("       %s: %s una %u nxt %u max %u base %u sndbuf %u wnd %u "
           "cwnd %u ssth %u rec %d recover %u rxt_next %u sb %d/%u "
           "rcv_nxt %u rcvbuf %u ooo %d t_rexmit %lld persist %d back %d "
           "retries %d dup %d\n",
           who, tcp_state_name(c->state), c->snd_una - c->iss,
           c->snd_nxt - c->iss, c->snd_max - c->iss, c->snd_base - c->iss,
           c->sndbuf.len, c->snd_wnd, c->cc.cwnd, c->cc.ssthresh,
           c->in_recovery, c->recover - c->iss, c->rxt_next - c->iss,
           tcp_sb_of(c)->n, tcp_sb_of(c)->bytes, c->rcv_nxt - c->irs,
           c->rcvbuf.len, tcp_ooo_n(c),
           (long long)(c->t_rexmit ? c->t_rexmit - atoll_now() : -1),
           c->persist, c->backoff, c->retries, c->dupacks);
}

static int xfer_main(void *arg)
{
    struct xfer *x = arg;
    struct atoll_stack *sa, *sb;
    atoll_addr_t dst = atoll_addr4(B_ADDR);
    if (x->v6) {
        sa = net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
        sb = net_mkstack6("b", "198.18.0.3/24", "2001:db8::3/64");
        NCHECK_EQ(atoll_addr_parse("2001:db8::3", &dst), 0);
        atoll_sleep(ATOLL_MS(1200)); /* duplicate address detection */
    } else {
        sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
        sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    }
    atoll_tcp_set_cc(sa, x->cc);
    atoll_tcp_set_cc(sb, x->cc);
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sb, 5001, 0, &l), 0);
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(
        atoll_tcp_connect(sa, dst, 5001, atoll_after(ATOLL_SEC(60)), &x->a.c),
        0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(60)), &x->b.c), 0);
    x->a.seed_tx = x->b.seed_rx = 1;
    x->b.seed_tx = x->a.seed_rx = 2;
    x->a.bytes = x->b.bytes = x->bytes;
    atoll_fiber *f[4];
    atoll_fiber_spawn(&f[0], "a tx", sender, &x->a, 0);
    atoll_fiber_spawn(&f[1], "b tx", sender, &x->b, 0);
    atoll_fiber_spawn(&f[2], "a rx", receiver, &x->a, 0);
    atoll_fiber_spawn(&f[3], "b rx", receiver, &x->b, 0);
    void *ballast = x->mem_left ? net_ballast_fill(x->mem_left) : NULL;
    for (int i = 0; i < 4; i++)
        atoll_fiber_join(f[i], ATOLL_NEVER, NULL);
    x->elapsed = atoll_now() - t0;
    net_ballast_free(ballast);
    if (x->a.rx_result || x->b.rx_result) {
        dump("a", x->a.c);
        dump("b", x->b.c);
    }
    atoll_tcp_info(x->a.c, &x->ia);
    atoll_tcp_info(x->b.c, &x->ib);
    atoll_tcp_close(x->a.c);
    atoll_tcp_close(x->b.c);
    atoll_tcp_listener_close(l);
    atoll_tcp_stats(sa, &x->sta);
    atoll_tcp_stats(sb, &x->stb);
    atoll_stack_destroy(sa);
    atoll_stack_destroy(sb);
    return 0;
}

static struct xfer x;

static void run_xfer_fam(const char *tag, uint64_t seed,
                         struct atoll_sim_wire_opts o, enum atoll_tcp_cc cc,
                         uint32_t bytes, size_t mem_left, bool v6)
{
    memset(&x, 0, sizeof x);
    x.v6 = v6;
    x.cc = cc;
    x.bytes = bytes;
    x.mem_left = mem_left;
    /* TCP_XFER_SEED shifts every case's seed: compare changes over many
     * fault patterns, not one. */
    const char *shift = getenv("TCP_XFER_SEED");
    if (shift)
        seed += strtoull(shift, NULL, 0);
    net_sim_begin(tag, seed, o);
    CHECK_EQ(atoll_test_run(64u << 20, xfer_main, &x), 0);
    if (x.a.tx_result || x.b.tx_result || x.a.rx_result || x.b.rx_result) {
        printf("       tx %d/%d rx %d/%d (got %u/%u of %u)\n", x.a.tx_result,
               x.b.tx_result, x.a.rx_result, x.b.rx_result, x.a.rx_got,
               x.b.rx_got, bytes);
    }
    NCHECK_EQ(x.a.tx_result, 0);
    NCHECK_EQ(x.b.tx_result, 0);
    NCHECK_EQ(x.a.rx_result, 0);
    NCHECK_EQ(x.b.rx_result, 0);
    if (getenv("TCP_XFER_VERBOSE"))
        printf("       %s: %u bytes each way in %.2f s virtual (%.1f Mbit/s), "
               "rexmit %llu/%llu, sack rec %llu/%llu, rto %llu/%llu\n",
               tag, bytes, x.elapsed / 1e9,
               bytes * 8.0 / (x.elapsed / 1e9) / 1e6,
               (unsigned long long)x.ia.retransmits,
               (unsigned long long)x.ib.retransmits,
               (unsigned long long)x.ia.sack_recoveries,
               (unsigned long long)x.ib.sack_recoveries,
               (unsigned long long)x.ia.timeouts,
               (unsigned long long)x.ib.timeouts);
    net_sim_end();
}

static void run_xfer_mem(const char *tag, uint64_t seed,
                         struct atoll_sim_wire_opts o, enum atoll_tcp_cc cc,
                         uint32_t bytes, size_t mem_left)
{
    run_xfer_fam(tag, seed, o, cc, bytes, mem_left, false);
}

static void run_xfer(const char *tag, uint64_t seed,
                     struct atoll_sim_wire_opts o, enum atoll_tcp_cc cc,
                     uint32_t bytes)
{
    run_xfer_mem(tag, seed, o, cc, bytes, 0);
}

#define MS ATOLL_MS(1)

TEST(tcp_xfer, "50 MB each way, no faults")
{
    run_xfer("tcp-clean", 11, (struct atoll_sim_wire_opts){.delay = MS},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, 1% loss")
{
    run_xfer("tcp-loss1", 12,
             (struct atoll_sim_wire_opts){.loss = 0.01, .delay = MS},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, 5% loss")
{
    run_xfer("tcp-loss5", 13,
             (struct atoll_sim_wire_opts){.loss = 0.05, .delay = MS},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, 10% loss")
{
    run_xfer("tcp-loss10", 14,
             (struct atoll_sim_wire_opts){.loss = 0.10, .delay = MS},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, reordering")
{
    run_xfer("tcp-reorder", 15,
             (struct atoll_sim_wire_opts){
                 .reorder = 0.05, .delay = MS, .jitter = ATOLL_US(200)},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, duplication")
{
    run_xfer("tcp-dup", 16,
             (struct atoll_sim_wire_opts){.duplicate = 0.05, .delay = MS},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, corruption")
{
    run_xfer("tcp-corrupt", 17,
             (struct atoll_sim_wire_opts){.corrupt = 0.02, .delay = MS},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, 100 ms RTT, 50 Mbit/s")
{
    run_xfer("tcp-longfat", 18,
             (struct atoll_sim_wire_opts){.delay = ATOLL_MS(50),
                                          .bandwidth = 50000000},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
}

TEST(tcp_xfer, "50 MB each way, CUBIC, 1% loss, 100 ms RTT")
{
    run_xfer("tcp-cubic", 19,
             (struct atoll_sim_wire_opts){
                 .loss = 0.01, .delay = ATOLL_MS(50), .bandwidth = 100000000},
             ATOLL_TCP_CUBIC, XFER_BYTES);
}

/* Offload: the stacks hand the wire frames of up to TCP_TSO_MAX_SEGS
 * segments (counted in tso_frames), the wire cuts them, and the bytes
 * still arrive exactly - with and without loss and reordering on the
 * segments. */
TEST(tcp_xfer, "50 MB each way, segmentation offload, no faults")
{
    run_xfer("tcp-tso", 20,
             (struct atoll_sim_wire_opts){.delay = MS, .tso = true},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
    CHECK(x.sta.tso_frames > 100);
    CHECK(x.stb.tso_frames > 100);
}

TEST(tcp_xfer, "50 MB each way, segmentation offload, 1% loss, reordering")
{
    run_xfer("tcp-tso-faults", 21,
             (struct atoll_sim_wire_opts){.loss = 0.01,
                                          .reorder = 0.02,
                                          .delay = MS,
                                          .jitter = ATOLL_US(200),
                                          .tso = true},
             ATOLL_TCP_NEWRENO, XFER_BYTES);
    CHECK(x.sta.tso_frames > 0);
    CHECK(x.stb.tso_frames > 0);
}

TEST(tcp_xfer, "without offload on the wire no offload frame is made")
{
    run_xfer("tcp-notso", 22, (struct atoll_sim_wire_opts){.delay = MS},
             ATOLL_TCP_NEWRENO, 1u << 20);
    CHECK_EQ(x.sta.tso_frames, 0);
    CHECK_EQ(x.stb.tso_frames, 0);
}

/* Memory pressure: with the heap filled but for 1.5 MiB while four
 * buffers would each grow to 1 MiB, growths fail (mem_short), yet no
 * write or read fails: the buffers stay the size they are, writers wait
 * for ACKs, and a receiver that cannot grow drops what does not fit and
 * offers no more window than it has.  Both directions, with loss. */
TEST(tcp_xfer, "memory pressure: buffers cannot grow, the transfer completes")
{
    run_xfer_mem("tcp-mem", 23,
                 (struct atoll_sim_wire_opts){.loss = 0.01, .delay = MS},
                 ATOLL_TCP_NEWRENO, XFER_BYTES / 4, 1536u << 10);
    CHECK(x.sta.mem_short + x.stb.mem_short > 0);
}

/* Over IPv6: the same protocol code through the same API, with the MSS
 * an IPv6 MTU allows (1500 - 60, less 12 for timestamps), SACK and both
 * congestion controls under every fault the wire has at once. */
TEST(tcp_xfer6, "50 MB each way over IPv6, 1% loss, reordering, duplication")
{
    run_xfer_fam("tcp6-faults", 31,
                 (struct atoll_sim_wire_opts){.loss = 0.01,
                                              .reorder = 0.03,
                                              .duplicate = 0.03,
                                              .delay = MS,
                                              .jitter = ATOLL_US(200)},
                 ATOLL_TCP_NEWRENO, XFER_BYTES, 0, true);
    CHECK_EQ(x.ia.mss, 1440 - 12);
    CHECK_EQ(x.ib.mss, 1440 - 12);
    CHECK(x.ia.sack && x.ib.sack);
    CHECK(x.ia.sack_recoveries + x.ib.sack_recoveries > 0);
}

/* Segmentation offload over IPv6 (ATOLL_NETIF_TSO6): offload frames with
 * the IPv6 pseudo-header sum, cut by the wire (payload length and
 * checksum per segment), then lost, reordered and duplicated one by
 * one; every byte still arrives, checked by the receiver. */
TEST(tcp_xfer6, "50 MB each way over IPv6, segmentation offload, 1% loss, "
                "reordering, duplication")
{
    run_xfer_fam("tcp6-tso", 33,
                 (struct atoll_sim_wire_opts){.loss = 0.01,
                                              .reorder = 0.02,
                                              .duplicate = 0.01,
                                              .delay = MS,
                                              .jitter = ATOLL_US(200),
                                              .tso = true},
                 ATOLL_TCP_NEWRENO, XFER_BYTES, 0, true);
    CHECK_EQ(x.ia.mss, 1440 - 12);
    CHECK(x.sta.tso_frames > 100);
    CHECK(x.stb.tso_frames > 100);
    CHECK(x.ia.sack_recoveries + x.ib.sack_recoveries > 0);
}

TEST(tcp_xfer6, "8 MB each way over IPv6, CUBIC, 2% loss, 20 ms RTT")
{
    run_xfer_fam("tcp6-cubic", 32,
                 (struct atoll_sim_wire_opts){.loss = 0.02,
                                              .delay = ATOLL_MS(10),
                                              .bandwidth = 100000000},
                 ATOLL_TCP_CUBIC, 8u << 20, 0, true);
    CHECK(x.ia.retransmits + x.ib.retransmits > 0);
}
