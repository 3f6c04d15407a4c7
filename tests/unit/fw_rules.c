/*
 * tests/unit/fw_rules.c - the firewall's rule language (lib/fw/rules*.c):
 * every statement parsed into its table, malformed sets refused with the
 * line and column of the first fault, limits, first-match order and the
 * rule counters, and the canonical text parsing back to the same tables.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/fw.h"
#include "atoll/ipv6.h"
#include "atoll/mem.h"
#include "atoll/net_tunables.h"

static const char *const ifs[] = {"inside", "outside", "mgmt"};

static const char example[] =
    "# the example of atoll/fw.h\n"
    "policy drop\n"
    "accept state established,related\n"
    "accept in inside out outside state new   # clients go out\n"
    "reject in outside proto tcp to any port 23\n"
    "reject with icmp-admin in outside proto udp to any port 1-1023\n"
    "\n"
    "drop in outside from 198.18.1.0/24\n"
    "accept proto 47 from 198.18.0.1 to 198.18.2.0/23\n"
    "masquerade out outside from 198.18.1.0/24\n"
    "forward in outside proto tcp port 8080 to 198.18.1.2 port 80\n"
    "forward in outside proto udp port 5000-5010 to 198.18.1.3\n";

/* Each test runs in its own process: the heap is set up once in it. */
static void rt(void)
{
    static bool done;
    struct atoll_runtime_opts o = {64u << 20, 0, "quiet"};
    if (!done && atoll_runtime_init(&o) < 0)
        harness_fail(__FILE__, __LINE__, "runtime");
    done = true;
}

static struct atoll_fw_rules *parse_ok(const char *text)
{
    rt();
    struct atoll_fw_rules *r;
    struct atoll_fw_error e;
    int n = atoll_fw_rules_parse(text, strlen(text), ifs, 3, &r, &e);
    if (n < 0)
        harness_fail(__FILE__, __LINE__, "parse: %d:%d: %s", e.line, e.column,
                     e.msg);
    return r;
}

static void pfx(struct atoll_fw_prefix *p, const char *a, int len)
{
    atoll_ipv4_t v;
    CHECK_EQ(atoll_ipv4_parse(a, &v, NULL), 0);
    memset(p, 0, sizeof *p); /* an IPv4 prefix: v6 0 */
    atoll_fw_addr4(p->addr, v);
    p->len = (uint8_t)(96 + len);
}

TEST(fw_rules, "every statement of the example lands in its table")
{
    struct atoll_fw_rules *r = parse_ok(example);
    CHECK_EQ(r->policy, ATOLL_FW_DROP);
    CHECK_EQ(r->n_rules, 6);
    CHECK_EQ(r->n_masq, 1);
    CHECK_EQ(r->n_forward, 2);

    CHECK_EQ(r->rules[0].action, ATOLL_FW_ACCEPT);
    CHECK_EQ(r->rules[0].states, ATOLL_FW_ST_ESTABLISHED | ATOLL_FW_ST_RELATED);
    CHECK_EQ(r->rules[0].proto, -1);
    CHECK_EQ(r->rules[0].line, 3);

    CHECK_EQ(r->rules[1].in_if, 0);
    CHECK_EQ(r->rules[1].out_if, 1);
    CHECK_EQ(r->rules[1].states, ATOLL_FW_ST_NEW);

    CHECK_EQ(r->rules[2].action, ATOLL_FW_REJECT);
    CHECK_EQ(r->rules[2].reject_with, ATOLL_FW_REJ_TCP_RESET);
    CHECK_EQ(r->rules[2].dport.lo, 23);
    CHECK_EQ(r->rules[2].dport.hi, 23);
    CHECK_EQ(r->rules[2].sport.lo, 0);
    CHECK_EQ(r->rules[2].sport.hi, 65535);

    CHECK_EQ(r->rules[3].reject_with, ATOLL_FW_REJ_ICMP_ADMIN);
    CHECK_EQ(r->rules[3].proto, 17);
    CHECK_EQ(r->rules[3].dport.lo, 1);
    CHECK_EQ(r->rules[3].dport.hi, 1023);

    CHECK_EQ(r->rules[4].action, ATOLL_FW_DROP);
    CHECK_EQ(r->rules[4].line, 8);
    CHECK_EQ(r->rules[4].src.len, 96 + 24);
    CHECK_EQ(atoll_fw_addr_v4(r->rules[4].src.addr), 0xc6120100u);
    CHECK(atoll_fw_addr_is4(r->rules[4].src.addr));

    CHECK_EQ(r->rules[5].proto, 47);
    CHECK_EQ(r->rules[5].src.len, 128);
    CHECK_EQ(r->rules[5].dst.len, 96 + 23);

    CHECK_EQ(r->masq[0].out_if, 1);
    CHECK_EQ(r->masq[0].src.len, 96 + 24);

    CHECK_EQ(r->forward[0].in_if, 1);
    CHECK_EQ(r->forward[0].proto, 6);
    CHECK_EQ(r->forward[0].ports.lo, 8080);
    CHECK_EQ(r->forward[0].ports.hi, 8080);
    CHECK_EQ(atoll_fw_addr_v4(r->forward[0].to), 0xc6120102u);
    CHECK_EQ(r->forward[0].to_port, 80);
    CHECK_EQ(r->forward[1].to_port, 0);
    CHECK_EQ(r->forward[1].ports.hi, 5010);
    CHECK_STR(r->text, example);
    atoll_fw_rules_free(r);
}

