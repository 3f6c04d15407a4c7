/*
 * tests/unit/fw_packet.c - the firewall's packet path (lib/fw/firewall.c)
 * on packets built here: masquerade with port allocation and the replies
 * coming back, ICMP echo by identifier, port forwarding, ICMP errors
 * translated with their quote (and forged ones dropped), rejects with a
 * reset or an ICMP unreachable, TTL and MTU answers, spoofed sources, a
 * full table, a rule change that keeps an allowed connection, and
 * fragments following their first.  Every
 * packet that leaves is checked for right checksums.
 */
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/fw/pkt4.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/firewall.h"
#include "atoll/net_tunables.h"

/* inside 198.18.1.1/24 (0), outside 198.18.2.1/24 via 198.18.2.254 (1) */
#define IN_ADDR  0xc6120101u
#define OUT_ADDR 0xc6120201u
#define GW       0xc61202feu
#define C1       0xc6120102u /* inside clients */
#define C2       0xc6120103u
#define SRV      0xc6120209u /* a server on the outside network */
#define FAR      0xc6120305u /* one beyond the gateway */
#define S        1000000000LL

static const char base_rules[] =
    "policy drop\n"
    "accept state established,related\n"
    "reject in outside proto tcp to any port 23\n"
    "reject with icmp-admin in outside proto udp to any port 9\n"
    "accept in inside out outside state new\n"
    "accept in outside proto tcp to 198.18.1.2 port 80 state new\n"
    "masquerade out outside from 198.18.1.0/24\n"
    "forward in outside proto tcp port 8080 to 198.18.1.2 port 80\n";

