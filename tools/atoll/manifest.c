/*
 * tools/atoll/manifest.c - the atoll.manifest parser (format: see
 * docs/manifest.md).
 *
 * The format is line-based so that every problem can be pinned to a line:
 * each line is a key followed by words; '#' starts a comment; a word in
 * double quotes may hold blanks and the escapes \" \\ \n \t.  The parser is
 * written for hostile input (it is fed random bytes in the tests): lines
 * and files are bounded, every word is checked before use, and a bad line
 * is reported and skipped so that one run shows every problem.
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/number.h"
#include "util.h"

/* One word of a line; `quoted` tells "required" (keyword) from
 * "\"required\"" (a string default that happens to read so). */
struct word {
    char *s;
    bool quoted;
};

#define WORDS_MAX (MF_SOURCE_MAX + 2)

struct parser {
    struct manifest *m;
    int line;
    int errors;
};

static void perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void perr(struct parser *p, const char *fmt, ...)
{
    p->errors++;
    if (p->errors > MF_ERRORS_MAX)
        return;
    va_list ap;
    fprintf(stderr, "%s:%d: ", p->m->path, p->line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (p->errors == MF_ERRORS_MAX)
        fprintf(stderr, "%s: too many errors, giving up\n", p->m->path);
}

/* Show a word from the file in a message: printable ASCII as is, anything
 * else as \xNN, cut at 40 bytes, so garbage input cannot garble the
 * terminal. */
static const char *shown(const char *s)
{
    static char out[4][200];
    static int which;
    char *o = out[which++ % 4];
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (n > 40 * 4) {
            memcpy(o + n, "...", 4);
            return o;
        }
        if (*c >= 0x20 && *c < 0x7f && *c != '\\')
            o[n++] = (char)*c;
        else
            n += (size_t)snprintf(o + n, 5, "\\x%02x", *c);
    }
    o[n] = 0;
    return o;
}

/* Split one line into words.  Returns the count, or -1 after reporting. */
static int split_words(struct parser *p, const char *line, struct word *w,
                       int *count)
{
    int n = 0;
    *count = 0;
    const char *s = line;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            return n;
        if (n == WORDS_MAX) {
            perr(p, "too many words on one line (at most %d)", WORDS_MAX);
            return -1;
        }
        struct sbuf b = {0};
        sb_puts(&b, "");
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s) {
                    perr(p, "unterminated string (missing closing '\"')");
                    sb_free(&b);
                    return -1;
                }
                if (*s == '"') {
                    s++;
                    break;
                }
                if (*s == '\\') {
                    char e = s[1], c;
                    switch (e) {
                    case '"':
                    case '\\':
                        c = e;
                        break;
                    case 'n':
                        c = '\n';
                        break;
                    case 't':
                        c = '\t';
                        break;
                    default: {
                        char bad[2] = {e, 0};
                        perr(p,
                             "unknown escape '\\%s' in string (known: "
                             "\\\" \\\\ \\n \\t)",
                             e ? shown(bad) : "");
                        sb_free(&b);
                        return -1;
                    }
                    }
                    sb_putn(&b, &c, 1);
                    s += 2;
                    continue;
                }
                sb_putn(&b, s, 1);
                s++;
            }
            if (*s && *s != ' ' && *s != '\t' && *s != '#') {
                perr(p, "text right after a closing quote");
                sb_free(&b);
                return -1;
            }
            w[n].quoted = true;
        } else {
            const char *start = s;
            while (*s && *s != ' ' && *s != '\t' && *s != '#') {
                if (*s == '"') {
                    perr(p, "stray '\"' inside a word");
                    sb_free(&b);
                    return -1;
                }
                s++;
            }
            sb_putn(&b, start, (size_t)(s - start));
            w[n].quoted = false;
        }
        w[n++].s = b.p;
        *count = n;
    }
}

/* split_words, and on failure free the words split so far. */
static int split_line(struct parser *p, const char *line, struct word *w)
{
    int count;
    int n = split_words(p, line, w, &count);
    if (n < 0)
        for (int i = 0; i < count; i++)
            free(w[i].s);
    return n;
}

