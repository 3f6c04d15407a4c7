/*
 * tests/fuzz/fw_packet.c - packets into the firewall's translation path
 * (atoll_firewall_packet) through a firewall with masquerade, port
 * forwarding and reject rules.  The input is a sequence of packets, each
 * a byte choosing the interface and a 16-bit length before it, so one
 * input can open a connection and then send its replies and ICMP errors
 * about it.  Header checksums (the packet's and an ICMP error's quote)
 * are fixed up so the path behind the check is reached.  Both interfaces
 * have IPv6 prefixes too, so a packet of version 6 takes the IPv6 path.
 * What must hold: a forwarded packet's IPv4 header checksum is right,
 * and its transport checksum is right whenever the input's was
 * (translation never breaks a checksum; IPv6's upper-layer checksum is
 * checked when no extension header comes first); an answer fits in its
 * buffer and has a right header (IPv6: a payload length that is its
 * length, and a right ICMPv6 or TCP checksum).
 */
#include <stdint.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/fw/pkt4.h"
#include "atoll/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "accept state established,related\n"
    "reject in outside proto tcp to any port 23\n"
    "reject with icmp-admin in outside proto udp to any port 9\n"
    "accept in inside out outside\n"
    "accept in outside proto tcp to 198.18.1.2 port 80\n"
    "masquerade out outside from 198.18.1.0/24\n"
    "forward in outside proto tcp port 8080 to 198.18.1.2 port 80\n"
    "forward in outside proto udp port 5000-5010 to 198.18.1.3\n";

static void fix_header(uint8_t *p, size_t n)
{
    if (n < 20 || (p[0] >> 4) != 4)
        return;
    size_t hl = (size_t)(p[0] & 15) * 4;
    if (hl < 20 || hl > n)
        return;
    fw_wr16(p + 10, 0);
    fw_wr16(p + 10, fw_csum(p, hl));
}

/* The transport checksum of an unfragmented TCP, UDP or ICMP packet is
 * right (UDP without one counts as right). */
static int l4_ok(const uint8_t *p, size_t n)
{
    size_t hl = (size_t)(p[0] & 15) * 4;
    size_t tot = fw_rd16(p + 2);
    if (tot > n || tot < hl || (fw_rd16(p + 6) & 0x3fff))
        return -1;
    const uint8_t *t = p + hl;
    size_t l = tot - hl;
    if (p[9] == 1)
        return l >= 8 && fw_csum(t, l) == 0;
    if ((p[9] != 6 || l < 20) && (p[9] != 17 || l < 8))
        return -1;
    if (p[9] == 17 && fw_rd16(t + 6) == 0)
        return 1;
    static uint8_t ph[70000];
    memcpy(ph, p + 12, 8);
    ph[8] = 0;
    ph[9] = p[9];
    fw_wr16(ph + 10, (uint16_t)l);
    memcpy(ph + 12, t, l);
    return fw_csum(ph, 12 + l) == 0;
}

/* The upper-layer checksum of an IPv6 packet whose TCP, UDP or ICMPv6
 * header follows the fixed one: 1 right, 0 wrong, -1 another packet. */
static int l4_ok6(const uint8_t *p, size_t n)
{
    if (n < 48 || (p[0] >> 4) != 6 || (p[6] != 6 && p[6] != 17 && p[6] != 58))
        return -1;
    size_t l = fw_rd16(p + 4);
    if (40 + l > n || l < 8)
        return -1;
    static uint8_t ph[70000];
    memcpy(ph, p + 8, 32);
    fw_wr32(ph + 32, (uint32_t)l);
    ph[36] = ph[37] = ph[38] = 0;
    ph[39] = p[6];
    memcpy(ph + 40, p + 40, l);
    return fw_csum(ph, 40 + l) == 0;
}

/* 16 bytes of fd00:N::A, for the interfaces' IPv6 side. */
static atoll_ipv6_t ula(uint8_t n, uint8_t a)
{
    atoll_ipv6_t x = {{0xfd, 0, 0, n, [15] = a}};
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        struct atoll_runtime_opts o = {256u << 20, 1024, "quiet"};
        if (atoll_runtime_init(&o) < 0)
            __builtin_trap();
        init = true;
    }
    struct atoll_fw_iface ifs[2] = {
        {.name = "inside",
         .addr = 0xc6120101u,
         .prefix = 24,
         .gateway = 0,
         .mtu = 1500,
         .addr6 = ula(1, 1),
         .prefix6 = 64},
        {.name = "outside",
         .addr = 0xc6120201u,
         .prefix = 24,
         .gateway = 0xc61202feu,
         .mtu = 1500,
         .addr6 = ula(2, 1),
         .prefix6 = 64,
         .gateway6 = ula(2, 0xfe)},
    };
    static const uint8_t key[16] = "fuzz-fw-packet!!";
    struct atoll_firewall *fw;
    if (atoll_firewall_create(ifs, 2, 64, key, &fw) < 0 ||
        atoll_firewall_set_rules(fw, rules, sizeof rules - 1, NULL) < 0)
        __builtin_trap();
    static uint8_t pkt[4096];
    static struct atoll_fw_result res;
    atoll_time_t now = 0;
    while (size >= 3) {
        uint8_t ctl = data[0];
        size_t n = fw_rd16(data + 1) % sizeof pkt;
        data += 3;
        size -= 3;
        if (n > size)
            n = size;
        memcpy(pkt, data, n);
        data += n;
        size -= n;
        fix_header(pkt, n);
        /* an ICMP error's quote gets a right header too */
        if (n >= 48 && pkt[9] == 1 && (pkt[0] & 15) == 5)
            fix_header(pkt + 28, n - 28);
        bool v6 = n && (pkt[0] >> 4) == 6;
        int before = v6 ? l4_ok6(pkt, n) : n >= 20 ? l4_ok(pkt, n) : -1;
        unsigned flags = (ctl & 2) ? ATOLL_FW_PKT_GSO : 0;
        now += (ctl >> 2) * 1000000000LL;
        int v = atoll_firewall_packet(fw, ctl & 1, pkt, n, flags, now, &res);
        if (v == ATOLL_FW_FORWARD && v6) {
            if (res.out_if < 0 || res.out_if > 1 ||
                (before == 1 && l4_ok6(pkt, n) != 1))
                __builtin_trap();
        } else if (v == ATOLL_FW_FORWARD) {
            /* the header checksum covers the options too */
            if (res.out_if < 0 || res.out_if > 1 ||
                fw_csum(pkt, (size_t)(pkt[0] & 15) * 4) != 0)
                __builtin_trap();
            if (before == 1 && l4_ok(pkt, n) != 1)
                __builtin_trap();
        }
        if (res.answer_len && (res.answer[0] >> 4) == 6) {
            if (res.answer_len > sizeof res.answer ||
                fw_rd16(res.answer + 4) + 40u != res.answer_len ||
                l4_ok6(res.answer, res.answer_len) != 1 ||
                res.answer_if != (ctl & 1))
                __builtin_trap();
        } else if (res.answer_len) {
            if (res.answer_len > sizeof res.answer ||
                fw_csum(res.answer, (size_t)(res.answer[0] & 15) * 4) != 0 ||
                res.answer_if != (ctl & 1))
                __builtin_trap();
        }
        if ((size_t)res.len > n)
            __builtin_trap();
    }
    atoll_firewall_destroy(fw);
    return 0;
}
