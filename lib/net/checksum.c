/*
 * lib/net/checksum.c - the Internet checksum (RFC 1071) for IPv4, ICMP,
 * UDP and TCP.
 *
 * The one's-complement sum does not care about byte order as long as it is
 * folded consistently (RFC 1071 section 2(B)), so the bytes are summed as
 * native 64-bit words with an end-around carry, folded to 16 bits once,
 * and only then turned into the big-endian value the headers hold.  The
 * running sums passed between calls are big-endian values, so they combine
 * with net_csum_pseudo.  Chunks passed to net_csum_add must have even
 * lengths except the last one of a message.
 */
#include <string.h>

#include "net.h"

/* Fold a 64-bit one's-complement accumulator to 16 bits. */
static uint16_t fold64(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)acc;
}

/* Eight bytes as they lie in memory (any alignment). */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
    const uint8_t *b = p;
    /* Eight bytes at a time.  The carries out of the 64-bit sum are
     * counted apart and added back once at the end (end-around carry:
     * 2^64 is 1 in one's-complement arithmetic), so each word costs an
     * add, a compare and an add-with-carry the compiler can schedule
     * freely.  Adding each carry back at once chained every word on the
     * one before and cost 2.5 times the instructions: a quarter of all a
     * TCP sender without offload did (callgrind, docs/net.md). */
    uint64_t acc = 0, carries = 0;
#define CSUM_WORD(off)                                                         \
    do {                                                                       \
        uint64_t w_ = load64(b + (off));                                       \
        acc += w_;                                                             \
        carries += acc < w_;                                                   \
    } while (0)
    while (len >= 64) {
        CSUM_WORD(0);
        CSUM_WORD(8);
        CSUM_WORD(16);
        CSUM_WORD(24);
        CSUM_WORD(32);
        CSUM_WORD(40);
        CSUM_WORD(48);
        CSUM_WORD(56);
        b += 64, len -= 64;
    }
    while (len >= 8) {
        CSUM_WORD(0);
        b += 8, len -= 8;
    }
#undef CSUM_WORD
    if (len) {
        /* The tail, zero-padded: an odd last byte is the high byte of a
         * big-endian word, which is where it lands in memory order. */
        uint64_t w = 0;
        memcpy(&w, b, len);
        acc += w;
        carries += acc < w;
    }
    acc += carries;
    acc += acc < carries;
    uint16_t native = fold64(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    native = (uint16_t)(native << 8 | native >> 8);
#endif
    return sum + native;
}

uint16_t net_csum_fold(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t net_csum_pseudo(atoll_ipv4_t src, atoll_ipv4_t dst, uint8_t proto,
                         uint16_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
           len;
}
