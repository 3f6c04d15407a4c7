/*
 * atoll/chacha20.h - the ChaCha20 stream cipher (RFC 8439).
 *
 * NAME
 *     atoll_chacha20_block, atoll_chacha20_xor
 *
 * DESCRIPTION
 *     ChaCha20 with a 256-bit key, a 32-bit block counter and a 96-bit
 *     nonce, exactly as RFC 8439 section 2.3/2.4.  It is the output
 *     function of Atoll's random generator (atoll/csprng.h) and is
 *     checked against the RFC's test vectors (tests/unit/crypto_chacha20.c).
 *
 *     atoll_chacha20_block writes the 64-byte key-stream block number
 *     `counter`.  atoll_chacha20_xor encrypts (or decrypts: the same
 *     operation) `len` bytes from `in` to `out`, starting with block
 *     `counter`; `in` and `out` may be the same buffer, and `in` may be
 *     NULL to write the bare key stream.  The counter wraps silently after
 *     2^32 blocks (256 GiB): callers never ask for that much under one key.
 *
 *     Neither function fails, allocates or branches on secret data.
 */
#ifndef ATOLL_CHACHA20_H
#define ATOLL_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define ATOLL_CHACHA20_KEY_LEN   32
#define ATOLL_CHACHA20_NONCE_LEN 12
#define ATOLL_CHACHA20_BLOCK_LEN 64

void atoll_chacha20_block(const uint8_t key[ATOLL_CHACHA20_KEY_LEN],
                          uint32_t counter,
                          const uint8_t nonce[ATOLL_CHACHA20_NONCE_LEN],
                          uint8_t out[ATOLL_CHACHA20_BLOCK_LEN]);

void atoll_chacha20_xor(const uint8_t key[ATOLL_CHACHA20_KEY_LEN],
                        uint32_t counter,
                        const uint8_t nonce[ATOLL_CHACHA20_NONCE_LEN],
                        const void *in, void *out, size_t len);

#endif
