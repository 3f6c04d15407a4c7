/*
 * tests/unit/dns_wire.c - the DNS message codec (lib/net/dns_wire.c):
 * names with and without compression, the protections against hostile
 * compression (loops, forward and out-of-range pointers, over-long names),
 * query building, and the check of a response against its question
 * (CNAME chains, wrong id / question / type, lying counts).
 */
#include <string.h>

#include "../harness.h"
#include "atoll/dns.h"
#include "atoll/error.h"

/* A response for www.example.com A (id 0x1234): a CNAME to web.example.com
 * (compressed), then its A record 198.18.0.10. */
static const uint8_t chain[] = {
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
    /* 12: question www.example.com A IN */
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0, 1, 0, 1,
    /* 33: CNAME: owner ptr 12, ttl 300, rdata "web" + ptr 16 */
    0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 6, 3, 'w', 'e', 'b', 0xc0, 16,
    /* 51: A: owner ptr 45 (web.example.com), ttl 60, 198.18.0.10 */
    0xc0, 45, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 10};

TEST(dns_name, "a plain name reads back in lower case, offset past it")
{
    const uint8_t m[] = {3, 'W', 'w', 'W', 2, 'a', 'B', 0, 0xff};
    char out[ATOLL_DNS_NAME_MAX + 1];
    size_t off = 0;
    CHECK_EQ(atoll_dns_name_read(m, sizeof m, &off, out), 0);
    CHECK_STR(out, "www.ab");
    CHECK_EQ(off, 8);
}

TEST(dns_name, "a compressed name follows the pointer; offset ends after it")
{
    char out[ATOLL_DNS_NAME_MAX + 1];
    size_t off = 45; /* "web" + pointer to example.com */
    CHECK_EQ(atoll_dns_name_read(chain, sizeof chain, &off, out), 0);
    CHECK_STR(out, "web.example.com");
    CHECK_EQ(off, 51);
}

TEST(dns_name, "a pointer to itself (a loop) is refused")
{
    const uint8_t m[] = {0, 0, 0xc0, 2};
    char out[ATOLL_DNS_NAME_MAX + 1];
    size_t off = 2;
    CHECK_EQ(atoll_dns_name_read(m, sizeof m, &off, out), -ATOLL_EBADMSG);
}

TEST(dns_name, "two pointers pointing at each other are refused")
{
    const uint8_t m[] = {0xc0, 2, 0xc0, 0};
    char out[ATOLL_DNS_NAME_MAX + 1];
    size_t off = 2;
    CHECK_EQ(atoll_dns_name_read(m, sizeof m, &off, out), -ATOLL_EBADMSG);
    off = 0;
    CHECK_EQ(atoll_dns_name_read(m, sizeof m, &off, out), -ATOLL_EBADMSG);
}

TEST(dns_name, "pointers out of range, truncated labels, reserved bits")
{
    char out[ATOLL_DNS_NAME_MAX + 1];
    const uint8_t fwd[] = {0xc0, 5, 0, 0, 0, 0};
    size_t off = 0;
    CHECK_EQ(atoll_dns_name_read(fwd, sizeof fwd, &off, out), -ATOLL_EBADMSG);
    const uint8_t far[] = {1, 'a', 0xc3, 0xff};
    off = 2;
    CHECK_EQ(atoll_dns_name_read(far, sizeof far, &off, out), -ATOLL_EBADMSG);
    const uint8_t cut[] = {5, 'a', 'b'};
    off = 0;
    CHECK_EQ(atoll_dns_name_read(cut, sizeof cut, &off, out), -ATOLL_EBADMSG);
    const uint8_t half[] = {1, 'a', 0xc0};
    off = 0;
    CHECK_EQ(atoll_dns_name_read(half, sizeof half, &off, out), -ATOLL_EBADMSG);
    const uint8_t resv[] = {0x40, 'a', 0};
    off = 0;
    CHECK_EQ(atoll_dns_name_read(resv, sizeof resv, &off, out), -ATOLL_EBADMSG);
    const uint8_t noend[] = {1, 'a'};
    off = 0;
    CHECK_EQ(atoll_dns_name_read(noend, sizeof noend, &off, out),
             -ATOLL_EBADMSG);
}

TEST(dns_name, "a name longer than 255 bytes, even built from pointers, fails")
{
    /* 5 labels of 63 at the start, then a chain of pointers that each add
     * one more 63-byte label: over 255 soon. */
    uint8_t m[400];
    size_t n = 0;
    for (int i = 0; i < 5; i++) {
        m[n++] = 63;
        memset(m + n, 'a', 63);
        n += 63;
    }
    m[n++] = 0;
    char out[ATOLL_DNS_NAME_MAX + 1];
    size_t off = 0;
    CHECK_EQ(atoll_dns_name_read(m, n, &off, out), -ATOLL_EBADMSG);
}

