/*
 * lib/core/fiber.c - fibers: creation, stacks with guard pages, join, and
 * the end of a fiber's life.
 *
 * A fiber's stack is one aligned block from the default heap - or one the
 * platform made ahead of time, guard included (plat_stack_take: on hvt a
 * guard call is a VM exit, so the first fiber avoids it): the lowest
 * page is the guard, the stack grows down towards it.  Where the platform
 * can protect pages the guard faults on overflow and the platform's fault
 * handler asks atoll_fiber_guard_owner whose it was; elsewhere the guard
 * is filled with a canary pattern that the scheduler checks each time the
 * fiber switches away.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/trace.h"
#include "context.h"
#include "platform.h"
#include "runtime.h"
#include "sched_int.h"
#include "trace_int.h"

#ifdef ATOLL_SANITIZE
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define S atoll_sched_state

#define CANARY_BYTE 0xa5
/* Bytes at the top of the guard page checked at every switch (the first
 * ones an overflow hits); the whole page is checked when the fiber ends. */
#define CANARY_HOT 256

/* Largest stack a fiber may ask for (a sanity bound, not a tunable). */
#define STACK_MAX ((size_t)1 << 30)

static void fiber_entry(void *arg);

static void live_insert(atoll_fiber *f)
{
    f->live_prev = NULL;
    f->live_next = S.live;
    if (S.live)
        S.live->live_prev = f;
    S.live = f;
    S.live_count++;
}

static void live_remove(atoll_fiber *f)
{
    if (f->live_prev)
        f->live_prev->live_next = f->live_next;
    else
        S.live = f->live_next;
    if (f->live_next)
        f->live_next->live_prev = f->live_prev;
    f->live_next = f->live_prev = NULL;
    S.live_count--;
}

static bool canary_intact(const atoll_fiber *f, size_t from)
{
    const uint8_t *g = f->stack;
    for (size_t i = from; i < ATOLL_PAGE_SIZE; i++)
        if (g[i] != CANARY_BYTE)
            return false;
    return true;
}

void core_fiber_check_canary(atoll_fiber *f)
{
    if (f->canary && f->stack &&
        !canary_intact(f, ATOLL_PAGE_SIZE - CANARY_HOT))
        atoll_panic("stack overflow in fiber %s", f->name);
}

int atoll_fiber_spawn(atoll_fiber **out, const char *name, atoll_fiber_fn fn,
                      void *arg, size_t stack_size)
{
    if (!fn || stack_size > STACK_MAX)
        return -ATOLL_EINVAL;
    if (stack_size == 0)
        stack_size = ATOLL_FIBER_STACK_DEFAULT;
    if (stack_size < ATOLL_FIBER_STACK_MIN)
        stack_size = ATOLL_FIBER_STACK_MIN;
    stack_size =
        (stack_size + ATOLL_PAGE_SIZE - 1) & ~(size_t)(ATOLL_PAGE_SIZE - 1);

    if (core_timer_reserve(S.live_count + 1) < 0)
        return -ATOLL_ENOMEM;
    atoll_fiber *f = atoll_malloc(sizeof *f);
    if (!f)
        return -ATOLL_ENOMEM;
    memset(f, 0, sizeof *f);
    f->stack_size = stack_size;
    f->stack = plat_stack_take(stack_size);
    if (!f->stack) {
        f->stack =
            atoll_memalign(ATOLL_PAGE_SIZE, stack_size + ATOLL_PAGE_SIZE);
        if (!f->stack) {
            atoll_free(f);
            return -ATOLL_ENOMEM;
        }
        int g = plat_guard_page(f->stack, true);
        if (g < 0) {
            /* No page protection here: fall back to a canary. */
            f->canary = true;
            memset(f->stack, CANARY_BYTE, ATOLL_PAGE_SIZE);
        }
    }

    f->id = ++S.next_id;
    f->fn = fn;
    f->arg = arg;
    f->detached = out == NULL;
    f->timer_slot = TIMER_NONE;
    f->waiter.fiber = f;
    atoll_event_init(&f->done_ev, "join");
    size_t n = name ? strlen(name) : 0;
    if (n > ATOLL_FIBER_NAME_MAX)
        n = ATOLL_FIBER_NAME_MAX;
    memcpy(f->name, name ? name : "", n);
    f->name[n] = '\0';
    f->sp =
        atoll_ctx_make(f->stack + ATOLL_PAGE_SIZE,
                       f->stack + ATOLL_PAGE_SIZE + stack_size, fiber_entry, f);
    live_insert(f);
    atoll_trace_record(ATOLL_TR_FIBER_CREATE, f->id, 0, f->name);
    core_make_ready(f);
    if (out)
        *out = f;
    return 0;
}

/* First function on a new fiber's stack (via atoll_ctx_start). */
static void fiber_entry(void *arg)
{
    atoll_fiber *f = arg;
#ifdef ATOLL_SANITIZE
    /* Learn the scheduler's stack bounds for switching back to it. */
    __sanitizer_finish_switch_fiber(NULL, &S.asan_sched_bottom,
                                    &S.asan_sched_size);
#endif
    f->result = f->fn(f->arg);
    f->state = FIBER_DONE;
    core_trace_fast(ATOLL_TR_FIBER_EXIT, f->id, f->result, NULL);
    atoll_event_broadcast(&f->done_ev);
    core_switch_out(f, true);
    /* Never resumed. */
    atoll_panic("finished fiber %s was resumed", f->name);
}

void core_fiber_finished(atoll_fiber *f)
{
    if (f->canary && !canary_intact(f, 0))
        atoll_panic("stack overflow in fiber %s", f->name);
    live_remove(f);
#ifdef ATOLL_SANITIZE
    /* The dead frames leave poisoned red zones behind; the memory is about
     * to be reused by ordinary allocations. */
    __asan_unpoison_memory_region(f->stack, f->stack_size + ATOLL_PAGE_SIZE);
#endif
    if (!plat_stack_return(f->stack)) {
        if (!f->canary)
            (void)plat_guard_page(f->stack, false);
        atoll_free(f->stack);
    }
    f->stack = NULL;
    if (f->detached)
        core_fiber_free(f);
}

void core_fiber_free(atoll_fiber *f)
{
    atoll_free(f);
}

int atoll_fiber_join(atoll_fiber *f, atoll_time_t deadline, int *result)
{
    if (!f || f == S.current || f->detached)
        return -ATOLL_EINVAL;
    while (f->state != FIBER_DONE) {
        int err = core_event_wait(&f->done_ev, deadline, "join");
        if (err < 0)
            return err;
    }
    /* The scheduler released the stack right after the fiber's final
     * switch; only the structure is left. */
    if (result)
        *result = f->result;
    core_fiber_free(f);
    return 0;
}

atoll_fiber *atoll_fiber_self(void)
{
    return S.current;
}

const char *atoll_fiber_name(const atoll_fiber *f)
{
    return f ? f->name : "scheduler";
}

uint32_t atoll_fiber_id(const atoll_fiber *f)
{
    return f ? f->id : 0;
}

const char *atoll_fiber_guard_owner(const void *addr)
{
    const uint8_t *a = addr;
    for (const atoll_fiber *f = S.live; f; f = f->live_next)
        if (f->stack && a >= f->stack && a < f->stack + ATOLL_PAGE_SIZE)
            return f->name;
    return NULL;
}
