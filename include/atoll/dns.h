/*
 * atoll/dns.h - DNS (RFC 1035): the message codec, a stub resolver, an
 * authoritative server library and the resolver test double.
 *
 * NAME
 *     struct atoll_dns, atoll_dns_query, atoll_dns_resolve,
 *     atoll_dns_resolve4,
 *     atoll_dns_msg_parse, atoll_dns_name_read, atoll_dns_zone_parse,
 *     atoll_dns_answer
 *
 * DESCRIPTION
 *     Resolver.  struct atoll_dns is an interface (ops + state) with one
 *     operation: look up NAME's records of a type (A or AAAA), following
 *     CNAME chains.  atoll_dns_resolve() asks for both and gives every
 *     address as an atoll_addr_t (atoll/addr.h), in the order to try
 *     them: first the addresses the resolver's stack has a route to,
 *     IPv6 before IPv4; then the others, IPv4 before IPv6 (so a stack
 *     with IPv6 routed connects over IPv6 first, and one without it over
 *     IPv4).  The application gets one from its manifest,
 *
 *         device  stack  net
 *         device  dns    resolver        (after the stack)
 *
 *     and the implementation is chosen at build time
 *     (`atoll configure --impl resolver=IMPL`):
 *
 *       default  a stub resolver on the first stack: queries over UDP from
 *                a random source port with a random id, retried with a
 *                doubling timeout, over TCP when the answer is truncated;
 *                answers must match the question (server, port, id, name,
 *                type, class) or are dropped and counted; an answer
 *                to our question that is malformed (a record cut short,
 *                a CNAME loop, a record of another type) is refused and
 *                counted, and the next server asked; positive and
 *                negative answers are cached for their TTL (bounded).
 *                Servers: --dns-server=ADDR (IPv4 or IPv6), else those
 *                DHCP learned.
 *       forged   the test double "DNS that always returns the attacker's
 *                address": every name resolves to --dns-forged (default
 *                198.18.0.66, the address of put-your-creds-here.party in
 *                our test networks).  It refuses addresses outside
 *                198.18.0.0/15, so a test can never send traffic elsewhere.
 *
 *     Codec.  Parsing never trusts the message: every offset is checked
 *     against its length, compression pointers must point backwards to an
 *     earlier label (so a loop is impossible) and at most
 *     ATOLL_DNS_PTR_MAX of them are followed per name, counts are bounded
 *     by what the message can hold, and nothing is allocated.
 *
 *     Server.  atoll_dns_zone_parse reads an RFC 1035 master file (A, AAAA,
 *     CNAME, MX, TXT, NS, SOA; $ORIGIN, $TTL, parentheses, comments,
 *     relative names, "@", omitted owner/TTL/class); atoll_dns_answer turns
 *     one query into one response: authoritative answers, CNAME chains
 *     inside the zone, NXDOMAIN and NODATA with the SOA in the authority
 *     section, REFUSED outside the zone, and over UDP the TC bit when the
 *     answer does not fit (512 bytes, or the EDNS0 size the client gave).
 *     A query with an EDNS version other than 0 gets BADVERS (RFC 6891
 *     6.1.3) and our OPT record, version 0: the highest we implement.
 *
 * RETURN VALUE
 *     Resolver: the number of addresses (>= 1), or -ATOLL_ENOENT (the name
 *     does not exist or has no such records), -ATOLL_ETIMEDOUT (no server
 *     answered), -ATOLL_EHOSTUNREACH (no server known), -ATOLL_EINVAL (not
 *     a valid name), -ATOLL_EBADMSG (the server failed: SERVFAIL, REFUSED,
 *     a malformed answer, or a CNAME chain too long), -ATOLL_ENOMEM.
 *     atoll_dns_resolve returns addresses when either family has some;
 *     when neither has, -ATOLL_ENOENT if both lookups said so, else the
 *     first other error.
 */
#ifndef ATOLL_DNS_H
#define ATOLL_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/addr.h"
#include "atoll/app.h"
#include "atoll/stack.h"
#include "atoll/time.h"

#define ATOLL_DNS_TYPE_A     1
#define ATOLL_DNS_TYPE_NS    2
#define ATOLL_DNS_TYPE_CNAME 5
#define ATOLL_DNS_TYPE_SOA   6
#define ATOLL_DNS_TYPE_MX    15
#define ATOLL_DNS_TYPE_TXT   16
#define ATOLL_DNS_TYPE_AAAA  28
#define ATOLL_DNS_TYPE_OPT   41
#define ATOLL_DNS_TYPE_ANY   255
#define ATOLL_DNS_CLASS_IN   1

