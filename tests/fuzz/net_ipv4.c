/* tests/fuzz/net_ipv4.c - IPv4 packets (header included) from the
 * fuzzer: checks, options, fragments and reassembly. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_frame(NET_ETHTYPE_IPV4, data, size);
    return 0;
}
