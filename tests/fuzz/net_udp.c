/* tests/fuzz/net_udp.c - UDP datagrams inside a valid IPv4 header, to the
 * bound port 7 when the checksum is fixed up (queues, port unreachable). */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    fuzz_ip(NET_PROTO_UDP, data + 1, size - 1, data[0] & 1);
    return 0;
}
