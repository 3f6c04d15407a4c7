/*
 * lib/libc/include/assert.h - assert() and panic() for freestanding code.
 *
 * A failed assertion or a panic prints one line on the console naming the
 * place and the reason, then stops the unikernel with the crash status of
 * its target (on hvt: atoll-hvt exits 114).  NDEBUG removes assert() as
 * the standard says; panic() always stays.
 */
#ifndef ATOLL_LIBC_ASSERT_H
#define ATOLL_LIBC_ASSERT_H

_Noreturn void __assert_fail(const char *expr, const char *file, int line,
                             const char *func);
_Noreturn void panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e)                                                              \
    ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#ifndef __cplusplus
#define static_assert _Static_assert
#endif

#endif
