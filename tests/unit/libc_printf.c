/*
 * tests/unit/libc_printf.c - lib/libc (the hvt target's freestanding C
 * library) against the host's C library: formatted output for many
 * formats and values, truncation, the string and memory functions,
 * number parsing and sorting.  The libc is linked in renamed (every symbol
 * atoll_libc_NAME, see lib/libc/libc.h and mk/hvt.mk), so both libraries
 * live in this one process.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"

int atoll_libc_snprintf(char *buf, size_t size, const char *fmt, ...);
size_t atoll_libc_strlen(const char *s);
int atoll_libc_strcmp(const char *a, const char *b);
int atoll_libc_strncmp(const char *a, const char *b, size_t n);
char *atoll_libc_strchr(const char *s, int c);
char *atoll_libc_strrchr(const char *s, int c);
char *atoll_libc_strstr(const char *h, const char *n);
size_t atoll_libc_strcspn(const char *s, const char *r);
size_t atoll_libc_strspn(const char *s, const char *a);
void *atoll_libc_memmove(void *d, const void *s, size_t n);
void *atoll_libc_memchr(const void *s, int c, size_t n);
int atoll_libc_memcmp(const void *a, const void *b, size_t n);
long long atoll_libc_strtoll(const char *s, char **end, int base);
unsigned long long atoll_libc_strtoull(const char *s, char **end, int base);
double atoll_libc_strtod(const char *s, char **end);
void atoll_libc_qsort(void *b, size_t n, size_t sz,
                      int (*cmp)(const void *, const void *));

/* The libc's crash hooks (lib/libc/include/libc_sys.h), renamed. */
void atoll_libc_libc_sys_write(const char *buf, size_t len);
_Noreturn void atoll_libc_libc_sys_crash(void);
void atoll_libc_libc_sys_write(const char *buf, size_t len)
{
    fwrite(buf, 1, len, stderr);
}
_Noreturn void atoll_libc_libc_sys_crash(void)
{
    abort();
}

/* Formats with both libraries and compares the text and the return. */
#define SAME(...)                                                              \
    do {                                                                       \
        char w_[256], g_[256];                                                 \
        int nw_ = snprintf(w_, sizeof w_, __VA_ARGS__);                        \
        int ng_ = atoll_libc_snprintf(g_, sizeof g_, __VA_ARGS__);             \
        CHECK_STR(g_, w_);                                                     \
        CHECK_EQ(ng_, nw_);                                                    \
    } while (0)

TEST(libc, "integers: every conversion, flag, width and precision")
{
    static const long long vals[] = {0,         1,         -1,        7,
                                     42,        -42,       255,       4096,
                                     65535,     INT_MAX,   INT_MIN,   LLONG_MAX,
                                     LLONG_MIN, 123456789, -987654321};
    static const char *const fmts[] = {
        "%d",    "%5d",     "%-5d|", "%05d",   "%+d",   "% d",  "%.3d",
        "%8.3d", "%-8.3d|", "%.0d",  "%+05d",  "% 06d", "%x",   "%X",
        "%#x",   "%#X",     "%08x",  "%#010x", "%o",    "%#o",  "%.0o",
        "%#.0o", "%u",      "%10u",  "%-10u|", "%3.5x", "%.0x", "%#.0x"};
    for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++)
            SAME(fmts[f], (int)vals[v]);
}

TEST(libc, "length modifiers hh h l ll z j t")
{
    /* Through variables: the values are meant not to fit the modifier,
     * which a literal format would (rightly) warn about. */
    const char *hh = "%hhd %hhu %hhx", *h = "%hd %hu %hx";
    SAME(hh, 300, 300, 511);
    SAME(h, 70000, 70000, 70000);
    SAME("%ld %lu %lx %lld %llu %llx", LONG_MIN, ULONG_MAX, 0xdeadbeefUL,
         LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL);
    SAME("%zu %zd %zx", (size_t)SIZE_MAX, (ssize_t)-5, (size_t)4096);
    SAME("%jd %ju %td", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX,
         (ptrdiff_t)-77);
    SAME("%03llu %6lld %06lld %03ld", 7ULL, -12LL, -12LL, 5L);
}

static int fmts_unused;

TEST(libc, "strings, characters, pointers and %%")
{
    SAME("%s|%10s|%-10s|%.2s|%.*s|%*s", "hello", "hi", "hi", "hello", 3,
         "abcdef", -6, "x");
    SAME("%c%c%3c%-3c|", 'a', 'Z', 'q', 'r');
    SAME("100%% %s", "done");
    SAME("%p %p", (void *)0x1234, (void *)&fmts_unused);
    SAME("%p", (void *)NULL);
    SAME("%-16s|%-20s|%.40s", "name", "", "short");
    SAME("%*d|%-*d|%.*d", 6, 42, 6, 42, 4, 42);
    SAME("%02u:%02u:%02x", 5u, 59u, 10u);
}