/* Check a name that becomes a C identifier in the generated code. */
static bool check_name(struct parser *p, const char *what, const char *s)
{
    if (!is_identifier(s, MF_NAME_MAX)) {
        if (strlen(s) > MF_NAME_MAX && is_identifier(s, SIZE_MAX))
            perr(p, "%s '%s' is too long (at most %d characters)", what,
                 shown(s), MF_NAME_MAX);
        else
            perr(p,
                 "bad %s '%s': names must be C identifiers (letters, "
                 "digits and '_', not starting with a digit)",
                 what, shown(s));
        return false;
    }
    if (is_c_keyword(s)) {
        perr(p, "bad %s '%s': it is a C keyword", what, s);
        return false;
    }
    return true;
}

/* Members of struct app besides the devices: a device may not take one of
 * these names. */
static bool reserved_member(const char *s)
{
    return !strcmp(s, "console") || !strcmp(s, "mclock") ||
           !strcmp(s, "wclock") || !strcmp(s, "random") || !strcmp(s, "args");
}

static bool want_words(struct parser *p, int n, int min, int max,
                       const char *usage)
{
    if (n - 1 < min || n - 1 > max) {
        perr(p, "expected '%s'", usage);
        return false;
    }
    return true;
}

static void key_name(struct parser *p, struct word *w, int n)
{
    struct manifest *m = p->m;
    if (!want_words(p, n, 1, 1, "name NAME"))
        return;
    if (m->name) {
        perr(p, "duplicate 'name' line (first on line %d)", m->name_line);
        return;
    }
    if (!check_name(p, "application name", w[1].s))
        return;
    m->name = xstrdup(w[1].s);
    m->name_line = p->line;
}

static void key_main(struct parser *p, struct word *w, int n)
{
    struct manifest *m = p->m;
    if (!want_words(p, n, 1, 1, "main FUNCTION"))
        return;
    if (m->entry) {
        perr(p, "duplicate 'main' line (first on line %d)", m->entry_line);
        return;
    }
    if (!check_name(p, "entry point", w[1].s))
        return;
    if (!strncmp(w[1].s, "atoll_", 6) || !strcmp(w[1].s, "main")) {
        perr(p, "bad entry point '%s': 'main' and atoll_* belong to Atoll",
             w[1].s);
        return;
    }
    m->entry = xstrdup(w[1].s);
    m->entry_line = p->line;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a > b && !strcmp(s + a - b, suf);
}

static void key_sources(struct parser *p, struct word *w, int n)
{
    struct manifest *m = p->m;
    if (!want_words(p, n, 1, WORDS_MAX, "sources FILE.c..."))
        return;
    for (int i = 1; i < n; i++) {
        const char *f = w[i].s;
        if (!has_suffix(f, ".c") && !has_suffix(f, ".S")) {
            perr(p, "source '%s' is not a .c or .S file", shown(f));
            continue;
        }
        if (f[0] == '-') {
            perr(p, "source '%s' may not start with '-'", shown(f));
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < m->nsources; j++)
            dup |= !strcmp(m->sources[j], f);
        if (dup) {
            perr(p, "source '%s' is listed twice", shown(f));
            continue;
        }
        if (!is_regular(f)) {
            perr(p, "source file '%s' does not exist", shown(f));
            continue;
        }
        if (m->nsources == MF_SOURCE_MAX) {
            perr(p, "too many sources (at most %d)", MF_SOURCE_MAX);
            return;
        }
        m->sources[m->nsources++] = xstrdup(f);
    }
}

static void key_device(struct parser *p, struct word *w, int n)
{
    struct manifest *m = p->m;
    if (!want_words(p, n, 2, 3, "device KIND NAME [IMPL]"))
        return;
    const struct mf_kind *kind = mf_kind_find(w[1].s);
    if (!kind) {
        perr(p, "unknown device kind '%s' (expected %s)", shown(w[1].s),
             mf_kinds_text());
        return;
    }
    const char *name = w[2].s;
    if (!check_name(p, "device name", name))
        return;
    if (reserved_member(name)) {
        perr(p,
             "device name '%s' is reserved (struct app already has a "
             "member of that name)",
             name);
        return;
    }
    for (size_t i = 0; i < m->ndevices; i++)
        if (!strcmp(m->devices[i].name, name)) {
            perr(p, "duplicate device '%s' (first declared on line %d)", name,
                 m->devices[i].line);
            return;
        }
    const char *impl = n > 3 ? w[3].s : kind->impls[0].name;
    if (!mf_kind_impl(kind, impl)) {
        perr(p, "unknown %s implementation '%s' (expected %s)", kind->name,
             shown(impl), mf_impls_text(kind));
        return;
    }
    if (m->ndevices == ATOLL_DEVICES_MAX) {
        perr(p, "too many devices (at most %d)", ATOLL_DEVICES_MAX);
        return;
    }
    struct mf_device *d = &m->devices[m->ndevices++];
    d->kind = kind;
    d->name = xstrdup(name);
    d->impl = xstrdup(impl);
    d->line = p->line;
}

