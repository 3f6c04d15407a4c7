/*
 * lib/dev/dev_open.c - helpers of the platform-backed device constructors
 * (see dev_open.h).
 */
#include "dev_open.h"

#include "../core/runtime.h"
#include "atoll/error.h"
#include "atoll/mem.h"

int dev_open_failed(int err, const char *msg)
{
    atoll_console_puts("atoll: ");
    atoll_console_puts(msg && msg[0] ? msg : atoll_strerror(err));
    atoll_console_puts("\n");
    return -ATOLL_ENODEV;
}

void *dev_state_alloc(size_t size, const char *name, char **name_copy)
{
    void *s = atoll_calloc(1, size);
    char *copy = atoll_strdup(name);
    if (!s || !copy) {
        atoll_free(s);
        atoll_free(copy);
        return NULL;
    }
    *name_copy = copy;
    return s;
}
