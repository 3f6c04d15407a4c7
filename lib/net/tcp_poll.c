/*
 * lib/net/tcp_poll.c - pollers (atoll/tcp.h, POLLERS): one fiber waits on
 * many connections, so a server needs no fiber per connection.
 *
 * An armed connection carries its entry (tcp_int.h, struct
 * tcp_poll_entry): the events it waits for, its place on the poller's
 * ready list and its deadline in the poller's heap.  The protocol calls
 * tcp_wake whenever data, room, end of stream or an error may have come;
 * a connection waiting for one of those goes on the ready list (once) and
 * one waiting fiber is woken.  The list holds candidates: wait checks
 * each against what really holds (tcp_poll_ready) when it takes it, so a
 * wake-up that changed nothing costs a list entry, not a false report.
 * Expired deadlines come off the heap's top.
 *
 * Handing a connection back disarms it (one-shot), so the fiber that got
 * it owns it until it arms it again: no two workers ever serve one
 * connection at once.  A waiter that leaves entries behind passes the
 * wake-up on to the next waiter.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "tcp_int.h"

struct atoll_tcp_poller {
    struct atoll_tcp_conn *head, *tail; /* ready candidates, oldest first */
    struct dheap deadlines;             /* armed entries with a deadline */
    uint32_t armed;
    atoll_event ev; /* fibers in atoll_tcp_poller_wait */
};

#define CONN_OF_DEADLINE(node)                                                 \
    ((struct atoll_tcp_conn *)((char *)(node)-offsetof(struct atoll_tcp_conn,  \
                                                       pe.deadline)))

unsigned tcp_poll_ready(const struct atoll_tcp_conn *c)
{
    unsigned r = 0;
    if (c->rcvbuf.len > 0 || c->rd_done || c->error || c->state == TCP_CLOSED)
        r |= ATOLL_TCP_READABLE;
    if (c->error || c->wr_shut ||
        (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT) ||
        (!c->snd_short && c->snd_len <= TCP_SNDBUF_MAX - TCP_SND_LOWAT))
        r |= ATOLL_TCP_WRITABLE;
    return r;
}

static void enqueue(struct atoll_tcp_poller *p, struct atoll_tcp_conn *c)
{
    if (c->pe.queued)
        return;
    c->pe.queued = true;
    c->pe.next = NULL;
    c->pe.prev = p->tail;
    if (p->tail)
        p->tail->pe.next = c;
    else
        p->head = c;
    p->tail = c;
    atoll_event_notify(&p->ev);
}

static void dequeue(struct atoll_tcp_poller *p, struct atoll_tcp_conn *c)
{
    if (!c->pe.queued)
        return;
    if (c->pe.prev)
        c->pe.prev->pe.next = c->pe.next;
    else
        p->head = c->pe.next;
    if (c->pe.next)
        c->pe.next->pe.prev = c->pe.prev;
    else
        p->tail = c->pe.prev;
    c->pe.next = c->pe.prev = NULL;
    c->pe.queued = false;
}

void tcp_wake(struct atoll_tcp_conn *c, unsigned events)
{
    if (events & ATOLL_TCP_READABLE)
        atoll_event_broadcast(&c->rd_ev);
    if (events & ATOLL_TCP_WRITABLE)
        atoll_event_broadcast(&c->wr_ev);
    if (c->pe.poller && (c->pe.events & events))
        enqueue(c->pe.poller, c);
}

void tcp_poll_disarm(struct atoll_tcp_conn *c)
{
    struct atoll_tcp_poller *p = c->pe.poller;
    if (!p)
        return;
    dequeue(p, c);
    dheap_remove(&p->deadlines, &c->pe.deadline);
    p->armed--;
    c->pe.poller = NULL;
    c->pe.events = 0;
    c->pe.user = NULL;
}

int atoll_tcp_poller_create(struct atoll_tcp_poller **out)
{
    if (!out)
        return -ATOLL_EINVAL;
    struct atoll_tcp_poller *p = atoll_calloc(1, sizeof *p);
    if (!p)
        return -ATOLL_ENOMEM;
    atoll_event_init(&p->ev, "tcp poller");
    *out = p;
    return 0;
}

int atoll_tcp_poller_arm(struct atoll_tcp_poller *p, struct atoll_tcp_conn *c,
                         unsigned events, atoll_time_t deadline, void *user)
{
    if (!p || !c || !c->handed_out || c->user_closed ||
        (events & ~(ATOLL_TCP_READABLE | ATOLL_TCP_WRITABLE)) || !events)
        return -ATOLL_EINVAL;
    bool timed = deadline != ATOLL_NEVER;
    if (timed && !dheap_has(&c->pe.deadline) &&
        dheap_reserve(&p->deadlines, p->deadlines.n + 1) < 0)
        return -ATOLL_ENOMEM;
    if (c->pe.poller != p) {
        tcp_poll_disarm(c);
        c->pe.poller = p;
        p->armed++;
    }
    c->pe.events = (uint8_t)events;
    c->pe.user = user;
    if (timed)
        dheap_put(&p->deadlines, &c->pe.deadline, deadline);
    else
        dheap_remove(&p->deadlines, &c->pe.deadline);
    if (tcp_poll_ready(c) & events)
        enqueue(p, c);
    return 0;
}

void atoll_tcp_poller_disarm(struct atoll_tcp_conn *c)
{
    if (c)
        tcp_poll_disarm(c);
}

/* Hand `c` to the caller: fill `r` and disarm. */
static void take(struct atoll_tcp_conn *c, unsigned events,
                 struct atoll_tcp_ready *r)
{
    r->conn = c;
    r->user = c->pe.user;
    r->events = events;
    tcp_poll_disarm(c);
}

int atoll_tcp_poller_wait(struct atoll_tcp_poller *p,
                          struct atoll_tcp_ready *out, int max,
                          atoll_time_t deadline)
{
    if (!p || !out || max < 1)
        return -ATOLL_EINVAL;
    for (;;) {
        int n = 0;
        while (n < max && p->head) {
            struct atoll_tcp_conn *c = p->head;
            dequeue(p, c);
            unsigned r = tcp_poll_ready(c) & c->pe.events;
            if (r)
                take(c, r, &out[n++]);
        }
        atoll_time_t now = atoll_now();
        struct dheap_node *top;
        while (n < max && (top = dheap_top(&p->deadlines)) && top->key <= now)
            take(CONN_OF_DEADLINE(top), ATOLL_TCP_EXPIRED, &out[n++]);
        if (n > 0) {
            /* Others may be waiting while entries are left. */
            top = dheap_top(&p->deadlines);
            if (p->head || (top && top->key <= now))
                atoll_event_notify(&p->ev);
            return n;
        }
        if (deadline != ATOLL_NEVER && deadline <= now)
            return -ATOLL_ETIMEDOUT;
        top = dheap_top(&p->deadlines);
        atoll_time_t until =
            top && (deadline == ATOLL_NEVER || top->key < deadline) ? top->key
                                                                    : deadline;
        /* Woken or timed out, the loop looks again (and returns
         * -ATOLL_ETIMEDOUT when the caller's deadline passed). */
        (void)atoll_event_wait(&p->ev, until);
    }
}

int atoll_tcp_poller_destroy(struct atoll_tcp_poller *p)
{
    if (!p)
        return 0;
    if (p->armed || atoll_event_has_waiters(&p->ev))
        return -ATOLL_EBUSY;
    dheap_free(&p->deadlines);
    atoll_free(p);
    return 0;
}
