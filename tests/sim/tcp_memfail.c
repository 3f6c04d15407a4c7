/*
 * tests/sim/tcp_memfail.c - TCP under injected memory failure
 * (tests/sim/memfail.h): two stacks on a simulated wire, an echo server
 * and a client that sends 12 KB and reads them back, with the Nth
 * allocation failing, for every N.
 *
 * Acceptable outcomes: every call succeeds and the echo comes back byte
 * for byte; or a call on either side fails with -ATOLL_ENOMEM (the other
 * side may then see a reset or a deadline); and, when every allocation
 * after the Nth fails too (sticky), also a deadline or a reset (nothing
 * can be sent any more).  Bytes that do come back are always the ones
 * sent.  With a single failure a lost packet buffer or ring growth must
 * be recovered from: the exchange must complete unless a call reported
 * -ATOLL_ENOMEM.  Every run ends with the stacks destroyed and nothing
 * leaked.
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "memfail.h"
#include "net_util.h"

#define B_ADDR 0xc6120003u /* 198.18.0.3 */
#define BYTES  12000

struct run {
    struct atoll_netif *nif[2]; /* see setup */
};

static struct run the_run;

static const char *const ports[] = {"a", "b"};

static void setup(void *arg)
{
    struct run *r = arg;
    net_ports(7, (struct atoll_sim_wire_opts){0}, ports, r->nif, 2);
}

/* After the run: what is still on the wire, out of the devices. */
static int drain(void *arg)
{
    struct run *r = arg;
    net_drain_all(r->nif, 2);
    return 0;
}

struct server {
    struct atoll_tcp_listener *l;
    int err; /* first error, 0 if the echo ran to the end */
};

static int serve(void *arg)
{
    struct server *sv = arg;
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

static bool allowed(int err, bool sticky)
{
    return err == -ATOLL_ENOMEM ||
           (sticky && (err == -ATOLL_ETIMEDOUT || err == -ATOLL_ECONNRESET ||
                       err == -ATOLL_ECONNREFUSED || err == -ATOLL_ENOTCONN));
}

/* The client's side of the exchange: 0, or the first error. */
static int exchange(struct atoll_stack *sa)
{
    static uint8_t out[BYTES], in[BYTES];
    for (int i = 0; i < BYTES; i++)
        out[i] = (uint8_t)(i * 7 + i / 251);
    struct atoll_tcp_conn *c;
    int rc = atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 7,
                               atoll_after(ATOLL_SEC(30)), &c);
    if (rc < 0)
        return rc;
    rc = atoll_tcp_write(c, out, BYTES, atoll_after(ATOLL_SEC(30)));
    if (rc >= 0 && rc != BYTES)
        rc = -ATOLL_ETIMEDOUT;
    size_t got = 0;
    while (rc >= 0 && got < BYTES) {
        int n = atoll_tcp_read(c, in + got, BYTES - got,
                               atoll_after(ATOLL_SEC(30)));
        if (n <= 0)
            rc = n == 0 ? -ATOLL_ECONNRESET : n;
        else
            got += (size_t)n;
    }
    /* Whatever came back is what was sent. */
    if (memcmp(in, out, got) != 0) {
        printf("       echo differs within its first %zu bytes\n", got);
        rc = -ATOLL_EBADMSG;
    }
    if (rc >= 0)
        rc = 0;
    atoll_tcp_close(c);
    return rc;
}

static int scenario(void *arg, bool sticky)
{
    struct run *r = arg;
    int err, verdict = 0;
    struct atoll_stack *sa =
        net_stack_on(r->nif[0], "a", "198.18.0.2/24", &err);
    struct atoll_stack *sb =
        sa ? net_stack_on(r->nif[1], "b", "198.18.0.3/24", &err) : 0;
    struct server sv = {NULL, 0};
    atoll_fiber *srv = NULL;
    if (sb)
        err = atoll_tcp_listen(sb, 7, 0, &sv.l);
    if (sb && err == 0)
        err = atoll_fiber_spawn(&srv, "echo", serve, &sv, 0);
    if (err == 0) {
        err = exchange(sa);
        atoll_fiber_join(srv, ATOLL_NEVER, NULL);
        /* Let the closing handshakes finish (or give up). */
        atoll_sleep(ATOLL_SEC(5));
    }
    /* One side told of -ATOLL_ENOMEM may end the exchange: the other then
     * sees a reset or a deadline.  Without that, a single failure must
     * not show at all. */
    int serr = srv ? sv.err : 0;
    bool enomem = err == -ATOLL_ENOMEM || serr == -ATOLL_ENOMEM;
    if (err == -ATOLL_EBADMSG ||
        (!enomem && ((err && !allowed(err, sticky)) ||
                     (serr && !allowed(serr, sticky))))) {
        printf("       client: %s, server: %s\n", atoll_strerror(err),
               atoll_strerror(serr));
        verdict = -1;
    }
    if (sv.l)
        atoll_tcp_listener_close(sv.l);
    atoll_stack_destroy(sa);
    atoll_stack_destroy(sb);
    return verdict;
}

TEST(tcp_memfail, "echo of 12 KB: every failing allocation, once and sticky")
{
    struct memfail m = {setup, scenario, drain, &the_run, 0, 20000};
    CHECK(memfail_loop(&m) > 50);
}
