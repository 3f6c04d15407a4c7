/*
 * atoll/sha256.h - SHA-256 (FIPS 180-4).
 *
 * NAME
 *     struct atoll_sha256, atoll_sha256_init, atoll_sha256_update,
 *     atoll_sha256_final, atoll_sha256
 *
 * DESCRIPTION
 *     The incremental interface: init, any number of updates, final.  After
 *     final the context holds no useful state; init it again to reuse it.
 *     atoll_sha256 hashes one buffer in a single call.
 *
 *     Pure computation: no allocation, no runtime, usable from host tools.
 *     Used by the versioned store (git object ids) and by Fortuna.
 */
#ifndef ATOLL_SHA256_H
#define ATOLL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ATOLL_SHA256_LEN   32 /* digest bytes */
#define ATOLL_SHA256_BLOCK 64 /* compression block bytes */

struct atoll_sha256 {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t buf[ATOLL_SHA256_BLOCK];
    size_t used; /* bytes waiting in buf */
};

void atoll_sha256_init(struct atoll_sha256 *c);
void atoll_sha256_update(struct atoll_sha256 *c, const void *data, size_t len);
void atoll_sha256_final(struct atoll_sha256 *c, uint8_t out[ATOLL_SHA256_LEN]);
void atoll_sha256(const void *data, size_t len, uint8_t out[ATOLL_SHA256_LEN]);

#endif