TEST(fw_rules, "an empty set, blanks and comments: policy drop, no rules")
{
    struct atoll_fw_rules *r = parse_ok("");
    CHECK_EQ(r->policy, ATOLL_FW_DROP);
    CHECK_EQ(r->n_rules + r->n_masq + r->n_forward, 0);
    atoll_fw_rules_free(r);
    r = parse_ok("  # nothing\r\n\t\n#x\npolicy accept");
    CHECK_EQ(r->policy, ATOLL_FW_ACCEPT);
    atoll_fw_rules_free(r);
}

/* Malformed sets: each is refused with -ATOLL_EINVAL at line:column, and
 * the message contains `says`. */
struct bad {
    const char *text;
    int line, column;
    const char *says;
};

static const struct bad bads[] = {
    {"acept in inside", 1, 1, "'acept' is not a statement"},
    {"accept\naccept in inside out nowhere", 2, 22,
     "unknown interface 'nowhere'"},
    {"accept in", 1, 10, "expected an interface name at the end"},
    {"  drop from 198.18.0.300", 1, 13, "'198.18.0.300' is not an address"},
    {"drop from 198.18.0.1/24", 1, 11, "bits set beyond its prefix"},
    {"drop from 198.18.0.0/33", 1, 11, "is not an address"},
    {"drop from 2001:db8::1/32", 1, 11, "bits set beyond its prefix"},
    {"drop to 2001:db8::/129", 1, 9, "is not an IPv6 address or x:y::/len"},
    {"drop to 2001:db8:::1", 1, 9, "is not an IPv6 address"},
    {"drop from ::ffff:c612:1", 1, 11, "write an IPv4 address as a.b.c.d"},
    {"masquerade out outside from fd00::/8", 1, 29, "no NAT66"},
    {"forward in outside proto tcp port 80 to fd00::2", 1, 41, "no NAT66"},
    {"drop to any port 80", 1, 13, "a port needs proto tcp or udp"},
    {"drop proto tcp to any port 80-70", 1, 28, "ends before it starts"},
    {"drop proto tcp to any port 65536", 1, 28, "is not a port"},
    {"drop proto tcp to any port 1-", 1, 28, "is not a port"},
    {"drop proto gre", 1, 12, "'gre' is not a protocol"},
    {"drop proto 256", 1, 12, "'256' is not a protocol"},
    {"accept state new,bogus", 1, 18, "'bogus' is not a state"},
    {"accept state new,", 1, 18, "'' is not a state"},
    {"accept in inside in outside", 1, 18, "'in' given twice"},
    {"reject with rst", 1, 13, "reject with tcp-reset"},
    {"reject with tcp-reset proto udp", 1, 13, "tcp-reset needs proto tcp"},
    {"policy maybe", 1, 8, "policy is accept or drop"},
    {"policy drop\npolicy accept", 2, 1, "a second policy line"},
    {"policy drop now", 1, 13, "unexpected 'now' after the statement"},
    {"masquerade in outside", 1, 12, "expected 'out', not 'in'"},
    {"masquerade out outside to any", 1, 24, "expected 'from', not 'to'"},
    {"forward in outside proto icmp port 1 to 198.18.1.2", 1, 26,
     "forward is for tcp or udp"},
    {"forward in outside proto tcp port 80 to 198.18.1.0/24", 1, 41,
     "is not an address (a.b.c.d)"},
    {"forward in outside proto tcp port 80 to 198.18.1.2 port 1-2", 1, 57,
     "forward to one port"},
    {"forward in outside proto tcp port 80", 1, 37, "expected 'to' at the end"},
    {"accept # fine\ndrop in \x01side", 2, 9, "byte 0x01 is not allowed"},
    {"accept\n\n\n   drop in inside out\xc3\xa9", 4, 22,
     "byte 0xc3 is not allowed"},
};

