/*
 * tests/harness.h - the C test harness.
 *
 * A test file declares tests with TEST(suite, "what it shows") { ... } and
 * links tests/harness.c, which provides main().  Every test runs in its own
 * forked process, so a crash, an assertion or a sanitizer report fails that
 * test only, and each test starts from fresh global state (a new runtime).
 * Output, one line per test, in the alcotest spirit:
 *
 *     [OK]   scheduler  3  timeout fires before wake
 *     [FAIL] scheduler  4  join returns the result
 *            tests/unit/sched.c:88: CHECK_EQ(r, 7): got 0, want 7
 *     [SKIP] tap        0  opens a tap device (needs root)
 *
 * tests/run.sh counts these lines over every test binary and prints the
 * closing "N passed, N failed" line.
 *
 * Running a test binary with a substring argument runs only the tests whose
 * "suite name" contains it.  ATOLL_TEST_NOFORK=1 runs tests in-process (for
 * gdb).
 */
#ifndef ATOLL_TESTS_HARNESS_H
#define ATOLL_TESTS_HARNESS_H

#include <stdint.h>
#include <string.h>

typedef void (*harness_fn)(void);
typedef void (*harness_case_fn)(const void *arg);

void harness_register(const char *suite, const char *name, harness_fn fn,
                      const char *file, int line);
/* A test made from a table: fn(arg) runs it, `name` must stay valid.  For
 * many cases of one shape (one per row), registered from a constructor;
 * they are numbered in the order registered. */
void harness_register_case(const char *suite, const char *name,
                           harness_case_fn fn, const void *arg,
                           const char *file, int line);
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
void harness_skip(const char *why) __attribute__((noreturn));

#define HARNESS_CAT2_(a, b) a##b
#define HARNESS_CAT_(a, b)  HARNESS_CAT2_(a, b)

/* TEST expands `suite` first (so it may be a macro) and then stringifies. */
#define TEST(suite, name) HARNESS_TEST_(suite, name)
#define HARNESS_TEST_(suite, name)                                             \
    static void HARNESS_CAT_(test_body_, __LINE__)(void);                      \
    __attribute__((constructor)) static void HARNESS_CAT_(test_reg_,           \
                                                          __LINE__)(void)      \
    {                                                                          \
        harness_register(#suite, name, HARNESS_CAT_(test_body_, __LINE__),     \
                         __FILE__, __LINE__);                                  \
    }                                                                          \
    static void HARNESS_CAT_(test_body_, __LINE__)(void)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            harness_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);              \
    } while (0)

#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long got_ = (long long)(a), want_ = (long long)(b);               \
        if (got_ != want_)                                                     \
            harness_fail(__FILE__, __LINE__,                                   \
                         "CHECK_EQ(%s, %s): got %lld, "                        \
                         "want %lld",                                          \
                         #a, #b, got_, want_);                                 \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *got_ = (a), *want_ = (b);                                  \
        if (!got_ || strcmp(got_, want_) != 0)                                 \
            harness_fail(__FILE__, __LINE__,                                   \
                         "CHECK_STR(%s, %s): got \"%s\", "                     \
                         "want \"%s\"",                                        \
                         #a, #b, got_ ? got_ : "(null)", want_);               \
    } while (0)

#define CHECK_MEM(a, b, n)                                                     \
    do {                                                                       \
        if (memcmp((a), (b), (n)) != 0)                                        \
            harness_fail(__FILE__, __LINE__, "CHECK_MEM(%s, %s, %s) differs",  \
                         #a, #b, #n);                                          \
    } while (0)

#define SKIP(why) harness_skip(why)

/* End a test's child process with `status`: flushes stdio and, in a
 * coverage build (make coverage), writes gcov's counts, which _exit
 * alone would lose.  Every child a test forks ends here. */
void harness_exit(int status) __attribute__((noreturn));

/* Run `body` in a child process with its standard output (where the
 * console writes) captured into out (NUL-terminated, outlen bytes at most);
 * returns the child's exit status, or -1 if a signal killed it.  For
 * checking that something stops the unikernel (a panic, a violated
 * invariant) without ending the test. */
int harness_in_child(void (*body)(void), char *out, size_t outlen);

#endif
