/*
 * lib/core/sched.c - the scheduler: the run loop, blocking and waking,
 * sleep, yield, device waits, atoll_exit and atoll_panic.
 *
 * One loop (atoll_sched_run) serves a FIFO ready queue, fires expired
 * deadlines from the timer heap, and when nothing is ready asks the
 * platform to wait for device input until the earliest deadline.  If
 * nothing is ready, no deadline is armed and no device is waited on,
 * nothing can ever happen again: that is reported as a deadlock.
 *
 * Once per iteration the loop also asks the platform whether somebody
 * outside asked for the trace (plat_trace_requests; trace_dump.c writes
 * it, between fibers).
 *
 * The loop reads the clock once per iteration; that reading fires the
 * timers and stamps the scheduler's trace records (see trace_int.h).
 *
 * While fibers stay ready, devices somebody waits on are polled (a
 * zero-timeout plat_wait) so input is not starved, but not in the round
 * right after a poll: in a request/response exchange the round after the
 * idle wait typically just runs the woken receiver and the application it
 * wakes, and polling there costs a system call that finds nothing.
 * Skipping it delays input by at most one round; a flood of yielding
 * fibers still sees its devices polled every other round.
 *
 * Invariants (atoll/invariant.h): a fiber enters the ready queue only
 * from another state (never twice), the queue's ends and count agree,
 * and at level 2 every round walks the queue: each fiber in it is READY,
 * and there are exactly ready_count of them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "atoll/console.h"
#include "atoll/error.h"
#include "atoll/invariant.h"
#include "atoll/trace.h"
#include "context.h"
#include "platform.h"
#include "runtime.h"
#include "sched_int.h"
#include "trace_int.h"

#ifdef ATOLL_SANITIZE
#include <sanitizer/common_interface_defs.h>
#endif

struct sched atoll_sched_state;
#define S atoll_sched_state

/* While fibers are ready, poll the devices once every this many rounds. */
#define SCHED_BUSY_POLL_ROUNDS 2

static void ready_check(void)
{
    ATOLL_ASSERT((S.ready_head == NULL) == (S.ready_count == 0));
    ATOLL_ASSERT((S.ready_head == NULL) == (S.ready_tail == NULL));
    ATOLL_ASSERT(!S.ready_tail || S.ready_tail->ready_next == NULL);
    if (ATOLL_INVARIANTS < 2)
        return;
    size_t n = 0;
    for (const atoll_fiber *f = S.ready_head; f; f = f->ready_next) {
        ATOLL_ASSERT_SLOW(f->state == FIBER_READY && n < S.ready_count);
        n++;
    }
    ATOLL_ASSERT_SLOW(n == S.ready_count);
}

void core_make_ready(atoll_fiber *f)
{
    /* Twice in the queue would run it twice and cut the list. */
    ATOLL_ASSERT(f->state != FIBER_READY && f->state != FIBER_DONE);
    f->state = FIBER_READY;
    f->ready_next = NULL;
    if (S.ready_tail)
        S.ready_tail->ready_next = f;
    else
        S.ready_head = f;
    S.ready_tail = f;
    S.ready_count++;
}

static atoll_fiber *ready_pop(void)
{
    atoll_fiber *f = S.ready_head;
    ATOLL_ASSERT((f == NULL) == (S.ready_count == 0));
    if (f) {
        ATOLL_ASSERT(f->state == FIBER_READY);
        S.ready_head = f->ready_next;
        if (!S.ready_head)
            S.ready_tail = NULL;
        f->ready_next = NULL;
        S.ready_count--;
    }
    return f;
}

void core_switch_out(atoll_fiber *f, bool final)
{
#ifdef ATOLL_SANITIZE
    /* A finished fiber passes NULL so ASan drops its fake stack. */
    __sanitizer_start_switch_fiber(final ? NULL : &f->asan_fake_stack,
                                   S.asan_sched_bottom, S.asan_sched_size);
#else
    (void) final;
#endif
    atoll_ctx_switch(&f->sp, S.sched_sp);
#ifdef ATOLL_SANITIZE
    __sanitizer_finish_switch_fiber(f->asan_fake_stack, NULL, NULL);
#endif
}

