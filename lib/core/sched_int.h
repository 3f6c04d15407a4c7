/*
 * lib/core/sched_int.h - the scheduler's data structures, shared by the
 * files that implement atoll/fiber.h: fiber.c (fibers and their stacks),
 * sched.c (the run loop, blocking and waking), event.c (events) and
 * timer.c (the deadline heap).  Internal to lib/core.
 *
 * The model: every fiber switch goes through the scheduler's own context
 * (the stack that called atoll_sched_run).  A fiber that blocks or yields
 * switches to the scheduler; the scheduler switches to the next ready
 * fiber.  That costs a second switch per hand-over but keeps one place
 * where switches happen, so the trace, the stack canary check, the release
 * of finished fibers and the sanitizer annotations live in one function.
 */
#ifndef ATOLL_CORE_SCHED_INT_H
#define ATOLL_CORE_SCHED_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/fiber.h"
#include "atoll/tunables.h"

#define ATOLL_PAGE_SIZE 4096

/* A fiber's place in an event's FIFO.  Each fiber waits on at most one
 * event at a time, so the waiter lives inside the fiber. */
struct atoll_waiter {
    struct atoll_waiter *next, *prev;
    atoll_event *ev; /* NULL when not waiting on an event */
    atoll_fiber *fiber;
};

enum fiber_state {
    FIBER_READY = 1, /* in the ready queue */
    FIBER_RUNNING,   /* the current fiber */
    FIBER_BLOCKED,   /* waiting: event, sleep, join or device */
    FIBER_DONE,      /* returned; waits to be joined (or freed) */
};

#define TIMER_NONE SIZE_MAX

struct atoll_fiber {
    void *sp; /* saved stack pointer while not running */
    enum fiber_state state;
    uint32_t id;
    atoll_fiber_fn fn;
    void *arg;
    int result;
    bool detached;
    bool canary;    /* guard page is a canary, not a protected page */
    bool timed_out; /* the last block ended by its deadline */
    uint8_t *stack; /* guard page, then stack_size bytes; NULL once freed */
    size_t stack_size;
    atoll_fiber *ready_next;
    atoll_fiber *live_next, *live_prev;
    const char *reason; /* why it is blocked (for deadlock reports) */
    atoll_time_t deadline;
    uint64_t timer_seq;
    size_t timer_slot; /* index in the timer heap or TIMER_NONE */
    struct atoll_waiter waiter;
    atoll_event done_ev; /* joiners wait here */
    void *asan_fake_stack;
    char name[ATOLL_FIBER_NAME_MAX + 1];
};

struct sched {
    atoll_fiber *current; /* NULL while the scheduler itself runs */
    void *sched_sp;
    uint32_t last_id; /* fiber that ran last (trace: SWITCH's arg) */
    atoll_fiber *ready_head, *ready_tail;
    size_t ready_count;
    atoll_fiber *live; /* every fiber not yet finished */
    atoll_fiber *main; /* the fiber atoll_sched_run waits for */
    /* A finished main fiber whose stack is released only at the next
     * atoll_sched_run: its return usually ends the program, and releasing
     * the stack's guard page is not free on every platform (on hvt it is
     * a hypercall that makes KVM drop all cached translations). */
    atoll_fiber *main_done;
    size_t live_count;
    uint32_t next_id;
    bool running;
    bool exit_requested;
    int exit_status;
    void (*hook)(void);
    atoll_event dev_ev[ATOLL_DEVICES_MAX]; /* fibers waiting per device */
    uint64_t dev_used;                     /* devices ever waited on */
    atoll_fiber **timers; /* binary min-heap on (deadline, timer_seq) */
    size_t ntimers, timers_cap;
    uint64_t timer_seq;
    void *asan_fake_stack;
    const void *asan_sched_bottom;
    size_t asan_sched_size;
};

extern struct sched atoll_sched_state;

/* ---- sched.c ---- */

/* Block the running fiber until woken or `deadline`; 0 or
 * -ATOLL_ETIMEDOUT.  If it is to wait on an event, the caller has already
 * queued its waiter.  `reason` goes to the trace and deadlock report. */
int core_block(const char *reason, atoll_time_t deadline);

/* Make a blocked fiber ready (unlinking it from its event and timer). */
void core_wake(atoll_fiber *f, bool by_timeout);

/* Append to the ready queue. */
void core_make_ready(atoll_fiber *f);

/* Switch from the running fiber `f` to the scheduler; `final` when `f`
 * has finished and will never be resumed. */
void core_switch_out(atoll_fiber *f, bool final);

/* Wait on an event with a reason other than the event's own. */
int core_event_wait(atoll_event *ev, atoll_time_t deadline, const char *reason);

/* Remove a fiber's waiter from its event's FIFO. */
void core_event_unlink(struct atoll_waiter *w);

/* ---- fiber.c ---- */

/* After the final switch away from a finished fiber: return its stack to
 * the heap and drop it from the live list; free the fiber too if it was
 * detached. */
void core_fiber_finished(atoll_fiber *f);

/* Check the canary guard of a fiber that just switched away. */
void core_fiber_check_canary(atoll_fiber *f);

/* Release a finished fiber's structure. */
void core_fiber_free(atoll_fiber *f);

/* ---- timer.c ---- */

/* Make room for `n` armed timers; 0 or -ATOLL_ENOMEM. */
int core_timer_reserve(size_t n);
void core_timer_add(atoll_fiber *f, atoll_time_t deadline);
void core_timer_remove(atoll_fiber *f);
/* The fiber with the earliest deadline, or NULL. */
atoll_fiber *core_timer_peek(void);
atoll_fiber *core_timer_pop(void);

#endif
