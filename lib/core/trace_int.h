/*
 * lib/core/trace_int.h - the trace's internal interface between the
 * scheduler (which supplies the time stamps) and the JSON export.
 */
#ifndef ATOLL_CORE_TRACE_INT_H
#define ATOLL_CORE_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "atoll/time.h"
#include "atoll/trace.h"

/*
 * The time stamp for scheduler records.  Reading the platform clock costs
 * as much as a fiber switch, so the scheduler reads it once per loop
 * iteration and hands it here; records made by the scheduler carry that
 * time.  Records made by the application and devices (labels, counters,
 * device I/O) read the clock themselves.  Time stamps never go backwards.
 */
void core_trace_set_now(atoll_time_t now);

/*
 * Live trace files (trace_dump.c): boot hands over --trace=FILE (NULL if
 * none), and the scheduler calls core_trace_dump when the platform
 * reports requests (plat_trace_requests); it writes the n-th file and
 * says so on the console.
 */
void core_trace_dump_path(const char *path);
void core_trace_dump(void);

#define CORE_TRACE_LITS 16

/* The ring's state (trace.c), shared with the scheduler's inline fast
 * path below. */
struct core_trace {
    struct atoll_trace_rec *ring;
    size_t size;
    size_t head; /* next slot to write */
    uint64_t total;
    bool on;
    atoll_time_t now; /* latest time stamp handed out */
    /* Literals recorded lately, already padded to a record's str
     * (direct-mapped by address). */
    struct {
        const char *lit;
        char str[ATOLL_TRACE_STR_MAX + 1];
    } lits[CORE_TRACE_LITS];
    struct core_trace_name *names;
    size_t nnames, names_next; /* entries used, next slot (circular) */
};

extern struct core_trace core_trace_state;

/* Slow half of core_trace_fast: a literal not in the cache. */
void core_trace_cache_literal(const char *lit, unsigned slot);

/*
 * The scheduler's recording path, inlined where it switches: a handful of
 * stores.  `lit` must be NULL or a string that never changes (a literal,
 * such as a block reason): its padded copy is cached by address, so a
 * record with a recent reason copies three words instead of scanning the
 * string.  Kinds with application strings go through
 * atoll_trace_record.
 */
static inline void core_trace_fast(enum atoll_trace_kind kind, uint32_t fiber,
                                   int64_t arg, const char *lit)
{
    struct core_trace *t = &core_trace_state;
    if (!t->on)
        return;
    struct atoll_trace_rec *r = &t->ring[t->head];
    if (++t->head == t->size)
        t->head = 0;
    t->total++;
    r->ts = t->now;
    r->kind = kind;
    r->fiber = fiber;
    r->arg = arg;
    if (lit) {
        unsigned slot = ((uintptr_t)lit >> 3) % CORE_TRACE_LITS;
        if (t->lits[slot].lit != lit)
            core_trace_cache_literal(lit, slot);
        memcpy(r->str, t->lits[slot].str, sizeof r->str);
    } else {
        r->str[0] = '\0';
    }
}

/* Name remembered for fiber `id` (from its creation record), or NULL. */
const char *core_trace_fiber_name(uint32_t id);

#endif
