/*
 * lib/fw/answer6.c - ICMPv6 errors and TCP resets the firewall sends
 * about IPv6 packets it does not forward (lib/fw/answer.h), with RFC
 * 4443 2.4's rules on when none may be sent, under the same rate limit
 * as IPv4's answers.
 */
#include <string.h>

#include "answer.h"
#include "atoll/net_tunables.h"
#include "atoll/time.h"

static bool unspecified(const uint8_t a[16])
{
    static const uint8_t zero[16];
    return !memcmp(a, zero, 16);
}

/* RFC 4443 2.4 e: no error about an ICMPv6 error, or about a packet
 * whose source is not one host (unspecified, multicast) or that went to
 * a multicast group; nor about a later fragment (as RFC 1812 4.3.2.7 for
 * IPv4: it says nothing of whom it is from). */
static bool may_answer(const struct fw_ip6 *h)
{
    if (unspecified(h->src) || h->src[0] == 0xff || h->dst[0] == 0xff)
        return false;
    if (h->frag_off)
        return false;
    return !(h->proto == FW_IP6_ICMP && h->tr.has_l4 &&
             fw_icmp6_is_error(h->tr.icmp_type));
}

/* The answer's way back and its IPv6 header (payload `plen` bytes, from
 * `src`); false when none may go. */
static bool answer_start(struct atoll_firewall *fw, const struct fw_ip6 *h,
                         const uint8_t src[16], int in_if, uint8_t proto,
                         size_t plen, atoll_time_t now,
                         struct atoll_fw_result *res)
{
    atoll_ipv6_t hop;
    if (!fw->ifs[in_if].prefix6 || !may_answer(h) ||
        fw_route6(fw, h->src, &hop) != in_if || !fw_take_token(fw, now))
        return false;
    res->answer_if = in_if;
    res->answer_hop6 = hop;
    fw->stats.answers++;
    uint8_t *p = res->answer;
    memset(p, 0, 40);
    p[0] = 0x60;
    fw_wr16(p + 4, (uint16_t)plen);
    p[6] = proto;
    p[7] = 64; /* as IPv4's answers */
    memcpy(p + 8, src, 16);
    memcpy(p + 24, h->src, 16);
    res->answer_len = 40 + plen;
    return true;
}

void fw_answer_icmp6(struct atoll_firewall *fw, const struct fw_pkt6 *k,
                     int in_if, uint8_t type, uint8_t code, uint32_t param,
                     atoll_time_t now, struct atoll_fw_result *res)
{
    const struct fw_ip6 *h = &k->o;
    size_t quote = h->len;
    if (quote > sizeof res->answer - 48)
        quote = sizeof res->answer - 48;
    if (!answer_start(fw, h, fw->ifs[in_if].addr6.b, in_if, FW_IP6_ICMP,
                      8 + quote, now, res))
        return;
    uint8_t *icmp = res->answer + 40;
    icmp[0] = type;
    icmp[1] = code;
    fw_wr16(icmp + 2, 0);
    fw_wr32(icmp + 4, param);
    memcpy(icmp + 8, h->ip, quote);
    fw_wr16(icmp + 2, fw_csum6(res->answer + 8, res->answer + 24, FW_IP6_ICMP,
                               icmp, 8 + quote));
}

void fw_answer_rst6(struct atoll_firewall *fw, const struct fw_pkt6 *k,
                    int in_if, atoll_time_t now, struct atoll_fw_result *res)
{
    const struct fw_ip6 *h = &k->o;
    if (!h->tr.has_l4 || h->proto != 6 || (h->tr.tcp_flags & 0x04) ||
        h->l4_len < 20)
        return; /* never a reset for a reset */
    /* from the address the segment was sent to */
    if (!answer_start(fw, h, h->dst, in_if, 6, 20, now, res))
        return;
    uint8_t *t = res->answer + 40;
    fw_rst_segment(t, h->l4, h->l4_len, h->tr.tcp_flags);
    fw_wr16(t + 16, fw_csum6(res->answer + 8, res->answer + 24, 6, t, 20));
}