static struct atoll_firewall *make_fw(uint32_t ct_max, const char *rules)
{
    struct atoll_runtime_opts o = {64u << 20, 0, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
    struct atoll_fw_iface ifs[2] = {
        {.name = "inside",
         .addr = IN_ADDR,
         .prefix = 24,
         .gateway = 0,
         .mtu = 1500},
        {.name = "outside",
         .addr = OUT_ADDR,
         .prefix = 24,
         .gateway = GW,
         .mtu = 1500},
    };
    static const uint8_t key[16] = "fw-packet-tests!";
    struct atoll_firewall *fw;
    CHECK_EQ(atoll_firewall_create(ifs, 2, ct_max, key, &fw), 0);
    struct atoll_fw_error e;
    if (atoll_firewall_set_rules(fw, rules, strlen(rules), &e) < 0)
        harness_fail(__FILE__, __LINE__, "rules %d:%d %s", e.line, e.column,
                     e.msg);
    return fw;
}

static uint8_t pkt[2048];
static size_t pkt_len;

/* An IPv4 packet src -> dst of protocol proto with l4 (its checksum
 * field computed here), ttl 64, DF set. */
static void build(atoll_ipv4_t src, atoll_ipv4_t dst, uint8_t proto,
                  const uint8_t *l4, size_t n)
{
    uint8_t *p = pkt;
    memset(p, 0, 20);
    p[0] = 0x45;
    fw_wr16(p + 2, (uint16_t)(20 + n));
    fw_wr16(p + 6, FW_IP_DF);
    p[8] = 64;
    p[9] = proto;
    fw_wr32(p + 12, src);
    fw_wr32(p + 16, dst);
    fw_wr16(p + 10, fw_csum(p, 20));
    memcpy(p + 20, l4, n);
    uint8_t *t = p + 20;
    if (proto == 1) {
        fw_wr16(t + 2, 0);
        fw_wr16(t + 2, fw_csum(t, n));
    } else {
        int at = proto == 6 ? 16 : 6;
        uint8_t ph[2048];
        fw_wr32(ph, src);
        fw_wr32(ph + 4, dst);
        ph[8] = 0;
        ph[9] = proto;
        fw_wr16(ph + 10, (uint16_t)n);
        fw_wr16(t + at, 0);
        memcpy(ph + 12, t, n);
        fw_wr16(t + at, fw_csum(ph, 12 + n));
    }
    pkt_len = 20 + n;
}

/* Both checksums of the IPv4 packet at p are right. */
static bool sums_ok(const uint8_t *p, size_t len)
{
    if (fw_csum(p, 20) != 0)
        return false;
    size_t n = len - 20;
    const uint8_t *t = p + 20;
    if (p[9] == 1)
        return fw_csum(t, n) == 0;
    uint8_t ph[2048];
    memcpy(ph, p + 12, 8);
    ph[8] = 0;
    ph[9] = p[9];
    fw_wr16(ph + 10, (uint16_t)n);
    memcpy(ph + 12, t, n);
    return fw_csum(ph, 12 + n) == 0;
}

static void tcp(atoll_ipv4_t src, uint16_t sp, atoll_ipv4_t dst, uint16_t dp,
                uint8_t flags, uint32_t seq, uint32_t ack, const char *data)
{
    uint8_t t[1500];
    size_t dl = data ? strlen(data) : 0;
    memset(t, 0, 20);
    fw_wr16(t, sp);
    fw_wr16(t + 2, dp);
    fw_wr32(t + 4, seq);
    fw_wr32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    fw_wr16(t + 14, 65535);
    memcpy(t + 20, data ? data : "", dl);
    build(src, dst, 6, t, 20 + dl);
}

static void udp(atoll_ipv4_t src, uint16_t sp, atoll_ipv4_t dst, uint16_t dp)
{
    uint8_t u[12] = {0};
    fw_wr16(u, sp);
    fw_wr16(u + 2, dp);
    fw_wr16(u + 4, 12);
    memcpy(u + 8, "ping", 4);
    build(src, dst, 17, u, 12);
}

static void echo(atoll_ipv4_t src, atoll_ipv4_t dst, uint8_t type, uint16_t id,
                 uint16_t seq)
{
    uint8_t e[16] = {type, 0};
    fw_wr16(e + 4, id);
    fw_wr16(e + 6, seq);
    memcpy(e + 8, "abcdefgh", 8);
    build(src, dst, 1, e, 16);
}

static struct atoll_fw_result res;

static int run(struct atoll_firewall *fw, int in_if, atoll_time_t now)
{
    return atoll_firewall_packet(fw, in_if, pkt, pkt_len, 0, now, &res);
}

#define SRC()   fw_rd32(pkt + 12)
#define DST()   fw_rd32(pkt + 16)
#define SPORT() fw_rd16(pkt + 20)
#define DPORT() fw_rd16(pkt + 22)

/* A forwarded packet: out of out_if to hop, sums right, TTL 63. */
#define forwarded(v, o, h) forwarded_(v, o, h, __LINE__)
static void forwarded_(int verdict, int out_if, atoll_ipv4_t hop, int line)
{
    if (verdict != ATOLL_FW_FORWARD)
        harness_fail(__FILE__, line, "verdict %d: %s", verdict,
                     res.why ? res.why : "-");
    CHECK_EQ(res.out_if, out_if);
    CHECK_EQ(res.next_hop, hop);
    CHECK(sums_ok(pkt, pkt_len));
    CHECK_EQ(pkt[8], 63);
}

/* A forwarded fragment: out of out_if to hop, header sum right, TTL 63
 * (its transport checksum covers the whole datagram: checked whole). */
#define forwarded_frag(v, o, h) forwarded_frag_(v, o, h, __LINE__)
static void forwarded_frag_(int verdict, int out_if, atoll_ipv4_t hop, int line)
{
    if (verdict != ATOLL_FW_FORWARD)
        harness_fail(__FILE__, line, "verdict %d: %s", verdict,
                     res.why ? res.why : "-");
    if (res.out_if != out_if || res.next_hop != hop || fw_csum(pkt, 20) != 0 ||
        pkt[8] != 63)
        harness_fail(__FILE__, line, "not out of %d to the hop, or header",
                     out_if);
}

TEST(fw_packet, "masquerade: ports kept or allocated, replies come back")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    tcp(C1, 40000, SRV, 80, FW_TCP_SYN, 1000, 0, NULL);
    forwarded(run(fw, 0, 0), 1, SRV);
    CHECK_EQ(SRC(), OUT_ADDR);
    CHECK_EQ(SPORT(), 40000); /* kept: it was free */
    CHECK_EQ(DST(), SRV);

