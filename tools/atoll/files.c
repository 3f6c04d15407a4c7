/*
 * tools/atoll/files.c - generates _build/atoll_files_NAME.c from the host
 * folder a manifest's `files` line names (see files.h).
 *
 * The generated file is plain, readable C: one string literal per file
 * (printable bytes as themselves, the rest as octal escapes, so any
 * content - NULs included - survives), then the sorted table.  Sorting
 * uses atoll_kv_ro_cmp from lib/store/kv_ro.c, linked into the tool, so
 * the table is in exactly the order the unikernel's binary search expects,
 * and the digests use the library's SHA-256.
 */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atoll/kv_ro.h"
#include "atoll/sha256.h"

struct file {
    char *key;  /* path inside the folder, '/'-separated */
    char *host; /* path on the host */
    bool dir;
    char *data;
    size_t size;
};

struct walk {
    const struct manifest *m;
    const struct mf_device *d;
    struct file *f;
    size_t n, cap;
    size_t bytes;
    int errors;
};

static void werr(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "MANIFEST:LINE: files NAME DIR: problem" */
static void werr(struct walk *w, const char *fmt, ...)
{
    w->errors++;
    fprintf(stderr, "%s:%d: files %s %s: ", w->m->path, w->d->files_line,
            w->d->name, w->d->files);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A name from the POSIX portable file name set, not starting with '-'. */
static bool portable(const char *s)
{
    if (!*s || *s == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Show a host name in a message: printable ASCII only. */
static const char *shown(const char *s)
{
    static char buf[300];
    size_t n = 0;
    for (; *s && n + 5 < sizeof buf; s++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              *s >= 0x20 && *s < 0x7f ? "%c" : "\\x%02x",
                              (unsigned char)*s);
    buf[n] = 0;
    return buf;
}

static void add(struct walk *w, char *key, char *host, bool dir)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->f = xrealloc(w->f, w->cap * sizeof *w->f);
    }
    w->f[w->n++] = (struct file){key, host, dir, NULL, 0};
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk host folder `host`, whose key is `key` ("" for the top). */
static void walk_dir(struct walk *w, const char *host, const char *key)
{
    DIR *dp = opendir(host);
    if (!dp) {
        werr(w, "cannot read folder '%s': %s", shown(host), strerror(errno));
        return;
    }
    /* Sorted, so the messages come out in a stable order. */
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[nn++] = xstrdup(e->d_name);
    }
    closedir(dp);
    if (nn)
        qsort(names, nn, sizeof *names, by_name);
    for (size_t i = 0; i < nn; i++) {
        const char *name = names[i];
        char *h = xasprintf("%s/%s", host, name);
        char *k = *key ? xasprintf("%s/%s", key, name) : xstrdup(name);
        struct stat st;
        bool keep = false;
        if (w->errors >= MF_ERRORS_MAX) {
            /* enough said */
        } else if (!portable(name) || strlen(name) > FILES_NAME_MAX) {
            werr(w,
                 "'%s': not a portable file name (letters, digits, '.', "
                 "'_' and '-', not starting with '-', at most %d bytes)",
                 shown(k), FILES_NAME_MAX);
        } else if (strlen(k) > ATOLL_KV_RO_KEY_MAX) {
            werr(w, "'%s': path longer than %d bytes", shown(k),
                 ATOLL_KV_RO_KEY_MAX);
        } else if (lstat(h, &st) != 0) {
            werr(w, "'%s': %s", shown(k), strerror(errno));
        } else if (S_ISLNK(st.st_mode)) {
            werr(w, "'%s' is a symbolic link (copy the file instead)",
                 shown(k));
        } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            werr(w, "'%s' is not a regular file or a folder", shown(k));
        } else if (w->n >= FILES_COUNT_MAX) {
            werr(w, "more than %d files and folders", FILES_COUNT_MAX);
        } else {
            keep = true;
            add(w, k, h, S_ISDIR(st.st_mode));
            if (S_ISDIR(st.st_mode))
                walk_dir(w, h, k);
        }
        if (!keep) {
            free(h);
            free(k);
        }
        free(names[i]);
    }
    free(names);
}

/* Read every file's content, within the total budget. */
static void read_files(struct walk *w)
{
    for (size_t i = 0; i < w->n && w->errors == 0; i++) {
        struct file *f = &w->f[i];
        if (f->dir)
            continue;
        size_t left = FILES_BYTES_MAX - w->bytes;
        if (read_whole_file(f->host, left, &f->data, &f->size) != 0) {
            if (errno == EFBIG)
                werr(w, "more than %u MiB of files in all (at '%s')",
                     FILES_BYTES_MAX >> 20, shown(f->key));
            else
                werr(w, "cannot read '%s': %s", shown(f->key), strerror(errno));
            return;
        }
        w->bytes += f->size;
    }
}

static int by_key(const void *a, const void *b)
{
    return atoll_kv_ro_cmp(((const struct file *)a)->key,
                           ((const struct file *)b)->key);
}

/* A C string literal of `n` bytes, in lines of about 72 columns. */
static void c_bytes(struct sbuf *b, const unsigned char *p, size_t n)
{
    size_t col = 0;
    sb_puts(b, "    \"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (col >= 72) {
            sb_puts(b, "\"\n    \"");
            col = 0;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?') {
            sb_putn(b, (const char *)&c, 1);
            col++;
        } else {
            /* Always three digits: a following digit cannot join it. */
            sb_printf(b, "\\%03o", c);
            col += 4;
        }
    }
    sb_puts(b, "\"");
}