static void bad_case(const void *arg)
{
    const struct bad *b = arg;
    struct atoll_fw_rules *r = (void *)1;
    struct atoll_fw_error e;
    rt();
    int n = atoll_fw_rules_parse(b->text, strlen(b->text), ifs, 3, &r, &e);
    CHECK_EQ(n, -ATOLL_EINVAL);
    CHECK(r == NULL);
    if (e.line != b->line || e.column != b->column || !strstr(e.msg, b->says))
        harness_fail(__FILE__, __LINE__, "got %d:%d: %s; want %d:%d: ...%s",
                     e.line, e.column, e.msg, b->line, b->column, b->says);
}

__attribute__((constructor)) static void register_bads(void)
{
    static char names[sizeof bads / sizeof bads[0]][64];
    for (size_t k = 0; k < sizeof bads / sizeof bads[0]; k++) {
        snprintf(names[k], sizeof names[k], "refused at %d:%d: %.32s",
                 bads[k].line, bads[k].column, bads[k].says);
        harness_register_case("fw_rules", names[k], bad_case, &bads[k],
                              __FILE__, __LINE__);
    }
}

TEST(fw_rules, "limits: text size, statements, line length refused whole")
{
    struct atoll_fw_rules *r;
    struct atoll_fw_error e;
    rt();
    size_t big = FW_RULES_TEXT_MAX + 1;
    char *t = atoll_malloc(big + 1);
    CHECK(t != NULL);
    memset(t, '#', big);
    CHECK_EQ(atoll_fw_rules_parse(t, big, ifs, 3, &r, &e), -ATOLL_E2BIG);
    CHECK(strstr(e.msg, "at most") != NULL);

    /* FW_RULES_MAX + 1 "drop" lines */
    size_t n = 0;
    for (int k = 0; k <= FW_RULES_MAX; k++)
        n += (size_t)snprintf(t + n, big - n, "drop\n");
    CHECK_EQ(atoll_fw_rules_parse(t, n, ifs, 3, &r, &e), -ATOLL_E2BIG);
    CHECK_EQ(e.line, FW_RULES_MAX + 1);
    CHECK(strstr(e.msg, "statements") != NULL);
    /* exactly FW_RULES_MAX is fine */
    CHECK_EQ(atoll_fw_rules_parse(t, n - 5, ifs, 3, &r, &e), 0);
    CHECK_EQ(r->n_rules, FW_RULES_MAX);
    atoll_fw_rules_free(r);

    memset(t, ' ', FW_LINE_MAX + 1);
    memcpy(t + FW_LINE_MAX - 4, "drop", 4);
    CHECK_EQ(atoll_fw_rules_parse(t, FW_LINE_MAX, ifs, 3, &r, &e), 0);
    atoll_fw_rules_free(r);
    CHECK_EQ(atoll_fw_rules_parse(t, FW_LINE_MAX + 1, ifs, 3, &r, &e),
             -ATOLL_E2BIG);
    CHECK_EQ(e.line, 1);
    CHECK(strstr(e.msg, "line longer") != NULL);
    atoll_free(t);
}

