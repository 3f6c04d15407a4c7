/*
 * tools/atoll/tune.c - building Atoll's libraries for the tunables an
 * application sets in $CFLAGS (see tune.h).
 */
#include "tune.h"

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "util.h"

/* The names of a set of tunables: each macro a header defines with a
 * value only when it is not defined already (#ifndef NAME ... #define
 * NAME VALUE; a header guard defines no value). */
struct names {
    char **v;
    size_t n, cap;
};

static void names_add(struct names *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = xstrndup(p, len);
}

static bool names_has(const struct names *s, const char *p, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && !memcmp(s->v[i], p, len))
            return true;
    return false;
}

static void names_free(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static size_t ident_len(const char *p)
{
    size_t n = 0;
    while (p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z') ||
           (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9'))
        n++;
    return n;
}

/* Add the tunables of one header (a missing file adds none). */
static void scan_header(struct names *out, const char *path)
{
    char *text;
    size_t len;
    if (read_whole_file(path, 1 << 20, &text, &len) != 0)
        return;
    struct names guarded = {0}, valued = {0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (!strncmp(line, "#ifndef ", 8)) {
            char *name = line + 8 + strspn(line + 8, " \t");
            names_add(&guarded, name, ident_len(name));
        } else if (!strncmp(line, "#define ", 8)) {
            char *name = line + 8 + strspn(line + 8, " \t");
            size_t n = ident_len(name);
            if (name[n] == ' ' || name[n] == '\t')
                names_add(&valued, name, n);
        }
    }
    for (size_t i = 0; i < guarded.n; i++)
        if (names_has(&valued, guarded.v[i], strlen(guarded.v[i])) &&
            !names_has(out, guarded.v[i], strlen(guarded.v[i])))
            names_add(out, guarded.v[i], strlen(guarded.v[i]));
    names_free(&guarded);
    names_free(&valued);
    free(text);
}

/* Every tunable: the public headers, then each platform's own. */
static void scan_tunables(struct names *out, const char *root)
{
    static const char *const public[] = {"include/atoll/tunables.h",
                                         "include/atoll/net_tunables.h"};
    for (size_t i = 0; i < sizeof public / sizeof public[0]; i++) {
        char *p = xasprintf("%s/%s", root, public[i]);
        scan_header(out, p);
        free(p);
    }
    char *dir = xasprintf("%s/platform", root);
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char *p = xasprintf("%s/%s/tunables.h", dir, e->d_name);
            scan_header(out, p);
            free(p);
        }
        closedir(d);
    }
    free(dir);
}

/* FNV-1a, 64 bits: names a configuration's folder. */
static uint64_t fnv1a(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int tune_libdir(const char *root, const struct target *t, const char *variant,
                char **libdir)
{
    *libdir = NULL;
    const char *cflags = getenv("CFLAGS");
    if (!cflags || !*cflags)
        return 0;
    struct argv_list words = {0}, tune = {0};
    struct names known = {0};
    int rc = -1;
    av_push_words(&words, cflags);
    scan_tunables(&known, root);
    for (size_t i = 0; i < words.n; i++) {
        const char *w = words.v[i];
        if (w[0] != '-' || (w[1] != 'D' && w[1] != 'U'))
            continue;
        /* -DNAME=VALUE, or -D NAME=VALUE as two words. */
        const char *def = w + 2;
        if (!*def && i + 1 < words.n)
            def = words.v[++i];
        size_t n = ident_len(def);
        if (names_has(&known, def, n)) {
            if (strchr(def, '\'')) {
                errf("CFLAGS: %s: a tunable's value holds no quote", def);
                goto done;
            }
            char *one = xasprintf("-%c%s", w[1], def);
            av_push(&tune, one);
            free(one);
        } else if (!strncmp(def, "ATOLL_", 6)) {
            errf("CFLAGS: %.*s is not one of Atoll's tunables "
                 "(include/atoll/tunables.h, net_tunables.h and "
                 "platform/*/tunables.h list them)",
                 (int)n, def);
            goto done;
        }
    }
    if (tune.n == 0) {
        rc = 0;
        goto done;
    }

    struct sbuf all = {0};
    uint64_t h = 0xcbf29ce484222325ull;
    /* Quoted for the shell that runs make's recipes: a value may be an
     * expression such as (4*1024*1024). */
    for (size_t i = 0; i < tune.n; i++) {
        sb_printf(&all, "%s'%s'", i ? " " : "", tune.v[i]);
        h = fnv1a(tune.v[i], strlen(tune.v[i]) + 1, h);
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        errf("cannot tell the application's folder");
        sb_free(&all);
        goto done;
    }
    char *dir =
        xasprintf("%s/_build/libs-%012llx", cwd, (unsigned long long)(h >> 16));
    /* What make builds: the libraries this target links. */
    char *goals[3] = {0};
    if (t->build == TARGET_IMAGE) {
        goals[0] = xasprintf("%s-libs", t->platform);
    } else {
        goals[0] = xasprintf("%s/%s/libatoll.a", dir, variant);
        goals[1] = xasprintf("%s/%s/libatoll_%s.a", dir, variant, t->platform);
        goals[2] = xasprintf("%s/%s/start_%s.o", dir, variant, t->platform);
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    char *jobs = xasprintf("-j%ld", cpus > 0 ? cpus : 1);
    char *build = xasprintf("BUILD=%s", dir);
    char *tunevar = xasprintf("TUNE=%s", all.p);
    /* No tunable reaches BearSSL: its objects are the stock build's. */
    char *stock = atoll_builddir(root);
    char *bearssl = xasprintf("BEARSSL_BUILD=%s", stock);
    free(stock);
    struct argv_list make = {0};
    av_push_words(&make, "make -s --no-print-directory -C");
    av_push(&make, root);
    av_push(&make, jobs);
    av_push(&make, build);
    av_push(&make, tunevar);
    av_push(&make, bearssl);
    for (int i = 0; i < 3; i++)
        if (goals[i])
            av_push(&make, goals[i]);
    /* A make above us (atoll build run from a Makefile) must not hand
     * this one its job server. */
    unsetenv("MAKEFLAGS");
    unsetenv("MFLAGS");
    unsetenv("MAKELEVEL");
    fprintf(stderr, "atoll: Atoll's libraries for %s (%s): %s\n", all.p,
            t->name, dir);
    int st = run_command(make.v);
    if (st != 0) {
        char *line = command_line(make.v);
        errf("building Atoll's libraries for %s failed (status %d); the "
             "command was:\n  %s",
             all.p, st, line);
        free(line);
        free(dir);
    } else {
        *libdir = dir;
        rc = 0;
    }
    av_free(&make);
    free(jobs);
    free(build);
    free(tunevar);
    free(bearssl);
    for (int i = 0; i < 3; i++)
        free(goals[i]);
    sb_free(&all);
done:
    names_free(&known);
    av_free(&words);
    av_free(&tune);
    return rc;
}