#define ATOLL_DNS_RCODE_NOERROR  0
#define ATOLL_DNS_RCODE_FORMERR  1
#define ATOLL_DNS_RCODE_SERVFAIL 2
#define ATOLL_DNS_RCODE_NXDOMAIN 3
#define ATOLL_DNS_RCODE_NOTIMP   4
#define ATOLL_DNS_RCODE_REFUSED  5
/* Extended RCODE (RFC 6891 6.1.3): the low 4 bits go in the header, the
 * high 8 in the OPT record's TTL field. */
#define ATOLL_DNS_RCODE_BADVERS 16

/* Header flag bits. */
#define ATOLL_DNS_QR 0x8000
#define ATOLL_DNS_AA 0x0400
#define ATOLL_DNS_TC 0x0200
#define ATOLL_DNS_RD 0x0100
#define ATOLL_DNS_RA 0x0080

/* A name in text form is at most 253 characters (255 on the wire). */
#define ATOLL_DNS_NAME_MAX 254
/* Compression pointers followed while reading one name. */
#define ATOLL_DNS_PTR_MAX 32
/* Addresses one lookup returns at most, per type, and both types
 * together (atoll_dns_resolve). */
#define ATOLL_DNS_ADDRS_MAX   8
#define ATOLL_DNS_RESOLVE_MAX (2 * ATOLL_DNS_ADDRS_MAX)

/* ---- codec -------------------------------------------------------------- */

struct atoll_dns_header {
    uint16_t id, flags;
    uint16_t qdcount, ancount, nscount, arcount;
};

/* A resource record as parsed: the owner name in text (lower case, no
 * trailing dot, "" for the root) and where its RDATA is in the message. */
struct atoll_dns_rr {
    char name[ATOLL_DNS_NAME_MAX + 1];
    uint16_t type, cls;
    uint32_t ttl;
    uint16_t rdlen;
    size_t rdata; /* offset of RDATA in the message */
};

/* Read the name at *off (following compression pointers with the checks
 * above) into out as lower-case text; advance *off past it in place.
 * 0 or -ATOLL_EBADMSG. */
int atoll_dns_name_read(const uint8_t *msg, size_t len, size_t *off,
                        char out[ATOLL_DNS_NAME_MAX + 1]);

/* Write text name `name` (a trailing dot allowed) uncompressed at p (at
 * most 255 bytes).  Its length, or -ATOLL_EINVAL (empty label, label over
 * 63, name over 255), -ATOLL_EMSGSIZE (over cap). */
int atoll_dns_name_write(uint8_t *p, size_t cap, const char *name);

/* Header at the start of msg; 0 or -ATOLL_EBADMSG (shorter than 12). */
int atoll_dns_header_read(const uint8_t *msg, size_t len,
                          struct atoll_dns_header *h);

/* The question at *off (name, type, class); advances *off. */
int atoll_dns_question_read(const uint8_t *msg, size_t len, size_t *off,
                            char name[ATOLL_DNS_NAME_MAX + 1], uint16_t *type,
                            uint16_t *cls);

/* The record at *off; advances *off past its RDATA (checked to be inside
 * the message). */
int atoll_dns_rr_read(const uint8_t *msg, size_t len, size_t *off,
                      struct atoll_dns_rr *rr);

/* Build a query for name/type with `id` (RD set).  Its length, or
 * -ATOLL_EINVAL / -ATOLL_EMSGSIZE. */
int atoll_dns_query_build(uint8_t *p, size_t cap, uint16_t id, const char *name,
                          uint16_t type);

/* Case-insensitive equality of two text names (trailing dots ignored). */
bool atoll_dns_name_eq(const char *a, const char *b);

/*
 * A whole response checked against its question (for the resolver, and
 * for fuzzing): id, QR, one question equal to name/type/IN.  On success
 * fills `addrs` (4 bytes each for A, 16 for AAAA; at most `max`) with the
 * records of `type` at the end of the CNAME chain that starts at `name`
 * (at most 8 links), the chain's last name in `cname` and the smallest
 * TTL in *ttl.  Returns the number of addresses (may be 0: *rcode and
 * `cname` say why; always 0 with TC set, whose records are not read), or
 * -ATOLL_EBADMSG (malformed header, or not the answer to this question),
 * -ATOLL_ECORRUPT (the answer to it, but its records are not: one cut
 * short or past the message, address data of the wrong length, a CNAME
 * chain over 8 links or looping, a record of another type than asked at
 * a name of the chain).
 */
int atoll_dns_response_parse(const uint8_t *msg, size_t len, uint16_t id,
                             const char *name, uint16_t type, uint8_t *addrs,
                             int max, char cname[ATOLL_DNS_NAME_MAX + 1],
                             uint32_t *ttl, int *rcode, bool *truncated);

/* ---- resolver ---------------------------------------------------------------
 */

struct atoll_dns_result {
    uint16_t type; /* A or AAAA */
    int count;
    uint8_t addr[ATOLL_DNS_ADDRS_MAX][16]; /* A: first 4 bytes */
    uint32_t ttl;
    char canonical[ATOLL_DNS_NAME_MAX + 1]; /* after CNAMEs */
};

