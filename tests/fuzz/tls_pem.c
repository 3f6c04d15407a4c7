/*
 * tests/fuzz/tls_pem.c - certificate and key files, as an operator (or
 * whoever can write to the store or the block device) hands them to
 * lib/tls: PEM text decoded into a server's chain and private key, or
 * into a client's trust anchors.  The input's first two bytes steer it:
 * the top bit picks the parser (0: chain and key, 1: the whole rest read
 * as a CA bundle), the other fifteen say where the chain ends and the key
 * begins.  One parser per input, not both: BearSSL's PEM decoder is most
 * of the time an input takes, and halving it is what lets make fuzz-long
 * reach its ten million executions.  Anything may be refused, with a
 * reason; nothing may crash, leak (from the unikernel's heap too) or read
 * outside the text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/mem.h"
#include "atoll/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        struct atoll_runtime_opts o = {64u << 20, 1024, "quiet"};
        if (atoll_runtime_init(&o) < 0)
            __builtin_trap();
        ready = true;
    }
    if (size < 2)
        return 0;
    struct atoll_mem_stats before, after;
    atoll_mem_stats(&before);
    bool trust = data[0] & 0x80;
    size_t split = ((size_t)(data[0] & 0x7f) << 8 | data[1]) % (size - 1);
    data += 2;
    size -= 2;
    char err[128];
    int rc;
    if (trust) {
        /* A copy of exactly the input's size, so ASan sees any overread. */
        uint8_t *text = malloc(size ? size : 1);
        memcpy(text, data, size);
        struct atoll_tls_trust *t = NULL;
        rc = atoll_tls_trust_parse(text, size, &t, err, sizeof err);
        if (rc == 0)
            atoll_tls_trust_free(t);
        else if (!err[0] || !memchr(err, 0, sizeof err))
            __builtin_trap(); /* a refusal always says why */
        free(text);
    } else {
        uint8_t *chain = malloc(split ? split : 1);
        uint8_t *key = malloc(size - split ? size - split : 1);
        memcpy(chain, data, split);
        memcpy(key, data + split, size - split);
        struct atoll_tls_creds *c = NULL;
        rc = atoll_tls_creds_parse(chain, split, key, size - split, &c, err,
                                   sizeof err);
        if (rc == 0)
            atoll_tls_creds_free(c);
        else if (!err[0] || !memchr(err, 0, sizeof err))
            __builtin_trap();
        free(chain);
        free(key);
    }
    atoll_mem_stats(&after);
    if (after.in_use != before.in_use)
        __builtin_trap(); /* the parsers leaked from the unikernel's heap */
    return 0;
}
