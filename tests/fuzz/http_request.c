/*
 * tests/fuzz/http_request.c - bytes from a client into lib/http's request
 * parsers, as the server uses them: where the head ends, the request line
 * and fields, the body framing, then the chunked decoder over what
 * follows (fed in pieces whose sizes come from the input), and the Range
 * and date parsers over the fields' values.  Every field a parse returns
 * must lie inside the head and be NUL-terminated there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *p, const char *buf, size_t len)
{
    if (p < buf || p >= buf + len || !memchr(p, 0, (size_t)(buf + len - p)))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = 1 + data[0] % 16; /* the chunk decoder's feeding size */
    data++;
    size--;
    char *buf = malloc(size + 1), *path = malloc(size + 2);
    if (!buf || !path)
        __builtin_trap();
    memcpy(buf, data, size);
    size_t scan = 0;
    long hl = 0;
    /* As the bytes would arrive: a few at a time. */
    for (size_t have = 0; have < size && hl == 0;) {
        have = have + 7 < size ? have + 7 : size;
        hl = http_head_end((const uint8_t *)buf, have, &scan, HTTP_HEADER_MAX);
    }
    struct http_head h;
    if (hl > 0 &&
        http_parse_request(buf, (size_t)hl, path, size + 2, &h) == 0) {
        inside(h.method, buf, (size_t)hl);
        inside(h.target, buf, (size_t)hl);
        for (size_t i = 0; i < h.nfields; i++) {
            inside(h.fields[i].name, buf, (size_t)hl);
            inside(h.fields[i].value, buf, (size_t)hl);
            uint64_t a, b;
            if (http_range_parse(h.fields[i].value, 1000, &a, &b) ==
                    HTTP_RANGE_ONE &&
                (a > b || b >= 1000))
                __builtin_trap();
            atoll_time_t t;
            atoll_http_date_parse(h.fields[i].value, &t);
        }
        if (h.framing == HTTP_BODY_CHUNKED) {
            struct http_chunked c;
            http_chunked_init(&c);
            size_t off = (size_t)hl, total = 0;
            while (off < size) {
                size_t n = size - off < step ? size - off : step, used, dlen;
                const uint8_t *d;
                int rc = http_chunked_step(&c, (const uint8_t *)buf + off, n,
                                           &used, &d, &dlen);
                if (used > n ||
                    (dlen && (d < (const uint8_t *)buf + off ||
                              d + dlen > (const uint8_t *)buf + off + n)))
                    __builtin_trap();
                total += dlen;
                off += used;
                if (rc != 0 || (used == 0 && n == step))
                    break;
                if (used == 0)
                    break;
            }
            if (total > size)
                __builtin_trap();
        }
    }
    free(buf);
    free(path);
    return 0;
}
