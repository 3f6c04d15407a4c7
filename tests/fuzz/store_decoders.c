/*
 * tests/fuzz/store_decoders.c - libFuzzer target for everything the
 * versioned store decodes from a device: log records, superblocks, git
 * object framing, trees and commits (with a round trip: what decodes must
 * re-encode to an object that decodes the same).
 *
 * Built and run briefly by tests/store/store.sh:
 *   clang -fsanitize=fuzzer,address,undefined ... -o fuzz; ./fuzz -runs=N
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/store/store_int.h"
#include "atoll/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct store_record r;
    size_t need;
    store_record_parse(data, size, &r, &need);
    /* The same bytes with a valid checksum, so payload decoding is
     * reached too. */
    if (size >= STORE_REC_HDR) {
        uint8_t *copy = malloc(size);
        memcpy(copy, data, size);
        size_t plen = size - STORE_REC_HDR;
        copy[0] = 0x41, copy[1] = 0x53, copy[2] = 0x52, copy[3] = 0x31;
        copy[8] = (uint8_t)plen, copy[9] = (uint8_t)(plen >> 8);
        copy[10] = (uint8_t)(plen >> 16), copy[11] = (uint8_t)(plen >> 24);
        uint32_t crc = store_crc32c(0, copy, 12);
        crc = store_crc32c(crc, copy + STORE_REC_HDR, plen);
        for (int i = 0; i < 4; i++)
            copy[12 + i] = (uint8_t)(crc >> (8 * i));
        store_record_parse(copy, size, &r, &need);
        free(copy);
    }
    if (size >= 512) {
        struct store_sb sb;
        store_sb_decode(data, 512, &sb);
    }
    enum store_obj_type t;
    const uint8_t *p;
    size_t pl;
    if (store_obj_parse(data, size, &t, &p, &pl) == 0) {
        struct store_tree tr;
        if (store_tree_decode(p, pl, &tr) == 0) {
            uint8_t *enc;
            size_t el;
            if (store_tree_encode(&tr, &enc, &el) == 0) {
                struct store_tree t2;
                if (store_tree_decode(enc, el, &t2) != 0 || t2.n != tr.n)
                    abort();
                store_tree_free(&t2);
                atoll_free(enc);
            }
            store_tree_free(&tr);
        }
        struct store_commit c;
        if (store_commit_decode(p, pl, &c) == 0) {
            uint8_t *enc;
            size_t el;
            if (store_commit_encode(&c, &enc, &el) == 0) {
                struct store_commit c2;
                if (store_commit_decode(enc, el, &c2) != 0 ||
                    c2.nparents != c.nparents || c2.time != c.time)
                    abort();
                store_commit_free(&c2);
                atoll_free(enc);
            }
            store_commit_free(&c);
        }
    }
    /* Raw payloads as trees and commits, without framing. */
    struct store_tree tr;
    if (store_tree_decode(data, size, &tr) == 0)
        store_tree_free(&tr);
    struct store_commit c;
    if (store_commit_decode(data, size, &c) == 0)
        store_commit_free(&c);
    return 0;
}
