/*
 * tests/fuzz/dhcp_packet.c - DHCP replies into the client's checker
 * (net_dhcp_parse_reply, the gate every packet on port 68 passes).  The
 * xid and hardware address are taken from the input itself so that the
 * fuzzer reaches the option parser.
 */
#include <stdint.h>
#include <string.h>

#include "../../lib/net/dhcp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t xid = 0;
    uint8_t mac[6] = {0};
    if (size >= 34) {
        xid = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
              (uint32_t)data[6] << 8 | data[7];
        memcpy(mac, data + 28, 6);
    }
    int r = net_dhcp_parse_reply(data, size, xid, mac);
    if (r > 6)
        __builtin_trap();
    return 0;
}