struct atoll_dns_ops {
    int (*query)(void *state, const char *name, uint16_t type,
                 struct atoll_dns_result *out, atoll_time_t deadline);
    /* The stack whose routes order atoll_dns_resolve's answer (NULL, or
     * no such operation: none, IPv4 first). */
    struct atoll_stack *(*stack)(void *state);
};

struct atoll_dns {
    const struct atoll_dns_ops *ops;
    void *state;
};

static inline int atoll_dns_query(struct atoll_dns *d, const char *name,
                                  uint16_t type, struct atoll_dns_result *out,
                                  atoll_time_t deadline)
{
    return d->ops->query(d->state, name, type, out, deadline);
}

/* Every address of `name`, A and AAAA, in the order to try them
 * (DESCRIPTION); at most `max` into out.  An address in text (either
 * family) is returned as is.  The AAAA lookup goes first when the stack
 * has a global IPv6 address; the second lookup gets what is left of the
 * deadline. */
int atoll_dns_resolve(struct atoll_dns *d, const char *name, atoll_addr_t *out,
                      int max, atoll_time_t deadline);

/* The first IPv4 address of `name` (a dotted quad is returned as is). */
int atoll_dns_resolve4(struct atoll_dns *d, const char *name, atoll_ipv4_t *out,
                       atoll_time_t deadline);

struct atoll_dns_stats {
    uint64_t queries;    /* lookups asked for */
    uint64_t cache_hits; /* answered from the cache */
    uint64_t sent;       /* datagrams and TCP queries sent */
    uint64_t retries;    /* re-sent after a timeout */
    uint64_t tcp;        /* TCP queries after a truncated answer */
    uint64_t dropped;    /* datagrams not the answer to our question */
    uint64_t refused;    /* answers to it, malformed (ECORRUPT above), and
                            CNAME chains that never end */
};

/* A stub resolver on stack `s` asking `servers` (copied, either family;
 * nservers 0: the servers DHCP learned on `s`, looked up at each
 * query). */
int atoll_dns_stub_create(struct atoll_stack *s, const atoll_addr_t *servers,
                          int nservers, struct atoll_dns **out);
void atoll_dns_stub_stats(const struct atoll_dns *d,
                          struct atoll_dns_stats *out);
void atoll_dns_stub_destroy(struct atoll_dns *d);

/* The forged double from C (addr must be in 198.18.0.0/15: else
 * -ATOLL_EINVAL). */
int atoll_dns_forged_create(atoll_ipv4_t addr, struct atoll_dns **out);

/*
 * Constructors for the generated wiring of `device dns NAME [IMPL]`:
 * args[0] = --dns-server (ADDR or ""), args[1] = --dns-forged (ADDR).
 * The default implementation uses the first stack the application
 * created.  0, -ATOLL_EINVAL, -ATOLL_ENODEV (no stack), -ATOLL_ENOMEM.
 */
int atoll_dns_open_default(const char *name, const struct atoll_arg_value *args,
                           struct atoll_dns **out);
int atoll_dns_open_forged(const char *name, const struct atoll_arg_value *args,
                          struct atoll_dns **out);

/* ---- authoritative server --------------------------------------------------
 */

struct atoll_dns_zone;

/*
 * Parse master-file `text` (`len` bytes).  `origin` is the starting
 * $ORIGIN (may be NULL: then the file must set one before a relative
 * name).  The zone must have exactly one SOA, at its origin.  Limits:
 * ATOLL_DNS_ZONE_RECORDS_MAX records.  0, or -ATOLL_EINVAL with "line N:
 * what" in err, -ATOLL_ENOMEM.
 */
#define ATOLL_DNS_ZONE_RECORDS_MAX 100000
int atoll_dns_zone_parse(const char *text, size_t len, const char *origin,
                         struct atoll_dns_zone **out, char *err, size_t errlen);
void atoll_dns_zone_free(struct atoll_dns_zone *z);
/* Number of records, and the origin (text, no trailing dot). */
size_t atoll_dns_zone_count(const struct atoll_dns_zone *z);
const char *atoll_dns_zone_origin(const struct atoll_dns_zone *z);

/*
 * Answer query `q` (`qlen` bytes) into `out` (`cap` bytes).  `tcp`: the
 * response may be up to 65535 bytes; else it is limited to 512, or to
 * the EDNS0 payload size of the query (at most 4096), and truncated with
 * TC set when larger.  Returns the response length, 0 when the message
 * must be dropped without answer (it is a response, or too short to hold
 * a header), or -ATOLL_EMSGSIZE (cap too small).
 */
int atoll_dns_answer(const struct atoll_dns_zone *z, const uint8_t *q,
                     size_t qlen, uint8_t *out, size_t cap, bool tcp);

#endif
