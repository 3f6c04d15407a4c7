/*
 * atoll/trace.h - the scheduler's log.
 *
 * DESCRIPTION
 *     A fixed-size ring of records, each with a monotonic timestamp, that
 *     the runtime fills as it runs: fiber create / switch / block (with the
 *     reason) / wake / exit, timer expiries, device I/O, and whatever the
 *     application adds with atoll_trace_label and atoll_trace_counter.
 *     When the ring is full the oldest records are overwritten, so it is
 *     cheap enough to leave on: recording is a few stores, no allocation,
 *     no formatting.
 *
 *     `--trace=FILE` on a unikernel's command line writes the ring to FILE
 *     as Chrome trace-event JSON when the unikernel exits; Perfetto
 *     (ui.perfetto.dev) and chrome://tracing open it.  Each fiber is a
 *     track named after it; its running time shows as slices, blocking as
 *     instant events carrying the reason, counters as counter tracks.
 *     `--trace-size=N` sets the ring's size in records.  On unix and spt
 *     SIGUSR1 writes FILE.1, FILE.2, ... while the unikernel runs on
 *     (docs/observability.md).
 *
 *     Strings passed to the trace are copied (cut at ATOLL_TRACE_STR_MAX),
 *     so they need not outlive the call.
 */
#ifndef ATOLL_TRACE_H
#define ATOLL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

#define ATOLL_TRACE_STR_MAX 23

enum atoll_trace_kind {
    ATOLL_TR_FIBER_CREATE = 1, /* fiber = new fiber, str = its name */
    ATOLL_TR_FIBER_SWITCH,     /* fiber = the one now running, arg = previous */
    ATOLL_TR_FIBER_BLOCK,      /* fiber blocks, str = reason, arg = deadline */
    ATOLL_TR_FIBER_WAKE,       /* fiber made ready, arg = 1 if by timeout */
    ATOLL_TR_FIBER_EXIT,       /* fiber returned, arg = result */
    ATOLL_TR_TIMER,            /* a deadline expired, arg = fiber woken */
    ATOLL_TR_DEV_IO,           /* str = device, arg = bytes (<0 = error) */
    ATOLL_TR_IDLE,             /* scheduler waits on the platform, arg=until */
    ATOLL_TR_LABEL,            /* user label, str */
    ATOLL_TR_COUNTER,          /* str = counter name, arg = value */
};

struct atoll_trace_rec {
    atoll_time_t ts;
    uint32_t kind;  /* enum atoll_trace_kind */
    uint32_t fiber; /* fiber id (0 = the scheduler itself) */
    int64_t arg;
    char str[ATOLL_TRACE_STR_MAX + 1];
};

/*
 * Allocate a ring of `records` records from the default heap and start
 * recording.  Called by the runtime at boot; calling again replaces the
 * ring.  Returns 0, -ATOLL_ENOMEM or -ATOLL_EINVAL (records == 0).
 */
int atoll_trace_init(size_t records);

/* Stop/restart recording (the ring is kept).  Recording is on after init. */
void atoll_trace_enable(bool on);
bool atoll_trace_enabled(void);

/* Low-level append; the runtime uses it, applications use the two below. */
void atoll_trace_record(enum atoll_trace_kind kind, uint32_t fiber, int64_t arg,
                        const char *str);

/* A user label (an instant event on the running fiber's track). */
void atoll_trace_label(const char *label);

/* A user counter sample (a counter track named `name`). */
void atoll_trace_counter(const char *name, int64_t value);

/* Records currently held (<= ring size) and records ever written. */
size_t atoll_trace_count(void);
uint64_t atoll_trace_total(void);

/* Copy out the i-th oldest record held (0 <= i < atoll_trace_count()).
 * Returns 0 or -ATOLL_ERANGE. */
int atoll_trace_get(size_t i, struct atoll_trace_rec *out);

/*
 * Write the ring as Chrome trace-event JSON through `write` (called with
 * consecutive pieces of the document; a negative return aborts the export
 * and is returned).  Returns 0 or the first error; -ATOLL_EBUSY when
 * another export is under way (one whose `write` blocked its fiber): one
 * export runs at a time.
 */
typedef int (*atoll_trace_write_fn)(void *ctx, const char *buf, size_t len);
int atoll_trace_export_json(atoll_trace_write_fn write, void *ctx);

#endif