TEST(libc, "output is cut to the buffer and always terminated")
{
    char b[8];
    memset(b, 'x', sizeof b);
    CHECK_EQ(atoll_libc_snprintf(b, sizeof b, "%s-%d", "abcdef", 12345), 12);
    CHECK_STR(b, "abcdef-");
    CHECK_EQ(atoll_libc_snprintf(b, 1, "%d", 5), 1);
    CHECK_EQ(b[0], 0);
    b[0] = 'y';
    CHECK_EQ(atoll_libc_snprintf(b, 0, "%d", 123), 3);
    CHECK_EQ(b[0], 'y');
    CHECK_EQ(atoll_libc_snprintf(NULL, 0, "%s", "four"), 4);
}

TEST(libc, "string and memory functions")
{
    const char *s = "hello, world";
    CHECK_EQ(atoll_libc_strlen(s), strlen(s));
    CHECK(atoll_libc_strcmp("abc", "abd") < 0);
    CHECK(atoll_libc_strcmp("abc", "abc") == 0);
    CHECK(atoll_libc_strcmp("b", "abc") > 0);
    CHECK(atoll_libc_strcmp("\xff", "a") > 0); /* compared unsigned */
    CHECK_EQ(atoll_libc_strncmp("abcx", "abcy", 3), 0);
    CHECK(atoll_libc_strchr(s, 'w') == strchr(s, 'w'));
    CHECK(atoll_libc_strchr(s, 0) == s + strlen(s));
    CHECK(atoll_libc_strchr(s, 'z') == NULL);
    CHECK(atoll_libc_strrchr(s, 'o') == strrchr(s, 'o'));
    CHECK(atoll_libc_strstr(s, "wor") == s + 7);
    CHECK(atoll_libc_strstr(s, "") == s);
    CHECK(atoll_libc_strstr(s, "xyz") == NULL);
    CHECK_EQ(atoll_libc_strcspn(s, ", "), 5);
    CHECK_EQ(atoll_libc_strspn(s, "leh"), 4);
    CHECK(atoll_libc_memchr(s, ',', 12) == s + 5);
    char buf[16] = "0123456789";
    atoll_libc_memmove(buf + 2, buf, 8); /* overlapping, forward */
    CHECK_MEM(buf, "0101234567", 10);
    atoll_libc_memmove(buf, buf + 2, 8); /* overlapping, backward */
    CHECK_MEM(buf, "0123456767", 10);
    CHECK(atoll_libc_memcmp("ab\x80", "ab\x01", 3) > 0);
}

TEST(libc, "strtoll, strtoull and strtod parse like the host's")
{
    static const char *const in[] = {"0",
                                     "42",
                                     "-42",
                                     "  +17x",
                                     "0x1f",
                                     "017",
                                     "zz",
                                     "",
                                     "9223372036854775807",
                                     "9223372036854775808",
                                     "-9223372036854775809",
                                     "0xg"};
    static const int bases[] = {0, 10, 16, 8, 36};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            char *e1, *e2;
            long long a = strtoll(in[i], &e1, bases[b]);
            long long c = atoll_libc_strtoll(in[i], &e2, bases[b]);
            CHECK_EQ(c, a);
            CHECK_EQ(e2 - in[i], e1 - in[i]);
            unsigned long long ua = strtoull(in[i], &e1, bases[b]);
            unsigned long long uc = atoll_libc_strtoull(in[i], &e2, bases[b]);
            CHECK(ua == uc);
            CHECK_EQ(e2 - in[i], e1 - in[i]);
        }
    static const char *const dn[] = {"0.5", "-2.25e3", "1e-3",  "3",
                                     "abc", "0.1",     "12.5x", "inf"};
    for (size_t i = 0; i < sizeof dn / sizeof dn[0]; i++) {
        char *e1, *e2;
        double a = strtod(dn[i], &e1), c = atoll_libc_strtod(dn[i], &e2);
        CHECK(a == c || (a - c < 1e-12 && c - a < 1e-12));
        CHECK_EQ(e2 - dn[i], e1 - dn[i]);
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

TEST(libc, "qsort sorts")
{
    int v[200];
    uint32_t r = 12345;
    for (int i = 0; i < 200; i++) {
        r = r * 1103515245 + 12345;
        v[i] = (int)(r >> 16) % 1000 - 500;
    }
    atoll_libc_qsort(v, 200, sizeof v[0], cmp_int);
    for (int i = 1; i < 200; i++)
        CHECK(v[i - 1] <= v[i]);
}
