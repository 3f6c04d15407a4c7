/*
 * tools/atoll/util.c - host-side helpers of the atoll tool (see util.h):
 * strings, files, paths and child processes.
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void errf(const char *fmt, ...)
{
    va_list ap;
    fputs("atoll: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Running out of memory on the host is not something the tool can work
 * around; stopping with a message beats threading NULL checks everywhere. */
static _Noreturn void out_of_memory(void)
{
    fputs("atoll: out of memory\n", stderr);
    exit(EXIT_FAIL);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct sbuf b = {0};
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory();
    b.p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b.p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return b.p;
}

static void sb_reserve(struct sbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void sb_puts(struct sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory();
    sb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sb_free(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int read_whole_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct sbuf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > max) {
            sb_free(&b);
            fclose(f);
            errno = EFBIG;
            return -1;
        }
        sb_putn(&b, chunk, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sb_free(&b);
        errno = EIO;
        return -1;
    }
    if (!b.p)
        sb_putn(&b, "", 0);
    *out = b.p;
    *len = b.len;
    return 0;
}

int write_file_if_changed(const char *path, const char *data, size_t len)
{
    char *old;
    size_t oldlen;
    if (read_whole_file(path, len + 1, &old, &oldlen) == 0) {
        bool same = oldlen == len && memcmp(old, data, len) == 0;
        free(old);
        if (same)
            return 0;
    }
    /* Write a temporary file and rename it over, so that an interrupted
     * write never leaves a half-written file behind. */
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        errf("cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t w = fwrite(data, 1, len, f);
    int closed = fclose(f);
    if (w != len || closed != 0 || rename(tmp, path) != 0) {
        errf("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

bool path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int64_t mtime_ns(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            errf("cannot open %s: %s", path, strerror(errno));
            return -1;
        }
        struct dirent *e;
        int rc = 0;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *sub = xasprintf("%s/%s", path, e->d_name);
            if (remove_tree(sub) != 0)
                rc = -1;
            free(sub);
        }
        closedir(d);
        if (rc == 0 && rmdir(path) != 0) {
            errf("cannot remove %s: %s", path, strerror(errno));
            rc = -1;
        }
        return rc;
    }
    if (unlink(path) != 0) {
        errf("cannot remove %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

char *path_basename(const char *path)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return xstrndup(path + start, end - start);
}

bool is_identifier(const char *s, size_t max)
{
    size_t n = 0;
    for (const char *p = s; *p; p++, n++) {
        char c = *p;
        bool alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && p != s))
            return false;
    }
    return n > 0 && n <= max;
}

bool is_c_keyword(const char *s)
{
    static const char *const words[] = {
        "auto",       "break",     "case",           "char",
        "const",      "continue",  "default",        "do",
        "double",     "else",      "enum",           "extern",
        "float",      "for",       "goto",           "if",
        "inline",     "int",       "long",           "register",
        "restrict",   "return",    "short",          "signed",
        "sizeof",     "static",    "struct",         "switch",
        "typedef",    "union",     "unsigned",       "void",
        "volatile",   "while",     "_Alignas",       "_Alignof",
        "_Atomic",    "_Bool",     "_Complex",       "_Generic",
        "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
        "asm",        "typeof",    "bool",           "true",
        "false",      "NULL",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s, words[i]))
            return true;
    return false;
}

int run_command(char *const argv[])
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        errf("cannot start %s: %s", argv[0], strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "atoll: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            errf("waiting for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* Quote a word for a POSIX shell only when it needs it. */
static void sb_shell_word(struct sbuf *b, const char *w)
{
    bool plain = *w != 0;
    for (const char *p = w; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_-./=:,+@%",
                    *p))
            plain = false;
    if (plain) {
        sb_puts(b, w);
        return;
    }
    sb_putn(b, "'", 1);
    for (const char *p = w; *p; p++) {
        if (*p == '\'')
            sb_puts(b, "'\\''");
        else
            sb_putn(b, p, 1);
    }
    sb_putn(b, "'", 1);
}

char *command_line(char *const argv[])
{
    struct sbuf b = {0};
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            sb_putn(&b, " ", 1);
        sb_shell_word(&b, argv[i]);
    }
    if (!b.p)
        sb_puts(&b, "");
    return b.p;
}

void av_push(struct argv_list *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

void av_push_words(struct argv_list *a, const char *s)
{
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        const char *start = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
            s++;
        if (s > start) {
            char *w = xstrndup(start, (size_t)(s - start));
            av_push(a, w);
            free(w);
        }
    }
}

void av_free(struct argv_list *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

void join_names(char *buf, size_t len, const char *const *names, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, len - used, "%s%s", sep, names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}
