/*
 * platform/host/errf.c - error messages of the Linux-process targets
 * (see errf.h).
 */
#include "errf.h"

#include <stdarg.h>
#include <stdio.h>

void host_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
