/*
 * lib/fw/answer.h - what the firewall sends back about a packet it does
 * not forward: ICMP errors (destination unreachable, time exceeded,
 * fragmentation needed) and TCP resets, limited in rate.
 */
#ifndef ATOLL_FW_ANSWER_H
#define ATOLL_FW_ANSWER_H

#include "fw_int.h"
#include "pkt4.h"

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

#endif
