/*
 * tests/unit/random_list.c - the test double "a random generator that
 * reads from a list": from C (atoll_random_list_create) and from the
 * application argument the generated wiring passes
 * (atoll_random_open_list, --random-list=HEX).
 */
#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

static int body_c_api(void *arg)
{
    (void)arg;
    const uint8_t list[] = {1, 2, 3};
    struct atoll_random *r = atoll_random_list_create(list, sizeof list);
    CHECK(r != NULL);
    uint8_t buf[8];
    CHECK_EQ(atoll_random_fill(r, buf, 2, 0), 0);
    CHECK_MEM(buf, "\1\2", 2);
    CHECK_EQ(atoll_random_fill(r, buf, 8, 0), 0); /* goes on, wraps */
    CHECK_MEM(buf, "\3\1\2\3\1\2\3\1", 8);
    CHECK(atoll_random_list_create(list, 0) == NULL);
    return 0;
}

TEST(random_list, "returns the list's bytes in order, over and over")
{
    CHECK_EQ(atoll_test_run(0, body_c_api, NULL), 0);
}

static int body_args(void *arg)
{
    (void)arg;
    struct atoll_random *r = NULL;
    struct atoll_arg_value v = {0};
    v.s = "de:ad, be ef 04";
    CHECK_EQ(atoll_random_open_list("random", &v, &r), 0);
    uint8_t buf[6];
    CHECK_EQ(atoll_random_fill(r, buf, 6, 0), 0);
    CHECK_MEM(buf, "\xde\xad\xbe\xef\x04\xde", 6);
    const char *bad[] = {"", "   ", "0", "abc", "zz", "12 3", "0x12"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v.s = bad[i];
        CHECK_EQ(atoll_random_open_list("random", &v, &r), -ATOLL_EINVAL);
    }
    return 0;
}

TEST(random_list, "parses --random-list hex and refuses bad lists")
{
    CHECK_EQ(atoll_test_run(0, body_args, NULL), 0);
}
