/*
 * lib/dev/block_geometry.h - shared by the block test doubles (full, busy):
 * they take the geometry of the device attached under their name, so a
 * test swapping a double in keeps the same disk size, and they are built
 * the same way (block_double_open).
 */
#ifndef ATOLL_DEV_BLOCK_GEOMETRY_H
#define ATOLL_DEV_BLOCK_GEOMETRY_H

#include "atoll/block.h"

/* Fill `info` from the attached device `name`, or 1 MiB of 512-byte
 * sectors when nothing is attached under that name.  0, or -ATOLL_ENODEV
 * (attached but unusable; the platform's message is printed). */
int atoll_block_double_geometry(const char *name,
                                struct atoll_block_info *info);

/* A test double's state: the handle and the geometry it reports. */
struct block_double {
    struct atoll_block blk;
    struct atoll_block_info info;
};

/* Builds a double named `name` (or `dflt`) with `ops` (whose state is the
 * struct block_double) and the attached device's geometry; `writable`
 * clears read_only.  0, -ATOLL_ENOMEM, -ATOLL_ENODEV. */
int block_double_open(const char *name, const char *dflt,
                      const struct atoll_block_ops *ops, bool writable,
                      struct atoll_block **out);

/* The ops' info: the geometry found at open. */
void block_double_info(void *state, struct atoll_block_info *out);

#endif
