/*
 * lib/core/console.c - the platform console as an atoll_console interface,
 * formatted console output, and the allocation-free atoll_console_puts that
 * fault handlers use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/console.h"
#include "platform.h"
#include "runtime.h"

#define CONSOLE_LINE_MAX 1024

static int platform_write(void *state, const char *buf, size_t len)
{
    (void)state;
    int err = plat_console_write(buf, len);
    return err < 0 ? err : (int)len;
}

static const struct atoll_console_ops console_ops = {platform_write};
static struct atoll_console console = {&console_ops, 0};

struct atoll_console *atoll_console_platform(void)
{
    return &console;
}

int atoll_console_printf(struct atoll_console *c, const char *fmt, ...)
{
    char line[CONSOLE_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1; /* cut, as documented */
    return atoll_console_write(c, line, (size_t)n);
}

void atoll_console_puts(const char *s)
{
    (void)plat_console_write(s, strlen(s));
}
