/*
 * examples/clock/main.c - a speaking clock.  Every second, --ticks times
 * (default 3), it announces
 *
 *     At the tone the time will be 20:31:05 UTC, Monday 23 November 2026
 *     (uptime 2.000 s)
 *
 * (on one line), reading the wall clock (civil time via
 * atoll_civil_from_time) and the monotonic clock (uptime) through the
 * interfaces in struct app.  The ticks are scheduled on absolute
 * deadlines, so they do not drift however long printing takes.  On the sim
 * target the wall clock starts at --sim-epoch (2000-01-01 by default) and
 * the run is instant and reproducible.
 */
#include "atoll_app.h"

static const char *const weekdays[] = {"Sunday",    "Monday",   "Tuesday",
                                       "Wednesday", "Thursday", "Friday",
                                       "Saturday"};
static const char *const months[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

int app_main(struct app *app)
{
    atoll_time_t start = atoll_mclock_now(app->mclock);
    for (int64_t i = 0; i < app->args.ticks; i++) {
        atoll_sleep_until(start + ATOLL_SEC(i));
        struct atoll_civil c;
        atoll_civil_from_time(atoll_wclock_now(app->wclock), &c);
        atoll_time_t up = atoll_mclock_now(app->mclock);
        const char *wd = c.weekday < 7 ? weekdays[c.weekday] : "?";
        const char *mo =
            c.month >= 1 && c.month <= 12 ? months[c.month - 1] : "?";
        atoll_console_printf(
            app->console,
            "At the tone the time will be %02u:%02u:%02u UTC, %s %u %s "
            "%ld (uptime %ld.%03ld s)\n",
            c.hour, c.minute, c.second, wd, c.day, mo, (long)c.year,
            (long)(up / ATOLL_SEC(1)), (long)(up % ATOLL_SEC(1) / ATOLL_MS(1)));
    }
    return 0;
}
