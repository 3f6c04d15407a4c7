/*
 * tools/atoll/trace_model.h - a trace file (Chrome trace-event JSON, as a
 * unikernel's --trace=FILE writes it) read back into lanes, intervals and
 * marks, with the per-fiber summary that `atoll trace summary` prints and
 * `atoll trace view` shows.
 *
 * MODEL
 *     One lane per track (tid): a fiber, or the scheduler (tid 0).  Each
 *     lane holds spans, sorted by start: running ("run" slices), blocked
 *     (from a "block" event to the fiber's "wake", coloured by the block's
 *     reason), ready (woken, waiting for the processor: from "wake" to the
 *     next run), idle (the scheduler waiting on the platform) and other
 *     slices (names that are none of these).  Marks are instants: timer
 *     expiries (on the lane of the fiber they wake), device I/O, user
 *     labels, exits and creations.  Counter samples ("C" events) form
 *     counter tracks.
 *
 *     A block record carries the time stamp the scheduler cached for its
 *     loop iteration, which can fall inside the run slice that ends with
 *     the block; a blocked span therefore starts no earlier than the end
 *     of that slice.  A trace whose ring wrapped may start with a fiber
 *     already blocked, or lose a wake: a run of the fiber ends any open
 *     block, and blocks still open at the end last until the trace ends.
 *
 * ERRORS
 *     trace_load fails, with a message naming the file and the event
 *     ("t.json: event 12: \"ts\" is a string, not a number"), on anything
 *     that is not JSON, or not events as the format defines them.  Events
 *     of phases it does not draw are counted and otherwise ignored.
 */
#ifndef ATOLL_TOOL_TRACE_MODEL_H
#define ATOLL_TOOL_TRACE_MODEL_H

#include <stddef.h>
#include <stdio.h>

/* Largest trace file read (a 65536-record ring exports to about 10 MB). */
#define TRACE_FILE_MAX (512u << 20)
/* Longest blocks listed per fiber in the summary. */
#define TRACE_LONGEST 3

enum trace_span_kind {
    TRACE_RUN,
    TRACE_BLOCKED,
    TRACE_READY,
    TRACE_IDLE,
    TRACE_SLICE,
};

enum trace_mark_kind {
    TRACE_MARK_TIMER,
    TRACE_MARK_IO,
    TRACE_MARK_LABEL,
    TRACE_MARK_EXIT,
    TRACE_MARK_CREATE,
};

struct trace_span {
    double start, end; /* microseconds */
    enum trace_span_kind kind;
    int reason; /* TRACE_BLOCKED: index into trace.reasons; else -1 */
    char *name; /* TRACE_SLICE: the slice's name; else NULL */
};

struct trace_mark {
    double ts;
    enum trace_mark_kind kind;
    char *text; /* what the mark says ("net0 1514 B", a label, ...) */
};

struct trace_block { /* one of a lane's longest blocks */
    double start, dur;
    int reason;
};

struct trace_lane {
    double tid;
    char *name;
    double sort;
    struct trace_span *spans;
    size_t nspans, capspans;
    struct trace_mark *marks;
    size_t nmarks, capmarks;
    /* Summary (microseconds). */
    double running, blocked, ready, idle;
    size_t switches, blocks;
    struct trace_block longest[TRACE_LONGEST];
    size_t nlongest;
    /* Building state. */
    double open_block; /* start of the open block, or -1 */
    int open_reason;
    double woken;   /* time of the last wake not yet followed by a run, or -1 */
    double run_end; /* end of the latest run slice */
};

struct trace_counter {
    char *name;
    double (*points)[2]; /* ts, value */
    size_t npoints, cap;
};

struct trace {
    char *title;   /* the process name, or the file's name */
    double t0, t1; /* first and last time in the trace */
    size_t events, ignored;
    struct trace_lane *lanes; /* sorted by sort index, then tid */
    size_t nlanes;
    char **reasons;      /* block reasons, in order of first appearance */
    double *reason_time; /* total time blocked for each */
    size_t nreasons;
    struct trace_counter *counters;
    size_t ncounters;
};

/* Read and model the trace in `path`.  0, or -1 with the message printed
 * ("atoll: PATH: ..."). */
int trace_load(const char *path, struct trace *t);
void trace_free(struct trace *t);

/* A duration in microseconds as text with a unit chosen for it
 * ("812 ns", "3.25 ms", "1.500 s"). */
void trace_fmt_dur(char *buf, size_t len, double us);

/* The last column of a lane's summary row: the scheduler's idle time,
 * then the longest blocks ("100 ms sleep, 50 ms join"); a new string. */
char *trace_lane_notes(const struct trace *t, const struct trace_lane *l);

/* The summary as text (what `atoll trace summary` prints). */
void trace_summary_text(const struct trace *t, FILE *f);

#endif
