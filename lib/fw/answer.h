/*
 * lib/fw/answer.h - what the firewall sends back about a packet it does
 * not forward: ICMP errors (destination unreachable, time exceeded,
 * fragmentation needed) and TCP resets, limited in rate.
 */
#ifndef ATOLL_FW_ANSWER_H
#define ATOLL_FW_ANSWER_H

#include "fw_int.h"
#include "pkt4.h"
#include "pkt6.h"

/* Whether the rate limit (FW_ANSWERS_PER_S, RFC 1812 4.3.2.8 and RFC
 * 4443 2.4 f) lets one more answer out now; counts the refusal. */
bool fw_take_token(struct atoll_firewall *fw, atoll_time_t now);

/* An ICMP error of type/code (mtu: the next-hop MTU of "fragmentation
 * needed", RFC 1191) about k, which arrived on in_if, into res->answer,
 * from in_if's address to k's source.  Nothing when RFC 1812 4.3.2.7
 * forbids one or the rate limit is reached. */
void fw_answer_icmp(struct atoll_firewall *fw, const struct fw_pkt4 *k,
                    int in_if, uint8_t type, uint8_t code, uint16_t mtu,
                    atoll_time_t now, struct atoll_fw_result *res);

/* A TCP reset for the segment k (RFC 793 3.4: seq from its ACK, or an ACK
 * of everything it carried), from the address and port it was sent to. */
void fw_answer_rst(struct atoll_firewall *fw, const struct fw_pkt4 *k,
                   int in_if, atoll_time_t now, struct atoll_fw_result *res);

/* The 20-byte reset at t answering the TCP segment at in (l4_len bytes
 * from its header, tcp_flags its flags; RFC 793 3.4), checksum zero. */
void fw_rst_segment(uint8_t *t, const uint8_t *in, size_t l4_len,
                    uint8_t tcp_flags);

/* An ICMPv6 error of type/code with its 32-bit parameter (the MTU of a
 * Packet Too Big) about k, which arrived on in_if, from in_if's IPv6
 * address to k's source, quoting as much of k as fits in 1280 bytes
 * (RFC 4443 2.4 c).  Nothing when RFC 4443 2.4 e forbids one, in_if has
 * no IPv6 address, or the rate limit is reached. */
void fw_answer_icmp6(struct atoll_firewall *fw, const struct fw_pkt6 *k,
                     int in_if, uint8_t type, uint8_t code, uint32_t param,
                     atoll_time_t now, struct atoll_fw_result *res);

/* fw_answer_rst for a TCP segment in IPv6. */
void fw_answer_rst6(struct atoll_firewall *fw, const struct fw_pkt6 *k,
                    int in_if, atoll_time_t now, struct atoll_fw_result *res);

#endif