static struct atoll_fw_pkt pkt(int in, int out, uint8_t proto, uint8_t st,
                               const char *src, const char *dst, uint16_t sport,
                               uint16_t dport)
{
    struct atoll_fw_pkt p;
    memset(&p, 0, sizeof p);
    p.in_if = in;
    p.out_if = out;
    p.proto = proto;
    p.state = st;
    atoll_ipv4_t a;
    atoll_ipv4_parse(src, &a, NULL);
    atoll_fw_addr4(p.src, a);
    atoll_ipv4_parse(dst, &a, NULL);
    atoll_fw_addr4(p.dst, a);
    p.sport = sport;
    p.dport = dport;
    p.len = 100;
    return p;
}

TEST(fw_rules, "first match wins; counters count packets and bytes")
{
    struct atoll_fw_rules *r = parse_ok(example);
    /* an established reply: rule 0 */
    struct atoll_fw_pkt p = pkt(1, 0, 6, ATOLL_FW_ST_ESTABLISHED, "198.18.2.9",
                                "198.18.1.2", 80, 40000);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[0]);
    /* a new connection from inside to outside: rule 1 */
    p = pkt(0, 1, 6, ATOLL_FW_ST_NEW, "198.18.1.2", "198.18.2.9", 40000, 80);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[1]);
    p.len = 60;
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[1]);
    /* telnet from outside: rule 2 (rejected with a reset) */
    p = pkt(1, 0, 6, ATOLL_FW_ST_NEW, "198.18.2.9", "198.18.1.2", 999, 23);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[2]);
    /* port 24 is not 23; tcp is not udp for rule 3; nothing else: policy */
    p.dport = 24;
    CHECK(atoll_fw_rules_match(r, &p) == NULL);
    /* udp to 53 from outside: rule 3; to 1024: none */
    p = pkt(1, 0, 17, ATOLL_FW_ST_NEW, "198.18.2.9", "198.18.1.2", 999, 53);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[3]);
    p.dport = 1024;
    CHECK(atoll_fw_rules_match(r, &p) == NULL);
    /* spoofed inside source on the outside: rule 4 */
    p = pkt(1, 0, 1, ATOLL_FW_ST_NEW, "198.18.1.77", "198.18.1.2", 0, 0);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[4]);
    /* the /23 of rule 5 holds 198.18.3.255 but not 198.18.4.0 */
    p = pkt(2, 0, 47, ATOLL_FW_ST_NEW, "198.18.0.1", "198.18.3.255", 0, 0);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[5]);
    p = pkt(2, 0, 47, ATOLL_FW_ST_NEW, "198.18.0.1", "198.18.4.0", 0, 0);
    CHECK(atoll_fw_rules_match(r, &p) == NULL);

    CHECK_EQ(r->rules[0].packets, 1);
    CHECK_EQ(r->rules[0].bytes, 100);
    CHECK_EQ(r->rules[1].packets, 2);
    CHECK_EQ(r->rules[1].bytes, 160);
    CHECK_EQ(r->rules[2].packets, 1);
    CHECK_EQ(r->rules[3].packets, 1);
    CHECK_EQ(r->rules[4].packets, 1);
    CHECK_EQ(r->rules[5].packets, 1);
    atoll_fw_rules_free(r);
}

TEST(fw_rules, "prefix matching at every length")
{
    struct atoll_fw_prefix p;
    uint8_t a[16];
    for (int len = 0; len <= 32; len++) {
        pfx(&p, "198.18.0.0", len ? len : 0);
        /* 198.18.0.0 itself is always inside; flipping bit len-1 (counted
         * from the top) leaves a /len, flipping bit len stays inside */
        atoll_fw_addr4(a, 0xc6120000u);
        CHECK(atoll_fw_prefix_has(&p, a));
        if (len > 0) {
            atoll_fw_addr4(a, 0xc6120000u ^ (1u << (32 - len)));
            CHECK(!atoll_fw_prefix_has(&p, a));
        }
        if (len < 32) {
            atoll_fw_addr4(a, 0xc6120000u ^ (1u << (31 - len)));
            CHECK(atoll_fw_prefix_has(&p, a));
        }
    }
    /* the mapped prefix does not hold a non-IPv4 address */
    pfx(&p, "0.0.0.0", 0);
    memset(a, 0, 16);
    CHECK(!atoll_fw_prefix_has(&p, a));
}

