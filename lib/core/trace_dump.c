/*
 * lib/core/trace_dump.c - live trace files: a request from outside (a
 * signal, counted by the platform: plat_trace_requests) makes the
 * scheduler write the trace ring while the unikernel keeps running.
 *
 * The platform's trigger only counts requests; the scheduler asks for the
 * count once per round (sched.c) and the file is written here, between
 * fibers: nothing appends to the ring while it is read, and nothing heavy
 * runs in a signal handler.  Requests that arrive together make one file.
 * The n-th file written is named by the platform (FILE.n on unix; the
 * tender's FILE.n on spt).  The ring is left as it is, so a later file
 * holds the older records still in the ring and the newer ones.
 */
#include "atoll/console.h"
#include "atoll/error.h"
#include "atoll/trace.h"
#include "platform.h"
#include "runtime.h"
#include "trace_int.h"

static const char *dump_path;
static unsigned dumps;

void core_trace_dump_path(const char *path)
{
    dump_path = path;
}

void core_trace_dump(void)
{
    struct atoll_console *c = atoll_console_platform();
    unsigned n = dumps + 1;
    int err = plat_trace_write(dump_path, n);
    if (err == -ATOLL_ENOENT) {
        atoll_console_puts("atoll: a trace was asked for, but no "
                           "--trace=FILE was given: nothing written\n");
        return;
    }
    if (err < 0) {
        atoll_console_printf(c, "atoll: live trace %u not written: %s\n", n,
                             atoll_strerror(err));
        return;
    }
    dumps = n;
    atoll_console_printf(c, "atoll: live trace %u written (%zu records)\n", n,
                         atoll_trace_count());
}
