/*
 * lib/core/runtime.c - bringing the runtime up: memory region, default
 * heap, log levels, trace ring (lib/core/runtime.h), and atoll_test_run
 * for tests.
 */
#include <stdio.h>

#include "atoll/console.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "platform.h"
#include "runtime.h"

#define MIB ((size_t)1 << 20)

static bool initialized;

/* Trace ring when none was asked for: the default, but at most an eighth
 * of memory, so a small --mem still boots. */
static size_t default_trace_records(size_t mem)
{
    size_t records = ATOLL_TRACE_RECORDS_DEFAULT;
    size_t cap = mem / 8 / sizeof(struct atoll_trace_rec);
    return records < cap ? records : cap;
}

int atoll_runtime_init(const struct atoll_runtime_opts *opts)
{
    struct atoll_console *con = atoll_console_platform();
    struct atoll_runtime_opts o = {0, 0, NULL};
    if (opts)
        o = *opts;
    if (initialized) {
        atoll_console_printf(con, "atoll: runtime initialised twice\n");
        return -ATOLL_EBUSY;
    }

    size_t mem = o.mem_bytes ? o.mem_bytes : ATOLL_DEFAULT_MEM_MIB * MIB;
    if (mem < ATOLL_MIN_MEM_MIB * MIB) {
        atoll_console_printf(con,
                             "atoll: --mem: %zu bytes is below the minimum "
                             "of %d MiB\n",
                             mem, ATOLL_MIN_MEM_MIB);
        return -ATOLL_EINVAL;
    }
    mem = (mem + 4095) & ~(size_t)4095;
    void *base;
    size_t len;
    int err = plat_mem_region(mem, &base, &len);
    if (err < 0) {
        atoll_console_printf(con, "atoll: cannot get %zu MiB of memory: %s\n",
                             mem / MIB, atoll_strerror(err));
        return err;
    }
    err = atoll_heap_init(atoll_heap_default(), base, len);
    if (err < 0) {
        atoll_console_printf(con, "atoll: cannot set up the heap: %s\n",
                             atoll_strerror(err));
        return err;
    }

    char msg[160];
    err =
        atoll_log_configure(o.log_spec ? o.log_spec : "info", msg, sizeof msg);
    if (err < 0) {
        atoll_console_printf(con, "atoll: --log: %s\n", msg);
        return err;
    }

    size_t records =
        o.trace_records ? o.trace_records : default_trace_records(len);
    err = atoll_trace_init(records);
    if (err < 0) {
        atoll_console_printf(con,
                             "atoll: --trace-size: a ring of %zu records "
                             "does not fit in %zu MiB of memory\n",
                             records, len / MIB);
        return err;
    }
    initialized = true;
    return 0;
}

int atoll_test_run(size_t mem_bytes, atoll_fiber_fn fn, void *arg)
{
    if (!initialized) {
        struct atoll_runtime_opts o = {mem_bytes, 0, "quiet"};
        int err = atoll_runtime_init(&o);
        if (err < 0)
            return err;
    }
    atoll_fiber *main_fiber;
    int err = atoll_fiber_spawn(&main_fiber, "main", fn, arg, 0);
    if (err < 0)
        return err;
    return atoll_sched_run(main_fiber);
}
