/*
 * tests/unit/dns_zone.c - the master-file parser (lib/net/dns_zone.c) and
 * the authoritative answerer (lib/net/dns_server.c): every record type,
 * $ORIGIN/$TTL, parentheses, relative names; answers, CNAME chains,
 * NXDOMAIN vs NODATA with the SOA, REFUSED, FORMERR, truncation over UDP
 * and the same answer whole over TCP, EDNS0 sizes.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/dns.h"
#include "atoll/error.h"

static const char zone_text[] =
    "; a test zone\n"
    "$ORIGIN example.test.\n"
    "$TTL 1h\n"
    "@   IN SOA ns1 hostmaster.example.test. (\n"
    "        2024010101 ; serial\n"
    "        7200 3600 1209600\n"
    "        300 )      ; minimum\n"
    "    IN NS  ns1\n"
    "    IN MX  10 mail\n"
    "ns1     IN A 198.18.0.53\n"
    "www  600 IN A 198.18.0.80\n"
    "        IN A 198.18.0.81\n"
    "www     IN AAAA 2001:db8::80\n"
    "alias   IN CNAME www\n"
    "alias2  IN CNAME alias.example.test.\n"
    "out     IN CNAME elsewhere.invalid.\n"
    "mail    IN A 198.18.0.25\n"
    "txt     IN TXT \"hello world\" \"second \\\"quoted\\\"\"\n"
    "a.b.deep IN A 198.18.0.9\n";

struct fixture {
    struct atoll_dns_zone *z;
    uint8_t out[65535];
    int len;
    struct atoll_dns_header h;
    uint8_t edns_version; /* what ask() puts in its OPT record */
};

static struct fixture fx;

static void load(void)
{
    char err[128];
    int r = atoll_dns_zone_parse(zone_text, strlen(zone_text), NULL, &fx.z, err,
                                 sizeof err);
    if (r < 0)
        harness_fail(__FILE__, __LINE__, "zone: %s", err);
}

/* Ask name/type (EDNS size edns if non-zero, version fx.edns_version) over
 * UDP or TCP. */
static void ask(const char *name, uint16_t type, bool tcp, uint16_t edns)
{
    uint8_t q[512];
    int n = atoll_dns_query_build(q, sizeof q, 0x4242, name, type);
    if (n < 0)
        harness_fail(__FILE__, __LINE__, "query");
    /* keep the caller's case (the builder writes lower case) */
    for (size_t i = 0; name[i]; i++)
        if (name[i] >= 'A' && name[i] <= 'Z')
            q[13 + i] = (uint8_t)name[i];
    if (edns) {
        uint8_t opt[] = {0, 0, 41, (uint8_t)(edns >> 8), (uint8_t)edns, 0, 0, 0,
                         0, 0, 0};
        opt[6] = fx.edns_version; /* the TTL's second byte */
        memcpy(q + n, opt, sizeof opt);
        n += (int)sizeof opt;
        q[11] = 1;
    }
    fx.len = atoll_dns_answer(fx.z, q, (size_t)n, fx.out, sizeof fx.out, tcp);
    if (fx.len < 12)
        harness_fail(__FILE__, __LINE__, "answer %d", fx.len);
    atoll_dns_header_read(fx.out, (size_t)fx.len, &fx.h);
}

/* The records of `type` among the first `count` after the question, as
 * parsed. */
static int records(int count, uint16_t type, struct atoll_dns_rr *rrs, int max)
{
    size_t off = 12;
    char n[ATOLL_DNS_NAME_MAX + 1];
    uint16_t t, c;
    if (fx.h.qdcount &&
        atoll_dns_question_read(fx.out, (size_t)fx.len, &off, n, &t, &c) < 0)
        return -1;
    int got = 0;
    for (int i = 0; i < count; i++) {
        struct atoll_dns_rr rr;
        if (atoll_dns_rr_read(fx.out, (size_t)fx.len, &off, &rr) < 0)
            return -1;
        if (rr.type == type && got < max)
            rrs[got++] = rr;
    }
    return got;
}

/* The answer section's records of `type`. */
static int answers(uint16_t type, struct atoll_dns_rr *rrs, int max)
{
    return records(fx.h.ancount, type, rrs, max);
}

