/*
 * platform/sim/parse.c - parsing of the sim target's option values:
 * numbers, sizes (4M), rates (10M bits/s), durations (2ms) and the stable
 * string hash used to derive MAC addresses from names.
 */
#include <stdint.h>
#include <string.h>

#include "atoll/error.h"
#include "sim_int.h"

/* Leading decimal digits of s into *out; returns the rest, or NULL when
 * there are no digits or the number overflows. */
static const char *parse_digits(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return NULL;
        v = v * 10 + d;
        p++;
    }
    if (p == s)
        return NULL;
    *out = v;
    return p;
}

static int scale(uint64_t v, uint64_t mul, uint64_t *out)
{
    if (mul != 0 && v > UINT64_MAX / mul)
        return -ATOLL_EINVAL;
    *out = v * mul;
    return 0;
}

int sim_parse_u64(const char *s, uint64_t *out)
{
    const char *rest = parse_digits(s, out);
    return rest && *rest == '\0' ? 0 : -ATOLL_EINVAL;
}

/* A number with an optional K/M/G suffix (either case), each step `base`
 * times the last: 1024 for sizes, 1000 for rates. */
static int parse_suffixed(const char *s, uint64_t base, uint64_t *out)
{
    uint64_t v;
    const char *rest = parse_digits(s, &v);
    if (!rest)
        return -ATOLL_EINVAL;
    if (*rest == '\0')
        return scale(v, 1, out);
    if (rest[1] != '\0')
        return -ATOLL_EINVAL;
    switch (*rest) {
    case 'K':
    case 'k':
        return scale(v, base, out);
    case 'M':
    case 'm':
        return scale(v, base * base, out);
    case 'G':
    case 'g':
        return scale(v, base * base * base, out);
    }
    return -ATOLL_EINVAL;
}

int sim_parse_size(const char *s, uint64_t *out)
{
    return parse_suffixed(s, 1024, out);
}

int sim_parse_rate(const char *s, uint64_t *out)
{
    return parse_suffixed(s, 1000, out);
}

int sim_parse_duration(const char *s, atoll_time_t *out)
{
    uint64_t v, mul;
    const char *rest = parse_digits(s, &v);
    if (!rest)
        return -ATOLL_EINVAL;
    if (strcmp(rest, "ns") == 0 || *rest == '\0')
        mul = 1;
    else if (strcmp(rest, "us") == 0)
        mul = 1000;
    else if (strcmp(rest, "ms") == 0)
        mul = 1000 * 1000;
    else if (strcmp(rest, "s") == 0)
        mul = 1000 * 1000 * 1000;
    else
        return -ATOLL_EINVAL;
    uint64_t r;
    if (scale(v, mul, &r) < 0 || r > (uint64_t)INT64_MAX / 2)
        return -ATOLL_EINVAL;
    *out = (atoll_time_t)r;
    return 0;
}

uint64_t sim_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}
