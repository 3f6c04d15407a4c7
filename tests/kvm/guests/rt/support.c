/*
 * tests/kvm/guests/rt/support.c - the few helpers every test guest links:
 * the memory functions the compiler may call on its own (memcpy, memset,
 * memcmp even in freestanding mode) and the hypercall wrappers declared in
 * guest.h.
 */
#include "guest.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    /* rep movsb: short, and the compiler cannot turn it back into a
     * call to memcpy (which a plain loop may become). */
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

void puts_(const char *s)
{
    struct atoll_hvt_console c = {(uintptr_t)s, strlen(s), 0};
    hypercall(ATOLL_HVT_CONSOLE_WRITE, &c);
}

uint64_t mclock(void)
{
    struct atoll_hvt_clock c = {0};
    hypercall(ATOLL_HVT_MCLOCK, &c);
    return c.ns;
}

uint64_t wclock(void)
{
    struct atoll_hvt_clock c = {0};
    hypercall(ATOLL_HVT_WCLOCK, &c);
    return c.ns;
}

void guest_exit(int status)
{
    struct atoll_hvt_exit e = {status};
    hypercall(ATOLL_HVT_EXIT, &e);
    for (;;)
        __asm__ volatile("hlt");
}

const char *arg(const struct atoll_hvt_boot_info *bi, uint64_t i)
{
    if (i >= bi->argc)
        return "";
    return (const char *)(uintptr_t)((const uint64_t *)(uintptr_t)bi->argv)[i];
}
