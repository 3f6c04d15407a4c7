/* tests/fuzz/net_eth.c - whole Ethernet frames from the fuzzer, as they
 * would come from the wire (any destination, any EtherType); an IPv4
 * frame gets its checksums fixed up (net_fuzz.h). */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct atoll_stack *s = fuzz_setup();
    struct atoll_buf *b = atoll_buf_from(data, size);
    if (b) {
        if (b->len > 14 && net_get16(b->data + 12) == NET_ETHTYPE_IPV4)
            fuzz_fix_ipv4(b->data + 14, b->len - 14);
        s->in_rx = true;
        net_eth_input(s, b);
        net_eth_flush(s);
        s->in_rx = false;
    }
    return 0;
}
