/*
 * lib/fw/answer.c - ICMP errors and TCP resets the firewall sends about
 * packets it does not forward (lib/fw/answer.h), with RFC 1812's rules on
 * when a router may not send one and a token bucket on how many.
 */
#include <string.h>

#include "answer.h"
#include "atoll/net_tunables.h"
#include "atoll/time.h"

/* RFC 1812 4.3.2.8: a limit on the rate; a bucket of FW_ANSWERS_PER_S
 * tokens refilled continuously. */
bool fw_take_token(struct atoll_firewall *fw, atoll_time_t now)
{
    if (now > fw->tokens_at) {
        atoll_time_t el = now - fw->tokens_at;
        uint64_t add = (uint64_t)el * FW_ANSWERS_PER_S / 1000000000ull;
        if (add) {
            uint64_t t = fw->tokens + add;
            fw->tokens = t > FW_ANSWERS_PER_S ? FW_ANSWERS_PER_S : (uint32_t)t;
            fw->tokens_at = now;
        }
    }
    if (fw->tokens == 0) {
        fw->stats.answers_limited++;
        return false;
    }
    fw->tokens--;
    return true;
}

/* RFC 1812 4.3.2.7: no error about an ICMP error, a later fragment, or a
 * packet whose source does not name one host. */
static bool may_answer(const struct atoll_firewall *fw, const struct fw_ip4 *h)
{
    atoll_ipv4_t s = h->src;
    if (s == 0 || s == 0xffffffffu || (s >> 28) >= 14 || (s >> 24) == 127)
        return false;
    for (int k = 0; k < fw->n_if; k++) {
        uint32_t m = fw->mask[k];
        if (fw->ifs[k].prefix < 31 && (s & ~m) == ~m &&
            (s & m) == (fw->ifs[k].addr & m))
            return false; /* a directed broadcast */
    }
    if (h->frag & 0x1fff)
        return false;
    if (h->proto == 1 && h->tr.has_l4 && fw_icmp_is_error(h->tr.icmp_type))
        return false;
    return true;
}

static uint8_t *ip_header(struct atoll_firewall *fw, uint8_t *p,
                          atoll_ipv4_t src, atoll_ipv4_t dst, uint8_t proto,
                          size_t total)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    fw_wr16(p + 2, (uint16_t)total);
    fw_wr16(p + 4, fw->ip_id++);
    p[8] = 64;
    p[9] = proto;
    fw_wr32(p + 12, src);
    fw_wr32(p + 16, dst);
    fw_wr16(p + 10, fw_csum(p, 20));
    return p + 20;
}

static bool answer_route(struct atoll_firewall *fw, const struct fw_ip4 *h,
                         int in_if, atoll_time_t now,
                         struct atoll_fw_result *res)
{
    atoll_ipv4_t hop;
    if (!may_answer(fw, h) || fw_route(fw, h->src, &hop) != in_if ||
        !fw_take_token(fw, now))
        return false;
    res->answer_if = in_if;
    res->answer_hop = hop;
    fw->stats.answers++;
    return true;
}

void fw_answer_icmp(struct atoll_firewall *fw, const struct fw_pkt4 *k,
                    int in_if, uint8_t type, uint8_t code, uint16_t mtu,
                    atoll_time_t now, struct atoll_fw_result *res)
{
    const struct fw_ip4 *h = &k->o;
    if (!answer_route(fw, h, in_if, now, res))
        return;
    /* As much of the packet as fits in 576 bytes (RFC 1812 4.3.2.3). */
    size_t quote = h->len;
    if (quote > 576 - 28)
        quote = 576 - 28;
    uint8_t *icmp =
        ip_header(fw, res->answer, fw->ifs[in_if].addr, h->src, 1, 28 + quote);
    memset(icmp, 0, 8);
    icmp[0] = type;
    icmp[1] = code;
    if (type == 3 && code == 4)
        fw_wr16(icmp + 6, mtu);
    memcpy(icmp + 8, h->ip, quote);
    fw_wr16(icmp + 2, fw_csum(icmp, 8 + quote));
    res->answer_len = 28 + quote;
}

void fw_rst_segment(uint8_t *t, const uint8_t *in, size_t l4_len,
                    uint8_t tcp_flags)
{
    memset(t, 0, 20);
    memcpy(t, in + 2, 2); /* from the port it was sent to */
    memcpy(t + 2, in, 2);
    if (tcp_flags & 0x10) { /* ACK: seq = SEG.ACK, RST alone */
        memcpy(t + 4, in + 8, 4);
        t[13] = 0x04;
    } else { /* seq 0, ACK of SEG.SEQ + SEG.LEN (SYN and FIN count) */
        size_t off = (size_t)(in[12] >> 4) * 4;
        size_t data = l4_len > off ? l4_len - off : 0;
        uint32_t ack = fw_rd32(in + 4) + (uint32_t)data +
                       ((tcp_flags & 0x02) ? 1 : 0) +
                       ((tcp_flags & 0x01) ? 1 : 0);
        fw_wr32(t + 8, ack);
        t[13] = 0x14;
    }
    t[12] = 5 << 4;
}

void fw_answer_rst(struct atoll_firewall *fw, const struct fw_pkt4 *k,
                   int in_if, atoll_time_t now, struct atoll_fw_result *res)
{
    const struct fw_ip4 *h = &k->o;
    if (!h->tr.has_l4 || (h->tr.tcp_flags & 0x04) || h->l4_len < 20)
        return; /* never a reset for a reset */
    if (!answer_route(fw, h, in_if, now, res))
        return;
    uint8_t *t = ip_header(fw, res->answer, h->dst, h->src, 6, 40);
    fw_rst_segment(t, h->l4, h->l4_len, h->tr.tcp_flags);
    /* checksum over the pseudo-header and the 20 bytes */
    uint8_t ph[32];
    memcpy(ph, res->answer + 12, 8);
    ph[8] = 0;
    ph[9] = 6;
    fw_wr16(ph + 10, 20);
    memcpy(ph + 12, t, 20);
    fw_wr16(t + 16, fw_csum(ph, 32));
    res->answer_len = 40;
}
