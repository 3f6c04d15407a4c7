/* tests/fuzz/net_eth.c - whole Ethernet frames from the fuzzer, as they
 * would come from the wire (any destination, any EtherType). */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct atoll_stack *s = fuzz_setup();
    struct atoll_buf *b = atoll_buf_from(data, size);
    if (b) {
        s->in_rx = true;
        net_eth_input(s, b);
        net_eth_flush(s);
        s->in_rx = false;
    }
    return 0;
}
