/*
 * tests/kvm/apps/crash/main.c - crashes the way --what says, so
 * tests/kvm/crash.sh can check that each is reported with its documented
 * exit status and message on target hvt:
 *
 *   null         read through a NULL pointer      CPU exception, 114
 *   div0         integer division by zero         CPU exception, 114
 *   stack        unbounded recursion in app_main  guard page, 114
 *                (the main fiber, on the stack the tender made)
 *   fiber-stack  unbounded recursion in a        guard page, 114
 *                spawned fiber (a heap stack)
 *   oom          allocate until the heap is gone  panic 70
 *   assert       a failed assert()                panic 70
 *   spin         prints "spinning", then loops    killed by the signal
 *                forever without an exit          that stops the tender
 *   none         prints "survived" and exits 0
 *
 * --lines=N prints N numbered lines first: output the console area still
 * holds (abi.h, CONSOLE) must come out whole, in order, before the crash
 * report.
 */
#include <assert.h>
#include <string.h>

#include "atoll_app.h"

static volatile int zero;

static unsigned recurse(unsigned n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    return recurse(n + 1) + (unsigned)pad[0];
}

static int deep(void *arg)
{
    /* Each frame writes its pad before calling on, so the overflow runs
     * through the guard area page by page. */
    (void)arg;
    return (int)recurse(0);
}

int app_main(struct app *app)
{
    const char *c = app->args.what;
    for (int64_t i = 1; i <= app->args.lines; i++)
        atoll_console_printf(app->console, "line %lld\n", (long long)i);
    if (!strcmp(c, "null")) {
        volatile int *p = (volatile int *)(uintptr_t)zero;
        return *p;
    } else if (!strcmp(c, "div0")) {
        return 10 / zero;
    } else if (!strcmp(c, "stack")) {
        return (int)recurse(0);
    } else if (!strcmp(c, "fiber-stack")) {
        atoll_fiber *f;
        if (atoll_fiber_spawn(&f, "deep", deep, NULL, 0) < 0)
            return 1;
        int r = 0;
        atoll_fiber_join(f, ATOLL_NEVER, &r);
        return r;
    } else if (!strcmp(c, "oom")) {
        size_t total = 0;
        for (;;) {
            void *p = atoll_malloc(64 * 1024);
            if (!p)
                atoll_panic("out of memory after %zu KiB", total / 1024);
            memset(p, 1, 64 * 1024);
            total += 64 * 1024;
        }
    } else if (!strcmp(c, "assert")) {
        assert(zero == 1);
    } else if (!strcmp(c, "spin")) {
        atoll_console_printf(app->console, "spinning\n");
        for (;;)
            zero++;
    }
    atoll_console_printf(app->console, "survived\n");
    return 0;
}
