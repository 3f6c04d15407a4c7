/*
 * tests/sim/echo_share.c - examples/echo's own TCP service
 * (examples/echo/tcp_echo.c, linked in by the Makefile) keeps each
 * client's bytes to that client (issue 17, D1).
 *
 * The reproduction: client A sends a long pattern and does not read, so
 * its receive window closes and the server's write to it blocks part-way
 * through a buffer; meanwhile client B has 64 KiB of 'B' echoed.  When A
 * reads at last, every byte must be its own pattern, in order.  An echo
 * whose connections share one buffer sends B's bytes to A here.
 */
#include "../../examples/echo/echo.h"
#include "atoll/tcp.h"
#include "net_util.h"

#define SRV_ADDR 0xc6120003u /* 198.18.0.3 */
#define A_TOTAL  (6u << 20)  /* more than the path holds with A not reading */
#define B_TOTAL  (64u << 10)
#define CHUNK    65536

/* Byte `i` of client A's stream: varies with the position, so a byte that
 * is late, early or someone else's shows. */
static uint8_t pat(uint32_t i)
{
    return (uint8_t)((i * 2654435761u) >> 24 ^ i >> 16);
}

struct writer {
    struct atoll_tcp_conn *c;
    uint32_t written;
};

static int a_writer(void *arg)
{
    struct writer *w = arg;
    uint8_t *chunk = atoll_malloc(CHUNK); /* this fiber's own */
    if (!chunk)
        return -ATOLL_ENOMEM;
    while (w->written < A_TOTAL) {
        uint32_t n =
            A_TOTAL - w->written < CHUNK ? A_TOTAL - w->written : CHUNK;
        for (uint32_t i = 0; i < n; i++)
            chunk[i] = pat(w->written + i);
        int r = atoll_tcp_write(w->c, chunk, n, atoll_after(ATOLL_SEC(120)));
        if (r <= 0) {
            atoll_free(chunk);
            return r;
        }
        w->written += (uint32_t)r;
    }
    atoll_free(chunk);
    return 0;
}

static int share_main(void *arg)
{
    struct atoll_stack *sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *sb = net_mkstack("srv", "w", "198.18.0.3/24", NULL);
    static struct echo_tcp e; /* the echo's settings and counters */
    e.stack = sb;
    atoll_fiber *srv;
    NCHECK_EQ(atoll_fiber_spawn(&srv, "echo tcp", echo_tcp, &e, 0), 0);

    /* A: writes its pattern and reads nothing for now. */
    struct writer w = {NULL, 0};
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(SRV_ADDR), ECHO_PORT,
                                atoll_after(ATOLL_SEC(5)), &w.c),
              0);
    atoll_fiber *wf;
    NCHECK_EQ(atoll_fiber_spawn(&wf, "a writer", a_writer, &w, 0), 0);
    atoll_sleep(ATOLL_SEC(5));
    /* A's window is closed, the server's write to A blocked, and the
     * server no longer reads from A: A's writer is stuck. */
    NCHECK(w.written < A_TOTAL);
    NCHECK(w.written > 2u << 20);

    /* B: 64 KiB of 'B', echoed in full while A's echo is stuck. */
    struct atoll_tcp_conn *b;
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(SRV_ADDR), ECHO_PORT,
                                atoll_after(ATOLL_SEC(5)), &b),
              0);
    uint8_t *bbuf = atoll_malloc(B_TOTAL), *in = atoll_malloc(CHUNK);
    NCHECK(bbuf && in);
    memset(bbuf, 'B', B_TOTAL);
    NCHECK_EQ(atoll_tcp_write(b, bbuf, B_TOTAL, atoll_after(ATOLL_SEC(10))),
              (int)B_TOTAL);
    memset(bbuf, 0, B_TOTAL);
    uint32_t bgot = 0;
    while (bgot < B_TOTAL) {
        int n = atoll_tcp_read(b, bbuf + bgot, B_TOTAL - bgot,
                               atoll_after(ATOLL_SEC(10)));
        NCHECK(n > 0);
        bgot += (uint32_t)n;
    }
    uint32_t bad_b = 0;
    for (uint32_t i = 0; i < B_TOTAL; i++)
        bad_b += bbuf[i] != 'B';
    NCHECK_EQ(bad_b, 0);
    NCHECK_EQ(atoll_tcp_close(b), 0);

    /* Now A reads: everything it sent, byte for byte. */
    uint32_t got = 0, bad = 0, first_bad = UINT32_MAX;
    while (got < A_TOTAL) {
        int n = atoll_tcp_read(w.c, in, CHUNK, atoll_after(ATOLL_SEC(30)));
        NCHECK(n > 0);
        for (int i = 0; i < n; i++)
            if (in[i] != pat(got + (uint32_t)i)) {
                if (first_bad == UINT32_MAX)
                    first_bad = got + (uint32_t)i;
                bad++;
            }
        got += (uint32_t)n;
    }
    if (bad)
        printf("       A: %u of %u bytes wrong, the first at offset %u\n", bad,
               A_TOTAL, first_bad);
    NCHECK_EQ(bad, 0);
    int r;
    NCHECK_EQ(atoll_fiber_join(wf, ATOLL_NEVER, &r), 0);
    NCHECK_EQ(r, 0);
    NCHECK_EQ(w.written, A_TOTAL);
    NCHECK_EQ(atoll_tcp_close(w.c), 0);
    return 0;
}

TEST(echo_share, "a blocked echo to a closed window keeps each client's bytes")
{
    net_sim_begin("echo-share", 17,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(64u << 20, share_main, NULL), 0);
    net_sim_end();
}
