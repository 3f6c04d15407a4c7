/*
 * lib/fw/fw_int.h - the firewall object (atoll/firewall.h) as its parts
 * share it: firewall.c (the packet path, and its steps that do not depend
 * on the address family), firewall6.c (IPv6's path) and answer.c,
 * answer6.c (ICMP errors and resets it sends).
 */
#ifndef ATOLL_FW_INT_H
#define ATOLL_FW_INT_H

#include "atoll/firewall.h"
#include "atoll/net_tunables.h"
#include "ct.h"

#define FW_IFNAME_MAX 32

/* How a fragmented datagram went through (frag.c): its first fragment's
 * key as it came and how it left. */
struct fw_frag {
    uint8_t src[16], dst[16]; /* as it came (IPv4 mapped, atoll/fw.h) */
    uint32_t id;              /* identification */
    uint8_t proto;            /* IPv4's (part of its key); IPv6: 0 */
    int8_t in_if, out_if;
    atoll_ipv4_t hop;              /* IPv4: where it went */
    atoll_ipv4_t new_src, new_dst; /* IPv4: as it left */
    atoll_ipv6_t hop6;             /* IPv6: where it went */
    atoll_time_t expires;          /* 0: a free entry */
};

struct atoll_firewall {
    int n_if;
    struct atoll_fw_iface ifs[ATOLL_FW_IF_MAX];
    char names[ATOLL_FW_IF_MAX][FW_IFNAME_MAX];
    const char *ifnames[ATOLL_FW_IF_MAX];
    uint32_t mask[ATOLL_FW_IF_MAX];
    struct atoll_fw_rules *rules;
    struct fw_ct *ct;
    struct atoll_fw_stats stats;
    uint8_t key[16];
    /* answers: a token bucket of FW_ANSWERS_PER_S */
    uint32_t tokens;
    atoll_time_t tokens_at;
    uint16_t ip_id;
    struct fw_frag frags[FW_FRAGS_MAX];
};

/* Remember that the first fragment of a datagram was forwarded as f
 * says, for FW_FRAG_NS; a full table forgets its oldest entry. */
void fw_frag_note(struct atoll_firewall *fw, const struct fw_frag *f,
                  atoll_time_t now);
/* The way of the datagram a later fragment belongs to (key: its
 * addresses, id, proto and in_if), or NULL. */
const struct fw_frag *fw_frag_find(struct atoll_firewall *fw,
                                   const struct fw_frag *key, atoll_time_t now);

/* The interface toward dst and the next hop there, or -1: no route. */
int fw_route(const struct atoll_firewall *fw, atoll_ipv4_t dst,
             atoll_ipv4_t *hop);

/* The interface toward IPv6 dst and the next hop there, or -1. */
int fw_route6(const struct atoll_firewall *fw, const uint8_t dst[16],
              atoll_ipv6_t *hop);

/* What the steps common to both families read of a packet. */
struct fw_l4 {
    uint8_t proto;
    bool has_l4;       /* a transport header is there */
    const uint8_t *l4; /* it */
    size_t l4_len;     /* bytes from it to the packet's end */
    uint8_t tcp_hlen, tcp_flags;
    size_t len; /* the whole packet's length */
};

/* Count a dropped packet under *counter with its reason; returns
 * ATOLL_FW_DROPPED. */
int fw_drop(struct atoll_firewall *fw, struct atoll_fw_result *res,
            uint64_t *counter, const char *why);

/* The state (ATOLL_FW_ST_*) of a packet l of the tracked connection c
 * travelling in direction dir, and in win the TCP windows as they would
 * be after it; -1 when it falls outside them (counted and dropped). */
int fw_tracked_state(struct atoll_firewall *fw, struct fw_conn *c, int dir,
                     const struct fw_l4 *l, struct fw_tcp_win win[2],
                     struct atoll_fw_result *res);

/* The filter rules' action (ATOLL_FW_ACCEPT, _DROP, _REJECT) for packet
 * l seen as `view` in `state`; a drop or reject is counted.  Returns the
 * rule that decided (NULL: the policy), whose reject_with says how to
 * answer. */
const struct atoll_fw_rule *fw_filter(struct atoll_firewall *fw,
                                      const struct fw_l4 *l, int in_if,
                                      int out_if, uint8_t state,
                                      const struct fw_tuple *view,
                                      struct atoll_fw_result *res, int *action);

/* A packet of c that goes on: state, counters, expiry and (TCP) the
 * windows win that fw_tracked_state computed. */
void fw_conn_update(struct atoll_firewall *fw, struct fw_conn *c, int dir,
                    const struct fw_l4 *l, uint8_t state,
                    const struct fw_tcp_win win[2], atoll_time_t now);
/* The first packet of the new connection c. */
void fw_conn_first(struct atoll_firewall *fw, struct fw_conn *c,
                   const struct fw_l4 *l, atoll_time_t now);

/* atoll_firewall_packet for an IPv6 packet (firewall6.c). */
int fw_packet6(struct atoll_firewall *fw, int in_if, uint8_t *p, size_t len,
               unsigned flags, atoll_time_t now, struct atoll_fw_result *res);

/* A keyed hash of a tuple (where masquerade starts looking for a port). */
uint64_t fw_hash_tuple(const struct atoll_firewall *fw,
                       const struct fw_tuple *t);

/* The parts of a rule history (history.c) the management interface
 * (mgmt.c) reads. */
struct atoll_fw_history;
struct atoll_firewall *fw_history_firewall(struct atoll_fw_history *h);
struct atoll_store *fw_history_store(struct atoll_fw_history *h);

#endif
