/*
 * examples/hello/main.c - the smallest Atoll unikernel: prints "Hello
 * World!" --count times (default 4), one second apart, then exits 0.
 *
 * It uses only what every unikernel has (struct app's console) and the
 * scheduler's sleep: on the unix target the greetings are a real second
 * apart; on sim the clock is virtual, so the same run takes no time and
 * prints exactly the same lines.
 */
#include "atoll_app.h"

int app_main(struct app *app)
{
    for (int64_t i = 0; i < app->args.count; i++) {
        if (i > 0)
            atoll_sleep(ATOLL_SEC(1));
        atoll_console_printf(app->console, "Hello World!\n");
    }
    return 0;
}
