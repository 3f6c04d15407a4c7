/*
 * atoll/fiber.h - cooperative fibers, timers, events and join.
 *
 * NAME
 *     atoll_fiber_spawn, atoll_fiber_join, atoll_yield, atoll_sleep,
 *     atoll_event_wait, atoll_event_notify - the Atoll scheduler
 *
 * DESCRIPTION
 *     A unikernel runs on one core.  Its concurrency is stackful fibers that
 *     switch only when they block (wait on an event, sleep, join, wait for a
 *     device) or yield.  There is no preemption and there are no locks: code
 *     between two blocking calls runs atomically.  Ready fibers run in FIFO
 *     order, so a run is deterministic for a given sequence of I/O events.
 *
 *     When no fiber is ready, the scheduler asks the platform to wait for
 *     device I/O until the earliest timer deadline, then wakes the fibers
 *     whose devices became ready or whose deadlines passed.
 *
 *     Every blocking call takes an absolute deadline (atoll/time.h) and
 *     returns -ATOLL_ETIMEDOUT when it passes first.  ATOLL_NEVER waits
 *     without limit.
 *
 *     Stacks come from the runtime's memory region and have a guard page
 *     below them where the platform can protect one; overflowing a stack
 *     stops the unikernel with "stack overflow in fiber NAME".
 *
 *     Every create, switch, block (with its reason), wake, exit and timer
 *     expiry is recorded in the trace ring (atoll/trace.h).
 */
#ifndef ATOLL_FIBER_H
#define ATOLL_FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

typedef struct atoll_fiber atoll_fiber;

/* A fiber's body.  Its return value is the fiber's result (see join). */
typedef int (*atoll_fiber_fn)(void *arg);

/*
 * Create a fiber named `name` (copied, cut at ATOLL_FIBER_NAME_MAX) that
 * runs fn(arg) with a stack of `stack_size` bytes (0: the default,
 * ATOLL_FIBER_STACK_DEFAULT; rounded up to whole pages).  It is put at the
 * end of the ready queue; the caller keeps running.
 *
 * If `out` is NULL the fiber is detached: its resources are released when
 * it returns.  Otherwise *out receives a handle that must be passed to
 * atoll_fiber_join exactly once.
 *
 * Returns 0, -ATOLL_ENOMEM (no memory for the stack), or -ATOLL_EINVAL.
 */
int atoll_fiber_spawn(atoll_fiber **out, const char *name, atoll_fiber_fn fn,
                      void *arg, size_t stack_size);

/*
 * Wait until fiber `f` has returned, then store its result in *result (if
 * not NULL) and release it.  Returns 0, or -ATOLL_ETIMEDOUT if `deadline`
 * passes first (the handle stays valid: join again later), or
 * -ATOLL_EINVAL for joining oneself.
 */
int atoll_fiber_join(atoll_fiber *f, atoll_time_t deadline, int *result);

/* The running fiber, and its name / small integer id (ids are unique for
 * the life of the unikernel and start at 1; the trace uses them). */
atoll_fiber *atoll_fiber_self(void);
const char *atoll_fiber_name(const atoll_fiber *f);
uint32_t atoll_fiber_id(const atoll_fiber *f);

/* Put the running fiber at the end of the ready queue and run the others. */
void atoll_yield(void);

/* Block the running fiber for `duration` / until `deadline`.  Return 0. */
int atoll_sleep(atoll_time_t duration);
int atoll_sleep_until(atoll_time_t deadline);

/*
 * Events: wait/notify between fibers, with no memory (like a condition
 * variable).  A notify wakes fibers that are waiting at that moment; a
 * notify with nobody waiting is lost.  Because fibers are cooperative, the
 * usual pattern needs no lock:
 *
 *     while (!queue_nonempty(q))
 *         if ((err = atoll_event_wait(&q->ev, deadline)) < 0)
 *             return err;
 *
 * `reason` names the event in the trace ("netif rx", "join", ...); it must
 * be a string that lives as long as the event (a literal).
 */
struct atoll_waiter;
typedef struct atoll_event {
    struct atoll_waiter *head, *tail; /* FIFO of waiting fibers */
    const char *reason;
} atoll_event;

#define ATOLL_EVENT_INIT(reason_literal)                                       \
    {                                                                          \
        NULL, NULL, (reason_literal)                                           \
    }

void atoll_event_init(atoll_event *ev, const char *reason);

/* Block until notified (returns 0) or until `deadline` (returns
 * -ATOLL_ETIMEDOUT). */
int atoll_event_wait(atoll_event *ev, atoll_time_t deadline);

/* Wake the longest-waiting fiber / every waiting fiber.  Never blocks and
 * never switches: the woken fibers run when the caller next blocks or
 * yields.  Return how many fibers were woken. */
int atoll_event_notify(atoll_event *ev);
int atoll_event_broadcast(atoll_event *ev);

/* True if any fiber waits on `ev`. */
bool atoll_event_has_waiters(const atoll_event *ev);

/*
 * Stop the whole unikernel with `status` as its exit status, from any
 * fiber.  Does not return.  The trace (if --trace= was given) is still
 * written.
 */
_Noreturn void atoll_exit(int status);

/* Stop the unikernel with a message; exit status ATOLL_EXIT_PANIC. */
_Noreturn void atoll_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The scheduler's state, for metrics (atoll/metrics.h) and logs. */
struct atoll_sched_stats {
    size_t live;      /* fibers not yet finished */
    size_t ready;     /* of them, ready to run */
    size_t timers;    /* deadlines pending (sleeps, timeouts) */
    uint64_t created; /* fibers ever created, main included */
};
void atoll_sched_stats(struct atoll_sched_stats *out);

/*
 * Exit statuses the runtime itself uses.  Applications should use 0..63.
 *   64  bad command line or configuration
 *   65  a device could not be attached or opened
 *   66  deadlock: every fiber blocked with nothing to wait on
 *   70  atoll_panic, a failed assertion, a stack overflow
 */
#define ATOLL_EXIT_USAGE    64
#define ATOLL_EXIT_NODEV    65
#define ATOLL_EXIT_DEADLOCK 66
#define ATOLL_EXIT_PANIC    70

#endif
