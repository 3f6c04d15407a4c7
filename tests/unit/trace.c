/*
 * tests/unit/trace.c - the trace ring and its Chrome trace-event export:
 * wrapping, string cutting, enable/disable, valid JSON (checked with
 * python3's json module) naming every fiber, counters and labels, and the
 * scheduler's switch records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

static void init(size_t records)
{
    struct atoll_runtime_opts o = {8u << 20, records, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
}

static int to_file(void *ctx, const char *buf, size_t len)
{
    return fwrite(buf, 1, len, ctx) == len ? 0 : -ATOLL_EIO;
}

static char json_path[64];

/* Export to a temporary file and return its path. */
static const char *export_json(void)
{
    snprintf(json_path, sizeof json_path, "/tmp/atoll-trace-%d.json",
             (int)getpid());
    FILE *f = fopen(json_path, "w");
    CHECK(f != NULL);
    CHECK_EQ(atoll_trace_export_json(to_file, f), 0);
    CHECK_EQ(fclose(f), 0);
    return json_path;
}

/* Run a python3 check over the exported document (bound to `d`); the
 * check's expression must be true. */
static int py_check(const char *path, const char *expr)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys; d=json.load(open(\"%s\")); "
             "ev=d[\"traceEvents\"]; "
             "names={e[\"tid\"]:e[\"args\"][\"name\"] for e in ev "
             "if e[\"ph\"]==\"M\" and e[\"name\"]==\"thread_name\"}; "
             "sys.exit(0 if (%s) else 1)'",
             path, expr);
    return system(cmd);
}

TEST(trace, "the ring wraps and keeps the newest records")
{
    init(8);
    char label[16];
    for (int i = 0; i < 20; i++) {
        snprintf(label, sizeof label, "l%d", i);
        atoll_trace_label(label);
    }
    CHECK_EQ(atoll_trace_count(), 8);
    CHECK_EQ(atoll_trace_total(), 20);
    struct atoll_trace_rec r;
    CHECK_EQ(atoll_trace_get(0, &r), 0);
    CHECK_STR(r.str, "l12");
    CHECK_EQ(r.kind, ATOLL_TR_LABEL);
    CHECK_EQ(atoll_trace_get(7, &r), 0);
    CHECK_STR(r.str, "l19");
    CHECK_EQ(atoll_trace_get(8, &r), -ATOLL_ERANGE);
    atoll_time_t prev = 0;
    for (size_t i = 0; i < 8; i++) {
        atoll_trace_get(i, &r);
        CHECK(r.ts >= prev);
        prev = r.ts;
    }
}

TEST(trace, "strings are copied and cut; a disabled trace records nothing")
{
    init(16);
    char name[64];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    atoll_trace_counter(name, -5);
    name[0] = 'X'; /* the record holds its own copy */
    struct atoll_trace_rec r;
    CHECK_EQ(atoll_trace_get(0, &r), 0);
    CHECK_EQ(strlen(r.str), ATOLL_TRACE_STR_MAX);
    CHECK_EQ(r.str[0], 'n');
    CHECK_EQ(r.arg, -5);
    CHECK_EQ(r.kind, ATOLL_TR_COUNTER);
    CHECK(atoll_trace_enabled());
    atoll_trace_enable(false);
    CHECK(!atoll_trace_enabled());
    atoll_trace_label("ignored");
    CHECK_EQ(atoll_trace_total(), 1);
    atoll_trace_enable(true);
    atoll_trace_label("kept");
    CHECK_EQ(atoll_trace_total(), 2);
    CHECK_EQ(atoll_trace_init(0), -ATOLL_EINVAL);
    CHECK_EQ(atoll_trace_init(4), 0); /* a new, empty ring */
    CHECK_EQ(atoll_trace_count(), 0);
}

static atoll_event ping = ATOLL_EVENT_INIT("ping");

static int worker(void *arg)
{
    int n = (int)(intptr_t)arg;
    for (int i = 0; i < n; i++) {
        atoll_trace_counter("queue depth", i);
        atoll_trace_label("step");
        atoll_sleep(ATOLL_US(1500));
    }
    atoll_event_wait(&ping, atoll_after(ATOLL_MS(1)));
    return n;
}