    /* a second client with the same port gets another */
    tcp(C2, 40000, SRV, 80, FW_TCP_SYN, 5000, 0, NULL);
    forwarded(run(fw, 0, 0), 1, SRV);
    CHECK_EQ(SRC(), OUT_ADDR);
    uint16_t p2 = SPORT();
    CHECK(p2 != 40000 && p2 >= 1024);

    /* the server answers both */
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_SYN | FW_TCP_ACK, 7000, 1001, NULL);
    forwarded(run(fw, 1, S), 0, C1);
    CHECK_EQ(DST(), C1);
    CHECK_EQ(DPORT(), 40000);
    CHECK_EQ(SRC(), SRV);
    tcp(SRV, 80, OUT_ADDR, p2, FW_TCP_SYN | FW_TCP_ACK, 9000, 5001, NULL);
    forwarded(run(fw, 1, S), 0, C2);
    CHECK_EQ(DPORT(), 40000);

    /* data both ways on the first */
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 1001, 7001, "GET / HTTP/1.0\r\n\r\n");
    forwarded(run(fw, 0, 2 * S), 1, SRV);
    CHECK_EQ(SPORT(), 40000);
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_ACK, 7001, 1019, "HTTP/1.0 200");
    forwarded(run(fw, 1, 2 * S), 0, C1);

    /* to a port nobody opened: dropped by the policy */
    tcp(SRV, 80, OUT_ADDR, 40001, FW_TCP_ACK, 1, 1, NULL);
    CHECK_EQ(run(fw, 1, 2 * S), ATOLL_FW_LOCAL); /* for the stack: it
                                                     answers with a reset */
    tcp(SRV, 80, C1, 40000, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 1, 2 * S), ATOLL_FW_DROPPED);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.forwarded, 6);
    CHECK_EQ(st.policy, 1);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "ICMP echo through masquerade by identifier; UDP both ways")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    echo(C1, FAR, 8, 77, 1);
    forwarded(run(fw, 0, 0), 1, GW);
    CHECK_EQ(SRC(), OUT_ADDR);
    uint16_t id = fw_rd16(pkt + 24);
    echo(C2, FAR, 8, 77, 1);
    forwarded(run(fw, 0, 0), 1, GW);
    uint16_t id2 = fw_rd16(pkt + 24);
    CHECK(id2 != id);
    echo(FAR, OUT_ADDR, 0, id2, 1);
    forwarded(run(fw, 1, 0), 0, C2);
    CHECK_EQ(fw_rd16(pkt + 24), 77);
    CHECK_EQ(DST(), C2);
    /* an echo request from outside with that identifier is not a reply */
    echo(FAR, OUT_ADDR, 8, id2, 1);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_LOCAL);

    udp(C1, 5353, FAR, 53);
    forwarded(run(fw, 0, 0), 1, GW);
    uint16_t up = SPORT();
    udp(FAR, 53, OUT_ADDR, up);
    forwarded(run(fw, 1, 0), 0, C1);
    CHECK_EQ(DPORT(), 5353);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "port forwarding to an inside host, and its replies")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    tcp(FAR, 33000, OUT_ADDR, 8080, FW_TCP_SYN, 1, 0, NULL);
    forwarded(run(fw, 1, 0), 0, C1);
    CHECK_EQ(DST(), C1);
    CHECK_EQ(DPORT(), 80);
    CHECK_EQ(SRC(), FAR);
    tcp(C1, 80, FAR, 33000, FW_TCP_SYN | FW_TCP_ACK, 50, 2, NULL);
    forwarded(run(fw, 0, 0), 1, GW);
    CHECK_EQ(SRC(), OUT_ADDR);
    CHECK_EQ(SPORT(), 8080);
    /* 8081 is not forwarded: the firewall's own */
    tcp(FAR, 33000, OUT_ADDR, 8081, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_LOCAL);
    atoll_firewall_destroy(fw);
}