/* files NAME DIR: the host folder (relative to the application's) that
 * implementations built from files (kinds.h: mf_impl_files_type) bake into
 * device NAME, declared on an earlier line.  The folder itself is read and
 * checked when the files are generated (files.c). */
static void key_files(struct parser *p, struct word *w, int n)
{
    struct manifest *m = p->m;
    if (!want_words(p, n, 2, 2, "files DEVICE DIR"))
        return;
    struct mf_device *d = NULL;
    for (size_t i = 0; i < m->ndevices; i++)
        if (!strcmp(m->devices[i].name, w[1].s))
            d = &m->devices[i];
    if (!d) {
        perr(p, "files: no device '%s' declared above this line",
             shown(w[1].s));
        return;
    }
    if (d->files) {
        perr(p, "duplicate files line for device '%s' (first on line %d)",
             d->name, d->files_line);
        return;
    }
    if (!w[2].s[0] || strlen(w[2].s) >= MF_LINE_MAX) {
        perr(p, "files: empty folder name");
        return;
    }
    d->files = xstrdup(w[2].s);
    d->files_line = p->line;
}

static void key_arg(struct parser *p, struct word *w, int n)
{
    struct manifest *m = p->m;
    if (!want_words(p, n, 3, 4, "arg NAME TYPE DEFAULT|required [\"HELP\"]"))
        return;
    const char *name = w[1].s;
    if (!check_name(p, "argument name", name))
        return;
    for (size_t i = 0; i < m->nargs; i++)
        if (!strcmp(m->args[i].name, name)) {
            perr(p, "duplicate argument '%s' (first declared on line %d)", name,
                 m->args[i].line);
            return;
        }
    /* --no-NAME turns a bool off; a second arg literally named no_X would
     * not clash on the command line (it is --no_X), so nothing to check. */
    enum atoll_arg_type type;
    if (!strcmp(w[2].s, "int"))
        type = ATOLL_ARG_INT;
    else if (!strcmp(w[2].s, "string"))
        type = ATOLL_ARG_STRING;
    else if (!strcmp(w[2].s, "bool"))
        type = ATOLL_ARG_BOOL;
    else {
        perr(p, "unknown argument type '%s' (expected int, string or bool)",
             shown(w[2].s));
        return;
    }
    const char *def = w[3].s;
    bool required = !w[3].quoted && !strcmp(def, "required");
    if (!required) {
        int64_t v;
        if (type == ATOLL_ARG_INT && core_parse_int(def, &v) != 0) {
            perr(p,
                 "bad default for int argument '%s': '%s' is not an "
                 "integer",
                 name, shown(def));
            return;
        }
        if (type == ATOLL_ARG_BOOL && strcmp(def, "true") &&
            strcmp(def, "false")) {
            perr(p,
                 "bad default for bool argument '%s': '%s' (expected true "
                 "or false)",
                 name, shown(def));
            return;
        }
        if (strlen(def) != strnlen(def, MF_LINE_MAX)) {
            perr(p, "default of '%s' is too long", name);
            return;
        }
    }
    if (m->nargs == MF_ARGS_MAX) {
        perr(p, "too many arguments (at most %d)", MF_ARGS_MAX);
        return;
    }
    struct mf_arg *a = &m->args[m->nargs++];
    a->name = xstrdup(name);
    a->member = xstrdup(name);
    a->device = -1;
    a->type = type;
    a->def = required ? NULL : xstrdup(def);
    a->help = xstrdup(n > 4 ? w[4].s : "");
    a->line = p->line;
}

/* Append the arguments each declared device's kind brings (kinds.h): NAME
 * when the manifest declares one device of that kind, DEVICE-NAME when it
 * declares several.  A clash with a declared argument is an error at the
 * device's line. */