TEST(dns_name, "names write in wire form; bad labels are refused")
{
    uint8_t p[300];
    CHECK_EQ(atoll_dns_name_write(p, sizeof p, "Ab.c."), 6);
    CHECK_MEM(p,
              "\x02"
              "ab\x01"
              "c\x00",
              6);
    CHECK_EQ(atoll_dns_name_write(p, sizeof p, ""), 1);
    CHECK_EQ(atoll_dns_name_write(p, sizeof p, "a..b"), -ATOLL_EINVAL);
    char big[80];
    memset(big, 'x', 64);
    big[64] = 0;
    CHECK_EQ(atoll_dns_name_write(p, sizeof p, big), -ATOLL_EINVAL);
    CHECK_EQ(atoll_dns_name_write(p, 3, "abc.d"), -ATOLL_EMSGSIZE);
    CHECK(atoll_dns_name_eq("WWW.Example.com.", "www.example.COM"));
    CHECK(!atoll_dns_name_eq("www.example.co", "www.example.com"));
}

TEST(dns_query, "a query: id, RD, one question, name/type/class")
{
    uint8_t p[512];
    int n = atoll_dns_query_build(p, sizeof p, 0xbeef, "example.com", 28);
    CHECK_EQ(n, 12 + 13 + 4);
    struct atoll_dns_header h;
    CHECK_EQ(atoll_dns_header_read(p, (size_t)n, &h), 0);
    CHECK_EQ(h.id, 0xbeef);
    CHECK_EQ(h.flags, ATOLL_DNS_RD);
    CHECK_EQ(h.qdcount, 1);
    size_t off = 12;
    char name[ATOLL_DNS_NAME_MAX + 1];
    uint16_t t, c;
    CHECK_EQ(atoll_dns_question_read(p, (size_t)n, &off, name, &t, &c), 0);
    CHECK_STR(name, "example.com");
    CHECK_EQ(t, 28);
    CHECK_EQ(c, 1);
    CHECK_EQ(off, (size_t)n);
}

TEST(dns_response, "a CNAME chain ends at the A record; smallest TTL kept")
{
    uint8_t addrs[4 * 8];
    char cname[ATOLL_DNS_NAME_MAX + 1];
    uint32_t ttl;
    int rcode;
    bool tc;
    int n =
        atoll_dns_response_parse(chain, sizeof chain, 0x1234, "WWW.example.com",
                                 1, addrs, 8, cname, &ttl, &rcode, &tc);
    CHECK_EQ(n, 1);
    CHECK_MEM(addrs, "\xc6\x12\x00\x0a", 4);
    CHECK_STR(cname, "web.example.com");
    CHECK_EQ(ttl, 60);
    CHECK_EQ(rcode, 0);
    CHECK(!tc);
}

