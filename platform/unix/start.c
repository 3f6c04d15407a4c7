/*
 * platform/unix/start.c - entry point of a unikernel built for the unix
 * target (an ordinary Linux process).  Everything else happens in
 * atoll_boot (lib/core/boot.c); the fault handler that reports stack
 * overflows is installed when the memory region is taken (mem.c), which
 * covers tests that bring their own main as well.  SIGUSR1 (a live trace
 * file, trace_signal.c) is a unikernel's, not a test's.
 */
#include "atoll/app.h"
#include "unix_int.h"

int main(int argc, char **argv)
{
    unix_trace_signal_install();
    return atoll_boot(argc, argv);
}