static void add_device_args(struct parser *p)
{
    struct manifest *m = p->m;
    for (size_t d = 0; d < m->ndevices; d++) {
        const struct mf_device *dev = &m->devices[d];
        int nk = mf_kind_nargs(dev->kind);
        if (nk == 0)
            continue;
        size_t same = 0;
        for (size_t e = 0; e < m->ndevices; e++)
            same += m->devices[e].kind == dev->kind;
        for (int k = 0; k < nk; k++) {
            const struct mf_kind_arg *ka = &dev->kind->args[k];
            char *name = same > 1 ? xasprintf("%s-%s", dev->name, ka->name)
                                  : xstrdup(ka->name);
            char *member = xstrdup(name);
            for (char *c = member; *c; c++)
                if (*c == '-')
                    *c = '_';
            p->line = dev->line;
            for (size_t i = 0; i < m->nargs; i++)
                if (!strcmp(m->args[i].name, name) ||
                    !strcmp(m->args[i].member, member))
                    perr(p,
                         "argument '%s' is brought by %s device '%s' and "
                         "declared on line %d too",
                         name, dev->kind->name, dev->name, m->args[i].line);
            if (m->nargs == MF_ARGS_MAX) {
                perr(p, "too many arguments (at most %d)", MF_ARGS_MAX);
                free(name);
                free(member);
                return;
            }
            struct mf_arg *a = &m->args[m->nargs++];
            a->name = name;
            a->member = member;
            a->device = (int)d;
            a->type = ka->type;
            a->def = ka->def ? xstrdup(ka->def) : NULL;
            a->help = xstrdup(ka->help);
            a->line = dev->line;
        }
    }
}

static void parse_line(struct parser *p, const char *line)
{
    struct word w[WORDS_MAX];
    int n = split_line(p, line, w);
    if (n <= 0)
        return;
    const char *key = w[0].s;
    if (w[0].quoted)
        perr(p, "a line must start with a key, not a quoted string");
    else if (!strcmp(key, "name"))
        key_name(p, w, n);
    else if (!strcmp(key, "main"))
        key_main(p, w, n);
    else if (!strcmp(key, "sources"))
        key_sources(p, w, n);
    else if (!strcmp(key, "device"))
        key_device(p, w, n);
    else if (!strcmp(key, "arg"))
        key_arg(p, w, n);
    else if (!strcmp(key, "files"))
        key_files(p, w, n);
    else
        perr(p,
             "unknown key '%s' (expected name, main, sources, device, "
             "files or arg)",
             shown(key));
    for (int i = 0; i < n; i++)
        free(w[i].s);
}

int manifest_load(const char *path, struct manifest *m)
{
    memset(m, 0, sizeof *m);
    m->path = xstrdup(path);
    char *text;
    size_t len;
    if (read_whole_file(path, MF_FILE_MAX, &text, &len) != 0) {
        if (errno == ENOENT)
            errf("no %s here (create one with 'atoll new DIR', or use -C "
                 "DIR)",
                 path);
        else if (errno == EFBIG)
            errf("%s: too large (more than %d bytes)", path, MF_FILE_MAX);
        else
            errf("cannot read %s: %s", path, strerror(errno));
        manifest_free(m);
        return -1;
    }
    struct parser p = {.m = m, .line = 0};
    size_t pos = 0;
    while (pos < len) {
        p.line++;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t n = end - pos;
        if (n > 0 && text[end - 1] == '\r')
            n--; /* tolerate CRLF files */
        if (memchr(text + pos, 0, n))
            perr(&p, "NUL byte in line (is this a text file?)");
        else if (n >= MF_LINE_MAX)
            perr(&p, "line too long (at most %d bytes)", MF_LINE_MAX - 1);
        else {
            char *line = xstrndup(text + pos, n);
            parse_line(&p, line);
            free(line);
        }
        pos = end + 1;
    }
    free(text);
    if (!m->name) {
        p.line = p.line > 0 ? p.line : 1;
        perr(&p, "missing 'name' line (every manifest needs 'name NAME')");
    }
    if (!p.errors)
        add_device_args(&p);
    if (p.errors) {
        manifest_free(m);
        return -1;
    }
    if (!m->entry)
        m->entry = xstrdup("app_main");
    return 0;
}

