/*
 * tests/fuzz/tls_pem.c - certificate and key files, as an operator (or
 * whoever can write to the store or the block device) hands them to
 * lib/tls: PEM text decoded into a server's chain and private key, and
 * into a client's trust anchors.  The input's first two bytes say where
 * the chain ends and the key begins; the whole input is also read as a
 * CA bundle.  Anything may be refused, with a reason; nothing may crash,
 * leak (from the unikernel's heap too) or read outside the text.
 */
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
    size_t split = ((size_t)data[0] << 8 | data[1]) % (size - 1);
    data += 2;
    size -= 2;
    /* Copies of exactly the input's size, so ASan sees any overread. */
    uint8_t *chain = malloc(split ? split : 1);
    uint8_t *key = malloc(size - split ? size - split : 1);
    memcpy(chain, data, split);
    memcpy(key, data + split, size - split);

    char err[128];
    struct atoll_tls_creds *c = NULL;
    int rc = atoll_tls_creds_parse(chain, split, key, size - split, &c, err,
                                   sizeof err);
    if (rc == 0)
        atoll_tls_creds_free(c);
    else if (!err[0] || !memchr(err, 0, sizeof err))
        __builtin_trap(); /* a refusal always says why */

    struct atoll_tls_trust *t = NULL;
    rc = atoll_tls_trust_parse(data, size, &t, err, sizeof err);
    if (rc == 0)
        atoll_tls_trust_free(t);
    else if (!err[0])
        __builtin_trap();
    atoll_mem_stats(&after);
    if (after.in_use != before.in_use)
        __builtin_trap(); /* the parsers leaked from the unikernel's heap */
    free(chain);
    free(key);
    return 0;
}
