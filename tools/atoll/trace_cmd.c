/*
 * tools/atoll/trace_cmd.c - `atoll trace view` and `atoll trace summary`.
 *
 * view writes one HTML file that needs nothing else: the trace's model
 * (trace_model.c) as JSON in a <script type="application/json">, the
 * viewer's script and style (tools/atoll/viewer/, copied in from Atoll's
 * folder), and the summary table.  The page's Content-Security-Policy
 * forbids every fetch, so opening it never touches the network.  The
 * script draws the lanes as SVG when the page loads and redraws them on
 * zoom and pan.
 *
 * Everything from the trace that lands in the page is escaped: text in
 * HTML with entities, strings in the embedded JSON with \u escapes for
 * '<', '>' and '&' too, so a fiber named "</script>" stays a name.
 */
#include "trace_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "trace_model.h"
#include "util.h"

const char trace_cmd_help[] =
    "Look at a trace a unikernel wrote with --trace=FILE:\n"
    "  atoll trace view TRACE.json [-o OUT.html]\n"
    "      one self-contained HTML page (no network, nothing to install):\n"
    "      a lane per fiber, running and blocked time coloured by the\n"
    "      reason, timers, device I/O, labels and counters; wheel zooms,\n"
    "      dragging pans.  OUT defaults to TRACE.html beside TRACE.json.\n"
    "  atoll trace summary TRACE.json\n"
    "      per fiber: time running, blocked and ready, switches, blocks\n"
    "      and the longest ones, as text.\n"
    "A file that is not a trace is refused with the line and column (or\n"
    "the event) where it goes wrong.\n";

/* Maximum size of each viewer asset read from Atoll's folder. */
#define ASSET_MAX (1u << 20)

static void html_text(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sb_puts(b, "&amp;");
            break;
        case '<':
            sb_puts(b, "&lt;");
            break;
        case '>':
            sb_puts(b, "&gt;");
            break;
        case '"':
            sb_puts(b, "&quot;");
            break;
        case '\'':
            sb_puts(b, "&#39;");
            break;
        default:
            sb_putn(b, s, 1);
        }
    }
}

/* A JSON string that is also safe inside a <script> element. */
static void json_str(struct sbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_putn(b, e, 2);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            sb_printf(b, "\\u%04x", c);
        } else {
            sb_putn(b, s, 1);
        }
    }
    sb_puts(b, "\"");
}

/* A time in microseconds, to the nanosecond. */
static void json_num(struct sbuf *b, double v)
{
    if (v > -1e15 && v < 1e15 && (double)(long long)v == v)
        sb_printf(b, "%.0f", v);
    else
        sb_printf(b, "%.3f", v);
}

static void model_json(struct sbuf *b, const struct trace *t)
{
    sb_puts(b, "{\"title\":");
    json_str(b, t->title);
    sb_puts(b, ",\"t0\":");
    json_num(b, t->t0);
    sb_puts(b, ",\"t1\":");
    json_num(b, t->t1);
    sb_puts(b, ",\"reasons\":[");
    for (size_t i = 0; i < t->nreasons; i++) {
        sb_puts(b, i ? "," : "");
        json_str(b, t->reasons[i]);
    }
    sb_puts(b, "],\n\"lanes\":[");
    for (size_t i = 0; i < t->nlanes; i++) {
        const struct trace_lane *l = &t->lanes[i];
        sb_printf(b, "%s\n{\"id\":%.0f,\"name\":", i ? "," : "", l->tid);
        json_str(b, l->name);
        /* spans: [start, end, kind, reason or -1, slice name or 0] */
        sb_puts(b, ",\"spans\":[");
        for (size_t k = 0; k < l->nspans; k++) {
            const struct trace_span *s = &l->spans[k];
            sb_puts(b, k ? ",[" : "[");
            json_num(b, s->start);
            sb_puts(b, ",");
            json_num(b, s->end);
            sb_printf(b, ",%d,%d", (int)s->kind, s->reason);
            if (s->name) {
                sb_puts(b, ",");
                json_str(b, s->name);
            }
            sb_puts(b, "]");
        }
        /* marks: [ts, kind, text] */
        sb_puts(b, "],\"marks\":[");
        for (size_t k = 0; k < l->nmarks; k++) {
            const struct trace_mark *m = &l->marks[k];
            sb_puts(b, k ? ",[" : "[");
            json_num(b, m->ts);
            sb_printf(b, ",%d,", (int)m->kind);
            json_str(b, m->text);
            sb_puts(b, "]");
        }
        sb_puts(b, "]}");
    }
    sb_puts(b, "],\n\"counters\":[");
    for (size_t i = 0; i < t->ncounters; i++) {
        const struct trace_counter *c = &t->counters[i];
        sb_puts(b, i ? ",\n{\"name\":" : "\n{\"name\":");
        json_str(b, c->name);
        sb_puts(b, ",\"points\":[");
        for (size_t k = 0; k < c->npoints; k++) {
            sb_puts(b, k ? ",[" : "[");
            json_num(b, c->points[k][0]);
            sb_puts(b, ",");
            json_num(b, c->points[k][1]);
            sb_puts(b, "]");
        }
        sb_puts(b, "]}");
    }
    sb_puts(b, "]}");
}

