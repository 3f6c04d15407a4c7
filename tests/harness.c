/*
 * tests/harness.c - runs the tests registered with TEST() (see harness.h).
 *
 * Each test is forked so that it cannot disturb the next one; the parent
 * reports [OK], [FAIL] (with the child's message, or the signal that killed
 * it) or [SKIP].  A test that runs longer than HARNESS_TIMEOUT seconds is
 * killed and fails; ATOLL_TEST_TIMEOUT=SECONDS sets another limit, for
 * builds that run many times slower (make coverage).
 */
#include "harness.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HARNESS_MAX     1024
#define HARNESS_TIMEOUT 120
#define EXIT_SKIP       77

struct test {
    const char *suite, *name, *file;
    int line;
    int order; /* registration order: cases sharing a line keep it */
    harness_fn fn;
    harness_case_fn case_fn;
    const void *arg;
};

static struct test tests[HARNESS_MAX];
static int ntests;

void harness_register(const char *suite, const char *name, harness_fn fn,
                      const char *file, int line)
{
    if (ntests == HARNESS_MAX) {
        fprintf(stderr, "harness: more than %d tests\n", HARNESS_MAX);
        exit(2);
    }
    tests[ntests] =
        (struct test){suite, name, file, line, ntests, fn, NULL, NULL};
    ntests++;
}

void harness_register_case(const char *suite, const char *name,
                           harness_case_fn fn, const void *arg,
                           const char *file, int line)
{
    harness_register(suite, name, NULL, file, line);
    tests[ntests - 1].case_fn = fn;
    tests[ntests - 1].arg = arg;
}

static void run_test(const struct test *t)
{
    if (t->case_fn)
        t->case_fn(t->arg);
    else
        t->fn();
}

/* Defined by libgcov when the program is built with --coverage. */
extern void __gcov_dump(void) __attribute__((weak));

void harness_exit(int status)
{
    fflush(NULL);
    if (__gcov_dump)
        __gcov_dump();
    _exit(status);
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "       %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    harness_exit(1);
}

void harness_skip(const char *why)
{
    fprintf(stderr, "       skipped: %s\n", why);
    harness_exit(EXIT_SKIP);
}

int harness_in_child(void (*body)(void), char *out, size_t outlen)
{
    int fds[2];
    if (pipe(fds) != 0)
        harness_fail(__FILE__, __LINE__, "pipe failed");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        harness_fail(__FILE__, __LINE__, "fork failed");
    if (pid == 0) {
        dup2(fds[1], 1);
        body();
        harness_exit(0);
    }
    close(fds[1]);
    ssize_t n;
    size_t total = 0;
    while (total + 1 < outlen &&
           (n = read(fds[0], out + total, outlen - 1 - total)) > 0)
        total += (size_t)n;
    out[total] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Order tests by file position so numbering is stable: constructors run in
 * an order the linker chooses. */
static int by_position(const void *a, const void *b)
{
    const struct test *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return x->line != y->line ? x->line - y->line : x->order - y->order;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int nofork = getenv("ATOLL_TEST_NOFORK") != NULL;
    const char *limit = getenv("ATOLL_TEST_TIMEOUT");
    unsigned timeout =
        limit && atoi(limit) > 0 ? (unsigned)atoi(limit) : HARNESS_TIMEOUT;
    int passed = 0, failed = 0, skipped = 0;
    int index = 0;
    const char *suite = NULL;

    qsort(tests, (size_t)ntests, sizeof tests[0], by_position);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < ntests; i++) {
        struct test *t = &tests[i];
        char full[512];
        if (!suite || strcmp(suite, t->suite) != 0) {
            suite = t->suite;
            index = 0;
        } else {
            index++;
        }
        snprintf(full, sizeof full, "%s %s", t->suite, t->name);
        if (filter && !strstr(full, filter))
            continue;
        if (nofork) {
            run_test(t);
            printf("[OK]   %-12s %2d  %s\n", t->suite, index, t->name);
            passed++;
            continue;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            alarm(timeout);
            run_test(t);
            harness_exit(0);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            printf("[OK]   %-12s %2d  %s\n", t->suite, index, t->name);
            passed++;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP) {
            printf("[SKIP] %-12s %2d  %s\n", t->suite, index, t->name);
            skipped++;
        } else {
            printf("[FAIL] %-12s %2d  %s\n", t->suite, index, t->name);
            if (WIFSIGNALED(status))
                printf("       killed by signal %d (%s)\n", WTERMSIG(status),
                       strsignal(WTERMSIG(status)));
            else
                printf("       exit status %d\n", WEXITSTATUS(status));
            failed++;
        }
    }
    printf("-- %s: %d ok, %d failed, %d skipped\n", argv[0], passed, failed,
           skipped);
    return failed ? 1 : 0;
}
