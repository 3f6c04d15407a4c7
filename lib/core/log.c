/*
 * lib/core/log.c - leveled, per-source logging (atoll/log.h).
 *
 * Sources register themselves on first use.  The --log spec is kept as a
 * default level plus a small table of per-source overrides, so a source
 * first used after the spec was applied still gets its level; applying a
 * spec also updates every source already registered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/log.h"
#include "atoll/time.h"
#include "atoll/tunables.h"
#include "platform.h"

#define LOG_OVERRIDES_MAX 32
#define LOG_NAME_MAX      31

struct override {
    char name[LOG_NAME_MAX + 1];
    int level;
};

static int default_level = ATOLL_LOG_INFO;
static struct override overrides[LOG_OVERRIDES_MAX];
static unsigned noverrides;
static struct atoll_log_src *sources;

static const char *const level_names[] = {"quiet", "error", "warn", "info",
                                          "debug"};
static const char *const level_tags[] = {"", "ERROR", "WARN", "INFO", "DEBUG"};

int atoll_log_parse_level(const char *name)
{
    for (int i = 0; i <= ATOLL_LOG_DEBUG; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -ATOLL_EINVAL;
}

static int resolve(const char *name)
{
    for (unsigned i = 0; i < noverrides; i++)
        if (strcmp(overrides[i].name, name) == 0)
            return overrides[i].level;
    return default_level;
}

int atoll_log_level(struct atoll_log_src *src)
{
    if (src->level < 0) {
        src->next = sources;
        sources = src;
        src->level = resolve(src->name);
    }
    return src->level;
}

static int set_override(const char *name, int level)
{
    for (unsigned i = 0; i < noverrides; i++)
        if (strcmp(overrides[i].name, name) == 0) {
            overrides[i].level = level;
            return 0;
        }
    if (noverrides == LOG_OVERRIDES_MAX)
        return -ATOLL_ENOSPC;
    strcpy(overrides[noverrides].name, name);
    overrides[noverrides++].level = level;
    return 0;
}

struct item {
    char source[LOG_NAME_MAX + 1]; /* "" = every source */
    int level;
};

/* Parse one comma-separated item of length n. */
static int parse_item(const char *p, size_t n, struct item *it, char *err,
                      unsigned errlen)
{
    char text[128];
    if (n == 0) {
        snprintf(err, errlen, "empty item in --log spec");
        return -ATOLL_EINVAL;
    }
    if (n >= sizeof text) {
        snprintf(err, errlen, "--log item too long: '%.40s...'", p);
        return -ATOLL_EINVAL;
    }
    memcpy(text, p, n);
    text[n] = '\0';
    const char *colon = strchr(text, ':');
    const char *level = text;
    it->source[0] = '\0';
    if (colon) {
        size_t sn = (size_t)(colon - text);
        if (sn == 0) {
            snprintf(err, errlen, "empty source name in --log item '%s'", text);
            return -ATOLL_EINVAL;
        }
        if (sn > LOG_NAME_MAX) {
            snprintf(err, errlen, "source name too long in --log item '%s'",
                     text);
            return -ATOLL_EINVAL;
        }
        memcpy(it->source, text, sn);
        it->source[sn] = '\0';
        level = colon + 1;
    }
    it->level = atoll_log_parse_level(level);
    if (it->level < 0) {
        snprintf(err, errlen,
                 "unknown log level '%s' in --log item '%s' (use quiet, "
                 "error, warn, info or debug)",
                 level, text);
        return -ATOLL_EINVAL;
    }
    return 0;
}

int atoll_log_configure(const char *spec, char *err, unsigned errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!spec)
        spec = "info";

    /* Validate the whole spec before changing anything. */
    struct item items[LOG_OVERRIDES_MAX];
    unsigned nitems = 0;
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (nitems == LOG_OVERRIDES_MAX) {
            snprintf(err, errlen, "too many items in --log spec (max %d)",
                     LOG_OVERRIDES_MAX);
            return -ATOLL_EINVAL;
        }
        int e = parse_item(p, n, &items[nitems], err, errlen);
        if (e < 0)
            return e;
        nitems++;
        if (!comma)
            break;
        p = comma + 1;
    }

    for (unsigned i = 0; i < nitems; i++) {
        if (items[i].source[0] == '\0') {
            /* A bare level sets every source, overriding earlier items. */
            default_level = items[i].level;
            noverrides = 0;
        } else if (set_override(items[i].source, items[i].level) < 0) {
            snprintf(err, errlen, "too many sources in --log spec (max %d)",
                     LOG_OVERRIDES_MAX);
            return -ATOLL_EINVAL;
        }
    }
    for (struct atoll_log_src *s = sources; s; s = s->next)
        s->level = resolve(s->name);
    return 0;
}

void atoll_logf(struct atoll_log_src *src, enum atoll_log_level level,
                const char *fmt, ...)
{
    char line[ATOLL_LOG_LINE_MAX];
    if (level <= ATOLL_LOG_QUIET || level > ATOLL_LOG_DEBUG)
        return;
    atoll_time_t t = atoll_now();
    long long sec = t / 1000000000, usec = (t % 1000000000) / 1000;
    if (usec < 0) {
        sec--;
        usec += 1000000;
    }
    int n = snprintf(line, sizeof line, "[%6lld.%06lld] %-5s %s: ", sec, usec,
                     level_tags[level], src->name);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line - 1) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
        if (m > 0)
            n += m;
    }
    /* Room for the text and its newline: sizeof line - 1 bytes (the
     * last byte held vsnprintf's terminator and is not written out). */
    size_t len = (size_t)n, max = sizeof line - 1;
    if (len + 1 > max) {
        memcpy(line + max - 4, "...\n", 4);
        len = max;
    } else if (len == 0 || line[len - 1] != '\n') {
        line[len++] = '\n';
    }
    (void)plat_console_write(line, len);
}