static int t_parse(void *arg)
{
    (void)arg;
    load();
    CHECK_EQ(atoll_dns_zone_count(fx.z), 13);
    CHECK_STR(atoll_dns_zone_origin(fx.z), "example.test");
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_zone, "the test zone parses: 13 records, origin example.test")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_parse, NULL), 0);
}

static int t_errors(void *arg)
{
    (void)arg;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"$TTL 60\nwww IN A 1.2.3.4\n", "without $ORIGIN"},
        {"$ORIGIN x.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww IN A 1.2.3\n",
         "line 4: bad IPv4"},
        {"$ORIGIN x.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww IN FOO 1\n",
         "unsupported record type"},
        {"$ORIGIN x.\n$TTL 60\nwww IN A 1.2.3.4\n", "exactly one SOA"},
        {"$ORIGIN x.\n$TTL 60\n@ SOA a b ( 1 2 3 4 5\n", "parentheses"},
        {"$ORIGIN x.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nt TXT \"abc\n",
         "unterminated"},
        {"$ORIGIN x.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nother.y. A 1.2.3.4\n",
         "outside the zone"},
        {"$ORIGIN x.\n@ 60 SOA a b 1 2 3 4 5\nw A 1.2.3.4\n", "no TTL"},
        {"$INCLUDE /etc/passwd\n", "unsupported directive"},
        {"$ORIGIN x.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nw MX 70000 m\n", "bad MX"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[128] = "";
        struct atoll_dns_zone *z;
        int r = atoll_dns_zone_parse(bad[i].text, strlen(bad[i].text), NULL, &z,
                                     err, sizeof err);
        if (r != -ATOLL_EINVAL || !strstr(err, bad[i].msg))
            harness_fail(__FILE__, __LINE__, "case %zu: %d '%s'", i, r, err);
    }
    return 0;
}

TEST(dns_zone, "bad zone files fail with the line and the reason")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_errors, NULL), 0);
}

static int t_answer(void *arg)
{
    (void)arg;
    load();
    struct atoll_dns_rr rr[8];
    ask("WWW.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.id, 0x4242);
    CHECK(fx.h.flags & ATOLL_DNS_QR);
    CHECK(fx.h.flags & ATOLL_DNS_AA);
    CHECK(fx.h.flags & ATOLL_DNS_RD);
    CHECK_EQ(fx.h.flags & 15, 0);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_A, rr, 8), 2);
    CHECK_EQ(rr[0].ttl, 600);
    CHECK_MEM(fx.out + rr[0].rdata, "\xc6\x12\x00\x50", 4);
    CHECK_EQ(rr[1].ttl, 3600); /* $TTL */
    CHECK_MEM(fx.out + rr[1].rdata, "\xc6\x12\x00\x51", 4);
    /* the question comes back as asked, case included */
    CHECK_MEM(fx.out + 12, "\x03WWW", 4);

    ask("www.example.test", ATOLL_DNS_TYPE_AAAA, false, 0);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_AAAA, rr, 8), 1);
    CHECK_MEM(fx.out + rr[0].rdata,
              "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x80", 16);

    ask("example.test", ATOLL_DNS_TYPE_MX, false, 0);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_MX, rr, 8), 1);
    size_t o = rr[0].rdata + 2;
    char name[ATOLL_DNS_NAME_MAX + 1];
    CHECK_EQ(fx.out[rr[0].rdata + 1], 10);
    CHECK_EQ(atoll_dns_name_read(fx.out, (size_t)fx.len, &o, name), 0);
    CHECK_STR(name, "mail.example.test");

    ask("txt.example.test", ATOLL_DNS_TYPE_TXT, false, 0);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_TXT, rr, 8), 1);
    CHECK_EQ(rr[0].rdlen, 1 + 11 + 1 + 15);
    CHECK_MEM(fx.out + rr[0].rdata, "\x0bhello world\x0fsecond \"quoted\"", 28);

    ask("example.test", ATOLL_DNS_TYPE_SOA, false, 0);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_SOA, rr, 8), 1);
    ask("example.test", ATOLL_DNS_TYPE_NS, false, 0);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_NS, rr, 8), 1);
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_server, "A (two, own TTLs), AAAA, MX, TXT, SOA, NS answers, AA set")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_answer, NULL), 0);
}

