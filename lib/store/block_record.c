/*
 * lib/store/block_record.c - encoding and decoding of the block backend's
 * on-disk structures: log records and superblocks (format in
 * store_int.h and docs/store.md).
 *
 * Kept apart from the backend so that the host tool and the fuzz target
 * use the very same decoders, which check every length against the bytes
 * at hand and every checksum before anything else looks at a payload.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/invariant.h"
#include "store_int.h"

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

int store_record_parse(const uint8_t *buf, size_t len, struct store_record *out,
                       size_t *need)
{
    memset(out, 0, sizeof *out);
    if (len < STORE_REC_HDR) {
        if (need)
            *need = STORE_REC_HDR;
        return -ATOLL_EAGAIN;
    }
    if (get32(buf) != STORE_REC_MAGIC || buf[5] || buf[6] || buf[7])
        return -ATOLL_ECORRUPT;
    uint32_t plen = get32(buf + 8);
    if (plen > (1u << 30))
        return -ATOLL_ECORRUPT;
    size_t total = STORE_REC_HDR + (size_t)plen;
    if (len < total) {
        if (need)
            *need = total;
        return -ATOLL_EAGAIN;
    }
    uint32_t crc = store_crc32c(0, buf, 12);
    crc = store_crc32c(crc, buf + STORE_REC_HDR, plen);
    if (crc != get32(buf + 12))
        return -ATOLL_ECORRUPT;
    const uint8_t *p = buf + STORE_REC_HDR;
    out->len = plen;
    out->payload = p;
    switch (buf[4]) {
    case REC_OBJECT:
        if (plen < 32 + 7) /* id + smallest object "blob 0\0" */
            return -ATOLL_EBADMSG;
        out->type = REC_OBJECT;
        memcpy(out->id.b, p, 32);
        out->obj = p + 32;
        out->objlen = plen - 32;
        break;
    case REC_REF: {
        if (plen < 34)
            return -ATOLL_EBADMSG;
        size_t nl = (size_t)p[32] | (size_t)p[33] << 8;
        if (nl == 0 || nl != plen - 34 || memchr(p + 34, 0, nl))
            return -ATOLL_EBADMSG;
        out->type = REC_REF;
        memcpy(out->id.b, p, 32);
        static const uint8_t zero[32];
        out->deleted = !memcmp(p, zero, 32);
        out->name = (const char *)p + 34;
        out->namelen = nl;
        break;
    }
    case REC_PAD:
        out->type = REC_PAD;
        break;
    default:
        return -ATOLL_EBADMSG;
    }
    return (int)total;
}

size_t store_record_put(uint8_t *buf, enum store_rec_type t, const void *a,
                        size_t alen, const void *b, size_t blen)
{
    size_t plen = alen + blen;
    ATOLL_ASSERT(plen <= UINT32_MAX - STORE_REC_HDR); /* callers bound it */
    put32(buf, STORE_REC_MAGIC);
    buf[4] = (uint8_t)t;
    buf[5] = buf[6] = buf[7] = 0;
    put32(buf + 8, (uint32_t)plen);
    if (alen)
        memmove(buf + STORE_REC_HDR, a, alen);
    if (blen)
        memmove(buf + STORE_REC_HDR + alen, b, blen);
    uint32_t crc = store_crc32c(0, buf, 12);
    crc = store_crc32c(crc, buf + STORE_REC_HDR, plen);
    put32(buf + 12, crc);
    return STORE_REC_HDR + plen;
}

/* Superblock layout: magic[8] version u32, sector_size u32, generation
 * u64, log_end u64, records u64, zeroes, and a CRC-32C over the rest of
 * the sector in its last 4 bytes: a torn write that leaves any part of
 * the old sector behind fails the check. */
int store_sb_decode(const uint8_t *buf, size_t ss, struct store_sb *out)
{
    if (memcmp(buf, STORE_SB_MAGIC, 8) != 0)
        return -ATOLL_ENOENT;
    if (ss < STORE_SB_SIZE + 4 ||
        store_crc32c(0, buf, ss - 4) != get32(buf + ss - 4))
        return -ATOLL_ECORRUPT;
    out->version = get32(buf + 8);
    out->sector_size = get32(buf + 12);
    out->generation = get64(buf + 16);
    out->log_end = get64(buf + 24);
    out->records = get64(buf + 32);
    if (out->version != 1 || out->generation == 0)
        return -ATOLL_ECORRUPT;
    return 0;
}

void store_sb_encode(const struct store_sb *sb, uint8_t *buf, size_t ss)
{
    memset(buf, 0, ss);
    memcpy(buf, STORE_SB_MAGIC, 8);
    put32(buf + 8, sb->version);
    put32(buf + 12, sb->sector_size);
    put64(buf + 16, sb->generation);
    put64(buf + 24, sb->log_end);
    put64(buf + 32, sb->records);
    put32(buf + ss - 4, store_crc32c(0, buf, ss - 4));
}
