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

uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
    const uint8_t *b = p;
    uint64_t acc = 0;
    /* Eight bytes at a time, with the carry wrapped back in. */
    while (len >= 32) {
        uint64_t w[4];
        memcpy(w, b, 32);
        for (int i = 0; i < 4; i++) {
            acc += w[i];
            acc += acc < w[i];
        }
        b += 32, len -= 32;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        acc += w;
        acc += acc < w;
        b += 8, len -= 8;
    }
    if (len) {
        /* The tail, zero-padded: an odd last byte is the high byte of a
         * big-endian word, which is where it lands in memory order. */
        uint64_t w = 0;
        memcpy(&w, b, len);
        acc += w;
        acc += acc < w;
    }
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
