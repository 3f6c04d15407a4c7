/*
 * tools/atoll/util.h - small host-side helpers shared by the atoll tool's
 * files: growable strings, files and paths, running a child process.
 *
 * The tool is an ordinary Linux program (it runs on the developer's machine,
 * not inside a unikernel), so it uses libc and POSIX freely.  Errors are
 * reported on stderr prefixed with "atoll: " where they are detected, and
 * the functions return -1 so that callers only decide the exit status.
 */
#ifndef ATOLL_TOOL_UTIL_H
#define ATOLL_TOOL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Exit statuses of the tool. */
#define EXIT_FAIL  1 /* the command ran and failed (bad manifest, cc error) */
#define EXIT_USAGE 2 /* bad command line: unknown command, target, option */

/* Print "atoll: MESSAGE\n" on stderr. */
void errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail (the tool stops with a message instead). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated string. */
struct sbuf {
    char *p;
    size_t len, cap;
};
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);

/* Read a whole file (at most `max` bytes; more is an error).  The result is
 * NUL-terminated; *len excludes the NUL.  0, or -1 with errno set (EFBIG
 * when the file is too large). */
int read_whole_file(const char *path, size_t max, char **out, size_t *len);

/* Replace `path` with `data`, unless it already holds exactly that (so its
 * modification time only moves when its content changes, which keeps
 * rebuilds minimal).  0 or -1 (message printed). */
int write_file_if_changed(const char *path, const char *data, size_t len);

bool path_exists(const char *path);
bool is_dir(const char *path);
bool is_regular(const char *path);

/* Modification time of `path` in nanoseconds; -1 if it does not exist. */
int64_t mtime_ns(const char *path);

/* Remove a directory tree (like rm -rf; does not follow symlinks).  0 or
 * -1 (message printed). */
int remove_tree(const char *path);

/* The last component of `path` ("a/b/" -> "b"); a new string. */
char *path_basename(const char *path);

/* Writes "a, b or c" (the `n` names joined) into buf, truncated to fit
 * `len` bytes. */
void join_names(char *buf, size_t len, const char *const *names, size_t n);

/* True if `s` is a C identifier ([A-Za-z_][A-Za-z0-9_]*) of at most
 * `max` bytes. */
bool is_identifier(const char *s, size_t max);

/* True if `s` is a C11 keyword (or a name the generated code reserves). */
bool is_c_keyword(const char *s);

/* Run argv[0] with $PATH lookup, wait, and return its exit status (128+N
 * when killed by signal N), or -1 if it could not be started (message
 * printed). */
int run_command(char *const argv[]);

/* argv as one shell-quoted line (for showing a failed command). */
char *command_line(char *const argv[]);

/* A NULL-terminated, growable argument vector. */
struct argv_list {
    char **v;
    size_t n, cap;
};
void av_push(struct argv_list *a, const char *s);
/* Split `s` on blanks and push each word (for $CC, $CFLAGS). */
void av_push_words(struct argv_list *a, const char *s);
void av_free(struct argv_list *a);

#endif
