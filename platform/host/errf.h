/*
 * platform/host/errf.h - the error message of a Linux-process target's
 * option parsing and device opening (unix and sim): plat_option and
 * plat_*_open fill a caller's buffer with one line saying what is wrong.
 */
#ifndef ATOLL_PLATFORM_HOST_ERRF_H
#define ATOLL_PLATFORM_HOST_ERRF_H

#include <stddef.h>

/* Format into err (nothing when err is NULL or errlen is 0; cut to
 * errlen - 1 bytes). */
void host_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
