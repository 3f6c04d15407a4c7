/*
 * lib/libc/include/stdio.h - formatted output into memory, the only stdio
 * a unikernel needs (the console is atoll/console.h).  There are no FILE
 * streams.
 *
 * Conversions: d i u o x X c s p %, with flags - + space # 0, a width and a
 * precision (numbers or *), and the length modifiers hh h l ll z j t.
 * Floating point (f e g a) and %n are not supported: they print the
 * conversion as written.
 */
#ifndef ATOLL_LIBC_STDIO_H
#define ATOLL_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
              va_list ap) __attribute__((format(printf, 3, 0)));
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int sprintf(char *restrict buf, const char *restrict fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
