/* tests/fuzz/net_ipv4.c - IPv4 packets (header included) from the
 * fuzzer: checks, options, fragments and reassembly, and (checksums fixed
 * up, see net_fuzz.h) the transports behind them. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pkt[70000];
    if (size > sizeof pkt)
        size = sizeof pkt;
    memcpy(pkt, data, size);
    fuzz_fix_ipv4(pkt, size);
    fuzz_frame(NET_ETHTYPE_IPV4, pkt, size);
    return 0;
}