static int traced_main(void *arg)
{
    (void)arg;
    atoll_fiber *a, *b;
    CHECK_EQ(atoll_fiber_spawn(&a, "alpha", worker, (void *)3, 0), 0);
    CHECK_EQ(
        atoll_fiber_spawn(&b, "be\"ta\\ \x01 \xc3\xa9", worker, (void *)2, 0),
        0);
    atoll_trace_label("spawned");
    atoll_fiber_join(a, ATOLL_NEVER, NULL);
    atoll_fiber_join(b, ATOLL_NEVER, NULL);
    return 0;
}

TEST(trace, "the export is valid JSON that names every fiber")
{
    init(4096);
    CHECK_EQ(atoll_test_run(0, traced_main, NULL), 0);
    const char *p = export_json();
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 -m json.tool %s > /dev/null", p);
    CHECK_EQ(system(cmd), 0);
    CHECK_EQ(py_check(p, "d[\"displayTimeUnit\"]==\"ns\""), 0);
    CHECK_EQ(py_check(p, "sorted(names.values())==sorted([\"scheduler\","
                         "\"main\",\"alpha\",\"be\\\"ta\\\\ \\x01 "
                         "\\u00e9\"])"),
             0);
    /* Every event is on pid 1 and on a named track. */
    CHECK_EQ(py_check(p, "all(e[\"pid\"]==1 and (e[\"ph\"]==\"C\" or "
                         "e[\"tid\"] in names) for e in ev)"),
             0);
    /* Counters, labels, blocks with reasons, wake-ups and timers. */
    CHECK_EQ(py_check(p, "[e[\"args\"][\"value\"] for e in ev if "
                         "e[\"ph\"]==\"C\" and e[\"name\"]==\"queue "
                         "depth\"]==[0,0,1,1,2]"),
             0);
    CHECK_EQ(py_check(p, "sum(1 for e in ev if e[\"name\"]==\"step\" and "
                         "e[\"ph\"]==\"i\")==5"),
             0);
    CHECK_EQ(py_check(p, "any(e[\"name\"]==\"block\" and "
                         "e[\"args\"][\"reason\"]==\"ping\" for e in ev)"),
             0);
    CHECK_EQ(py_check(p, "any(e[\"name\"]==\"timer\" for e in ev) and "
                         "any(e[\"name\"]==\"wake\" and "
                         "e[\"args\"][\"by_timeout\"] for e in ev)"),
             0);
    /* Running slices are complete events with a duration; time stamps are
     * microseconds: the workers sleep 1.5 ms three times. */
    CHECK_EQ(py_check(p, "all(e[\"dur\"]>=0 for e in ev if e[\"ph\"]==\"X\") "
                         "and any(e[\"ph\"]==\"X\" for e in ev) and "
                         "max(e.get(\"ts\",0) for e in ev)>=5500"),
             0);
    unlink(p);
}

static int yield_n(void *arg)
{
    for (int i = 0; i < (int)(intptr_t)arg; i++)
        atoll_yield();
    return 0;
}

static uint32_t ids[2];

static int switch_main(void *arg)
{
    (void)arg;
    atoll_fiber *a, *b;
    CHECK_EQ(atoll_fiber_spawn(&a, "a", yield_n, (void *)10, 0), 0);
    CHECK_EQ(atoll_fiber_spawn(&b, "b", yield_n, (void *)25, 0), 0);
    ids[0] = atoll_fiber_id(a);
    ids[1] = atoll_fiber_id(b);
    atoll_fiber_join(a, ATOLL_NEVER, NULL);
    atoll_fiber_join(b, ATOLL_NEVER, NULL);
    return 0;
}