static int t_cname(void *arg)
{
    (void)arg;
    load();
    struct atoll_dns_rr rr[8];
    ask("alias2.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.ancount, 4); /* alias2 -> alias -> www (2 A) */
    CHECK_EQ(answers(ATOLL_DNS_TYPE_CNAME, rr, 8), 2);
    CHECK_EQ(answers(ATOLL_DNS_TYPE_A, rr, 8), 2);
    /* what our own resolver code makes of it */
    uint8_t addrs[32];
    char cname[ATOLL_DNS_NAME_MAX + 1];
    uint32_t ttl;
    int rcode;
    bool tc;
    CHECK_EQ(atoll_dns_response_parse(fx.out, (size_t)fx.len, 0x4242,
                                      "alias2.example.test", 1, addrs, 8, cname,
                                      &ttl, &rcode, &tc),
             2);
    CHECK_STR(cname, "www.example.test");
    /* a CNAME out of the zone: just the CNAME, NOERROR */
    ask("out.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, 0);
    CHECK_EQ(fx.h.ancount, 1);
    CHECK_EQ(fx.h.nscount, 0);
    /* asking for the CNAME itself */
    ask("alias.example.test", ATOLL_DNS_TYPE_CNAME, false, 0);
    CHECK_EQ(fx.h.ancount, 1);
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_server, "CNAME chains are followed inside the zone")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_cname, NULL), 0);
}

static int t_negative(void *arg)
{
    (void)arg;
    load();
    struct atoll_dns_rr rr[2];
    /* NXDOMAIN: SOA in authority, TTL min(SOA TTL, MINIMUM) = 300 */
    ask("nope.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, ATOLL_DNS_RCODE_NXDOMAIN);
    CHECK(fx.h.flags & ATOLL_DNS_AA);
    CHECK_EQ(fx.h.ancount, 0);
    CHECK_EQ(fx.h.nscount, 1);
    size_t off = 12;
    char n[ATOLL_DNS_NAME_MAX + 1];
    uint16_t t, c;
    CHECK_EQ(atoll_dns_question_read(fx.out, (size_t)fx.len, &off, n, &t, &c),
             0);
    CHECK_EQ(atoll_dns_rr_read(fx.out, (size_t)fx.len, &off, &rr[0]), 0);
    CHECK_EQ(rr[0].type, ATOLL_DNS_TYPE_SOA);
    CHECK_STR(rr[0].name, "example.test");
    CHECK_EQ(rr[0].ttl, 300);
    /* NODATA: the name exists, not the type */
    ask("mail.example.test", ATOLL_DNS_TYPE_AAAA, false, 0);
    CHECK_EQ(fx.h.flags & 15, 0);
    CHECK_EQ(fx.h.ancount, 0);
    CHECK_EQ(fx.h.nscount, 1);
    /* an empty non-terminal (b.deep has only a child) is NODATA too */
    ask("b.deep.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, 0);
    CHECK_EQ(fx.h.nscount, 1);
    ask("deep.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, 0);
    ask("c.deep.example.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, ATOLL_DNS_RCODE_NXDOMAIN);
    /* outside the zone: REFUSED, not authoritative */
    ask("example.org", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, ATOLL_DNS_RCODE_REFUSED);
    CHECK(!(fx.h.flags & ATOLL_DNS_AA));
    ask("xexample.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK_EQ(fx.h.flags & 15, ATOLL_DNS_RCODE_REFUSED);
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_server, "NXDOMAIN and NODATA carry the SOA; other zones REFUSED")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_negative, NULL), 0);
}

static int t_trunc(void *arg)
{
    (void)arg;
    /* 40 A records of one name: 16 + 40 * 16 > 512. */
    static char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "$ORIGIN big.test.\n$TTL 60\n"
                                "@ SOA ns h 1 2 3 4 5\n");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "many A 198.18.1.%d\n",
                              i + 1);
    char err[128];
    CHECK_EQ(atoll_dns_zone_parse(text, n, NULL, &fx.z, err, sizeof err), 0);
    ask("many.big.test", ATOLL_DNS_TYPE_A, false, 0);
    CHECK(fx.h.flags & ATOLL_DNS_TC);
    CHECK_EQ(fx.h.ancount, 0);
    CHECK_EQ(fx.h.qdcount, 1);
    CHECK(fx.len <= 512);
    ask("many.big.test", ATOLL_DNS_TYPE_A, true, 0);
    CHECK(!(fx.h.flags & ATOLL_DNS_TC));
    CHECK_EQ(fx.h.ancount, 40);
    /* EDNS0 with 1232 bytes: it fits, and the OPT comes back */
    ask("many.big.test", ATOLL_DNS_TYPE_A, false, 1232);
    CHECK(!(fx.h.flags & ATOLL_DNS_TC));
    CHECK_EQ(fx.h.ancount, 40);
    CHECK_EQ(fx.h.arcount, 1);
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_server, "over UDP a large answer is truncated (TC); TCP/EDNS get all")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_trunc, NULL), 0);
}

