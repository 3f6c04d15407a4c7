/*
 * tools/atoll/trace_model.c - reads a Chrome trace-event JSON file into
 * the lanes, spans and marks of trace_model.h, and prints its summary.
 *
 * Two passes over the events: the first names the tracks ("M" events,
 * which carry no time), the second, in time order, turns slices and
 * instants into spans and marks.  A unikernel writes each run slice when
 * it ends, so the file is not in time order; events are sorted by time,
 * and tie_rank orders those of one time stamp.
 */
#include "trace_model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

struct ev {
    const struct json_value *v;
    const char *name; /* "" when absent */
    char ph;
    double ts, dur, tid;
    size_t idx;
};

struct loader {
    const char *path;
    struct trace *t;
    /* tid -> lane index + 1, open addressing over int64 tids. */
    int64_t *keys;
    size_t *vals;
    size_t cap, used;
};

static int bad(struct loader *ld, size_t idx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct loader *ld, size_t idx, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    errf("%s: event %zu: %s", ld->path, idx, msg);
    return -1;
}

/* An integer a double holds exactly (tids, fiber ids).  Written without
 * libm, which the tool does not link. */
static bool is_int(double v)
{
    return v > -9e15 && v < 9e15 && (double)(int64_t)v == v;
}

static size_t hash_tid(int64_t k, size_t cap)
{
    return (size_t)(((uint64_t)k * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

static void map_put(struct loader *ld, int64_t k, size_t v)
{
    size_t h = hash_tid(k, ld->cap);
    while (ld->vals[h])
        h = (h + 1) & (ld->cap - 1);
    ld->keys[h] = k;
    ld->vals[h] = v + 1;
    ld->used++;
}

/* The lane of `tid`, created when first seen. */
static struct trace_lane *lane_of(struct loader *ld, double tid)
{
    struct trace *t = ld->t;
    int64_t k = (int64_t)tid;
    if (ld->cap) {
        for (size_t h = hash_tid(k, ld->cap); ld->vals[h];
             h = (h + 1) & (ld->cap - 1))
            if (ld->keys[h] == k)
                return &t->lanes[ld->vals[h] - 1];
    }
    if ((ld->used + 1) * 2 > ld->cap) {
        int64_t *ok = ld->keys;
        size_t *ov = ld->vals, ocap = ld->cap;
        ld->cap = ld->cap ? ld->cap * 2 : 64;
        ld->keys = xmalloc(ld->cap * sizeof *ld->keys);
        ld->vals = xmalloc(ld->cap * sizeof *ld->vals);
        memset(ld->vals, 0, ld->cap * sizeof *ld->vals);
        ld->used = 0;
        for (size_t i = 0; i < ocap; i++)
            if (ov[i])
                map_put(ld, ok[i], ov[i] - 1);
        free(ok);
        free(ov);
    }
    t->lanes = xrealloc(t->lanes, (t->nlanes + 1) * sizeof *t->lanes);
    struct trace_lane *l = &t->lanes[t->nlanes];
    memset(l, 0, sizeof *l);
    l->tid = tid;
    l->sort = tid;
    l->open_block = -1;
    l->woken = -1;
    l->run_end = -INFINITY;
    map_put(ld, k, t->nlanes);
    t->nlanes++;
    return l;
}

static int reason_index(struct trace *t, const char *r)
{
    for (size_t i = 0; i < t->nreasons; i++)
        if (!strcmp(t->reasons[i], r))
            return (int)i;
    t->reasons = xrealloc(t->reasons, (t->nreasons + 1) * sizeof *t->reasons);
    t->reason_time =
        xrealloc(t->reason_time, (t->nreasons + 1) * sizeof *t->reason_time);
    t->reasons[t->nreasons] = xstrdup(r);
    t->reason_time[t->nreasons] = 0;
    return (int)t->nreasons++;
}

static void add_span(struct trace_lane *l, double start, double end,
                     enum trace_span_kind kind, int reason, const char *name)
{
    if (l->nspans == l->capspans) {
        l->capspans = l->capspans ? l->capspans * 2 : 16;
        l->spans = xrealloc(l->spans, l->capspans * sizeof *l->spans);
    }
    l->spans[l->nspans++] =
        (struct trace_span){start, end < start ? start : end, kind, reason,
                            name ? xstrdup(name) : NULL};
}

static void add_mark(struct trace_lane *l, double ts, enum trace_mark_kind kind,
                     char *text)
{
    if (l->nmarks == l->capmarks) {
        l->capmarks = l->capmarks ? l->capmarks * 2 : 16;
        l->marks = xrealloc(l->marks, l->capmarks * sizeof *l->marks);
    }
    l->marks[l->nmarks++] = (struct trace_mark){ts, kind, text};
}

/* Close the lane's open block at `end`: a blocked span, counted in the
 * summary. */
static void end_block(struct trace *t, struct trace_lane *l, double end)
{
    if (l->open_block < 0)
        return;
    double s = l->open_block, e = end < s ? s : end, d = e - s;
    add_span(l, s, e, TRACE_BLOCKED, l->open_reason, NULL);
    l->blocked += d;
    l->blocks++;
    t->reason_time[l->open_reason] += d;
    /* Keep the TRACE_LONGEST longest, longest first. */
    size_t i = l->nlongest < TRACE_LONGEST ? l->nlongest++ : TRACE_LONGEST;
    while (i > 0 && l->longest[i - 1].dur < d) {
        if (i < TRACE_LONGEST)
            l->longest[i] = l->longest[i - 1];
        i--;
    }
    if (i < TRACE_LONGEST)
        l->longest[i] = (struct trace_block){s, d, l->open_reason};
    l->open_block = -1;
}

static void end_ready(struct trace_lane *l, double end)
{
    if (l->woken < 0)
        return;
    double e = end < l->woken ? l->woken : end;
    add_span(l, l->woken, e, TRACE_READY, -1, NULL);
    l->ready += e - l->woken;
    l->woken = -1;
}

/* A string member of args, or NULL. */
static const char *arg_str(const struct json_value *ev, const char *key)
{
    const struct json_value *a = json_get(json_get(ev, "args"), key);
    return a && a->type == JSON_STRING ? a->str : NULL;
}

static bool arg_num(const struct json_value *ev, const char *key, double *out)
{
    const struct json_value *a = json_get(json_get(ev, "args"), key);
    if (!a || a->type != JSON_NUMBER)
        return false;
    *out = a->num;
    return true;
}

static void add_counter(struct trace *t, const char *name, double ts,
                        double value)
{
    struct trace_counter *c = NULL;
    for (size_t i = 0; i < t->ncounters && !c; i++)
        if (!strcmp(t->counters[i].name, name))
            c = &t->counters[i];
    if (!c) {
        t->counters =
            xrealloc(t->counters, (t->ncounters + 1) * sizeof *t->counters);
        c = &t->counters[t->ncounters++];
        memset(c, 0, sizeof *c);
        c->name = xstrdup(name);
    }
    if (c->npoints == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->points = xrealloc(c->points, c->cap * sizeof *c->points);
    }
    c->points[c->npoints][0] = ts;
    c->points[c->npoints][1] = value;
    c->npoints++;
}

static void instant(struct loader *ld, const struct ev *e)
{
    struct trace *t = ld->t;
    struct trace_lane *l = lane_of(ld, e->tid);
    const char *n = e->name;
    double num;
    if (!strcmp(n, "block")) {
        const char *r = arg_str(e->v, "reason");
        end_block(t, l, e->ts); /* a block without a wake: wake lost */
        l->open_block = e->ts > l->run_end ? e->ts : l->run_end;
        l->open_reason = reason_index(t, r ? r : "?");
    } else if (!strcmp(n, "wake")) {
        end_block(t, l, e->ts);
        l->woken = e->ts;
    } else if (!strcmp(n, "timer")) {
        struct trace_lane *w =
            arg_num(e->v, "fiber", &num) && is_int(num) ? lane_of(ld, num) : l;
        add_mark(w, e->ts, TRACE_MARK_TIMER, xstrdup("timer expired"));
    } else if (!strcmp(n, "io")) {
        const char *dev = arg_str(e->v, "device");
        char *text = arg_num(e->v, "bytes", &num)
                         ? xasprintf(num < 0 ? "%s: error %.0f" : "%s: %.0f B",
                                     dev ? dev : "?", num)
                         : xasprintf("%s", dev ? dev : "?");
        add_mark(l, e->ts, TRACE_MARK_IO, text);
    } else if (!strcmp(n, "exit")) {
        add_mark(l, e->ts, TRACE_MARK_EXIT,
                 arg_num(e->v, "result", &num) ? xasprintf("exit %.0f", num)
                                               : xstrdup("exit"));
    } else if (!strcmp(n, "create")) {
        add_mark(l, e->ts, TRACE_MARK_CREATE, xstrdup("created"));
    } else if (!strcmp(n, "wait for I/O or timer")) {
        /* The idle slice that follows shows it. */
    } else {
        add_mark(l, e->ts, TRACE_MARK_LABEL, xstrdup(n));
    }
}

static void slice(struct loader *ld, const struct ev *e)
{
    struct trace *t = ld->t;
    struct trace_lane *l = lane_of(ld, e->tid);
    double end = e->ts + e->dur;
    if (!strcmp(e->name, "run")) {
        end_block(t, l, e->ts); /* its wake was lost */
        end_ready(l, e->ts);
        add_span(l, e->ts, end, TRACE_RUN, -1, NULL);
        l->running += e->dur;
        l->switches++;
        if (end > l->run_end)
            l->run_end = end;
    } else if (!strcmp(e->name, "idle")) {
        add_span(l, e->ts, end, TRACE_IDLE, -1, NULL);
        l->idle += e->dur;
    } else {
        add_span(l, e->ts, end, TRACE_SLICE, -1, e->name);
    }
}

static void counter(struct loader *ld, const struct ev *e)
{
    const struct json_value *a = json_get(e->v, "args");
    if (!a || a->type != JSON_OBJECT)
        return;
    for (size_t i = 0; i < a->len; i++) {
        if (a->items[i].type != JSON_NUMBER)
            continue;
        char *name = !strcmp(a->keys[i], "value")
                         ? xstrdup(e->name)
                         : xasprintf("%s.%s", e->name, a->keys[i]);
        add_counter(ld->t, name, e->ts, a->items[i].num);
        free(name);
    }
}

/* Order among events of one time stamp: a wake (or the timer behind it)
 * comes before the run it allows, and a run before the block or label
 * recorded with the time stamp of the run's start. */
static int tie_rank(const struct ev *e)
{
    if (e->ph == 'X')
        return 1;
    return strcmp(e->name, "wake") && strcmp(e->name, "timer") ? 2 : 0;
}

static int ev_cmp(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    int rx = tie_rank(x), ry = tie_rank(y);
    if (rx != ry)
        return rx - ry;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int span_cmp(const void *a, const void *b)
{
    const struct trace_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int lane_cmp(const void *a, const void *b)
{
    const struct trace_lane *x = a, *y = b;
    if (x->sort != y->sort)
        return x->sort < y->sort ? -1 : 1;
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* A number member: absent (*out = dflt), or a finite number; else an
 * error. */
static int num_field(struct loader *ld, size_t i, const struct json_value *v,
                     const char *key, bool required, double dflt, double *out)
{
    const struct json_value *f = json_get(v, key);
    if (!f) {
        if (required)
            return bad(ld, i, "no \"%s\"", key);
        *out = dflt;
        return 0;
    }
    if (f->type != JSON_NUMBER)
        return bad(ld, i, "\"%s\" is %s, not a number", key,
                   json_type_name(f->type));
    *out = f->num;
    return 0;
}

/* Check event i and fill *e; name the tracks from "M" events. */
static int read_event(struct loader *ld, size_t i, const struct json_value *v,
                      struct ev *e)
{
    if (v->type != JSON_OBJECT)
        return bad(ld, i, "%s, not an object", json_type_name(v->type));
    const struct json_value *ph = json_get(v, "ph");
    if (!ph || ph->type != JSON_STRING || ph->len != 1)
        return bad(ld, i, "\"ph\" (the phase) must be a one-letter string");
    const struct json_value *name = json_get(v, "name");
    if (name && name->type != JSON_STRING)
        return bad(ld, i, "\"name\" is %s, not a string",
                   json_type_name(name->type));
    *e = (struct ev){v, name ? name->str : "", ph->str[0], 0, 0, 0, i};
    if (num_field(ld, i, v, "tid", false, 0, &e->tid) < 0)
        return -1;
    if (!is_int(e->tid))
        return bad(ld, i, "\"tid\" %g is not an integer", e->tid);
    if (e->ph == 'M') {
        struct trace_lane *l = lane_of(ld, e->tid);
        const char *s = arg_str(v, "name");
        double idx;
        if (!strcmp(e->name, "thread_name") && s) {
            free(l->name);
            l->name = xstrdup(s);
        } else if (!strcmp(e->name, "thread_sort_index") &&
                   arg_num(v, "sort_index", &idx)) {
            l->sort = idx;
        }
        return 0;
    }
    if (num_field(ld, i, v, "ts", true, 0, &e->ts) < 0)
        return -1;
    if (e->ph == 'X') {
        if (num_field(ld, i, v, "dur", true, 0, &e->dur) < 0)
            return -1;
        if (e->dur < 0)
            return bad(ld, i, "\"dur\" %g is negative", e->dur);
    }
    return 0;
}

static int build(struct loader *ld, const struct json_value *root)
{
    struct trace *t = ld->t;
    const struct json_value *evs = root;
    if (root->type == JSON_OBJECT) {
        evs = json_get(root, "traceEvents");
        if (!evs) {
            errf("%s: no \"traceEvents\": not a trace-event file", ld->path);
            return -1;
        }
    }
    if (evs->type != JSON_ARRAY) {
        errf("%s: expected %s of events, found %s", ld->path,
             root == evs ? "an object with \"traceEvents\" or an array"
                         : "\"traceEvents\" to be an array",
             json_type_name(evs->type));
        return -1;
    }
    struct ev *list = xmalloc(evs->len * sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < evs->len; i++) {
        struct ev e;
        if (read_event(ld, i, &evs->items[i], &e) < 0) {
            free(list);
            return -1;
        }
        if (e.ph != 'M')
            list[n++] = e;
    }
    qsort(list, n, sizeof *list, ev_cmp);
    t->events = evs->len;
    t->t0 = n ? list[0].ts : 0;
    t->t1 = t->t0;
    for (size_t i = 0; i < n; i++) {
        const struct ev *e = &list[i];
        if (e->ts + e->dur > t->t1)
            t->t1 = e->ts + e->dur;
        switch (e->ph) {
        case 'X':
            slice(ld, e);
            break;
        case 'i':
        case 'I':
            instant(ld, e);
            break;
        case 'C':
            counter(ld, e);
            break;
        default:
            t->ignored++;
            break;
        }
    }
    free(list);
    for (size_t i = 0; i < t->nlanes; i++) {
        struct trace_lane *l = &t->lanes[i];
        end_block(t, l, t->t1);
        end_ready(l, t->t1);
        qsort(l->spans, l->nspans, sizeof *l->spans, span_cmp);
        if (!l->name)
            l->name = l->tid == 0 ? xstrdup("scheduler")
                                  : xasprintf("fiber %.0f", l->tid);
    }
    qsort(t->lanes, t->nlanes, sizeof *t->lanes, lane_cmp);
    return 0;
}

int trace_load(const char *path, struct trace *t)
{
    memset(t, 0, sizeof *t);
    char *text;
    size_t len;
    if (read_whole_file(path, TRACE_FILE_MAX, &text, &len) < 0) {
        if (errno == EFBIG)
            errf("%s: larger than %u MiB: not a trace this tool reads", path,
                 TRACE_FILE_MAX >> 20);
        else
            errf("%s: %s", path, strerror(errno));
        return -1;
    }
    char err[200];
    struct json_value *root = json_parse(text, len, err, sizeof err);
    free(text);
    if (!root) {
        errf("%s:%s (not valid JSON)", path, err);
        return -1;
    }
    struct loader ld = {path, t, NULL, NULL, 0, 0};
    int rc = build(&ld, root);
    free(ld.keys);
    free(ld.vals);
    json_free(root);
    t->title = path_basename(path);
    if (rc < 0)
        trace_free(t);
    return rc;
}

void trace_free(struct trace *t)
{
    for (size_t i = 0; i < t->nlanes; i++) {
        struct trace_lane *l = &t->lanes[i];
        for (size_t k = 0; k < l->nspans; k++)
            free(l->spans[k].name);
        for (size_t k = 0; k < l->nmarks; k++)
            free(l->marks[k].text);
        free(l->spans);
        free(l->marks);
        free(l->name);
    }
    for (size_t i = 0; i < t->nreasons; i++)
        free(t->reasons[i]);
    for (size_t i = 0; i < t->ncounters; i++) {
        free(t->counters[i].name);
        free(t->counters[i].points);
    }
    free(t->lanes);
    free(t->reasons);
    free(t->reason_time);
    free(t->counters);
    free(t->title);
    memset(t, 0, sizeof *t);
}

void trace_fmt_dur(char *buf, size_t len, double us)
{
    double a = us < 0 ? -us : us;
    if (a < 1)
        snprintf(buf, len, "%.0f ns", us * 1e3);
    else if (a < 1e3)
        snprintf(buf, len, "%.3g us", us);
    else if (a < 1e6)
        snprintf(buf, len, "%.4g ms", us / 1e3);
    else
        snprintf(buf, len, "%.4g s", us / 1e6);
}

/* Print s with control characters and non-ASCII bytes as '?', padded or
 * cut to `width` (0: as is). */
static void put_clean(FILE *f, const char *s, int width)
{
    int n = 0;
    for (; *s && (width == 0 || n < width); s++, n++)
        fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?',
              f);
    for (; n < width; n++)
        fputc(' ', f);
}

char *trace_lane_notes(const struct trace *t, const struct trace_lane *l)
{
    struct sbuf b = {0};
    char d[32];
    sb_puts(&b, "");
    if (l->idle > 0) {
        trace_fmt_dur(d, sizeof d, l->idle);
        sb_printf(&b, "idle %s", d);
    }
    for (size_t k = 0; k < l->nlongest; k++) {
        trace_fmt_dur(d, sizeof d, l->longest[k].dur);
        sb_printf(&b, "%s%s %s", k ? ", " : "", d,
                  t->reasons[l->longest[k].reason]);
    }
    return b.p;
}

void trace_summary_text(const struct trace *t, FILE *f)
{
    char a[32], b[32], c[32];
    trace_fmt_dur(a, sizeof a, t->t1 - t->t0);
    fputs("trace ", f);
    put_clean(f, t->title, 0);
    fprintf(f, ": %zu tracks, %zu events, %s (from %.3f to %.3f us)\n",
            t->nlanes, t->events, a, t->t0, t->t1);
    fprintf(f, "%-16s %6s %10s %10s %10s %8s %6s  %s\n", "fiber", "id",
            "running", "blocked", "ready", "switches", "blocks",
            "longest blocks");
    for (size_t i = 0; i < t->nlanes; i++) {
        const struct trace_lane *l = &t->lanes[i];
        trace_fmt_dur(a, sizeof a, l->running);
        trace_fmt_dur(b, sizeof b, l->blocked);
        trace_fmt_dur(c, sizeof c, l->ready);
        put_clean(f, l->name, 16);
        fprintf(f, " %6.0f %10s %10s %10s %8zu %6zu  ", l->tid, a, b, c,
                l->switches, l->blocks);
        char *notes = trace_lane_notes(t, l);
        put_clean(f, notes, 0);
        free(notes);
        fputc('\n', f);
    }
    if (t->nreasons) {
        fputs("blocked by reason:", f);
        for (size_t i = 0; i < t->nreasons; i++) {
            trace_fmt_dur(a, sizeof a, t->reason_time[i]);
            fprintf(f, "%s ", i ? "," : "");
            put_clean(f, t->reasons[i], 0);
            fprintf(f, " %s", a);
        }
        fputc('\n', f);
    }
    size_t marks[TRACE_MARK_CREATE + 1] = {0};
    for (size_t i = 0; i < t->nlanes; i++)
        for (size_t k = 0; k < t->lanes[i].nmarks; k++)
            marks[t->lanes[i].marks[k].kind]++;
    fprintf(f, "timer expiries %zu, device I/O %zu, labels %zu, counters %zu",
            marks[TRACE_MARK_TIMER], marks[TRACE_MARK_IO],
            marks[TRACE_MARK_LABEL], t->ncounters);
    if (t->ignored)
        fprintf(f, ", %zu events of other phases ignored", t->ignored);
    fputc('\n', f);
}
