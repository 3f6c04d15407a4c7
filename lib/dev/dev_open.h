/*
 * lib/dev/dev_open.h - what every platform-backed device constructor in
 * lib/dev does the same way: report a failed plat_*_open, and allocate the
 * device's state together with a copy of its name.
 */
#ifndef ATOLL_DEV_DEV_OPEN_H
#define ATOLL_DEV_DEV_OPEN_H

#include <stddef.h>

/* Print "atoll: MSG" (the platform's message, or the error's name when it
 * gave none) and return -ATOLL_ENODEV: not attached, or the host side
 * failed. */
int dev_open_failed(int err, const char *msg);

/* A zeroed state of `size` bytes and a copy of `name` in *name_copy, both
 * from the default heap; NULL (nothing allocated) when out of memory. */
void *dev_state_alloc(size_t size, const char *name, char **name_copy);

#endif
