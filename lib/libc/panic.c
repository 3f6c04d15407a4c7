/*
 * lib/libc/panic.c - the ways freestanding code stops on a broken
 * invariant: assert(), panic() and abort().  Each prints one line through
 * the platform (libc_sys.h) and stops the unikernel as crashed.  Nothing
 * here allocates, so it works however broken the heap is.
 */
#include "libc.h"

#include <assert.h>
#include <libc_sys.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void say(const char *s)
{
    LIBC(libc_sys_write)(s, LIBC(strlen)(s));
}

_Noreturn void LIBC(__assert_fail)(const char *expr, const char *file, int line,
                                   const char *func)
{
    char msg[256];
    LIBC(snprintf)
    (msg, sizeof msg, "%s:%d: %s: assertion failed: %s\n", file, line, func,
     expr);
    say(msg);
    LIBC(libc_sys_crash)();
}

_Noreturn void LIBC(panic)(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    LIBC(vsnprintf)(msg, sizeof msg - 1, fmt, ap);
    va_end(ap);
    say("panic: ");
    say(msg);
    say("\n");
    LIBC(libc_sys_crash)();
}

_Noreturn void LIBC(abort)(void)
{
    say("abort() called\n");
    LIBC(libc_sys_crash)();
}
