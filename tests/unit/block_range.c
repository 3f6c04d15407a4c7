/*
 * tests/unit/block_range.c - atoll_block_check_range, the check every
 * block implementation runs first: empty requests, starts past the end,
 * ranges running past the end, and values that would overflow a naive
 * sector + n comparison.
 */
#include <stdint.h>

#include "../harness.h"
#include "atoll/block.h"
#include "atoll/error.h"

static const struct atoll_block_info disk = {512, 100, false, "d"};

TEST(block_range, "requests inside the device are accepted")
{
    CHECK_EQ(atoll_block_check_range(&disk, 0, 1), 0);
    CHECK_EQ(atoll_block_check_range(&disk, 0, 100), 0);
    CHECK_EQ(atoll_block_check_range(&disk, 99, 1), 0);
    CHECK_EQ(atoll_block_check_range(&disk, 50, 50), 0);
}

TEST(block_range, "empty requests and ranges past the end are refused")
{
    CHECK_EQ(atoll_block_check_range(&disk, 0, 0), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(&disk, 100, 1), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(&disk, 99, 2), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(&disk, 0, 101), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(&disk, 50, 51), -ATOLL_ERANGE);
}

TEST(block_range, "overflowing sector + n does not wrap into range")
{
    CHECK_EQ(atoll_block_check_range(&disk, UINT64_MAX, 1), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(&disk, UINT64_MAX - 5, 10), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(&disk, 1, SIZE_MAX), -ATOLL_ERANGE);
    static const struct atoll_block_info big = {512, UINT64_MAX, false, "b"};
    CHECK_EQ(atoll_block_check_range(&big, UINT64_MAX - 1, 1), 0);
    CHECK_EQ(atoll_block_check_range(&big, UINT64_MAX - 1, 2), -ATOLL_ERANGE);
}

TEST(block_range, "an empty device accepts nothing")
{
    static const struct atoll_block_info none = {512, 0, false, "e"};
    CHECK_EQ(atoll_block_check_range(&none, 0, 1), -ATOLL_ERANGE);
    CHECK_EQ(atoll_block_check_range(NULL, 0, 1), -ATOLL_ERANGE);
}
