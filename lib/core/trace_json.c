/*
 * lib/core/trace_json.c - export of the trace ring as Chrome trace-event
 * JSON ("JSON Object Format"), which Perfetto and chrome://tracing open.
 *
 * Mapping: one process (pid 1); one track per fiber (tid = fiber id,
 * tid 0 = the scheduler), named by "M" thread_name events; each running
 * interval (from a SWITCH to the next SWITCH or IDLE) becomes an "X"
 * complete event, so the document is valid and balanced even when the ring
 * wrapped in the middle of an interval; blocks, wake-ups, timers, device
 * I/O, labels, exits and creations are "i" instant events; counters are
 * "C" events.  Time stamps are microseconds with three decimals.
 *
 * Output is formatted into a small buffer and handed to the caller's write
 * function piece by piece; nothing is allocated.  The buffer (and the set
 * of fibers named) is static, to stay off small fiber stacks, so one
 * export runs at a time: a write function may block its fiber, and a
 * second fiber exporting meanwhile would write into the first one's
 * buffer; it gets -ATOLL_EBUSY instead.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "trace_int.h"

struct out {
    atoll_trace_write_fn write;
    void *ctx;
    int err;
    size_t n;
    char buf[4096];
};

static void flush(struct out *o)
{
    if (o->n && !o->err) {
        int e = o->write(o->ctx, o->buf, o->n);
        if (e < 0)
            o->err = e;
    }
    o->n = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
    while (n && !o->err) {
        size_t room = sizeof o->buf - o->n;
        size_t k = n < room ? n : room;
        memcpy(o->buf + o->n, s, k);
        o->n += k;
        s += k;
        n -= k;
        if (o->n == sizeof o->buf)
            flush(o);
    }
}

/* Append a string literal (its length known at compile time). */
#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void putf(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of a valid UTF-8 sequence at s (within its NUL-terminated
 * string), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4   ? 4
               : s[0] >= 0xe0                 ? 3
               : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A JSON string literal.  Names may have been cut in the middle of a UTF-8
 * sequence; invalid bytes become U+FFFD so the document stays valid. */
static void put_str(struct out *o, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    PUT_LIT(o, "\"");
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(o, esc, 2);
            s++;
        } else if (c < 0x20) {
            putf(o, "\\u%04x", c);
            s++;
        } else if (c < 0x80) {
            put(o, (const char *)s, 1);
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n) {
                put(o, (const char *)s, n);
                s += n;
            } else {
                PUT_LIT(o, "\\ufffd");
                s++;
            }
        }
    }
    PUT_LIT(o, "\"");
}

/* Nanoseconds as microseconds with three decimals. */
static void put_ts(struct out *o, atoll_time_t ns)
{
    unsigned long long a =
        ns < 0 ? 0 - (unsigned long long)ns : (unsigned long long)ns;
    putf(o, "%s%llu.%03llu", ns < 0 ? "-" : "", a / 1000, a % 1000);
}

struct exporter {
    struct out o;
    bool first;
    /* The open running interval. */
    bool open;
    uint32_t tid;
    const char *slice;
    atoll_time_t start;
};

/* Begin an event object: {"name":NAME,"ph":PH,"ts":TS,"pid":1,"tid":TID */
static void begin(struct exporter *x, const char *name, const char *ph,
                  atoll_time_t ts, uint32_t tid)
{
    put(&x->o, x->first ? "\n" : ",\n", x->first ? 1 : 2);
    x->first = false;
    PUT_LIT(&x->o, "{\"name\":");
    put_str(&x->o, name);
    putf(&x->o, ",\"ph\":\"%s\",\"ts\":", ph);
    put_ts(&x->o, ts);
    putf(&x->o, ",\"pid\":1,\"tid\":%u", tid);
    if (ph[0] == 'i')
        PUT_LIT(&x->o, ",\"s\":\"t\"");
}

static void thread_name(struct exporter *x, uint32_t tid)
{
    char fallback[32];
    const char *name = core_trace_fiber_name(tid);
    if (!name) {
        snprintf(fallback, sizeof fallback, "fiber %u", tid);
        name = fallback;
    }
    put(&x->o, x->first ? "\n" : ",\n", x->first ? 1 : 2);
    x->first = false;
    putf(&x->o,
         "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
         "\"args\":{\"name\":",
         tid);
    put_str(&x->o, name);
    PUT_LIT(&x->o, "}}");
    /* Keep the tracks in fiber order. */
    PUT_LIT(&x->o, ",\n");
    putf(&x->o,
         "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,"
         "\"tid\":%u,\"args\":{\"sort_index\":%u}}",
         tid, tid);
}

static void close_slice(struct exporter *x, atoll_time_t end)
{
    if (!x->open)
        return;
    x->open = false;
    begin(x, x->slice, "X", x->start, x->tid);
    PUT_LIT(&x->o, ",\"dur\":");
    put_ts(&x->o, end - x->start);
    PUT_LIT(&x->o, "}");
}

static void open_slice(struct exporter *x, const char *name, uint32_t tid,
                       atoll_time_t ts)
{
    x->open = true;
    x->slice = name;
    x->tid = tid;
    x->start = ts;
}

/*
 * Emit a thread_name for every fiber that appears in the ring, once.
 * Duplicates are found with a small open-addressing set; should it fill
 * up (more distinct fibers than it holds), later ones may be named twice,
 * which viewers accept.
 */