/* An ICMP error of type/code from `from` to `to` quoting the packet now
 * in pkt (its first 28 bytes). */
static void icmp_error_about(atoll_ipv4_t from, atoll_ipv4_t to, uint8_t type,
                             uint8_t code)
{
    uint8_t e[8 + 28] = {type, code};
    memcpy(e + 8, pkt, 28);
    build(from, to, 1, e, sizeof e);
}

TEST(fw_packet, "ICMP errors: quote translated back; forged ones dropped")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    tcp(C2, 40000, FAR, 80, FW_TCP_SYN, 1, 0, NULL); /* takes 40000 */
    forwarded(run(fw, 0, 0), 1, GW);
    tcp(C1, 40000, FAR, 80, FW_TCP_SYN, 1000, 0, NULL);
    forwarded(run(fw, 0, 0), 1, GW);
    uint16_t port = SPORT();
    CHECK(port != 40000);
    /* the gateway says FAR is unreachable, quoting the translated SYN */
    icmp_error_about(GW, OUT_ADDR, 3, 1);
    forwarded(run(fw, 1, 0), 0, C1);
    CHECK_EQ(SRC(), GW);
    CHECK_EQ(DST(), C1);
    const uint8_t *q = pkt + 28;
    CHECK_EQ(fw_rd32(q + 12), C1);
    CHECK_EQ(fw_rd16(q + 20), 40000);
    CHECK_EQ(fw_rd32(q + 16), FAR);
    CHECK_EQ(fw_csum(q, 20), 0);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.related, 1);

    /* forged: a quote of a connection that does not exist */
    tcp(OUT_ADDR, 1234, FAR, 80, FW_TCP_SYN, 1000, 0, NULL);
    icmp_error_about(GW, OUT_ADDR, 3, 1);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_LOCAL); /* the firewall's own, maybe */
    tcp(C1, 40000, FAR, 81, FW_TCP_SYN, 1000, 0, NULL);
    icmp_error_about(GW, C1, 3, 1); /* aimed inside directly */
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    /* forged: the right quote, sent to someone else than its sender */
    tcp(OUT_ADDR, port, FAR, 80, FW_TCP_SYN, 1000, 0, NULL);
    icmp_error_about(GW, C2, 3, 1);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    /* a quote cut short of 8 transport bytes: malformed */
    tcp(OUT_ADDR, port, FAR, 80, FW_TCP_SYN, 1000, 0, NULL);
    uint8_t e[8 + 24] = {3, 1};
    memcpy(e + 8, pkt, 24);
    build(GW, OUT_ADDR, 1, e, sizeof e);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.invalid, 2);
    CHECK_EQ(st.bad, 1);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "reject answers with a reset or ICMP admin prohibited")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    tcp(FAR, 5555, C1, 23, FW_TCP_SYN, 100, 0, NULL);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(res.answer_len, 40);
    CHECK_EQ(res.answer_if, 1);
    CHECK_EQ(res.answer_hop, GW);
    const uint8_t *a = res.answer;
    CHECK(sums_ok(a, 40));
    CHECK_EQ(fw_rd32(a + 12), C1); /* from where it was sent */
    CHECK_EQ(fw_rd32(a + 16), FAR);
    CHECK_EQ(fw_rd16(a + 20), 23);
    CHECK_EQ(fw_rd16(a + 22), 5555);
    CHECK_EQ(a[33], 0x14);          /* RST+ACK */
    CHECK_EQ(fw_rd32(a + 28), 101); /* SYN counted */
    CHECK_EQ(fw_rd32(a + 24), 0);

    udp(FAR, 5555, C1, 9);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(res.answer_len, 28 + pkt_len);
    CHECK(sums_ok(res.answer, res.answer_len));
    CHECK_EQ(res.answer[20], 3);
    CHECK_EQ(res.answer[21], 13);
    CHECK_EQ(fw_rd32(res.answer + 12), OUT_ADDR);
    CHECK(memcmp(res.answer + 28, pkt, pkt_len) == 0);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "TTL 1: time exceeded; too big with DF: frag needed + MTU")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    echo(C1, FAR, 8, 1, 1);
    pkt[8] = 1;
    fw_wr16(pkt + 10, 0);
    fw_wr16(pkt + 10, fw_csum(pkt, 20));
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(res.answer[20], 11);
    CHECK_EQ(res.answer_if, 0);
    CHECK_EQ(res.answer_hop, C1);
    CHECK_EQ(fw_rd32(res.answer + 12), IN_ADDR);
    CHECK(sums_ok(res.answer, res.answer_len));

    uint8_t big[1600];
    memset(big, 'x', sizeof big);
    big[0] = 8;
    big[1] = 0;
    build(C1, FAR, 1, big, 1500); /* 1520 > 1500 */
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(res.answer[20], 3);
    CHECK_EQ(res.answer[21], 4);
    CHECK_EQ(fw_rd16(res.answer + 26), 1500);
    CHECK_EQ(res.answer_len, 576);
    CHECK(sums_ok(res.answer, res.answer_len));
    /* an offload frame is the interface's to cut */
    CHECK_EQ(
        atoll_firewall_packet(fw, 0, pkt, pkt_len, ATOLL_FW_PKT_GSO, 0, &res),
        ATOLL_FW_FORWARD);
    /* no error about an error */
    echo(C1, FAR, 8, 1, 1);
    icmp_error_about(C1, FAR, 3, 3);
    pkt[8] = 1;
    fw_wr16(pkt + 10, 0);
    fw_wr16(pkt + 10, fw_csum(pkt, 20));
    run(fw, 0, 0);
    CHECK_EQ(res.answer_len, 0);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "answers are limited to FW_ANSWERS_PER_S")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    int sent = 0;
    for (int k = 0; k < 3 * FW_ANSWERS_PER_S; k++) {
        udp(FAR, 5555, C1, 9);
        run(fw, 1, 0);
        sent += res.answer_len > 0;
    }
    CHECK_EQ(sent, FW_ANSWERS_PER_S);
    udp(FAR, 5555, C1, 9);
    run(fw, 1, S / 10);
    CHECK(res.answer_len > 0);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "spoofed sources: inside addresses from outside dropped")
{
    struct atoll_firewall *fw = make_fw(0, "policy accept\n");
    tcp(C1, 1, C2, 80, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    CHECK_STR(res.why, "source not of this side");
    tcp(FAR, 1, C2, 80, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    tcp(FAR, 1, C2, 80, FW_TCP_SYN, 1, 0, NULL);
    forwarded(run(fw, 1, 0), 0, C2);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.spoofed, 2);
    /* garbage */
    memset(pkt, 0x45, 40);
    pkt_len = 40;
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "full table: new flows refused, established ones kept")
{
    struct atoll_firewall *fw = make_fw(4, base_rules);
    for (int k = 0; k < 4; k++) {
        tcp(C1, (uint16_t)(41000 + k), SRV, 80, FW_TCP_SYN, 1, 0, NULL);
        forwarded(run(fw, 0, 0), 1, SRV);
        tcp(SRV, 80, OUT_ADDR, (uint16_t)(41000 + k), FW_TCP_SYN | FW_TCP_ACK,
            1, 2, NULL);
        forwarded(run(fw, 1, 0), 0, C1);
    }
    tcp(C1, 42000, SRV, 80, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    CHECK_STR(res.why, "connection table full");
    for (int k = 0; k < 4; k++) {
        tcp(C1, (uint16_t)(41000 + k), SRV, 80, FW_TCP_ACK, 2, 2, "x");
        forwarded(run(fw, 0, S), 1, SRV);
    }
    uint32_t n, max;
    uint64_t refused;
    atoll_firewall_ct_usage(fw, &n, &max, &refused);
    CHECK_EQ(n, 4);
    CHECK_EQ(max, 4);
    CHECK_EQ(refused, 1);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "a rule change keeps allowed connections; bad sets refused")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    tcp(C1, 40000, SRV, 80, FW_TCP_SYN, 1, 0, NULL);
    forwarded(run(fw, 0, 0), 1, SRV);
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_SYN | FW_TCP_ACK, 1, 2, NULL);
    forwarded(run(fw, 1, 0), 0, C1);
    /* new rules: nothing new may go out, established may */
    const char *strict = "accept state established\n"
                         "masquerade out outside\n";
    struct atoll_fw_error e;
    CHECK_EQ(atoll_firewall_set_rules(fw, strict, strlen(strict), &e), 0);
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 2, 2, "still here");
    forwarded(run(fw, 0, S), 1, SRV);
    tcp(C1, 40001, SRV, 80, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 0, S), ATOLL_FW_DROPPED);
    CHECK_EQ(atoll_firewall_rules(fw)->rules[0].packets, 1);

    /* a malformed set: refused, the strict one stays */
    const char *bad = "accept state established\naccept in nowhere\n";
    CHECK_EQ(atoll_firewall_set_rules(fw, bad, strlen(bad), &e), -ATOLL_EINVAL);
    CHECK_EQ(e.line, 2);
    CHECK_EQ(e.column, 11);
    CHECK_STR(atoll_firewall_rules(fw)->text, strict);
    tcp(C1, 40001, SRV, 80, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 0, S), ATOLL_FW_DROPPED);
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 12, 2, "and here");
    forwarded(run(fw, 0, S), 1, SRV);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet, "TCP windows: a blind reset and far data dropped and counted")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    tcp(C1, 40000, SRV, 80, FW_TCP_SYN, 1000, 0, NULL);
    forwarded(run(fw, 0, 0), 1, SRV);
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_SYN | FW_TCP_ACK, 7000, 1001, NULL);
    forwarded(run(fw, 1, 0), 0, C1);
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 1001, 7001, NULL);
    forwarded(run(fw, 0, 0), 1, SRV);
    /* a reset and data from the server's address and port, far from
     * anything the client's window allows */
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_RST, 7001 + 0x40000000u, 0, NULL);
    CHECK_EQ(run(fw, 1, S), ATOLL_FW_DROPPED);
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_ACK, 7001 + 1000000, 1001, "x");
    CHECK_EQ(run(fw, 1, S), ATOLL_FW_DROPPED);
    /* from the client: acknowledging data the server never sent */
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 1001, 9000, NULL);
    CHECK_EQ(run(fw, 0, S), ATOLL_FW_DROPPED);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.window, 3);
    CHECK_EQ(st.dropped, 3);
    /* the connection goes on */
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_ACK, 7001, 1001, "hello");
    forwarded(run(fw, 1, 2 * S), 0, C1);
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 1001, 7006, "more");
    forwarded(run(fw, 0, 2 * S), 1, SRV);
    /* a reset in the window passes and closes it */
    tcp(SRV, 80, OUT_ADDR, 40000, FW_TCP_RST, 7006, 0, NULL);
    forwarded(run(fw, 1, 3 * S), 0, C1);
    tcp(C1, 40000, SRV, 80, FW_TCP_ACK, 1005, 7006, "late");
    CHECK_EQ(run(fw, 0, 3 * S), ATOLL_FW_DROPPED);
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.window, 3);
    atoll_firewall_destroy(fw);
}