/* Run fiber `f` until it switches back to the scheduler. */
static void dispatch(atoll_fiber *f)
{
    S.current = f;
    f->state = FIBER_RUNNING;
    core_trace_fast(ATOLL_TR_FIBER_SWITCH, f->id, S.last_id, NULL);
#ifdef ATOLL_SANITIZE
    __sanitizer_start_switch_fiber(&S.asan_fake_stack,
                                   f->stack + ATOLL_PAGE_SIZE, f->stack_size);
#endif
    atoll_ctx_switch(&S.sched_sp, f->sp);
#ifdef ATOLL_SANITIZE
    __sanitizer_finish_switch_fiber(S.asan_fake_stack, NULL, NULL);
#endif
    S.current = NULL;
    S.last_id = f->id;
    if (f->state == FIBER_DONE && f != S.main)
        core_fiber_finished(f);
    else
        core_fiber_check_canary(f);
}

int core_block(const char *reason, atoll_time_t deadline)
{
    atoll_fiber *f = S.current;
    f->state = FIBER_BLOCKED;
    f->reason = reason;
    f->timed_out = false;
    if (deadline != ATOLL_NEVER)
        core_timer_add(f, deadline);
    core_trace_fast(ATOLL_TR_FIBER_BLOCK, f->id, deadline, reason);
    core_switch_out(f, false);
    return f->timed_out ? -ATOLL_ETIMEDOUT : 0;
}

void core_wake(atoll_fiber *f, bool by_timeout)
{
    if (f->state != FIBER_BLOCKED)
        return;
    core_event_unlink(&f->waiter);
    core_timer_remove(f);
    f->timed_out = by_timeout;
    f->reason = NULL;
    core_trace_fast(ATOLL_TR_FIBER_WAKE, f->id, by_timeout, NULL);
    core_make_ready(f);
}

void atoll_yield(void)
{
    atoll_fiber *f = S.current;
    if (!f)
        return;
    core_make_ready(f);
    core_switch_out(f, false);
}

int atoll_sleep_until(atoll_time_t deadline)
{
    if (!S.current)
        return -ATOLL_EINVAL;
    /* A deadline already due still gives the others a turn. */
    if (deadline <= plat_clock_monotonic()) {
        atoll_yield();
        return 0;
    }
    (void)core_block("sleep", deadline);
    return 0;
}

int atoll_sleep(atoll_time_t duration)
{
    return atoll_sleep_until(atoll_after(duration));
}

int atoll_sched_wait_device(int dev, atoll_time_t deadline, const char *reason)
{
    if (dev < 0 || dev >= ATOLL_DEVICES_MAX)
        return -ATOLL_EINVAL;
    S.dev_used |= (uint64_t)1 << dev;
    return core_event_wait(&S.dev_ev[dev], deadline,
                           reason ? reason : "device");
}

void atoll_sched_set_iteration_hook(void (*hook)(void))
{
    S.hook = hook;
}

/* Devices some fiber is waiting on right now. */
static uint64_t device_interest(void)
{
    uint64_t interest = 0;
    for (uint64_t m = S.dev_used; m; m &= m - 1) {
        int d = __builtin_ctzll(m);
        if (S.dev_ev[d].head)
            interest |= (uint64_t)1 << d;
    }
    return interest;
}

static void wake_devices(uint64_t ready)
{
    for (; ready; ready &= ready - 1)
        atoll_event_broadcast(&S.dev_ev[__builtin_ctzll(ready)]);
}

static void fire_timers(atoll_time_t now)
{
    atoll_fiber *f;
    while ((f = core_timer_peek()) && f->deadline <= now) {
        core_timer_remove(f);
        core_trace_fast(ATOLL_TR_TIMER, 0, f->id, NULL);
        core_wake(f, true);
    }
}

