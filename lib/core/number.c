/*
 * lib/core/number.c - reading an integer argument (number.h).
 */
#include "number.h"

#include <stdbool.h>

#include "atoll/error.h"

int core_parse_int(const char *s, int64_t *out)
{
    const char *q = s;
    bool neg = false;
    if (*q == '+' || *q == '-')
        neg = *q++ == '-';
    unsigned base = 10;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        base = 16;
        q += 2;
    }
    if (!*q)
        return -ATOLL_EINVAL;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
    bool range = false;
    for (; *q; q++) {
        unsigned d;
        if (*q >= '0' && *q <= '9')
            d = (unsigned)(*q - '0');
        else if (base == 16 && *q >= 'a' && *q <= 'f')
            d = (unsigned)(*q - 'a' + 10);
        else if (base == 16 && *q >= 'A' && *q <= 'F')
            d = (unsigned)(*q - 'A' + 10);
        else
            return -ATOLL_EINVAL;
        if (v > (limit - d) / base)
            range = true;
        else
            v = v * base + d;
    }
    if (range)
        return -ATOLL_ERANGE;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}