/* The fragment of the datagram at d (dlen bytes, a 20-byte header) that
 * holds its payload bytes [off, off + n), into pkt; `more` sets MF. */
static void fragment_of(const uint8_t *d, size_t off, size_t n, bool more)
{
    memcpy(pkt, d, 20);
    memcpy(pkt + 20, d + 20 + off, n);
    fw_wr16(pkt + 2, (uint16_t)(20 + n));
    fw_wr16(pkt + 6, (uint16_t)(off / 8 | (more ? FW_IP_MF : 0)));
    fw_wr16(pkt + 10, 0);
    fw_wr16(pkt + 10, fw_csum(pkt, 20));
    pkt_len = 20 + n;
}

/* A UDP datagram src:sp -> dst:dp of 2008 bytes of payload into d. */
static size_t big_udp(uint8_t *d, atoll_ipv4_t src, uint16_t sp,
                      atoll_ipv4_t dst, uint16_t dp, uint16_t id)
{
    uint8_t u[2016];
    for (size_t k = 0; k < sizeof u; k++)
        u[k] = (uint8_t)(k * 7);
    fw_wr16(u, sp);
    fw_wr16(u + 2, dp);
    fw_wr16(u + 4, sizeof u);
    build(src, dst, 17, u, sizeof u);
    fw_wr16(pkt + 4, id);
    memcpy(d, pkt, pkt_len);
    return pkt_len;
}

