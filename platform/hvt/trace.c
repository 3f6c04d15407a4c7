/*
 * platform/hvt/trace.c - the trace file of an hvt image: handed to the
 * tender in pieces (ATOLL_HVT_TRACE_WRITE), which writes it to the file
 * of its own --trace=FILE; and the tender's requests for a live one.
 *
 * The guest never names a host file: `path` (the runtime's --trace=FILE,
 * which the tender passes on with the same value) is only a sign that a
 * trace is wanted.  The export goes through a buffer of one piece, so a
 * trace of a few MB costs a few dozen exits.  A request (the tender got
 * SIGUSR1) is a bit in the console area's `requests` word (abi.h), read
 * once per scheduler round; the common case is one plain load.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/trace.h"
#include "hvt_int.h"
#include "platform.h"

static uint8_t piece[16384];

struct out {
    uint64_t file;
    size_t used;
};

static int flush(struct out *o)
{
    struct atoll_hvt_trace t = {(uint64_t)(uintptr_t)piece, o->used, o->file,
                                0};
    hvt_call(ATOLL_HVT_TRACE_WRITE, &t);
    o->used = 0;
    return t.ret < 0 ? (int)t.ret : 0;
}

static int piece_write(void *ctx, const char *buf, size_t len)
{
    struct out *o = ctx;
    while (len > 0) {
        size_t n = sizeof piece - o->used;
        if (n > len)
            n = len;
        memcpy(piece + o->used, buf, n);
        o->used += n;
        buf += n;
        len -= n;
        if (o->used == sizeof piece) {
            int err = flush(o);
            if (err < 0)
                return err;
        }
    }
    return 0;
}

int plat_trace_write(const char *path, unsigned n)
{
    (void)path;
    struct out o = {n, 0};
    int err = atoll_trace_export_json(piece_write, &o);
    if (err == 0 && o.used > 0)
        err = flush(&o);
    /* The end of the file, even after an error: the tender then knows
     * the next piece starts a new one.  Its answer says whether the
     * whole file was written. */
    o.used = 0;
    int end = flush(&o);
    return err < 0 ? err : end;
}

unsigned plat_trace_requests(void)
{
    struct atoll_hvt_console_area *a =
        (struct atoll_hvt_console_area *)(uintptr_t)ATOLL_HVT_CONSOLE_AREA;
    if (hvt_boot_info == NULL ||
        __atomic_load_n(&a->requests, __ATOMIC_RELAXED) == 0)
        return 0;
    uint32_t r = __atomic_exchange_n(&a->requests, 0, __ATOMIC_RELAXED);
    return (r & ATOLL_HVT_REQ_TRACE) ? 1 : 0;
}
