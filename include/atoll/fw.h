/*
 * atoll/fw.h - the firewall's rule language: a rule set a person can read,
 * parsed into tables the packet path matches against.
 *
 * NAME
 *     struct atoll_fw_rules, atoll_fw_rules_parse, atoll_fw_rules_free,
 *     atoll_fw_rules_format, atoll_fw_rules_match
 *
 * DESCRIPTION
 *     A rule set is text, one statement a line; '#' starts a comment that
 *     runs to the end of the line.  Words are separated by blanks.
 *
 *         policy drop
 *         accept state established,related
 *         accept in inside out outside state new
 *         reject in outside proto tcp to any port 23
 *         reject with icmp-admin in outside proto udp to any port 1-1023
 *         masquerade out outside from 198.18.1.0/24
 *         forward in outside proto tcp port 8080 to 198.18.1.2 port 80
 *
 *     Statements:
 *
 *       policy accept|drop
 *           what happens to a forwarded packet no rule matches (the
 *           default is drop).  At most one policy line.
 *       accept|drop|reject [with HOW] MATCH...
 *           a filter rule.  Rules are tried in order for every forwarded
 *           packet (after port forwarding rewrote its destination, before
 *           masquerade rewrites its source) and the first whose every
 *           MATCH holds decides.  reject drops the packet and answers:
 *           HOW is tcp-reset (proto tcp only), icmp-net, icmp-host,
 *           icmp-port or icmp-admin (ICMP destination unreachable with
 *           code 0, 1, 3 or 13; for an IPv6 packet ICMPv6's codes
 *           0, 3, 4 and 1 of RFC 4443 3.1); without `with`, tcp-reset
 *           when the rule says proto tcp, icmp-port otherwise.
 *       masquerade out IF [from PREFIX]
 *           connections leaving by IF (from PREFIX, when given) take IF's
 *           address as their source, with a source port the firewall
 *           allocates.
 *       forward in IF proto tcp|udp port PORTS to ADDR [port PORT]
 *           connections arriving on IF for the firewall's address and a
 *           port in PORTS go to ADDR (at PORT, or the same port).
 *
 *     MATCH is any of, each at most once:
 *
 *       in IF            arrived on interface IF
 *       out IF           leaves by interface IF
 *       from ADDR        source: `any`, an address or a PREFIX (a.b.c.d/n)
 *       from ADDR port PORTS   ... and source port in PORTS
 *       to ADDR [port PORTS]   destination, the same way
 *       proto P          tcp, udp, icmp, icmpv6 (58), or a number 0-255
 *       state S[,S...]   the connection state: new, established,
 *                        related (an ICMP error about a tracked
 *                        connection), invalid
 *
 *     PORTS is N or N-M (0-65535); a port needs proto tcp or udp earlier
 *     on the line.  IF must be one of the interface names the caller
 *     passes (those of the manifest).  ADDR in `from` and `to` of a
 *     filter rule is IPv4 (a.b.c.d[/len]) or IPv6 (RFC 4291 2.2 text,
 *     [/len]); masquerade and forward take IPv4 only (IPv6 is not
 *     translated: no NAT66).  Addresses are kept in 16 bytes (IPv4 as
 *     ::ffff:a.b.c.d, RFC 4291 2.5.5.2); an IPv4 prefix holds only IPv4
 *     addresses and an IPv6 one only IPv6 addresses.
 *
 *     Errors.  A malformed rule set is refused whole: the error names the
 *     line and column (both from 1, columns in bytes) of the first
 *     offending word and says what was wrong.  Nothing is applied in part;
 *     the caller keeps the rule set it has.  Limits (net_tunables.h):
 *     FW_RULES_TEXT_MAX bytes of text, FW_RULES_MAX statements,
 *     FW_LINE_MAX bytes a line.
 *
 *     Counters.  Every filter rule counts the packets and bytes it decided
 *     (packets and bytes fields), from 0 when the rule set is parsed.
 *
 * RETURN VALUE
 *     atoll_fw_rules_parse: 0, -ATOLL_EINVAL (malformed: *err says where
 *     and why), -ATOLL_E2BIG (a limit), -ATOLL_ENOMEM.
 *     atoll_fw_rules_format: the length of the text (as snprintf: it may
 *     exceed len, and then the text was cut).
 */
#ifndef ATOLL_FW_H
#define ATOLL_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/stack.h"

/* An address or prefix in 16 bytes; IPv4 mapped, len counts all 128 bits
 * (198.18.0.0/15 is ::ffff:198.18.0.0/111).  An IPv6 prefix (v6) never
 * holds a mapped IPv4 address, even ::/0. */
