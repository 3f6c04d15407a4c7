/*
 * lib/http/range.c - the Range field (RFC 9110 14.1-14.2), one range of
 * bytes: "bytes=A-B", "bytes=A-" and "bytes=-N".  A field that is not
 * one such range (another unit, a syntax error, several ranges) is
 * ignored, which RFC 9110 14.2 allows: the answer is then the whole
 * value, 200.
 */
#include "http_int.h"

/* 1*DIGIT, saturating; false if there is no digit. */
static bool number(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t n = 0;
    while (**p >= '0' && **p <= '9') {
        n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX
                                      : n * 10 + (uint64_t)(**p - '0');
        (*p)++;
    }
    *out = n;
    return *p != s;
}

enum http_range_kind http_range_parse(const char *v, uint64_t size,
                                      uint64_t *first, uint64_t *last)
{
    if (!v || !http_ieqn(v, "bytes=", 6))
        return HTTP_RANGE_NONE;
    const char *p = v + 6;
    while (*p == ' ' || *p == '\t')
        p++;
    uint64_t a, b;
    bool suffix = *p == '-';
    if (suffix) {
        p++;
        if (!number(&p, &b))
            return HTTP_RANGE_NONE;
    } else {
        if (!number(&p, &a) || *p++ != '-')
            return HTTP_RANGE_NONE;
        if (!number(&p, &b))
            b = UINT64_MAX;
        else if (b < a)
            return HTTP_RANGE_NONE; /* invalid: ignored */
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p)
        return HTTP_RANGE_NONE; /* several ranges, or garbage */
    if (suffix) {
        if (b == 0 || size == 0)
            return HTTP_RANGE_UNSAT;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
    } else {
        if (a >= size)
            return HTTP_RANGE_UNSAT;
        *first = a;
        *last = b >= size ? size - 1 : b;
    }
    return HTTP_RANGE_ONE;
}