TEST(fw_packet, "fragments: later ones follow their first, translated alike")
{
    struct atoll_firewall *fw = make_fw(0, base_rules);
    static uint8_t d[2100], got[2100];
    size_t len = big_udp(d, C1, 5000, FAR, 7000, 0x1234);
    /* the first fragment carries the ports: masquerade as a whole packet */
    fragment_of(d, 0, 1480, true);
    forwarded_frag(run(fw, 0, 0), 1, GW);
    CHECK_EQ(SRC(), OUT_ADDR);
    memcpy(got, pkt, pkt_len);
    uint16_t port = SPORT();
    /* the rest follows it, its source translated the same way */
    fragment_of(d, 1480, len - 20 - 1480, false);
    forwarded_frag(run(fw, 0, 0), 1, GW);
    CHECK_EQ(SRC(), OUT_ADDR);
    CHECK_EQ(DST(), FAR);
    memcpy(got + 20 + 1480, pkt + 20, pkt_len - 20);
    /* put back together, the datagram's UDP checksum is still right */
    fw_wr16(got + 2, (uint16_t)len);
    fw_wr16(got + 6, 0);
    fw_wr16(got + 10, 0);
    fw_wr16(got + 10, fw_csum(got, 20));
    CHECK(sums_ok(got, len));

    /* the answer, fragmented too: its first finds the connection, the
     * rest follows to the client */
    len = big_udp(d, FAR, 7000, OUT_ADDR, port, 0x4321);
    fragment_of(d, 0, 1480, true);
    forwarded_frag(run(fw, 1, S), 0, C1);
    CHECK_EQ(DST(), C1);
    CHECK_EQ(DPORT(), 5000);
    fragment_of(d, 1480, len - 20 - 1480, false);
    forwarded_frag(run(fw, 1, S), 0, C1);
    CHECK_EQ(DST(), C1);

    /* a later fragment of a datagram whose first never passed */
    len = big_udp(d, C1, 5000, FAR, 7000, 0x9999);
    fragment_of(d, 1480, len - 20 - 1480, false);
    CHECK_EQ(run(fw, 0, S), ATOLL_FW_DROPPED);
    /* ... or whose first the rules dropped */
    len = big_udp(d, FAR, 7000, C1, 9, 0x5555);
    fragment_of(d, 0, 1480, true);
    CHECK_EQ(run(fw, 1, S), ATOLL_FW_DROPPED);
    fragment_of(d, 1480, len - 20 - 1480, false);
    CHECK_EQ(run(fw, 1, S), ATOLL_FW_DROPPED);
    /* ... or that expired */
    len = big_udp(d, C1, 5000, FAR, 7000, 0x1234);
    fragment_of(d, 1480, len - 20 - 1480, false);
    CHECK_EQ(run(fw, 0, S + FW_FRAG_NS), ATOLL_FW_DROPPED);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    CHECK_EQ(st.fragment, 3);
    CHECK_EQ(st.forwarded, 4);
    atoll_firewall_destroy(fw);
}