TEST(fw_rules, "canonical text parses back to the same tables")
{
    struct atoll_fw_rules *r = parse_ok(example);
    char buf[2048], again[2048];
    int n = atoll_fw_rules_format(r, ifs, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n < sizeof buf);
    CHECK(strstr(buf, "reject with tcp-reset in outside out") == NULL);
    CHECK(strstr(buf, "reject with tcp-reset in outside proto tcp to any "
                      "port 23\n") != NULL);
    CHECK(strstr(buf, "forward in outside proto tcp port 8080 to 198.18.1.2 "
                      "port 80\n") != NULL);
    struct atoll_fw_rules *r2 = parse_ok(buf);
    CHECK_EQ(atoll_fw_rules_format(r2, ifs, again, sizeof again), n);
    CHECK_STR(again, buf);
    CHECK_EQ(r2->n_rules, r->n_rules);
    for (int k = 0; k < r->n_rules; k++) {
        CHECK_EQ(r2->rules[k].states, r->rules[k].states);
        CHECK_EQ(r2->rules[k].dst.len, r->rules[k].dst.len);
        CHECK_EQ(r2->rules[k].dport.hi, r->rules[k].dport.hi);
    }
    /* cut short: the length it needed, a terminated prefix */
    char small[10];
    CHECK_EQ(atoll_fw_rules_format(r, ifs, small, sizeof small), n);
    CHECK_EQ(strlen(small), 9);
    atoll_fw_rules_free(r);
    atoll_fw_rules_free(r2);
}

TEST(fw_rules, "IPv6 prefixes in filter rules: parsed, matched, written back")
{
    static const char text[] = "accept in outside proto tcp from "
                               "2001:db8::/32 to fd00::1 port 22\n"
                               "drop from ::/0\n"
                               "accept to 198.18.0.0/15\n";
    struct atoll_fw_rules *r = parse_ok(text);
    CHECK_EQ(r->n_rules, 3);
    CHECK(r->rules[0].src.v6);
    CHECK_EQ(r->rules[0].src.len, 32);
    CHECK_EQ(r->rules[0].dst.len, 128);
    CHECK(r->rules[1].src.v6);
    CHECK_EQ(r->rules[1].src.len, 0);
    struct atoll_fw_pkt p;
    memset(&p, 0, sizeof p);
    p.in_if = 1;
    p.out_if = 0;
    p.proto = 6;
    p.state = ATOLL_FW_ST_NEW;
    p.len = 80;
    p.dport = 22;
    atoll_ipv6_t a;
    CHECK_EQ(atoll_ipv6_parse("2001:db8:ffff::7", &a, NULL), 0);
    memcpy(p.src, a.b, 16);
    CHECK_EQ(atoll_ipv6_parse("fd00::1", &a, NULL), 0);
    memcpy(p.dst, a.b, 16);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[0]);
    /* outside 2001:db8::/32: ::/0 holds it */
    CHECK_EQ(atoll_ipv6_parse("2001:db9::7", &a, NULL), 0);
    memcpy(p.src, a.b, 16);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[1]);
    /* an IPv4 packet is in no IPv6 prefix, ::/0 neither */
    atoll_fw_addr4(p.src, 0xc6120209u);
    atoll_fw_addr4(p.dst, 0xc6120102u);
    CHECK(atoll_fw_rules_match(r, &p) == &r->rules[2]);
    /* an IPv6 destination is in no IPv4 prefix: from IPv4 to IPv6
     * matches none of the three */
    memcpy(p.dst, a.b, 16);
    CHECK(atoll_fw_rules_match(r, &p) == NULL);

    char buf[512], again[512];
    int n = atoll_fw_rules_format(r, ifs, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n < sizeof buf);
    CHECK(strstr(buf, "from 2001:db8::/32 to fd00::1 port 22\n") != NULL);
    CHECK(strstr(buf, "drop from ::/0\n") != NULL);
    struct atoll_fw_rules *r2 = parse_ok(buf);
    CHECK_EQ(atoll_fw_rules_format(r2, ifs, again, sizeof again), n);
    CHECK_STR(again, buf);
    atoll_fw_rules_free(r);
    atoll_fw_rules_free(r2);
}