#define SEEN_SLOTS 8192
static void name_fibers(struct exporter *x, size_t count)
{
    static uint32_t seen[SEEN_SLOTS]; /* id + 1; 0 = empty */
    size_t used = 0;
    memset(seen, 0, sizeof seen);
    thread_name(x, 0);
    for (size_t i = 0; i < count && !x->o.err; i++) {
        struct atoll_trace_rec r;
        if (atoll_trace_get(i, &r) < 0 || r.fiber == 0)
            continue;
        size_t h = (r.fiber * 2654435761u) % SEEN_SLOTS;
        bool dup = false;
        for (size_t k = 0; k < SEEN_SLOTS && seen[h]; k++) {
            if (seen[h] == r.fiber + 1) {
                dup = true;
                break;
            }
            h = (h + 1) % SEEN_SLOTS;
        }
        if (dup)
            continue;
        if (used < SEEN_SLOTS * 3 / 4) {
            seen[h] = r.fiber + 1;
            used++;
        }
        thread_name(x, r.fiber);
    }
}

static const char *bool_text(int64_t v)
{
    return v ? "true" : "false";
}

static void event(struct exporter *x, const struct atoll_trace_rec *r)
{
    struct out *o = &x->o;
    switch (r->kind) {
    case ATOLL_TR_FIBER_SWITCH:
        close_slice(x, r->ts);
        open_slice(x, "run", r->fiber, r->ts);
        break;
    case ATOLL_TR_IDLE:
        close_slice(x, r->ts);
        open_slice(x, "idle", 0, r->ts);
        begin(x, "wait for I/O or timer", "i", r->ts, 0);
        if (r->arg == ATOLL_NEVER)
            PUT_LIT(o, ",\"args\":{\"until\":\"never\"}}");
        else
            putf(o, ",\"args\":{\"until_ns\":%lld}}", (long long)r->arg);
        break;
    case ATOLL_TR_FIBER_CREATE:
        begin(x, "create", "i", r->ts, r->fiber);
        PUT_LIT(o, ",\"args\":{\"name\":");
        put_str(o, r->str);
        PUT_LIT(o, "}}");
        break;
    case ATOLL_TR_FIBER_BLOCK:
        begin(x, "block", "i", r->ts, r->fiber);
        PUT_LIT(o, ",\"args\":{\"reason\":");
        put_str(o, r->str);
        if (r->arg == ATOLL_NEVER)
            PUT_LIT(o, ",\"deadline\":\"never\"}}");
        else
            putf(o, ",\"deadline_ns\":%lld}}", (long long)r->arg);
        break;
    case ATOLL_TR_FIBER_WAKE:
        begin(x, "wake", "i", r->ts, r->fiber);
        putf(o, ",\"args\":{\"by_timeout\":%s}}", bool_text(r->arg));
        break;
    case ATOLL_TR_FIBER_EXIT:
        begin(x, "exit", "i", r->ts, r->fiber);
        putf(o, ",\"args\":{\"result\":%lld}}", (long long)r->arg);
        break;
    case ATOLL_TR_TIMER:
        begin(x, "timer", "i", r->ts, r->fiber);
        putf(o, ",\"args\":{\"fiber\":%lld}}", (long long)r->arg);
        break;
    case ATOLL_TR_DEV_IO:
        begin(x, "io", "i", r->ts, r->fiber);
        PUT_LIT(o, ",\"args\":{\"device\":");
        put_str(o, r->str);
        putf(o, ",\"bytes\":%lld}}", (long long)r->arg);
        break;
    case ATOLL_TR_LABEL:
        begin(x, r->str, "i", r->ts, r->fiber);
        PUT_LIT(o, "}");
        break;
    case ATOLL_TR_COUNTER:
        begin(x, r->str, "C", r->ts, r->fiber);
        putf(o, ",\"args\":{\"value\":%lld}}", (long long)r->arg);
        break;
    default:
        begin(x, "unknown", "i", r->ts, r->fiber);
        putf(o, ",\"args\":{\"kind\":%u}}", r->kind);
        break;
    }
}

/* The export under way, if any (see the top of the file). */
static bool exporting;

int atoll_trace_export_json(atoll_trace_write_fn write, void *ctx)
{
    static struct exporter x; /* the 4 KiB buffer stays off the stack */
    if (exporting)
        return -ATOLL_EBUSY;
    exporting = true;
    memset(&x, 0, sizeof x);
    x.o.write = write;
    x.o.ctx = ctx;
    x.first = true;

    size_t count = atoll_trace_count();
    PUT_LIT(&x.o, "{\"traceEvents\":[");
    PUT_LIT(&x.o,
            "\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
            "\"args\":{\"name\":\"atoll\"}}");
    x.first = false;
    name_fibers(&x, count);
    atoll_time_t last = 0;
    for (size_t i = 0; i < count && !x.o.err; i++) {
        struct atoll_trace_rec r;
        if (atoll_trace_get(i, &r) < 0)
            break;
        event(&x, &r);
        last = r.ts;
    }
    close_slice(&x, last);
    PUT_LIT(&x.o, "\n],\"displayTimeUnit\":\"ns\"}\n");
    flush(&x.o);
    exporting = false;
    return x.o.err;
}
