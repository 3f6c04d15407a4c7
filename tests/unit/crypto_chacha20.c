/*
 * tests/unit/crypto_chacha20.c - ChaCha20 against RFC 8439's test vectors
 * (section 2.3.2, the block function; section 2.4.2, encryption) and the
 * properties the generator relies on (key stream = blocks in counter
 * order; encrypting twice gives the plaintext back).
 */
#include <stdio.h>

#include "../harness.h"
#include "atoll/chacha20.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void key_0_to_31(uint8_t key[32])
{
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
}

TEST(chacha20, "RFC 8439 2.3.2 block function test vector")
{
    uint8_t key[32], nonce[12], out[64], want[64];
    key_0_to_31(key);
    hex("000000090000004a00000000", nonce, 12);
    hex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
        want, 64);
    atoll_chacha20_block(key, 1, nonce, out);
    CHECK_MEM(out, want, 64);
}

static const char sunscreen[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only "
    "one tip for the future, sunscreen would be it.";

TEST(chacha20, "RFC 8439 2.4.2 encryption test vector")
{
    uint8_t key[32], nonce[12], want[114], out[114];
    CHECK_EQ(sizeof sunscreen - 1, 114);
    key_0_to_31(key);
    hex("000000000000004a00000000", nonce, 12);
    hex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
        "5af90bbf74a35be6b40b8eedf2785e42874d",
        want, 114);
    atoll_chacha20_xor(key, 1, nonce, sunscreen, out, 114);
    CHECK_MEM(out, want, 114);
}

TEST(chacha20, "decrypting in place gives the plaintext back")
{
    uint8_t key[32], nonce[12] = {0}, buf[114];
    key_0_to_31(key);
    memcpy(buf, sunscreen, 114);
    atoll_chacha20_xor(key, 7, nonce, buf, buf, 114);
    CHECK(memcmp(buf, sunscreen, 114) != 0);
    atoll_chacha20_xor(key, 7, nonce, buf, buf, 114);
    CHECK_MEM(buf, sunscreen, 114);
}

TEST(chacha20, "key stream is the blocks in counter order")
{
    uint8_t key[32], nonce[12], ks[150], blk[64];
    key_0_to_31(key);
    hex("000000090000004a00000000", nonce, 12);
    atoll_chacha20_xor(key, 1, nonce, NULL, ks, sizeof ks);
    for (uint32_t b = 0; b < 3; b++) {
        atoll_chacha20_block(key, 1 + b, nonce, blk);
        size_t n = b < 2 ? 64 : sizeof ks - 128;
        CHECK_MEM(ks + 64 * b, blk, n);
    }
}

TEST(chacha20, "every key, nonce and counter bit changes the block")
{
    uint8_t key[32] = {0}, nonce[12] = {0}, base[64], out[64];
    atoll_chacha20_block(key, 0, nonce, base);
    key[31] ^= 0x80;
    atoll_chacha20_block(key, 0, nonce, out);
    CHECK(memcmp(base, out, 64) != 0);
    key[31] ^= 0x80;
    nonce[11] ^= 0x80;
    atoll_chacha20_block(key, 0, nonce, out);
    CHECK(memcmp(base, out, 64) != 0);
    nonce[11] ^= 0x80;
    atoll_chacha20_block(key, 0x80000000u, nonce, out);
    CHECK(memcmp(base, out, 64) != 0);
}