TEST(dns_response, "answers not matching the question are refused, and "
                   "broken answers to it told apart (ECORRUPT)")
{
    uint8_t addrs[32];
    char cname[ATOLL_DNS_NAME_MAX + 1];
    uint32_t ttl;
    int rcode;
    bool tc;
    /* wrong id */
    CHECK_EQ(atoll_dns_response_parse(chain, sizeof chain, 0x1235,
                                      "www.example.com", 1, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             -ATOLL_EBADMSG);
    /* other name */
    CHECK_EQ(atoll_dns_response_parse(chain, sizeof chain, 0x1234,
                                      "ww.example.com", 1, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             -ATOLL_EBADMSG);
    /* other type */
    CHECK_EQ(atoll_dns_response_parse(chain, sizeof chain, 0x1234,
                                      "www.example.com", 28, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             -ATOLL_EBADMSG);
    /* not a response (QR clear) */
    uint8_t m[sizeof chain];
    memcpy(m, chain, sizeof m);
    m[2] &= 0x7f;
    CHECK_EQ(atoll_dns_response_parse(m, sizeof m, 0x1234, "www.example.com", 1,
                                      addrs, 8, cname, &ttl, &rcode, &tc),
             -ATOLL_EBADMSG);
    /* a count that the message cannot hold */
    memcpy(m, chain, sizeof m);
    m[6] = 0xff;
    CHECK_EQ(atoll_dns_response_parse(m, sizeof m, 0x1234, "www.example.com", 1,
                                      addrs, 8, cname, &ttl, &rcode, &tc),
             -ATOLL_ECORRUPT);
    /* truncated inside the last record */
    CHECK_EQ(atoll_dns_response_parse(chain, sizeof chain - 1, 0x1234,
                                      "www.example.com", 1, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             -ATOLL_ECORRUPT);
    /* an A record with 5 bytes of data */
    uint8_t bad[sizeof chain + 1];
    memcpy(bad, chain, sizeof chain);
    bad[62] = 5;
    bad[sizeof chain] = 0;
    CHECK_EQ(atoll_dns_response_parse(bad, sizeof bad, 0x1234,
                                      "www.example.com", 1, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             -ATOLL_ECORRUPT);
}

TEST(dns_response,
     "a CNAME loop (a -> b -> a) is refused, not followed forever")
{
    uint8_t m[128];
    size_t n = 0;
    const uint8_t hdr[] = {0, 7, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
    memcpy(m, hdr, 12);
    n = 12;
    const uint8_t q[] = {1, 'a', 0, 0, 1, 0, 1};
    memcpy(m + n, q, sizeof q);
    n += sizeof q;
    /* a CNAME b ; b CNAME a */
    const uint8_t r1[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 9, 0, 3, 1, 'b', 0};
    memcpy(m + n, r1, sizeof r1);
    size_t b_at = n + 12;
    n += sizeof r1;
    const uint8_t r2[] = {0xc0, (uint8_t)b_at, 0, 5, 0, 1, 0, 0, 0, 9, 0,
                          2,    0xc0,          12};
    memcpy(m + n, r2, sizeof r2);
    n += sizeof r2;
    uint8_t addrs[32];
    char cname[ATOLL_DNS_NAME_MAX + 1];
    uint32_t ttl;
    int rcode;
    bool tc;
    CHECK_EQ(atoll_dns_response_parse(m, n, 7, "a", 1, addrs, 8, cname, &ttl,
                                      &rcode, &tc),
             -ATOLL_ECORRUPT);
}

TEST(dns_response, "NXDOMAIN and TC are reported with no addresses")
{
    uint8_t m[64];
    const uint8_t hdr[] = {0, 9, 0x83, 0x83, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(m, hdr, 12);
    const uint8_t q[] = {1, 'x', 0, 0, 1, 0, 1};
    memcpy(m + 12, q, sizeof q);
    uint8_t addrs[32];
    char cname[ATOLL_DNS_NAME_MAX + 1];
    uint32_t ttl;
    int rcode;
    bool tc;
    CHECK_EQ(atoll_dns_response_parse(m, 19, 9, "x", 1, addrs, 8, cname, &ttl,
                                      &rcode, &tc),
             0);
    CHECK_EQ(rcode, 3);
    CHECK(tc);
    CHECK_STR(cname, "x");
}

TEST(dns_response, "AAAA answered with an A record, or with 4 bytes of data, "
                   "is corrupt; a signature beside it is not")
{
    /* www.example.com AAAA (id 0x1234): one record at the name */
    uint8_t m[128];
    const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
    memcpy(m, hdr, 12);
    memcpy(m + 12, chain + 12, 17); /* the name */
    const uint8_t qt[] = {0, 28, 0, 1};
    memcpy(m + 29, qt, 4);
    size_t n = 33;
    uint8_t rr[12 + 16] = {0xc0, 12, 0, 28, 0,    1, 0,   0,
                           0,    60, 0, 16, 0x20, 1, 0xd, 0xb8};
    rr[12 + 15] = 0x80;
    memcpy(m + n, rr, sizeof rr);
    uint8_t addrs[16 * 8];
    char cname[ATOLL_DNS_NAME_MAX + 1];
    uint32_t ttl;
    int rcode;
    bool tc;
    CHECK_EQ(atoll_dns_response_parse(m, n + sizeof rr, 0x1234,
                                      "www.example.com", 28, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             1);
    CHECK_EQ(addrs[15], 0x80);
    /* the same record as type A (16 bytes of data): a wrong type */
    m[n + 3] = 1;
    CHECK_EQ(atoll_dns_response_parse(m, n + sizeof rr, 0x1234,
                                      "www.example.com", 28, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             -ATOLL_ECORRUPT);
    /* type RRSIG: ignored, so no address and no error */
    m[n + 3] = 46;
    CHECK_EQ(atoll_dns_response_parse(m, n + sizeof rr, 0x1234,
                                      "www.example.com", 28, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             0);
    /* AAAA with rdlength 4 (the message ends after its 4 bytes) */
    m[n + 3] = 28;
    m[n + 11] = 4;
    CHECK_EQ(atoll_dns_response_parse(m, n + 16, 0x1234, "www.example.com", 28,
                                      addrs, 8, cname, &ttl, &rcode, &tc),
             -ATOLL_ECORRUPT);
    /* AAAA claiming 16 bytes with only 4 in the message */
    m[n + 11] = 16;
    CHECK_EQ(atoll_dns_response_parse(m, n + 16, 0x1234, "www.example.com", 28,
                                      addrs, 8, cname, &ttl, &rcode, &tc),
             -ATOLL_ECORRUPT);
    /* the same cut message with TC set: not looked at, asked over TCP */
    m[2] |= ATOLL_DNS_TC >> 8;
    CHECK_EQ(atoll_dns_response_parse(m, n + 16, 0x1234, "www.example.com", 28,
                                      addrs, 8, cname, &ttl, &rcode, &tc),
             0);
    CHECK(tc);
}
