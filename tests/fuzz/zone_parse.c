/*
 * tests/fuzz/zone_parse.c - master-file text into the zone parser
 * (atoll_dns_zone_parse), then one query against whatever zone came out,
 * so a zone that parses is also one that can be served.
 */
#include <stdint.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        struct atoll_runtime_opts o = {256u << 20, 1024, "quiet"};
        if (atoll_runtime_init(&o) < 0)
            __builtin_trap();
        init = true;
    }
    struct atoll_dns_zone *z;
    char err[128];
    if (atoll_dns_zone_parse((const char *)data, size, "z.test", &z, err,
                             sizeof err) < 0)
        return 0;
    uint8_t q[300], out[4096];
    int n = atoll_dns_query_build(q, sizeof q, 1, "www.z.test", 1);
    if (n > 0 && atoll_dns_answer(z, q, (size_t)n, out, sizeof out, false) < 0)
        __builtin_trap();
    n = atoll_dns_query_build(q, sizeof q, 1, "z.test", 255);
    if (n > 0 && atoll_dns_answer(z, q, (size_t)n, out, sizeof out, true) < 0)
        __builtin_trap();
    atoll_dns_zone_free(z);
    return 0;
}
