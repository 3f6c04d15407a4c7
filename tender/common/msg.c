/*
 * tender/common/msg.c - the tenders' messages and exits.
 *
 * Every message goes out with one write(2) on stderr, prefixed with the
 * tender's name: no stdio buffer to lose, usable after the seccomp filter
 * is in place and from a signal handler (a crash report is written from
 * atoll-spt's SIGSEGV handler).
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "tender.h"

const char *hvt_progname = "atoll-hvt";
volatile sig_atomic_t hvt_stop_requested;
volatile sig_atomic_t hvt_gdb_requested;

static void vmsg(const char *fmt, va_list ap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s: ", hvt_progname);
    if (n < 0 || n >= (int)sizeof buf)
        n = 0;
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof buf - 2)
        len = sizeof buf - 2;
    buf[len++] = '\n';
    /* Best effort: nothing useful to do if stderr is gone. */
    ssize_t w = write(2, buf, len);
    (void)w;
}

void hvt_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
}

void hvt_die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    _exit(status < 0 ? 128 + hvt_stop_requested : status);
}
