/*
 * lib/core/timer.c - the scheduler's deadlines: a binary min-heap of
 * blocked fibers ordered by (deadline, sequence number).
 *
 * The sequence number is taken when a deadline is armed, so fibers with
 * equal deadlines expire in the order they went to sleep - the run stays
 * deterministic.  Each fiber has at most one deadline and remembers its
 * slot in the heap, so removal on an early wake-up is O(log n).  The array
 * is grown when fibers are spawned (core_timer_reserve), never when a
 * fiber blocks, so blocking cannot fail for lack of memory.
 */
#include "atoll/error.h"
#include "atoll/invariant.h"
#include "atoll/mem.h"
#include "sched_int.h"

#define S atoll_sched_state

static bool earlier(const atoll_fiber *a, const atoll_fiber *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->timer_seq < b->timer_seq;
}

/* The heap property around slot i (its parent and children), and the
 * fiber's record of its slot: O(1), after every change. */
static void heap_check(size_t i)
{
    if (i >= S.ntimers)
        return;
    const atoll_fiber *f = S.timers[i];
    ATOLL_ASSERT(f->timer_slot == i);
    ATOLL_ASSERT(i == 0 || !earlier(f, S.timers[(i - 1) / 2]));
    for (size_t c = 2 * i + 1; c <= 2 * i + 2 && c < S.ntimers; c++)
        ATOLL_ASSERT(!earlier(S.timers[c], f));
}

static void place(size_t i, atoll_fiber *f)
{
    S.timers[i] = f;
    f->timer_slot = i;
}

static void sift_up(size_t i)
{
    atoll_fiber *f = S.timers[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(f, S.timers[parent]))
            break;
        place(i, S.timers[parent]);
        i = parent;
    }
    place(i, f);
}

static void sift_down(size_t i)
{
    atoll_fiber *f = S.timers[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= S.ntimers)
            break;
        if (child + 1 < S.ntimers &&
            earlier(S.timers[child + 1], S.timers[child]))
            child++;
        if (!earlier(S.timers[child], f))
            break;
        place(i, S.timers[child]);
        i = child;
    }
    place(i, f);
}

int core_timer_reserve(size_t n)
{
    if (n <= S.timers_cap)
        return 0;
    size_t cap = S.timers_cap ? S.timers_cap : 16;
    while (cap < n)
        cap *= 2;
    atoll_fiber **t = atoll_realloc(S.timers, cap * sizeof *t);
    if (!t)
        return -ATOLL_ENOMEM;
    S.timers = t;
    S.timers_cap = cap;
    return 0;
}

void core_timer_add(atoll_fiber *f, atoll_time_t deadline)
{
    if (f->timer_slot != TIMER_NONE)
        core_timer_remove(f);
    f->deadline = deadline;
    f->timer_seq = S.timer_seq++;
    ATOLL_ASSERT(S.ntimers < S.timers_cap); /* reserved at spawn */
    place(S.ntimers++, f);
    sift_up(f->timer_slot);
    heap_check(f->timer_slot);
}

void core_timer_remove(atoll_fiber *f)
{
    size_t i = f->timer_slot;
    if (i == TIMER_NONE)
        return;
    f->timer_slot = TIMER_NONE;
    atoll_fiber *last = S.timers[--S.ntimers];
    if (i == S.ntimers)
        return;
    place(i, last);
    /* The moved fiber may belong above or below its new slot. */
    sift_up(i);
    sift_down(last->timer_slot);
    heap_check(last->timer_slot);
}

atoll_fiber *core_timer_peek(void)
{
    return S.ntimers ? S.timers[0] : NULL;
}

atoll_fiber *core_timer_pop(void)
{
    atoll_fiber *f = core_timer_peek();
    if (f)
        core_timer_remove(f);
    return f;
}
