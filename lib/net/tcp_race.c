/*
 * lib/net/tcp_race.c - connecting to the first of several addresses that
 * answers (atoll_tcp_connect_race, atoll/tcp.h): RFC 8305's "happy
 * eyeballs", so that a name with a broken IPv6 path still connects over
 * IPv4 after a fraction of a second instead of after IPv6's whole SYN
 * timeout.
 *
 * The addresses are tried with the families interleaved, starting with
 * the first address's (RFC 8305 4: the resolver's order puts every IPv6
 * address first, and a second IPv6 address is rarely the remedy for a
 * broken IPv6 path).  The next attempt starts `stagger` after the one
 * before it (RFC 8305 5, the Connection Attempt Delay), or at once when
 * every attempt so far has failed; earlier attempts keep going.  Each
 * attempt is a fiber blocked in tcp_connect_wait, as atoll_tcp_connect
 * is; they tell the caller's fiber about their end through one event.
 * The first connection established wins; the caller stops the others
 * (their waits drop them, with a RST for one the peer already answered)
 * and joins every fiber before returning, so nothing outlives the call.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "tcp_int.h"

struct race;

struct attempt {
    struct race *r;
    struct atoll_tcp_conn *c; /* while connecting */
    atoll_fiber *f;
    int result; /* 1 running, else tcp_connect_wait's */
};

struct race {
    atoll_event ev; /* an attempt ended */
    atoll_time_t deadline;
    bool stop; /* a winner was found, or the caller gives up */
    struct attempt a[ATOLL_TCP_RACE_MAX];
};

static int attempt_main(void *arg)
{
    struct attempt *a = arg;
    a->result = tcp_connect_wait(a->c, a->r->deadline, &a->r->stop);
    if (a->result < 0)
        a->c = NULL; /* gone */
    atoll_event_broadcast(&a->r->ev);
    return 0;
}

/* The order to try dst[] in, as indices: families interleaved, the first
 * address's family first, each family's addresses in their given order. */
static void interleave(const atoll_addr_t *dst, int n, int *order)
{
    int k = 0, same = 0, other = 0;
    uint8_t fam = dst[0].family;
    while (k < n) {
        while (same < n && dst[same].family != fam)
            same++;
        if (same < n)
            order[k++] = same++;
        while (other < n && dst[other].family == fam)
            other++;
        if (other < n && k < n)
            order[k++] = other++;
    }
}

int atoll_tcp_connect_race(struct atoll_stack *s, const atoll_addr_t *dst,
                           int n, uint16_t port, atoll_time_t stagger,
                           atoll_time_t deadline, struct atoll_tcp_conn **out,
                           int *which)
{
    struct tcp_stack *ts = s ? net_tcp_get(s) : NULL;
    if (!ts || !dst || !out || n <= 0 || n > ATOLL_TCP_RACE_MAX || port == 0)
        return -ATOLL_EINVAL;
    if (stagger <= 0)
        stagger = TCP_RACE_STAGGER_NS;
    int order[ATOLL_TCP_RACE_MAX];
    interleave(dst, n, order);
    struct race *r = atoll_calloc(1, sizeof *r); /* fibers point into it */
    if (!r)
        return -ATOLL_ENOMEM;
    atoll_event_init(&r->ev, "tcp race");
    r->deadline = deadline;
    int started = 0, running = 0, failed = 0, win = -1;
    int err = -ATOLL_EHOSTUNREACH;
    atoll_time_t next = atoll_now();
    while (win < 0 && (started < n || running > 0)) {
        if (started < n && atoll_now() >= next) {
            struct attempt *a = &r->a[started++];
            a->r = r;
            next = atoll_now() + stagger;
            a->result =
                tcp_connect_start(ts, 0, &dst[order[started - 1]], port, &a->c);
            if (a->result == 0) {
                a->result = 1;
                int e =
                    atoll_fiber_spawn(&a->f, "tcp race", attempt_main, a, 0);
                if (e == 0) {
                    running++;
                    continue;
                }
                atoll_tcp_abort(a->c);
                a->c = NULL;
                a->result = e;
            }
            err = a->result; /* failed at once (no route): the next now */
            failed++;
            next = atoll_now();
            continue;
        }
        /* Wait for an attempt to end, or for the next one's time. */
        atoll_time_t until = started < n && next < deadline ? next : deadline;
        int w = atoll_event_wait(&r->ev, until);
        int ended = 0;
        running = 0;
        for (int i = 0; i < started; i++) {
            struct attempt *a = &r->a[i];
            if (a->result == 1)
                running++;
            else if (a->result == 0 && win < 0)
                win = i;
            else if (a->result < 0) {
                ended++;
                if (a->f)
                    err = a->result;
            }
        }
        if (ended > failed) { /* one more failed: the next one now */
            failed = ended;
            next = atoll_now();
        }
        if (w < 0 && until == deadline && win < 0) {
            err = -ATOLL_ETIMEDOUT; /* the attempts end by themselves now */
            break;
        }
    }
    /* Stop the losers (their fibers wake, drop their connections and end)
     * and join every fiber. */
    r->stop = true;
    for (int i = 0; i < started; i++)
        if (r->a[i].result == 1)
            atoll_event_broadcast(&r->a[i].c->st_ev);
    for (int i = 0; i < started; i++) {
        struct attempt *a = &r->a[i];
        if (!a->f)
            continue;
        atoll_fiber_join(a->f, ATOLL_NEVER, NULL);
        if (i != win && a->result == 0)
            atoll_tcp_abort(a->c); /* established before it heard stop */
    }
    if (win >= 0) {
        *out = r->a[win].c;
        if (which)
            *which = order[win];
        err = 0;
    }
    atoll_free(r);
    return err;
}
