/*
 * atoll/console.h - the console interface.
 *
 * NAME
 *     struct atoll_console, atoll_console_write, atoll_console_printf
 *
 * DESCRIPTION
 *     Where a unikernel's text output goes: standard output on the unix and
 *     sim targets, the tender's standard output on hvt.  Writes are
 *     complete (no short writes) and never block a fiber.
 *
 *     Like every device interface, a console is a table of operations plus
 *     a state pointer; which implementation backs it is chosen when the
 *     unikernel is built.
 *
 * RETURN VALUE
 *     The number of bytes written, or a negative ATOLL_E... code
 *     (-ATOLL_EIO when the host side is gone).
 */
#ifndef ATOLL_CONSOLE_H
#define ATOLL_CONSOLE_H

#include <stddef.h>

struct atoll_console_ops {
    int (*write)(void *state, const char *buf, size_t len);
};

struct atoll_console {
    const struct atoll_console_ops *ops;
    void *state;
};

static inline int atoll_console_write(struct atoll_console *c, const char *buf,
                                      size_t len)
{
    return c->ops->write(c->state, buf, len);
}

/* printf-style formatted write (the line is formatted on the stack and cut
 * at 1024 bytes). */
int atoll_console_printf(struct atoll_console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The platform's console (what the generated wiring hands applications). */
struct atoll_console *atoll_console_platform(void);

#endif
