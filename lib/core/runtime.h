/*
 * lib/core/runtime.h - the runtime's internal interface, between lib/core,
 * lib/dev, the platforms and the tests.  Applications do not include it.
 *
 * Boot order (lib/core/boot.c does this for a unikernel; a test does it
 * with atoll_runtime_init + atoll_sched_run, or simply atoll_test_run):
 *
 *     plat_mem_region -> heap -> log -> trace -> scheduler
 *         -> spawn "main" -> atoll_sched_run(main) -> exit status
 */
#ifndef ATOLL_CORE_RUNTIME_H
#define ATOLL_CORE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/fiber.h"
#include "atoll/time.h"

struct atoll_runtime_opts {
    size_t mem_bytes;     /* region size; 0 = ATOLL_DEFAULT_MEM_MIB */
    size_t trace_records; /* 0 = ATOLL_TRACE_RECORDS_DEFAULT */
    const char *log_spec; /* NULL = "info" */
};

/*
 * Take the memory region from the platform, set up the default heap, the
 * log levels, the trace ring and an empty scheduler.  0 or a negative error
 * (with a message on the console).  Call once per process.
 */
int atoll_runtime_init(const struct atoll_runtime_opts *opts);

/*
 * Run the scheduler until fiber `main` has returned; return its result.
 * Other fibers still alive at that point are abandoned (as a process's
 * threads are at exit).  If every fiber is blocked with no deadline and no
 * device to wait on, prints "deadlock: ..." naming the blocked fibers and
 * their reasons and returns ATOLL_EXIT_DEADLOCK.  atoll_exit() from any
 * fiber also ends the run: atoll_sched_run then returns its status.
 */
int atoll_sched_run(atoll_fiber *main);

/*
 * Block the running fiber until the platform reports device `dev` ready
 * (plat_wait's ready mask) or `deadline` passes.  Returns 0 (ready; the
 * caller retries its non-blocking read) or -ATOLL_ETIMEDOUT.  `reason` is
 * recorded in the trace.
 */
int atoll_sched_wait_device(int dev, atoll_time_t deadline, const char *reason);

/*
 * Hook run once per scheduler iteration, before the ready queue is served
 * (used later for entropy collection).  NULL to remove.
 */
void atoll_sched_set_iteration_hook(void (*hook)(void));

/* Name of the fiber whose stack guard page contains `addr`, or NULL.  The
 * platform's fault handler calls it to report "stack overflow in fiber
 * NAME".  Must be async-signal-safe (no allocation, no locks). */
const char *atoll_fiber_guard_owner(const void *addr);

/* Convenience for tests: atoll_runtime_init with `mem_bytes` (0 = default)
 * and quiet logging, spawn `fn(arg)` as "main", run it, return its result. */
int atoll_test_run(size_t mem_bytes, atoll_fiber_fn fn, void *arg);

/* Write text to the platform console with no formatting/allocation
 * (usable from fault handlers). */
void atoll_console_puts(const char *s);

#endif