void manifest_free(struct manifest *m)
{
    free(m->path);
    free(m->name);
    free(m->entry);
    for (size_t i = 0; i < m->nsources; i++)
        free(m->sources[i]);
    for (size_t i = 0; i < m->ndevices; i++) {
        free(m->devices[i].name);
        free(m->devices[i].impl);
        free(m->devices[i].files);
    }
    for (size_t i = 0; i < m->nargs; i++) {
        free(m->args[i].name);
        free(m->args[i].member);
        free(m->args[i].def);
        free(m->args[i].help);
    }
    free(m->random_impl);
    memset(m, 0, sizeof *m);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int manifest_sources(const struct manifest *m, char ***out)
{
    char **list = xmalloc((MF_SOURCE_MAX + 1) * sizeof *list);
    size_t n = 0;
    if (m->nsources) {
        for (; n < m->nsources; n++)
            list[n] = xstrdup(m->sources[n]);
    } else {
        DIR *d = opendir(".");
        if (!d) {
            errf("cannot list the application folder: %s", strerror(errno));
            free(list);
            return -1;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL && n < MF_SOURCE_MAX)
            if (e->d_name[0] != '.' && e->d_name[0] != '-' &&
                has_suffix(e->d_name, ".c") && is_regular(e->d_name))
                list[n++] = xstrdup(e->d_name);
        closedir(d);
        qsort(list, n, sizeof *list, cmp_str);
        if (n == 0) {
            errf("no C sources: %s has no sources line and the folder has "
                 "no *.c file",
                 m->path);
            free(list);
            return -1;
        }
    }
    list[n] = NULL;
    *out = list;
    return (int)n;
}

void manifest_sources_free(char **list)
{
    if (!list)
        return;
    for (size_t i = 0; list[i]; i++)
        free(list[i]);
    free(list);
}

/* --impl random=IMPL: app->random.  The list implementation brings its
 * argument (the bytes, in hex), added here because --impl comes after the
 * manifest is parsed. */
static int set_random_impl(struct manifest *m, const char *impl)
{
    if (!mf_kind_impl(&mf_random_kind, impl)) {
        errf("--impl random=%s: unknown random implementation '%s' "
             "(expected %s)",
             shown(impl), shown(impl), mf_impls_text(&mf_random_kind));
        return -1;
    }
    free(m->random_impl);
    m->random_impl = xstrdup(impl);
    if (strcmp(impl, "list"))
        return 0;
    for (size_t i = 0; i < m->nargs; i++)
        if (!strcmp(m->args[i].name, MF_RANDOM_LIST_ARG))
            return 0; /* --impl given twice */
        else if (!strcmp(m->args[i].member, "random_list")) {
            errf("--impl random=list brings argument '%s', and %s "
                 "declares '%s' on line %d",
                 MF_RANDOM_LIST_ARG, m->path, m->args[i].name, m->args[i].line);
            return -1;
        }
    if (m->nargs == MF_ARGS_MAX) {
        errf("--impl random=list: too many arguments (at most %d)",
             MF_ARGS_MAX);
        return -1;
    }
    struct mf_arg *a = &m->args[m->nargs++];
    a->name = xstrdup(MF_RANDOM_LIST_ARG);
    a->member = xstrdup("random_list");
    a->device = -1;
    a->type = ATOLL_ARG_STRING;
    a->def = xstrdup("04"); /* chosen by fair dice roll */
    a->help = xstrdup("The bytes app->random returns, in hex, repeated "
                      "(--impl random=list)");
    a->line = 0;
    return 0;
}

int manifest_set_impl(struct manifest *m, const char *name, const char *impl)
{
    if (!strcmp(name, "random"))
        return set_random_impl(m, impl);
    for (size_t i = 0; i < m->ndevices; i++) {
        struct mf_device *d = &m->devices[i];
        if (strcmp(d->name, name))
            continue;
        if (!mf_kind_impl(d->kind, impl)) {
            errf("--impl %s=%s: unknown %s implementation '%s' (expected "
                 "%s)",
                 name, shown(impl), d->kind->name, shown(impl),
                 mf_impls_text(d->kind));
            return -1;
        }
        free(d->impl);
        d->impl = xstrdup(impl);
        return 0;
    }
    errf("--impl %s=%s: %s declares no device '%s'", shown(name), shown(impl),
         m->path, shown(name));
    return -1;
}
