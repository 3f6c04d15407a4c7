/*
 * lib/core/trace.c - the trace ring (atoll/trace.h): recording, and the
 * table of fiber names the export uses.
 *
 * Recording is the hot path - the scheduler records every switch - so it
 * is a handful of stores: no formatting, no allocation, and no clock read
 * for scheduler records (they carry the time the scheduler read at the top
 * of its loop; see trace_int.h).  The export lives in trace_json.c.
 *
 * Fiber names are kept apart from the ring in a bounded table, filled from
 * creation records, so the export can name every fiber even after its
 * creation record was overwritten.  Fiber ids grow with each spawn and
 * the table is filled in spawn order, so read oldest-first it is sorted by
 * id and a binary search finds a name.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "platform.h"
#include "trace_int.h"

struct core_trace_name {
    uint32_t id;
    char name[ATOLL_FIBER_NAME_MAX + 1];
};

struct core_trace core_trace_state;
#define T core_trace_state

void core_trace_cache_literal(const char *lit, unsigned slot)
{
    memset(T.lits[slot].str, 0, sizeof T.lits[slot].str);
    memcpy(T.lits[slot].str, lit, strnlen(lit, ATOLL_TRACE_STR_MAX));
    T.lits[slot].lit = lit;
}

int atoll_trace_init(size_t records)
{
    size_t bytes;
    if (records == 0)
        return -ATOLL_EINVAL;
    if (__builtin_mul_overflow(records, sizeof(struct atoll_trace_rec), &bytes))
        return -ATOLL_ENOMEM;
    if (!T.names) {
        T.names = atoll_malloc(ATOLL_TRACE_NAMES_MAX * sizeof *T.names);
        if (!T.names)
            return -ATOLL_ENOMEM;
    }
    struct atoll_trace_rec *ring = atoll_malloc(bytes);
    if (!ring)
        return -ATOLL_ENOMEM;
    atoll_free(T.ring);
    T.ring = ring;
    T.size = records;
    T.head = 0;
    T.total = 0;
    T.on = true;
    return 0;
}

void atoll_trace_enable(bool on)
{
    T.on = on && T.ring;
}

bool atoll_trace_enabled(void)
{
    return T.on;
}

void core_trace_set_now(atoll_time_t now)
{
    if (now > T.now)
        T.now = now;
}

static void remember_name(uint32_t id, const char *name)
{
    struct core_trace_name *e = &T.names[T.names_next];
    e->id = id;
    size_t n = name ? strnlen(name, ATOLL_FIBER_NAME_MAX) : 0;
    memcpy(e->name, name ? name : "", n);
    e->name[n] = '\0';
    T.names_next = (T.names_next + 1) % ATOLL_TRACE_NAMES_MAX;
    if (T.nnames < ATOLL_TRACE_NAMES_MAX)
        T.nnames++;
}

const char *core_trace_fiber_name(uint32_t id)
{
    if (id == 0)
        return "scheduler";
    size_t oldest = T.nnames < ATOLL_TRACE_NAMES_MAX ? 0 : T.names_next;
    size_t lo = 0, hi = T.nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct core_trace_name *e =
            &T.names[(oldest + mid) % ATOLL_TRACE_NAMES_MAX];
        if (e->id == id)
            return e->name;
        if (e->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void atoll_trace_record(enum atoll_trace_kind kind, uint32_t fiber, int64_t arg,
                        const char *str)
{
    /* Names are remembered even while recording is off. */
    if (kind == ATOLL_TR_FIBER_CREATE && T.names)
        remember_name(fiber, str);
    if (!T.on)
        return;
    if (kind == ATOLL_TR_DEV_IO || kind == ATOLL_TR_LABEL ||
        kind == ATOLL_TR_COUNTER)
        core_trace_set_now(plat_clock_monotonic());
    struct atoll_trace_rec *r = &T.ring[T.head];
    if (++T.head == T.size)
        T.head = 0;
    T.total++;
    r->ts = T.now;
    r->kind = kind;
    r->fiber = fiber;
    r->arg = arg;
    size_t n = str ? strnlen(str, ATOLL_TRACE_STR_MAX) : 0;
    memcpy(r->str, str ? str : "", n);
    r->str[n] = '\0';
}

void atoll_trace_label(const char *label)
{
    atoll_trace_record(ATOLL_TR_LABEL, atoll_fiber_id(atoll_fiber_self()), 0,
                       label);
}

void atoll_trace_counter(const char *name, int64_t value)
{
    atoll_trace_record(ATOLL_TR_COUNTER, atoll_fiber_id(atoll_fiber_self()),
                       value, name);
}

size_t atoll_trace_count(void)
{
    return T.total < T.size ? (size_t)T.total : T.size;
}

uint64_t atoll_trace_total(void)
{
    return T.total;
}

int atoll_trace_get(size_t i, struct atoll_trace_rec *out)
{
    size_t count = atoll_trace_count();
    if (i >= count)
        return -ATOLL_ERANGE;
    size_t oldest = T.total > T.size ? T.head : 0;
    *out = T.ring[(oldest + i) % T.size];
    return 0;
}

/*
 * The platforms write the trace at exit with atoll_trace_export_json
 * (trace_json.c).  Tests and unikernels link libatoll.a before the
 * platform library, so nothing would pull the export into the link by the
 * time the platform asks for it; this reference from the ring (always
 * linked) pulls it in.
 */
__attribute__((used)) static int (*const keep_export)(
    atoll_trace_write_fn, void *) = atoll_trace_export_json;
