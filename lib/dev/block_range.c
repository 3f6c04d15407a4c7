/*
 * lib/dev/block_range.c - the range check every block implementation runs
 * first, so that all of them agree on what a bad request is: n == 0, a
 * start past the end, or a range running past the end (computed without
 * overflow, whatever the caller passes).
 */
#include "atoll/block.h"
#include "atoll/error.h"

int atoll_block_check_range(const struct atoll_block_info *info,
                            uint64_t sector, size_t n)
{
    if (!info || n == 0 || sector >= info->sectors ||
        (uint64_t)n > info->sectors - sector)
        return -ATOLL_ERANGE;
    return 0;
}