struct atoll_fw_prefix {
    uint8_t addr[16];
    uint8_t len; /* 0 and not v6 = any */
    uint8_t v6;  /* written as IPv6 */
};

struct atoll_fw_ports {
    uint16_t lo, hi; /* inclusive; 0-65535 = any */
};

enum atoll_fw_action { ATOLL_FW_ACCEPT, ATOLL_FW_DROP, ATOLL_FW_REJECT };

enum atoll_fw_reject {
    ATOLL_FW_REJ_TCP_RESET,
    ATOLL_FW_REJ_ICMP_NET,   /* destination unreachable, code 0 */
    ATOLL_FW_REJ_ICMP_HOST,  /* code 1 */
    ATOLL_FW_REJ_ICMP_PORT,  /* code 3 */
    ATOLL_FW_REJ_ICMP_ADMIN, /* code 13, communication administratively
                                prohibited (RFC 1812 5.2.7.1) */
};

/* Connection states, as bits of atoll_fw_rule.states. */
#define ATOLL_FW_ST_NEW         0x1
#define ATOLL_FW_ST_ESTABLISHED 0x2
#define ATOLL_FW_ST_RELATED     0x4
#define ATOLL_FW_ST_INVALID     0x8

#define ATOLL_FW_ANY_IF (-1)

struct atoll_fw_rule {
    uint8_t action;       /* enum atoll_fw_action */
    uint8_t reject_with;  /* enum atoll_fw_reject */
    int16_t proto;        /* -1 any */
    uint8_t states;       /* ATOLL_FW_ST_* bits; 0 any */
    int8_t in_if, out_if; /* index into the names given; ATOLL_FW_ANY_IF */
    struct atoll_fw_prefix src, dst;
    struct atoll_fw_ports sport, dport;
    int line; /* where it was written */
    uint64_t packets, bytes;
};

struct atoll_fw_masq {
    int8_t out_if;
    struct atoll_fw_prefix src;
    int line;
};

struct atoll_fw_forward {
    int8_t in_if;
    uint8_t proto; /* 6 or 17 */
    struct atoll_fw_ports ports;
    uint8_t to[16];   /* mapped like a prefix's address */
    uint16_t to_port; /* 0 = the same port */
    int line;
};

struct atoll_fw_rules {
    uint8_t policy; /* ATOLL_FW_ACCEPT or ATOLL_FW_DROP */
    int n_rules, n_masq, n_forward;
    struct atoll_fw_rule *rules;
    struct atoll_fw_masq *masq;
    struct atoll_fw_forward *forward;
    char *text; /* the text parsed, NUL-terminated */
    size_t text_len;
};

struct atoll_fw_error {
    int line, column; /* from 1; 0 when the error is about the whole text */
    char msg[120];
};

/* Parse text[0..len) against the interface names ifnames[0..n_if).  On
 * success *out is a new rule set (free with atoll_fw_rules_free). */
int atoll_fw_rules_parse(const char *text, size_t len,
                         const char *const *ifnames, int n_if,
                         struct atoll_fw_rules **out,
                         struct atoll_fw_error *err);
void atoll_fw_rules_free(struct atoll_fw_rules *r);

/* The rule set in canonical form, one statement a line, without comments
 * (parsing it again gives the same tables). */
int atoll_fw_rules_format(const struct atoll_fw_rules *r,
                          const char *const *ifnames, char *buf, size_t len);

/* What a filter rule is matched against: one forwarded packet. */
struct atoll_fw_pkt {
    int in_if, out_if;
    uint8_t proto;
    uint8_t state; /* one ATOLL_FW_ST_* bit */
    uint8_t src[16], dst[16];
    uint16_t sport, dport; /* 0 unless TCP or UDP */
    uint32_t len;          /* bytes, for the counters */
};

/* The first rule that matches p (its counters counted), or NULL: then the
 * policy decides. */
struct atoll_fw_rule *atoll_fw_rules_match(struct atoll_fw_rules *r,
                                           const struct atoll_fw_pkt *p);

/* addr in 16-byte form from an IPv4 address (host order) and back. */
void atoll_fw_addr4(uint8_t out[16], atoll_ipv4_t a);
bool atoll_fw_addr_is4(const uint8_t a[16]);
atoll_ipv4_t atoll_fw_addr_v4(const uint8_t a[16]);
bool atoll_fw_prefix_has(const struct atoll_fw_prefix *p, const uint8_t a[16]);

#endif