TEST(trace, "every switch to a fiber is recorded")
{
    init(4096);
    CHECK_EQ(atoll_test_run(0, switch_main, NULL), 0);
    int switches[2] = {0, 0}, creates = 0, exits = 0;
    for (size_t i = 0; i < atoll_trace_count(); i++) {
        struct atoll_trace_rec r;
        atoll_trace_get(i, &r);
        for (int k = 0; k < 2; k++)
            if (r.fiber == ids[k]) {
                switches[k] += r.kind == ATOLL_TR_FIBER_SWITCH;
                creates += r.kind == ATOLL_TR_FIBER_CREATE;
                exits += r.kind == ATOLL_TR_FIBER_EXIT;
            }
    }
    /* Run once, then once more after each yield. */
    CHECK_EQ(switches[0], 11);
    CHECK_EQ(switches[1], 26);
    CHECK_EQ(creates, 2);
    CHECK_EQ(exits, 2);
}

static int early(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++)
        atoll_yield();
    return 0;
}

static int wrap_main(void *arg)
{
    (void)arg;
    atoll_fiber *f;
    CHECK_EQ(atoll_fiber_spawn(&f, "early bird", early, NULL, 0), 0);
    for (int i = 0; i < 30; i++) {
        atoll_fiber *g;
        CHECK_EQ(atoll_fiber_spawn(&g, "filler", yield_n, (void *)3, 0), 0);
        atoll_trace_counter("spawned", i);
        atoll_fiber_join(g, ATOLL_NEVER, NULL);
    }
    atoll_fiber_join(f, ATOLL_NEVER, NULL);
    return 0;
}

TEST(trace, "a wrapped ring still exports valid JSON naming its fibers")
{
    init(37); /* wraps many times, at odd places */
    CHECK_EQ(atoll_test_run(0, wrap_main, NULL), 0);
    struct atoll_trace_rec r;
    CHECK(atoll_trace_total() > 500);
    for (size_t i = 0; i < atoll_trace_count(); i++) {
        atoll_trace_get(i, &r);
        CHECK(r.kind != ATOLL_TR_FIBER_CREATE || strcmp(r.str, "early bird"));
    }
    const char *p = export_json();
    CHECK_EQ(py_check(p, "\"early bird\" in names.values() and "
                         "\"main\" in names.values()"),
             0);
    unlink(p);
}

/* A write function that blocks its fiber (yields) after every piece, as
 * one writing to a connection would. */
static int to_file_slowly(void *ctx, const char *buf, size_t len)
{
    int e = to_file(ctx, buf, len);
    atoll_yield();
    return e;
}

static int slow_export(void *arg)
{
    return atoll_trace_export_json(to_file_slowly, arg);
}

static int second_export_err = 1;

static int second_export(void *arg)
{
    /* Spawned after the first, so it runs once that one blocked in its
     * first write (the document's first 4 KiB, or all of it). */
    second_export_err = atoll_trace_export_json(to_file, arg);
    return 0;
}

static int busy_main(void *arg)
{
    FILE *const *files = arg;
    atoll_fiber *a, *b;
    int ret = -1;
    CHECK_EQ(atoll_fiber_spawn(&a, "first", slow_export, files[0], 0), 0);
    CHECK_EQ(atoll_fiber_spawn(&b, "second", second_export, files[1], 0), 0);
    atoll_fiber_join(b, ATOLL_NEVER, NULL);
    atoll_fiber_join(a, ATOLL_NEVER, &ret);
    CHECK_EQ(ret, 0);
    return 0;
}

TEST(trace, "an export whose write blocks keeps its buffer: a second gets "
            "EBUSY")
{
    init(4096);
    char second[64];
    snprintf(second, sizeof second, "/tmp/atoll-trace-%d-2.json",
             (int)getpid());
    export_json(); /* names json_path */
    FILE *files[2] = {fopen(json_path, "w"), fopen(second, "w")};
    CHECK(files[0] != NULL && files[1] != NULL);
    CHECK_EQ(atoll_test_run(0, busy_main, files), 0);
    CHECK_EQ(second_export_err, -ATOLL_EBUSY);
    CHECK_EQ(fclose(files[0]), 0);
    CHECK_EQ(fclose(files[1]), 0);
    /* The first export is whole and untouched by the second... */
    CHECK_EQ(py_check(json_path, "\"first\" in names.values() and "
                                 "\"second\" in names.values()"),
             0);
    unlink(second);
    /* ...and once it is done, the next export runs. */
    CHECK_EQ(py_check(export_json(), "\"second\" in names.values()"), 0);
    unlink(json_path);
}
