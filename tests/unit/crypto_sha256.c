/*
 * tests/unit/crypto_sha256.c - SHA-256 (lib/crypto/sha256.c, the hash
 * under Fortuna's pools and the store's object ids) against the FIPS
 * 180-4 example vectors: "abc", the 448-bit two-block message, and one
 * million 'a' fed in uneven pieces (so buffering across blocks is used).
 */
#include <stdio.h>

#include "../harness.h"
#include "atoll/sha256.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void check_one_shot(const char *msg, const char *want_hex)
{
    uint8_t out[32], want[32];
    hex(want_hex, want, 32);
    atoll_sha256(msg, strlen(msg), out);
    CHECK_MEM(out, want, 32);
}

TEST(sha256, "FIPS 180-4: \"abc\"")
{
    check_one_shot(
        "abc",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(sha256, "FIPS 180-4: the 448-bit message")
{
    check_one_shot(
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256, "the empty message")
{
    check_one_shot(
        "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256, "FIPS 180-4: one million 'a', in uneven pieces")
{
    static char a[1024]; /* longest piece: 1003 */
    memset(a, 'a', sizeof a);
    struct atoll_sha256 c;
    atoll_sha256_init(&c);
    size_t done = 0, step = 1;
    while (done < 1000000) {
        size_t n = step < 1000000 - done ? step : 1000000 - done;
        atoll_sha256_update(&c, a, n);
        done += n;
        step = step % 997 + 7; /* 1, 8, 15, ...: crosses every offset */
    }
    uint8_t out[32], want[32];
    atoll_sha256_final(&c, out);
    hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        want, 32);
    CHECK_MEM(out, want, 32);
}
