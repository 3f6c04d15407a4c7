/*
 * lib/libc/stdlib.c - the stdlib basics (<stdlib.h>): absolute values,
 * number parsing, sorting and searching, and errno.
 *
 * The strto* functions follow the standard: leading white space, an
 * optional sign, base 0 (prefix decides: 0x hex, 0 octal, else decimal)
 * or 2..36, saturation with ERANGE on overflow, *end at the first
 * character not used (or at the start when no digits were read).
 */
#include "libc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int errno;

int LIBC(abs)(int x)
{
    return x < 0 ? -x : x;
}

long LIBC(labs)(long x)
{
    return x < 0 ? -x : x;
}

long long LIBC(llabs)(long long x)
{
    return x < 0 ? -x : x;
}

static int digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* The common part: magnitude (saturated at `limit`), sign, end. */
static uint64_t parse(const char *s, char **end, int base, uint64_t limit,
                      bool *neg, bool *over)
{
    const char *p = s;
    *neg = false;
    *over = false;
    while (LIBC(isspace)((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' &&
        (p[1] == 'x' || p[1] == 'X') && digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = *p == '0' ? 8 : 10;
    }
    if (base < 2 || base > 36) {
        errno = EINVAL;
        if (end)
            *end = (char *)(uintptr_t)s;
        return 0;
    }
    const char *digits = p;
    uint64_t v = 0;
    for (; digit_value((unsigned char)*p) < base; p++) {
        unsigned d = (unsigned)digit_value((unsigned char)*p);
        if (v > (limit - d) / (unsigned)base)
            *over = true;
        else
            v = v * (unsigned)base + d;
    }
    if (end)
        *end = (char *)(uintptr_t)(p == digits ? s : p);
    return v;
}

long long LIBC(strtoll)(const char *restrict s, char **restrict end, int base)
{
    bool neg, over;
    uint64_t v = parse(s, end, base, (uint64_t)INT64_MAX + 1, &neg, &over);
    if (over || (!neg && v > (uint64_t)INT64_MAX)) {
        errno = ERANGE;
        return neg ? INT64_MIN : INT64_MAX;
    }
    return neg ? (long long)(0 - v) : (long long)v;
}

long LIBC(strtol)(const char *restrict s, char **restrict end, int base)
{
    return (long)LIBC(strtoll)(s, end, base); /* long is 64 bits */
}

unsigned long long LIBC(strtoull)(const char *restrict s, char **restrict end,
                                  int base)
{
    bool neg, over;
    uint64_t v = parse(s, end, base, UINT64_MAX, &neg, &over);
    if (over) {
        errno = ERANGE;
        return UINT64_MAX;
    }
    return neg ? 0 - v : v; /* the standard negates in the unsigned type */
}

unsigned long LIBC(strtoul)(const char *restrict s, char **restrict end,
                            int base)
{
    return (unsigned long)LIBC(strtoull)(s, end, base);
}

int LIBC(atoi)(const char *s)
{
    return (int)LIBC(strtol)(s, NULL, 10);
}

/* Decimal floating point: [sign] digits [. digits] [e [sign] digits], and
 * "inf"/"nan".  Accurate to a few ulps (digits are accumulated in a
 * uint64 and scaled by powers of ten), which is what option parsing
 * needs; no hexadecimal floats. */
double LIBC(strtod)(const char *restrict s, char **restrict end)
{
    const char *p = s;
    while (LIBC(isspace)((unsigned char)*p))
        p++;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (LIBC(tolower)((unsigned char)p[0]) == 'i' &&
        LIBC(tolower)((unsigned char)p[1]) == 'n' &&
        LIBC(tolower)((unsigned char)p[2]) == 'f') {
        if (end)
            *end = (char *)(uintptr_t)(p + 3);
        return neg ? -__builtin_inf() : __builtin_inf();
    }
    if (LIBC(tolower)((unsigned char)p[0]) == 'n' &&
        LIBC(tolower)((unsigned char)p[1]) == 'a' &&
        LIBC(tolower)((unsigned char)p[2]) == 'n') {
        if (end)
            *end = (char *)(uintptr_t)(p + 3);
        return __builtin_nan("");
    }
    uint64_t mant = 0;
    int exp10 = 0, ndigits = 0;
    for (; LIBC(isdigit)((unsigned char)*p); p++, ndigits++) {
        if (mant < UINT64_MAX / 10 - 9)
            mant = mant * 10 + (uint64_t)(*p - '0');
        else
            exp10++;
    }
    if (*p == '.') {
        p++;
        for (; LIBC(isdigit)((unsigned char)*p); p++, ndigits++) {
            if (mant < UINT64_MAX / 10 - 9) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                exp10--;
            }
        }
    }
    if (ndigits == 0) {
        if (end)
            *end = (char *)(uintptr_t)s;
        return 0;
    }
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        bool eneg = false;
        if (*q == '+' || *q == '-')
            eneg = *q++ == '-';
        if (LIBC(isdigit)((unsigned char)*q)) {
            int e = 0;
            for (; LIBC(isdigit)((unsigned char)*q); q++)
                e = e < 10000 ? e * 10 + (*q - '0') : e;
            exp10 += eneg ? -e : e;
            p = q;
        }
    }
    if (end)
        *end = (char *)(uintptr_t)p;
    double v = (double)mant;
    /* Scale by 10^|exp10| with binary powering (fewer roundings). */
    double scale = 1, base = 10;
    for (int e = exp10 < 0 ? -exp10 : exp10; e; e >>= 1, base *= base)
        if (e & 1)
            scale *= base;
    v = exp10 < 0 ? v / scale : v * scale;
    if (v == __builtin_inf() || (v == 0 && mant != 0))
        errno = ERANGE;
    return neg ? -v : v;
}

/* ---- sorting and searching ------------------------------------------- */

static void swap_bytes(char *a, char *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* Heapsort: O(n log n) in the worst case, no recursion, no memory. */
static void sift_down(char *base, size_t root, size_t n, size_t size,
                      int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n &&
            cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + root * size, base + child * size) >= 0)
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

void LIBC(qsort)(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *))
{
    char *b = base;
    if (n < 2 || size == 0)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(b, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap_bytes(b, b + end * size, size);
        sift_down(b, 0, end, size, cmp);
    }
}

void *LIBC(bsearch)(const void *key, const void *base, size_t n, size_t size,
                    int (*cmp)(const void *, const void *))
{
    const char *b = base;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(key, b + mid * size);
        if (c == 0)
            return (void *)(uintptr_t)(b + mid * size);
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
