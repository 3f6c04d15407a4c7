/*
 * lib/libc/include/libc_sys.h - the two things lib/libc needs from the
 * platform under it, so the library stays free of any target: a way to
 * print a message and a way to stop.  platform/hvt defines both.
 */
#ifndef ATOLL_LIBC_SYS_H
#define ATOLL_LIBC_SYS_H

#include <stddef.h>

/* Write `len` bytes to the console (best effort, never allocates). */
void libc_sys_write(const char *buf, size_t len);

/* Stop the unikernel as crashed; does not return. */
_Noreturn void libc_sys_crash(void);

#endif
