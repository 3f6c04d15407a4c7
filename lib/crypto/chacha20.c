/*
 * lib/crypto/chacha20.c - ChaCha20 (RFC 8439 sections 2.1-2.4), the
 * cipher under the Fortuna generator (fortuna.c).
 *
 * Written from the RFC's description: a 4x4 matrix of 32-bit words
 * (constants, key, counter, nonce), 20 rounds as 10 column + diagonal
 * double rounds, then the input added back in.  Words are read and written
 * little-endian byte by byte so the code does not depend on the host's
 * byte order or alignment.
 */
#include "atoll/chacha20.h"

#include <string.h>

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t v, int n)
{
    return v << n | v >> (32 - n);
}

#define QUARTER(a, b, c, d)                                                    \
    do {                                                                       \
        a += b;                                                                \
        d = rotl(d ^ a, 16);                                                   \
        c += d;                                                                \
        b = rotl(b ^ c, 12);                                                   \
        a += b;                                                                \
        d = rotl(d ^ a, 8);                                                    \
        c += d;                                                                \
        b = rotl(b ^ c, 7);                                                    \
    } while (0)

void atoll_chacha20_block(const uint8_t key[ATOLL_CHACHA20_KEY_LEN],
                          uint32_t counter,
                          const uint8_t nonce[ATOLL_CHACHA20_NONCE_LEN],
                          uint8_t out[ATOLL_CHACHA20_BLOCK_LEN])
{
    /* "expand 32-byte k" */
    uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int i = 0; i < 8; i++)
        in[4 + i] = load32(key + 4 * i);
    in[12] = counter;
    for (int i = 0; i < 3; i++)
        in[13 + i] = load32(nonce + 4 * i);

    uint32_t x[16];
    memcpy(x, in, sizeof x);
    for (int r = 0; r < 10; r++) {
        QUARTER(x[0], x[4], x[8], x[12]); /* columns */
        QUARTER(x[1], x[5], x[9], x[13]);
        QUARTER(x[2], x[6], x[10], x[14]);
        QUARTER(x[3], x[7], x[11], x[15]);
        QUARTER(x[0], x[5], x[10], x[15]); /* diagonals */
        QUARTER(x[1], x[6], x[11], x[12]);
        QUARTER(x[2], x[7], x[8], x[13]);
        QUARTER(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32(out + 4 * i, x[i] + in[i]);
    /* The working state is key material: do not leave it on the stack
     * for the next caller to find (the compiler may not drop a memset of
     * a buffer whose address escapes through the barrier). */
    memset(x, 0, sizeof x);
    __asm__ __volatile__("" : : "r"(x) : "memory");
}

void atoll_chacha20_xor(const uint8_t key[ATOLL_CHACHA20_KEY_LEN],
                        uint32_t counter,
                        const uint8_t nonce[ATOLL_CHACHA20_NONCE_LEN],
                        const void *in, void *out, size_t len)
{
    const uint8_t *src = in;
    uint8_t *dst = out;
    uint8_t ks[ATOLL_CHACHA20_BLOCK_LEN];
    while (len > 0) {
        atoll_chacha20_block(key, counter++, nonce, ks);
        size_t n = len < sizeof ks ? len : sizeof ks;
        for (size_t i = 0; i < n; i++)
            dst[i] = (uint8_t)((src ? src[i] : 0) ^ ks[i]);
        if (src)
            src += n;
        dst += n;
        len -= n;
    }
    memset(ks, 0, sizeof ks);
    __asm__ __volatile__("" : : "r"(ks) : "memory");
}
