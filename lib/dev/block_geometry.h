/*
 * lib/dev/block_geometry.h - shared by the block test doubles (full, busy):
 * they take the geometry of the device attached under their name, so a
 * test swapping a double in keeps the same disk size.
 */
#ifndef ATOLL_DEV_BLOCK_GEOMETRY_H
#define ATOLL_DEV_BLOCK_GEOMETRY_H

#include "atoll/block.h"

/* Fill `info` from the attached device `name`, or 1 MiB of 512-byte
 * sectors when nothing is attached under that name.  0, or -ATOLL_ENODEV
 * (attached but unusable; the platform's message is printed). */
int atoll_block_double_geometry(const char *name,
                                struct atoll_block_info *info);

#endif
