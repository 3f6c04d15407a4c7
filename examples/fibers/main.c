/*
 * examples/fibers/main.c - cooperative fibers in the spirit of MirageOS's
 * lwt tutorial:
 *
 *  1. Two fibers, "heads" and "tails", speak in turn: heads every 100 ms
 *     from t=0, tails every 100 ms from t=50 ms.  The main fiber joins
 *     both and collects their results.
 *  2. A timeout that fires: waiting on an event nobody notifies, with a
 *     deadline 100 ms away, returns -ATOLL_ETIMEDOUT.
 *  3. A timeout that does not: a "notifier" fiber notifies the event after
 *     10 ms, well before the 1 s deadline.
 *
 * The sleeps are 50 ms apart, so the output order is the same on the unix
 * target (real time) as on sim (virtual time).  Every step leaves a label
 * in the trace (run with --trace=FILE and open FILE in Perfetto).
 */
#include "atoll_app.h"

struct coin {
    struct app *app;
    const char *side;
    atoll_time_t first; /* delay before speaking the first time */
    int64_t rounds;
};

static int speak(void *arg)
{
    struct coin *c = arg;
    atoll_sleep(c->first);
    for (int64_t i = 1; i <= c->rounds; i++) {
        atoll_trace_label(c->side);
        atoll_console_printf(c->app->console, "%s %ld\n", c->side, (long)i);
        if (i < c->rounds)
            atoll_sleep(ATOLL_MS(100));
    }
    return (int)c->rounds;
}

static atoll_event bell = ATOLL_EVENT_INIT("bell");

static int notifier(void *arg)
{
    struct app *app = arg;
    atoll_sleep(ATOLL_MS(10));
    atoll_trace_label("ring");
    atoll_console_printf(app->console, "notifier: ringing the bell\n");
    atoll_event_notify(&bell);
    return 0;
}

int app_main(struct app *app)
{
    int err, r1 = 0, r2 = 0;

    /* 1. heads and tails, joined. */
    struct coin heads = {app, "heads", 0, app->args.rounds};
    struct coin tails = {app, "tails", ATOLL_MS(50), app->args.rounds};
    atoll_fiber *fh, *ft;
    if ((err = atoll_fiber_spawn(&fh, "heads", speak, &heads, 0)) < 0 ||
        (err = atoll_fiber_spawn(&ft, "tails", speak, &tails, 0)) < 0) {
        atoll_console_printf(app->console, "spawn: %s\n", atoll_strerror(err));
        return 1;
    }
    if ((err = atoll_fiber_join(fh, ATOLL_NEVER, &r1)) < 0 ||
        (err = atoll_fiber_join(ft, ATOLL_NEVER, &r2)) < 0) {
        atoll_console_printf(app->console, "join: %s\n", atoll_strerror(err));
        return 1;
    }
    atoll_trace_label("joined");
    atoll_console_printf(app->console, "joined heads (%d) and tails (%d)\n", r1,
                         r2);

    /* 2. Nobody notifies: the deadline passes first. */
    atoll_time_t t0 = atoll_now();
    err = atoll_event_wait(&bell, atoll_after(ATOLL_MS(100)));
    atoll_time_t waited = atoll_now() - t0;
    if (err != -ATOLL_ETIMEDOUT || waited < ATOLL_MS(100)) {
        atoll_console_printf(app->console,
                             "expected a timeout after 100 ms, got %s after "
                             "%ld ns\n",
                             atoll_errname(err), (long)waited);
        return 1;
    }
    atoll_trace_label("timeout fired");
    atoll_console_printf(app->console, "timeout fired after 100 ms\n");

    /* 3. Notified before the deadline. */
    if ((err = atoll_fiber_spawn(NULL, "notifier", notifier, app, 0)) < 0) {
        atoll_console_printf(app->console, "spawn: %s\n", atoll_strerror(err));
        return 1;
    }
    err = atoll_event_wait(&bell, atoll_after(ATOLL_SEC(1)));
    if (err != 0) {
        atoll_console_printf(app->console, "expected a wake-up, got %s\n",
                             atoll_errname(err));
        return 1;
    }
    atoll_trace_label("woken");
    atoll_console_printf(app->console, "woken before the deadline\n");
    return 0;
}