/* The summary table: the numbers trace_summary_text prints. */
static void summary_html(struct sbuf *b, const struct trace *t)
{
    char a[32], c[32], d[32];
    sb_puts(b, "<table id=\"summary\">\n<thead><tr><th>fiber</th><th>id</th>"
               "<th>running</th><th>blocked</th><th>ready</th>"
               "<th>switches</th><th>blocks</th><th>longest blocks</th>"
               "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < t->nlanes; i++) {
        const struct trace_lane *l = &t->lanes[i];
        sb_printf(b, "<tr data-fiber-id=\"%.0f\"><td>", l->tid);
        html_text(b, l->name);
        trace_fmt_dur(a, sizeof a, l->running);
        trace_fmt_dur(c, sizeof c, l->blocked);
        trace_fmt_dur(d, sizeof d, l->ready);
        sb_printf(b,
                  "</td><td>%.0f</td><td>%s</td><td>%s</td><td>%s</td>"
                  "<td>%zu</td><td>%zu</td><td>",
                  l->tid, a, c, d, l->switches, l->blocks);
        char *notes = trace_lane_notes(t, l);
        html_text(b, notes);
        free(notes);
        sb_puts(b, "</td></tr>\n");
    }
    sb_puts(b, "</tbody></table>\n");
}

static char *read_asset(const char *name)
{
    const char *root = atoll_root();
    if (!root)
        return NULL;
    char *path = xasprintf("%s/tools/atoll/viewer/%s", root, name), *text;
    size_t len;
    if (read_whole_file(path, ASSET_MAX, &text, &len) < 0) {
        errf("trace view: cannot read the viewer's %s: %s", path,
             strerror(errno));
        text = NULL;
    }
    free(path);
    return text;
}

static char *default_output(const char *in)
{
    size_t n = strlen(in);
    if (n > 5 && !strcmp(in + n - 5, ".json"))
        n -= 5;
    char *base = xstrndup(in, n), *out = xasprintf("%s.html", base);
    free(base);
    return out;
}

static int trace_view(const char *in, const char *out)
{
    char *js = read_asset("viewer.js"),
         *css = js ? read_asset("viewer.css") : 0;
    if (!js || !css) {
        free(js);
        return EXIT_FAIL;
    }
    struct trace t;
    if (trace_load(in, &t) < 0) {
        free(js);
        free(css);
        return EXIT_FAIL;
    }
    struct sbuf b = {0};
    sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                "<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" "
                "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                "script-src 'unsafe-inline'\">\n<title>atoll trace: ");
    html_text(&b, t.title);
    sb_puts(&b, "</title>\n<style>\n");
    sb_puts(&b, css);
    sb_puts(&b, "</style></head>\n<body>\n<h1>");
    html_text(&b, t.title);
    char span[32];
    trace_fmt_dur(span, sizeof span, t.t1 - t.t0);
    sb_printf(&b,
              "</h1>\n<p class=\"about\">%zu tracks, %zu events, %s. "
              "Wheel or +/&minus; zoom, drag or arrows pan, "
              "double-click zooms in, 0 fits.</p>\n"
              "<div id=\"controls\"><button id=\"zoom-in\">+</button>"
              "<button id=\"zoom-out\">&minus;</button>"
              "<button id=\"fit\">fit</button> <span id=\"range\"></span>"
              "</div>\n<div id=\"legend\"></div>\n"
              "<div id=\"view\"><noscript>The timeline needs JavaScript; "
              "the summary below does not.</noscript></div>\n"
              "<h2>Summary</h2>\n",
              t.nlanes, t.events, span);
    summary_html(&b, &t);
    sb_puts(&b, "<script type=\"application/json\" id=\"trace-data\">");
    model_json(&b, &t);
    sb_puts(&b, "</script>\n<script>\n");
    sb_puts(&b, js);
    sb_puts(&b, "</script>\n</body></html>\n");
    free(js);
    free(css);
    trace_free(&t);
    FILE *f = fopen(out, "wb");
    int rc = 0;
    if (!f || fwrite(b.p, 1, b.len, f) != b.len) {
        errf("trace view: cannot write %s: %s", out, strerror(errno));
        rc = EXIT_FAIL;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        errf("trace view: cannot write %s: %s", out, strerror(errno));
        rc = EXIT_FAIL;
    }
    sb_free(&b);
    if (rc == 0)
        printf("atoll: wrote %s\n", out);
    return rc;
}

static int trace_summary(const char *in)
{
    struct trace t;
    if (trace_load(in, &t) < 0)
        return EXIT_FAIL;
    trace_summary_text(&t, stdout);
    trace_free(&t);
    return 0;
}

int cmd_trace(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    const char *in = NULL, *out = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc && !strcmp(sub, "view"))
            out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return errf("trace %s: unknown option '%s'", sub, argv[i]),
                   EXIT_USAGE;
        else if (in)
            return errf("trace %s: one trace file at a time", sub), EXIT_USAGE;
        else
            in = argv[i];
    }
    if ((strcmp(sub, "view") && strcmp(sub, "summary")) || !in) {
        errf("usage: atoll trace view TRACE.json [-o OUT.html] | "
             "atoll trace summary TRACE.json");
        return EXIT_USAGE;
    }
    if (is_dir(in)) {
        errf("%s: is a folder, not a trace file", in);
        return EXIT_FAIL;
    }
    if (!strcmp(sub, "summary"))
        return trace_summary(in);
    char *def = out ? NULL : default_output(in);
    int rc = trace_view(in, out ? out : def);
    free(def);
    return rc;
}
