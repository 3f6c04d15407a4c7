/*
 * lib/fw/fw_int.h - the firewall object (atoll/firewall.h) as its parts
 * share it: firewall.c (the packet path) and answer.c (ICMP errors and
 * resets it sends).
 */
#ifndef ATOLL_FW_INT_H
#define ATOLL_FW_INT_H

#include "atoll/firewall.h"
#include "ct.h"

#define FW_IFNAME_MAX 32

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
};

/* The interface toward dst and the next hop there, or -1: no route. */
int fw_route(const struct atoll_firewall *fw, atoll_ipv4_t dst,
             atoll_ipv4_t *hop);

/* A keyed hash of a tuple (where masquerade starts looking for a port). */
uint64_t fw_hash_tuple(const struct atoll_firewall *fw,
                       const struct fw_tuple *t);

/* The parts of a rule history (history.c) the management interface
 * (mgmt.c) reads. */
struct atoll_fw_history;
struct atoll_firewall *fw_history_firewall(struct atoll_fw_history *h);
struct atoll_store *fw_history_store(struct atoll_fw_history *h);

#endif
