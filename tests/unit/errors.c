/*
 * tests/unit/errors.c - error names and messages.
 */
#include <limits.h>

#include "../harness.h"
#include "atoll/error.h"

TEST(errors, "every code has a name and a message, negated or not")
{
    CHECK_STR(atoll_errname(ATOLL_ENOMEM), "ATOLL_ENOMEM");
    CHECK_STR(atoll_errname(-ATOLL_ENOMEM), "ATOLL_ENOMEM");
    CHECK_STR(atoll_strerror(-ATOLL_ETIMEDOUT), "timed out");
    CHECK_STR(atoll_strerror(ATOLL_ETIMEDOUT), "timed out");
    CHECK_STR(atoll_errname(-ATOLL_ESRCH), "ATOLL_ESRCH");
    CHECK_STR(atoll_errname(ATOLL_EPERM), "ATOLL_EPERM");
    for (int e = 1; e < ATOLL_ERROR_MAX; e++) {
        CHECK(strncmp(atoll_errname(-e), "ATOLL_E", 7) == 0);
        CHECK(strcmp(atoll_errname(-e), "ATOLL_E?") != 0);
        CHECK(strcmp(atoll_strerror(-e), "unknown error") != 0);
    }
}

TEST(errors, "zero is success and unknown codes have fallbacks")
{
    CHECK_STR(atoll_errname(0), "ATOLL_OK");
    CHECK_STR(atoll_strerror(0), "success");
    CHECK_STR(atoll_errname(ATOLL_ERROR_MAX), "ATOLL_E?");
    CHECK_STR(atoll_errname(-1000), "ATOLL_E?");
    CHECK_STR(atoll_strerror(1000), "unknown error");
    CHECK_STR(atoll_strerror(INT_MIN), "unknown error");
    CHECK_STR(atoll_errname(INT_MAX), "ATOLL_E?");
}
