/*
 * tools/atoll/store_host.h - a read-only block device over a disk image
 * file for the host tool (see store_host.c).
 */
#ifndef ATOLL_TOOL_STORE_HOST_H
#define ATOLL_TOOL_STORE_HOST_H

#include <stdio.h>

#include "atoll/block.h"

/* NULL with a message in err on failure. */
struct atoll_block *image_open(const char *path, char *err, size_t errlen);
void image_close(struct atoll_block *b);

#endif
