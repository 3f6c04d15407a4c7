/* tests/fuzz/net_icmp.c - ICMP messages inside a valid IPv4 header; the
 * checksum is fixed up for half the inputs so the message parsers behind
 * it (echo, unreachable quoting) are reached. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    fuzz_ip(NET_PROTO_ICMP, data + 1, size - 1, data[0] & 1);
    return 0;
}