/* A host path inside a C comment: portable characters and '/' only, so
 * nothing can end the comment early. */
static char *comment_safe(const char *s)
{
    char *o = xstrdup(s);
    for (char *c = o; *c; c++)
        if (!portable((char[]){*c == '-' ? 'x' : *c, 0}) && *c != '/')
            *c = '_';
    return o;
}

static void gen_one(struct walk *w, struct sbuf *b)
{
    const struct mf_device *d = w->d;
    char *folder = comment_safe(d->files), *mpath = comment_safe(w->m->path);
    sb_printf(b,
              "/*\n * atoll_files_%s.c - the files of folder '%s' baked "
              "into the unikernel\n * for kv_ro device '%s' "
              "(atoll/kv_ro.h).\n *\n * Generated by `atoll build` from "
              "%s, line %d.  Do not edit: edit the\n * files and build "
              "again.\n */\n#include <atoll/kv_ro.h>\n\n",
              d->name, folder, d->name, mpath, d->files_line);
    free(folder);
    free(mpath);
    for (size_t i = 0; i < w->n; i++) {
        const struct file *f = &w->f[i];
        if (f->dir || f->size == 0)
            continue;
        sb_printf(b, "/* %s */\nstatic const uint8_t f%zu[] =\n", f->key, i);
        c_bytes(b, (const unsigned char *)f->data, f->size);
        sb_puts(b, ";\n\n");
    }
    if (w->n) {
        sb_puts(b, "/* Sorted by atoll_kv_ro_cmp: name, data, size, "
                   "directory, SHA-256. */\n"
                   "static const struct atoll_kv_ro_file files[] = {\n");
        for (size_t i = 0; i < w->n; i++) {
            const struct file *f = &w->f[i];
            uint8_t dg[ATOLL_SHA256_LEN];
            atoll_sha256(f->data ? f->data : "", f->size, dg);
            sb_printf(b, "    {\"%s\", ", f->key);
            if (f->dir || f->size == 0)
                sb_puts(b, "NULL, ");
            else
                sb_printf(b, "f%zu, ", i);
            sb_printf(b, "%zu, %s,\n     {", f->size,
                      f->dir ? "true" : "false");
            for (int j = 0; j < ATOLL_SHA256_LEN; j++)
                sb_printf(b, "0x%02x%s%s", dg[j],
                          j + 1 < ATOLL_SHA256_LEN ? "," : "",
                          j == 11 || j == 23 ? "\n      " : "");
            sb_puts(b, "}},\n");
        }
        sb_puts(b, "};\n\n");
    }
    sb_printf(b,
              "const struct atoll_kv_ro_files atoll_files_%s = {\"%s\", %s, "
              "%zu};\n",
              d->name, d->name, w->n ? "files" : "NULL", w->n);
}

/* True if device `d` is built from files. */
static bool from_files(const struct mf_device *d)
{
    return mf_impl_files_type(d->kind, d->impl) != NULL;
}

int files_gen(const struct manifest *m, const char *dir)
{
    int rc = 0;
    for (size_t i = 0; i < m->ndevices; i++) {
        const struct mf_device *d = &m->devices[i];
        if (!from_files(d))
            continue;
        if (!d->files) {
            fprintf(stderr,
                    "%s:%d: %s device '%s' (implementation %s) is built "
                    "from files: add a line 'files %s DIR'\n",
                    m->path, d->line, d->kind->name, d->name, d->impl, d->name);
            rc = -1;
            continue;
        }
        struct walk w = {.m = m, .d = d};
        if (!is_dir(d->files)) {
            werr(&w, "%s",
                 path_exists(d->files) ? "not a folder" : "no such folder");
        } else {
            walk_dir(&w, d->files, "");
            read_files(&w);
        }
        if (w.errors == 0) {
            if (w.n)
                qsort(w.f, w.n, sizeof *w.f, by_key);
            struct sbuf b = {0};
            gen_one(&w, &b);
            char *path = xasprintf("%s/atoll_files_%s.c", dir, d->name);
            if (write_file_if_changed(path, b.p, b.len) != 0)
                w.errors++;
            free(path);
            sb_free(&b);
        }
        for (size_t j = 0; j < w.n; j++) {
            free(w.f[j].key);
            free(w.f[j].host);
            free(w.f[j].data);
        }
        free(w.f);
        if (w.errors)
            rc = -1;
    }
    return rc;
}

void files_sources(const struct manifest *m, struct argv_list *av)
{
    for (size_t i = 0; i < m->ndevices; i++)
        if (from_files(&m->devices[i])) {
            char *p = xasprintf("_build/atoll_files_%s.c", m->devices[i].name);
            av_push(av, p);
            free(p);
        }
}

int64_t files_newest(const struct manifest *m)
{
    int64_t max = 0;
    for (size_t i = 0; i < m->ndevices; i++)
        if (from_files(&m->devices[i])) {
            char *p = xasprintf("_build/atoll_files_%s.c", m->devices[i].name);
            int64_t t = mtime_ns(p);
            if (t > max)
                max = t;
            free(p);
        }
    return max;
}
