/*
 * tests/fuzz/dns_message.c - DNS messages from the network into both of
 * our parsers: the resolver's response check (atoll_dns_response_parse,
 * for A and AAAA, with the question taken from the message itself so the
 * fuzzer gets past the "not our question" gate) and the authoritative
 * answerer (atoll_dns_answer over UDP and TCP) with a small zone.  The
 * answerer's output must parse as a response to the query.
 */
#include <stdint.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct atoll_dns_zone *zone;

static const char text[] = "$ORIGIN f.test.\n$TTL 60\n"
                           "@ SOA ns h 1 2 3 4 5\n@ NS ns\n@ MX 1 mx\n"
                           "ns A 198.18.0.1\nwww A 198.18.0.2\n"
                           "www AAAA 2001:db8::2\nc CNAME www\nd CNAME c\n"
                           "t TXT \"x\"\nloop CNAME loop\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!zone) {
        struct atoll_runtime_opts o = {64u << 20, 1024, "quiet"};
        if (atoll_runtime_init(&o) < 0 ||
            atoll_dns_zone_parse(text, strlen(text), NULL, &zone, NULL, 0) < 0)
            __builtin_trap();
    }
    struct atoll_dns_header h;
    if (atoll_dns_header_read(data, size, &h) == 0) {
        size_t off = 12;
        char name[ATOLL_DNS_NAME_MAX + 1];
        uint16_t type, cls;
        if (atoll_dns_question_read(data, size, &off, name, &type, &cls) == 0) {
            uint8_t addrs[ATOLL_DNS_ADDRS_MAX * 16];
            char cname[ATOLL_DNS_NAME_MAX + 1];
            uint32_t ttl;
            int rcode;
            bool tc;
            int n = atoll_dns_response_parse(data, size, h.id, name, type,
                                             addrs, ATOLL_DNS_ADDRS_MAX, cname,
                                             &ttl, &rcode, &tc);
            if (n > ATOLL_DNS_ADDRS_MAX)
                __builtin_trap();
        }
    }
    static uint8_t out[65535];
    for (int tcp = 0; tcp < 2; tcp++) {
        int n = atoll_dns_answer(zone, data, size, out, sizeof out, tcp);
        if (n < 0 || (!tcp && n > 4096))
            __builtin_trap();
        if (n >= 12) {
            struct atoll_dns_header r;
            atoll_dns_header_read(out, (size_t)n, &r);
            if (!(r.flags & ATOLL_DNS_QR) || r.id != h.id)
                __builtin_trap();
        }
    }
    return 0;
}