static void report_deadlock(void)
{
    struct atoll_console *c = atoll_console_platform();
    atoll_console_puts("deadlock: every fiber is blocked\n");
    for (atoll_fiber *f = S.live; f; f = f->live_next)
        if (f->state == FIBER_BLOCKED)
            atoll_console_printf(c, "  fiber %s (id %u): waiting on %s\n",
                                 f->name, f->id, f->reason ? f->reason : "?");
}

int atoll_sched_run(atoll_fiber *main)
{
    if (!main || S.running || S.current)
        return -ATOLL_EINVAL;
    if (S.main_done) {
        /* The previous run's main fiber (see struct sched). */
        core_fiber_finished(S.main_done);
        core_fiber_free(S.main_done);
        S.main_done = NULL;
    }
    S.main = main;
    S.running = true;
    S.exit_requested = false;
    int status;
    /* Rounds since the devices were last polled or waited on. */
    unsigned unpolled = 0;

    for (;;) {
        atoll_time_t now = plat_clock_monotonic();
        core_trace_set_now(now);
        fire_timers(now);
        if (S.hook)
            S.hook();
        if (plat_trace_requests())
            core_trace_dump();
        ready_check();

        /* Serve the fibers ready at the start of this round; the ones they
         * wake run in the next round, after timers and devices had a
         * chance. */
        for (size_t n = S.ready_count; n > 0; n--) {
            atoll_fiber *f = ready_pop();
            if (!f)
                break;
            dispatch(f);
            if (S.exit_requested) {
                status = S.exit_status;
                goto out;
            }
            if (main->state == FIBER_DONE) {
                status = main->result;
                S.main_done = main;
                goto out;
            }
        }

        uint64_t interest = device_interest(), ready = 0;
        if (S.ready_count) {
            /* Busy: only poll the devices somebody waits on, and not in
             * the round right after a poll (see the top of the file). */
            if (interest && ++unpolled >= SCHED_BUSY_POLL_ROUNDS) {
                plat_wait(INT64_MIN, interest, &ready);
                wake_devices(ready & interest);
                unpolled = 0;
            }
            continue;
        }
        now = plat_clock_monotonic();
        core_trace_set_now(now);
        fire_timers(now);
        if (S.ready_count)
            continue;
        atoll_fiber *next = core_timer_peek();
        atoll_time_t deadline = next ? next->deadline : ATOLL_NEVER;
        if (!interest && deadline == ATOLL_NEVER) {
            report_deadlock();
            status = ATOLL_EXIT_DEADLOCK;
            goto out;
        }
        core_trace_fast(ATOLL_TR_IDLE, 0, deadline, NULL);
        plat_wait(deadline, interest, &ready);
        wake_devices(ready & interest);
        unpolled = 0;
    }
out:
    S.main = NULL;
    S.running = false;
    return status;
}

_Noreturn void atoll_exit(int status)
{
    atoll_fiber *f = S.current;
    if (!f || !S.running)
        plat_exit(status);
    S.exit_status = status;
    S.exit_requested = true;
    f->state = FIBER_BLOCKED;
    f->reason = "exit";
    core_switch_out(f, false);
    /* The scheduler never resumes a fiber that called atoll_exit. */
    plat_exit(status);
}

_Noreturn void atoll_panic(const char *fmt, ...)
{
    char msg[ATOLL_LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    atoll_console_printf(atoll_console_platform(),
                         "atoll: panic: %s (in fiber %s)\n", msg,
                         S.current ? S.current->name : "scheduler");
    plat_exit(ATOLL_EXIT_PANIC);
}

void atoll_sched_stats(struct atoll_sched_stats *out)
{
    out->live = S.live_count;
    out->ready = S.ready_count;
    out->timers = S.ntimers;
    out->created = S.next_id;
}
