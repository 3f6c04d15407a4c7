/*
 * lib/libc/include/stdlib.h - the stdlib basics of Atoll's freestanding C
 * library: integer helpers, number parsing, sorting and abort.  There is
 * no malloc: a unikernel allocates from its heap (atoll/mem.h).
 */
#ifndef ATOLL_LIBC_STDLIB_H
#define ATOLL_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

int abs(int x);
long labs(long x);
long long llabs(long long x);

long strtol(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end,
                            int base);
double strtod(const char *restrict s, char **restrict end);
int atoi(const char *s);

void qsort(void *base, size_t n, size_t size,
           int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));

/* Stops the unikernel as a crash ("abort() called"). */
_Noreturn void abort(void);

#endif
