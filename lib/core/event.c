/*
 * lib/core/event.c - events: wait/notify between fibers (atoll/fiber.h).
 *
 * An event is a FIFO of waiters (doubly linked, so that a waiter whose
 * deadline passes can leave from the middle in O(1)).  Notifying only makes
 * fibers ready; the notifier keeps running until it blocks or yields.
 */
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/invariant.h"
#include "platform.h"
#include "sched_int.h"

#define S atoll_sched_state

void atoll_event_init(atoll_event *ev, const char *reason)
{
    ev->head = ev->tail = NULL;
    ev->reason = reason;
}

void core_event_unlink(struct atoll_waiter *w)
{
    atoll_event *ev = w->ev;
    if (!ev)
        return;
    /* The waiter is linked where its neighbours say. */
    ATOLL_ASSERT(w->prev ? w->prev->next == w : ev->head == w);
    ATOLL_ASSERT(w->next ? w->next->prev == w : ev->tail == w);
    if (w->prev)
        w->prev->next = w->next;
    else
        ev->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        ev->tail = w->prev;
    w->next = w->prev = NULL;
    w->ev = NULL;
}

int core_event_wait(atoll_event *ev, atoll_time_t deadline, const char *reason)
{
    atoll_fiber *f = S.current;
    if (!f || !ev)
        return -ATOLL_EINVAL;
    /* A deadline already passed times out without blocking (no clock read
     * for the common ATOLL_NEVER). */
    if (deadline != ATOLL_NEVER && deadline <= plat_clock_monotonic())
        return -ATOLL_ETIMEDOUT;
    struct atoll_waiter *w = &f->waiter;
    ATOLL_ASSERT(w->ev == NULL); /* a fiber waits on one event at a time */
    w->ev = ev;
    w->next = NULL;
    w->prev = ev->tail;
    if (ev->tail)
        ev->tail->next = w;
    else
        ev->head = w;
    ev->tail = w;
    return core_block(reason, deadline);
}

int atoll_event_wait(atoll_event *ev, atoll_time_t deadline)
{
    return core_event_wait(ev, deadline,
                           ev && ev->reason ? ev->reason : "event");
}

int atoll_event_notify(atoll_event *ev)
{
    if (!ev->head)
        return 0;
    core_wake(ev->head->fiber, false); /* unlinks it */
    return 1;
}

int atoll_event_broadcast(atoll_event *ev)
{
    int n = 0;
    while (ev->head) {
        core_wake(ev->head->fiber, false);
        n++;
    }
    return n;
}

bool atoll_event_has_waiters(const atoll_event *ev)
{
    return ev->head != NULL;
}
