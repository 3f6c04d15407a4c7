/*
 * tender/common/sysnames.c - names of x86_64 system calls, so that a
 * refused call is reported as "socket" rather than "41".
 *
 * The table is generated at build time from the C library's own
 * <sys/syscall.h> (mk/hvt.mk writes syscall_names.h: one `[__NR_x] = "x",`
 * line per call the headers know), so it never goes stale or needs typing.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "tender.h"

static const char *const names[] = {
#include "syscall_names.h"
};

const char *hvt_syscall_name(long nr)
{
    if (nr < 0 || (size_t)nr >= sizeof names / sizeof names[0])
        return NULL;
    return names[nr];
}
