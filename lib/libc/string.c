/*
 * lib/libc/string.c - memory and string functions (<string.h>).
 *
 * The copy and fill primitives use `rep movsb`/`rep stosb`: short, fast on
 * every x86_64 with ERMS, and - unlike a plain loop - the compiler cannot
 * turn them back into a call to memcpy/memset (which would recurse).  The
 * compiler itself emits calls to memcpy, memmove, memset and memcmp even
 * in freestanding code, so these four must always exist.
 */
#include "libc.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *LIBC(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *LIBC(memmove)(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d - s >= n) /* no overlap that a forward copy would clobber */
        return LIBC(memcpy)(dst, src, n);
    /* Backward copy: start at the last byte with the direction flag set
     * (and clear it again, as the ABI requires). */
    void *dl = (char *)dst + n - 1;
    const void *sl = (const char *)src + n - 1;
    __asm__ volatile("std\n\trep movsb\n\tcld"
                     : "+D"(dl), "+S"(sl), "+c"(n)
                     :
                     : "memory");
    return dst;
}

void *LIBC(memset)(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int LIBC(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

void *LIBC(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)(uintptr_t)p;
    return NULL;
}

size_t LIBC(strlen)(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t LIBC(strnlen)(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int LIBC(strcmp)(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int LIBC(strncmp)(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *LIBC(strcpy)(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}

char *LIBC(strncpy)(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

char *LIBC(strcat)(char *restrict dst, const char *restrict src)
{
    LIBC(strcpy)(dst + LIBC(strlen)(dst), src);
    return dst;
}

char *LIBC(strchr)(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)(uintptr_t)s;
        if (!*s)
            return NULL;
    }
}

char *LIBC(strrchr)(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)(uintptr_t)last;
    }
}

char *LIBC(strstr)(const char *hay, const char *needle)
{
    size_t n = LIBC(strlen)(needle);
    for (; *hay; hay++)
        if (LIBC(strncmp)(hay, needle, n) == 0)
            return (char *)(uintptr_t)hay;
    return n == 0 ? (char *)(uintptr_t)hay : NULL;
}

size_t LIBC(strspn)(const char *s, const char *accept)
{
    size_t n = 0;
    while (s[n] && LIBC(strchr)(accept, s[n]))
        n++;
    return n;
}

size_t LIBC(strcspn)(const char *s, const char *reject)
{
    size_t n = 0;
    while (s[n] && !LIBC(strchr)(reject, s[n]))
        n++;
    return n;
}
