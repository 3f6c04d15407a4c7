/*
 * tools/atoll/store_host.h - a block device over a disk image file for
 * the host tool (see store_host.c): read-only, or read-write for import.
 */
#ifndef ATOLL_TOOL_STORE_HOST_H
#define ATOLL_TOOL_STORE_HOST_H

#include <stdio.h>

#include "atoll/block.h"

/* NULL with a message in err on failure.  image_open's device refuses
 * writes; image_open_rw's writes the file (`atoll store import`). */
struct atoll_block *image_open(const char *path, char *err, size_t errlen);
struct atoll_block *image_open_rw(const char *path, char *err, size_t errlen);
void image_close(struct atoll_block *b);

#endif
