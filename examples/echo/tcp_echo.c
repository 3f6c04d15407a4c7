/*
 * examples/echo/tcp_echo.c - TCP echo (RFC 862) on port 7: whatever a
 * client sends comes back until it finishes; then we close too.
 *
 * The echo holds many connections without a fiber for each: a poller
 * (atoll/tcp.h, POLLERS) watches them all.  One fiber accepts and arms
 * each new connection; a few worker fibers take the ready ones from the
 * poller, echo what can go back without waiting, and arm them again.  An
 * idle connection therefore costs only what TCP keeps for it (docs/net.md,
 * "Connection capacity"), and no worker ever waits on one client: a
 * client that stops reading is armed for room to write, not waited for.
 *
 * Each worker has its own buffer.  (A buffer shared by fibers that block
 * while they use it sends one client's bytes to another.)
 *
 * Connections that make no progress for e->idle are reset, which frees
 * them at once; with e->keepalive, TCP probes quiet peers and ends the
 * connections of peers that are gone.
 */
#include "echo.h"

#define CHUNK        16384 /* bytes a worker moves at once */
#define TURN_CHUNKS  4     /* then the connection waits its turn again */
#define WORKERS_DEF  4
#define LISTEN_QUEUE 1024

struct echo_state {
    struct echo_tcp *e;
    struct atoll_tcp_poller *poller;
};

static atoll_time_t deadline_of(const struct echo_tcp *e)
{
    return e->idle > 0 ? atoll_after(e->idle) : ATOLL_NEVER;
}

/* The end of a connection: `why` is what the last read or write_room
 * said (0: end of stream). */
static void finish(struct echo_tcp *e, struct atoll_tcp_conn *c, int why)
{
    if (why == 0)
        e->finished++;
    else if (why == -ATOLL_ETIMEDOUT) /* keepalive or retransmissions */
        e->dead++;
    else
        e->failed++;
    atoll_tcp_close(c);
    e->open--;
}

static void arm(struct echo_state *st, struct atoll_tcp_conn *c,
                unsigned events)
{
    if (atoll_tcp_poller_arm(st->poller, c, events, deadline_of(st->e), NULL) <
        0) {
        atoll_tcp_abort(c);
        st->e->failed++;
        st->e->open--;
    }
}

/* One turn of a ready connection: echo what can go back without waiting,
 * up to TURN_CHUNKS chunks, then arm it for what it waits for next. */
static void serve(struct echo_state *st, const struct atoll_tcp_ready *r,
                  uint8_t *buf)
{
    struct atoll_tcp_conn *c = r->conn;
    if (r->events & ATOLL_TCP_EXPIRED) {
        st->e->expired++;
        st->e->open--;
        atoll_tcp_abort(c);
        return;
    }
    for (int i = 0; i < TURN_CHUNKS; i++) {
        size_t avail = atoll_tcp_readable(c);
        if (avail == 0 && i > 0) { /* took all there was */
            arm(st, c, ATOLL_TCP_READABLE);
            return;
        }
        if (avail == 0) {
            /* Handed over readable with nothing to read: the end of the
             * stream or an error, which the read returns (without
             * waiting; -ATOLL_ETIMEDOUT here is a peer found gone). */
            finish(st->e, c, atoll_tcp_read(c, buf, CHUNK, 0));
            return;
        }
        /* Room for what there is to echo, no more: room is memory, and
         * thousands of clients may send at once. */
        int room = atoll_tcp_write_room(c, avail < CHUNK ? avail : CHUNK);
        if (room < 0) {
            finish(st->e, c, room);
            return;
        }
        if (room == 0) { /* the client does not read: wait for room */
            arm(st, c, ATOLL_TCP_WRITABLE);
            return;
        }
        int n = atoll_tcp_read(c, buf, (size_t)room, 0);
        /* n == room: that much was there.  write_room made room for it,
         * so this neither blocks nor falls short. */
        atoll_tcp_write(c, buf, (size_t)n, 0);
    }
    arm(st, c, ATOLL_TCP_READABLE); /* its turn is over; others first */
}

static int worker(void *arg)
{
    struct echo_state *st = arg;
    uint8_t buf[CHUNK]; /* this worker's own */
    for (;;) {
        struct atoll_tcp_ready r;
        if (atoll_tcp_poller_wait(st->poller, &r, 1, ATOLL_NEVER) == 1)
            serve(st, &r, buf);
    }
    return 0;
}

int echo_tcp(void *arg)
{
    struct echo_tcp *e = arg;
    struct atoll_tcp_listener *l;
    int err = atoll_tcp_listen(e->stack, ECHO_PORT, LISTEN_QUEUE, &l);
    if (err < 0)
        return err;
    /* The workers' shared state outlives this fiber's frame should it
     * return. */
    struct echo_state *st = atoll_malloc(sizeof *st);
    if (!st)
        return -ATOLL_ENOMEM;
    st->e = e;
    if ((err = atoll_tcp_poller_create(&st->poller)) < 0)
        return err;
    int workers = e->workers > 0 ? e->workers : WORKERS_DEF;
    for (int i = 0; i < workers; i++)
        if ((err = atoll_fiber_spawn(NULL, "tcp echo worker", worker, st, 0)) <
            0)
            return err;
    for (;;) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(l, ATOLL_NEVER, &c) < 0)
            continue;
        e->accepted++;
        e->open++;
        if (e->keepalive > 0)
            atoll_tcp_set_keepalive(c, true, e->keepalive, e->keepalive, 3);
        arm(st, c, ATOLL_TCP_READABLE);
    }
}