/* Our OPT record in the additional section: its TTL field, or -1. */
static int64_t opt_ttl(void)
{
    struct atoll_dns_rr rr;
    int all = fx.h.ancount + fx.h.nscount + fx.h.arcount;
    return records(all, ATOLL_DNS_TYPE_OPT, &rr, 1) == 1 ? (int64_t)rr.ttl : -1;
}

static int t_badvers(void *arg)
{
    (void)arg;
    load();
    /* EDNS version 0: answered, our OPT says version 0, RCODE 0. */
    ask("www.example.test", ATOLL_DNS_TYPE_A, false, 1232);
    CHECK_EQ(fx.h.flags & 15, ATOLL_DNS_RCODE_NOERROR);
    CHECK_EQ(fx.h.ancount, 2);
    CHECK_EQ(opt_ttl(), 0);
    /* Versions 1 and 255: BADVERS (16: 0 in the header, 1 in the OPT's
     * extended RCODE), no answer, the question echoed, version 0 offered. */
    for (int v = 1; v <= 255; v += 254) {
        fx.edns_version = (uint8_t)v;
        ask("www.example.test", ATOLL_DNS_TYPE_A, false, 1232);
        CHECK_EQ(fx.h.flags & 15, ATOLL_DNS_RCODE_BADVERS & 15);
        CHECK_EQ(fx.h.qdcount, 1);
        CHECK_EQ(fx.h.ancount + fx.h.nscount, 0);
        CHECK_EQ(fx.h.arcount, 1);
        int64_t ttl = opt_ttl();
        CHECK_EQ(ttl >> 24, ATOLL_DNS_RCODE_BADVERS >> 4);
        CHECK_EQ((ttl >> 16) & 0xff, 0);
        CHECK(!(fx.h.flags & ATOLL_DNS_AA));
        /* over TCP too */
        ask("www.example.test", ATOLL_DNS_TYPE_A, true, 1232);
        CHECK_EQ(opt_ttl() >> 24, 1);
        CHECK_EQ(fx.h.ancount, 0);
    }
    fx.edns_version = 0;
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_server, "an unknown EDNS version gets BADVERS and version 0 "
                 "(RFC 6891 6.1.3)")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_badvers, NULL), 0);
}

static int t_bad(void *arg)
{
    (void)arg;
    load();
    uint8_t q[64];
    int n = atoll_dns_query_build(q, sizeof q, 1, "www.example.test", 1);
    /* a response is never answered */
    q[2] |= 0x80;
    CHECK_EQ(atoll_dns_answer(fx.z, q, (size_t)n, fx.out, sizeof fx.out, false),
             0);
    q[2] &= 0x7f;
    /* too short for a header */
    CHECK_EQ(atoll_dns_answer(fx.z, q, 11, fx.out, sizeof fx.out, false), 0);
    /* two questions: FORMERR */
    q[5] = 2;
    int r = atoll_dns_answer(fx.z, q, (size_t)n, fx.out, sizeof fx.out, false);
    CHECK(r >= 12);
    CHECK_EQ(fx.out[3] & 15, ATOLL_DNS_RCODE_FORMERR);
    q[5] = 1;
    /* a question cut short */
    r = atoll_dns_answer(fx.z, q, (size_t)n - 3, fx.out, sizeof fx.out, false);
    CHECK_EQ(fx.out[3] & 15, ATOLL_DNS_RCODE_FORMERR);
    /* opcode 2 (STATUS): NOTIMP */
    q[2] = (uint8_t)(q[2] | 0x10);
    r = atoll_dns_answer(fx.z, q, (size_t)n, fx.out, sizeof fx.out, false);
    CHECK_EQ(fx.out[3] & 15, ATOLL_DNS_RCODE_NOTIMP);
    atoll_dns_zone_free(fx.z);
    return 0;
}

TEST(dns_server, "bad queries: responses dropped, FORMERR, NOTIMP")
{
    CHECK_EQ(atoll_test_run(64u << 20, t_bad, NULL), 0);
}
