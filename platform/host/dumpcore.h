/*
 * platform/host/dumpcore.h - core files of a crashed unikernel on the
 * Linux-process targets (--dumpcore=DIR on unix; platform/host/dumpcore.c).
 *
 * The kernel's own core dumps go where the host's core_pattern says (a
 * file, a pipe to systemd-coredump, nowhere), which a unikernel cannot
 * choose.  So the fault handler (fault.h) writes the core itself: an ELF
 * file of type ET_CORE, DIR/core.PROGRAM.PID, that `gdb PROGRAM CORE`
 * opens; `bt` shows the faulting fiber's frames.
 */
#ifndef ATOLL_PLATFORM_HOST_DUMPCORE_H
#define ATOLL_PLATFORM_HOST_DUMPCORE_H

#include <stddef.h>

/*
 * Remember DIR for a crash: it must be an existing folder (opened now, so
 * a later chdir or rename does not matter).  0, or -1 with a message in
 * err (errlen bytes).
 */
int host_dumpcore_dir(const char *dir, char *err, size_t errlen);

/*
 * From the fault handler (async-signal-safe): write the core of this
 * process, with the registers of `ucontext` (the faulting context) and
 * signal `sig`, if --dumpcore was given.  Writes the file's path into
 * path (len bytes) and returns 0 when the core is written, -1 when it
 * could not be (the handler says so), 1 without --dumpcore.
 */
int host_dumpcore_write(int sig, const void *ucontext, char *path, size_t len);

#endif
