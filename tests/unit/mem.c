/*
 * tests/unit/mem.c - the allocator: alignment, realloc, coalescing, out of
 * memory, a random storm checked against a shadow model, statistics, and
 * detection of double free and foreign pointers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

static _Alignas(4096) uint8_t region[1 << 20];

static atoll_heap *fresh_heap(size_t len)
{
    static atoll_heap h;
    CHECK_EQ(atoll_heap_init(&h, region, len), 0);
    CHECK_EQ(atoll_heap_check(&h), 0);
    return &h;
}

TEST(mem, "allocations are 16-byte aligned with at least the asked size")
{
    atoll_heap *h = fresh_heap(sizeof region);
    for (size_t n = 0; n < 300; n++) {
        uint8_t *p = atoll_heap_alloc(h, n);
        CHECK(p != NULL);
        CHECK_EQ((uintptr_t)p % 16, 0);
        CHECK(atoll_heap_usable(h, p) >= (n ? n : 1));
        memset(p, 0xee, n);
    }
    CHECK_EQ(atoll_heap_check(h), 0);
}

TEST(mem, "aligned allocation honours every power of two up to 4096")
{
    atoll_heap *h = fresh_heap(sizeof region);
    void *keep[64];
    int k = 0;
    for (size_t align = 1; align <= 4096; align *= 2) {
        for (size_t n = 1; n < 9000; n += 2999) {
            uint8_t *p = atoll_heap_alloc_aligned(h, align, n);
            CHECK(p != NULL);
            CHECK_EQ((uintptr_t)p % (align < 16 ? 16 : align), 0);
            memset(p, 0x5a, n);
            keep[k++] = p;
            CHECK_EQ(atoll_heap_check(h), 0);
        }
    }
    CHECK(atoll_heap_alloc_aligned(h, 8192, 16) == NULL);
    CHECK(atoll_heap_alloc_aligned(h, 48, 16) == NULL);
    for (int i = 0; i < k; i += 2)
        atoll_heap_free(h, keep[i]);
    for (int i = 1; i < k; i += 2)
        atoll_heap_free(h, keep[i]);
    CHECK_EQ(atoll_heap_check(h), 0);
}

TEST(mem, "realloc keeps the contents when growing and shrinking")
{
    atoll_heap *h = fresh_heap(sizeof region);
    uint8_t *p = atoll_heap_alloc(h, 100);
    for (int i = 0; i < 100; i++)
        p[i] = (uint8_t)i;
    /* Grows in place: the rest of the heap is free behind it. */
    uint8_t *q = atoll_heap_realloc(h, p, 5000);
    CHECK(q == p);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(q[i], i);
    /* Must move: something sits right behind it now. */
    uint8_t *wall = atoll_heap_alloc(h, 16);
    CHECK(wall != NULL);
    uint8_t *r = atoll_heap_realloc(h, q, 20000);
    CHECK(r != NULL && r != q);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(r[i], i);
    uint8_t *s = atoll_heap_realloc(h, r, 10);
    CHECK(s == r);
    for (int i = 0; i < 10; i++)
        CHECK_EQ(s[i], i);
    CHECK(atoll_heap_realloc(h, NULL, 50) != NULL);
    CHECK(atoll_heap_realloc(h, s, sizeof region) == NULL);
    CHECK_EQ(s[9], 9); /* untouched on failure */
    CHECK_EQ(atoll_heap_check(h), 0);
}

TEST(mem, "freeing everything coalesces back to the largest free block")
{
    atoll_heap *h = fresh_heap(sizeof region);
    struct atoll_mem_stats st0, st;
    atoll_heap_stats(h, &st0);
    void *p[200];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++)
            CHECK((p[i] = atoll_heap_alloc(h, (size_t)(i * 37 % 900) + 1)));
        atoll_heap_stats(h, &st);
        CHECK(st.largest_free < st0.largest_free);
        /* Free in three different orders: evens, then odds backwards. */
        for (int i = round % 2; i < 200; i += 2)
            atoll_heap_free(h, p[i]);
        for (int i = 199; i >= 0; i--)
            if ((i - round % 2) % 2 != 0)
                atoll_heap_free(h, p[i]);
        CHECK_EQ(atoll_heap_check(h), 0);
        atoll_heap_stats(h, &st);
        CHECK_EQ(st.largest_free, st0.largest_free);
        CHECK_EQ(st.in_use, 0);
    }
    /* An allocation of exactly largest_free succeeds. */
    void *all = atoll_heap_alloc(h, st0.largest_free);
    CHECK(all != NULL);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.largest_free, 0);
    atoll_heap_free(h, all);
}

TEST(mem, "out of memory returns NULL and leaves the heap intact")
{
    atoll_heap *h = fresh_heap(64 * 1024);
    struct atoll_mem_stats st;
    int n = 0;
    void *last = NULL;
    while ((last = atoll_heap_alloc(h, 1000)))
        n++;
    CHECK(n > 40 && n < 64);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.failures, 1);
    CHECK_EQ(st.allocs, n);
    CHECK_EQ(atoll_heap_check(h), 0);
    CHECK(atoll_heap_alloc(h, SIZE_MAX) == NULL);
    CHECK(atoll_heap_alloc(h, SIZE_MAX - 8) == NULL);
    CHECK(atoll_heap_alloc_aligned(h, 4096, 60000) == NULL);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.failures, 4);
    CHECK_EQ(atoll_heap_check(h), 0);
    /* Small requests still fit in what is left. */
    CHECK(atoll_heap_alloc(h, 16) != NULL || st.largest_free < 16);
}

TEST(mem, "a region too small for one block is refused")
{
    atoll_heap h;
    CHECK_EQ(atoll_heap_init(&h, region, 100), -ATOLL_EINVAL);
    CHECK_EQ(atoll_heap_init(&h, NULL, 1 << 20), -ATOLL_EINVAL);
    /* A misaligned base is repaired. */
    CHECK_EQ(atoll_heap_init(&h, region + 3, 100000), 0);
    void *p = atoll_heap_alloc(&h, 10);
    CHECK(p && (uintptr_t)p % 16 == 0);
    CHECK_EQ(atoll_heap_check(&h), 0);
}

struct live {
    uint8_t *p;
    size_t n;
    uint8_t fill;
};

TEST(mem, "a random alloc/free/realloc storm matches a shadow model")
{
    atoll_heap *h = fresh_heap(sizeof region);
    enum { SLOTS = 512 };
    static struct live live[SLOTS];
    uint64_t rng = 12345;
    size_t expect_in_use = 0;
    for (int op = 0; op < 40000; op++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(rng >> 33);
        struct live *l = &live[r % SLOTS];
        if (l->p) {
            for (size_t i = 0; i < l->n; i++)
                if (l->p[i] != l->fill)
                    CHECK(!"block contents changed behind our back");
            expect_in_use -= atoll_heap_usable(h, l->p) + 16;
            if (r & 0x100000) {
                size_t n = (r >> 8) % 3000;
                uint8_t *q = atoll_heap_realloc(h, l->p, n);
                if (q) {
                    l->p = q;
                    l->n = n < l->n ? n : l->n;
                    memset(q, l->fill, l->n);
                }
                expect_in_use += atoll_heap_usable(h, l->p) + 16;
            } else {
                atoll_heap_free(h, l->p);
                l->p = NULL;
            }
        } else {
            size_t n = (r & 0x200000) ? (r >> 8) % 64 : (r >> 8) % 5000;
            size_t align = (size_t)1 << ((r >> 4) % 13);
            l->p = (r & 0x400000) ? atoll_heap_alloc_aligned(h, align, n)
                                  : atoll_heap_alloc(h, n);
            if (l->p) {
                l->n = n;
                l->fill = (uint8_t)r;
                memset(l->p, l->fill, n);
                expect_in_use += atoll_heap_usable(h, l->p) + 16;
            }
        }
        if (op % 500 == 0) {
            struct atoll_mem_stats st;
            CHECK_EQ(atoll_heap_check(h), 0);
            atoll_heap_stats(h, &st);
            CHECK_EQ(st.in_use, expect_in_use);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        atoll_heap_free(h, live[i].p);
    struct atoll_mem_stats st;
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.in_use, 0);
    CHECK_EQ(atoll_heap_check(h), 0);
}

TEST(mem, "statistics count allocations, frees and the peak")
{
    atoll_heap *h = fresh_heap(sizeof region);
    struct atoll_mem_stats st;
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.region_size, sizeof region);
    CHECK_EQ(st.in_use, 0);
    void *a = atoll_heap_alloc(h, 1000), *b = atoll_heap_alloc(h, 3000);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.allocs, 2);
    CHECK(st.in_use >= 4000 && st.in_use <= 4100);
    size_t peak = st.in_use;
    atoll_heap_free(h, a);
    atoll_heap_free(h, b);
    atoll_heap_free(h, NULL);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.frees, 2);
    CHECK_EQ(st.in_use, 0);
    CHECK_EQ(st.peak_in_use, peak);
    CHECK_EQ(st.failures, 0);
}

TEST(mem, "a block whose header was overwritten is reported by the check")
{
    atoll_heap *h = fresh_heap(sizeof region);
    uint8_t *p = atoll_heap_alloc(h, 64);
    atoll_heap_alloc(h, 64);
    CHECK_EQ(atoll_heap_check(h), 0);
    memset(p + 64, 0x41, 16); /* overflow into the next block's header */
    CHECK_EQ(atoll_heap_check(h), -ATOLL_ECORRUPT);
}

TEST(mem, "an injected failure fails exactly the Nth request, once")
{
    atoll_heap *h = fresh_heap(sizeof region);
    struct atoll_mem_stats st;
    void *a = atoll_heap_alloc(h, 100);
    atoll_heap_fail_nth(h, 3, false);
    void *b = atoll_heap_alloc(h, 100);              /* request 1 */
    void *c = atoll_heap_realloc(h, a, 50);          /* shrinks: not one */
    void *d = atoll_heap_alloc_aligned(h, 256, 100); /* request 2 */
    void *e = atoll_heap_realloc(h, c, 5000);        /* request 3: fails */
    CHECK(b && c == a && d && (uintptr_t)d % 256 == 0);
    CHECK(e == NULL);
    memset(c, 7, 50); /* the old block is still ours, unchanged */
    void *f = atoll_heap_alloc(h, 100); /* request 4: succeeds again */
    CHECK(f != NULL);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.requests, 5); /* a's, then four */
    CHECK_EQ(st.injected, 1);
    CHECK_EQ(st.failures, 1);
    CHECK_EQ(st.allocs - st.frees, 4); /* a(=c), b, d, f outstanding */
    atoll_heap_free(h, c);
    atoll_heap_free(h, b);
    atoll_heap_free(h, d);
    atoll_heap_free(h, f);
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.allocs - st.frees, 0);
    CHECK_EQ(st.in_use, 0);
    CHECK_EQ(atoll_heap_check(h), 0);
}

TEST(mem, "a sticky injected failure fails the Nth request and all after it")
{
    atoll_heap *h = fresh_heap(sizeof region);
    struct atoll_mem_stats st;
    atoll_heap_fail_nth(h, 2, true);
    void *a = atoll_heap_alloc(h, 10);
    CHECK(a != NULL);
    for (int i = 0; i < 5; i++)
        CHECK(atoll_heap_alloc(h, 10) == NULL);
    CHECK(atoll_heap_realloc(h, a, 4096) == NULL);
    CHECK(atoll_heap_realloc(h, a, 5) == a); /* shrinking never fails */
    atoll_heap_stats(h, &st);
    CHECK_EQ(st.injected, 6);
    atoll_heap_fail_nth(h, 0, false); /* off */
    void *b = atoll_heap_alloc(h, 10);
    CHECK(b != NULL);
    atoll_heap_free(h, a);
    atoll_heap_free(h, b);
    CHECK_EQ(atoll_heap_check(h), 0);
}

static void double_free(void)
{
    atoll_heap *h = fresh_heap(sizeof region);
    void *p = atoll_heap_alloc(h, 10);
    atoll_heap_alloc(h, 10);
    atoll_heap_free(h, p);
    atoll_heap_free(h, p);
}

TEST(mem, "a double free stops the unikernel with a panic")
{
    char out[1024];
    CHECK_EQ(harness_in_child(double_free, out, sizeof out), ATOLL_EXIT_PANIC);
    CHECK(strstr(out, "atoll: panic:"));
    CHECK(strstr(out, "double free"));
}

static void foreign_free(void)
{
    atoll_heap *h = fresh_heap(sizeof region);
    static uint64_t elsewhere[4];
    uint8_t *p = atoll_heap_alloc(h, 100);
    atoll_heap_free(h, p + 32); /* inside a block, not its start */
    atoll_heap_free(h, elsewhere);
}

static void outside_free(void)
{
    atoll_heap *h = fresh_heap(sizeof region);
    static _Alignas(16) uint64_t elsewhere[4];
    atoll_heap_free(h, elsewhere);
}

TEST(mem, "freeing a pointer the heap did not hand out panics")
{
    char out[1024];
    CHECK_EQ(harness_in_child(foreign_free, out, sizeof out), ATOLL_EXIT_PANIC);
    CHECK(strstr(out, "not a block of this heap"));
    CHECK_EQ(harness_in_child(outside_free, out, sizeof out), ATOLL_EXIT_PANIC);
    CHECK(strstr(out, "did not hand out"));
}

TEST(mem, "the default heap serves malloc, calloc, realloc and strdup")
{
    struct atoll_runtime_opts o = {4u << 20, 16, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
    struct atoll_mem_stats st;
    atoll_mem_stats(&st);
    CHECK_EQ(st.region_size, 4u << 20);
    char *s = atoll_strdup("hello");
    CHECK_STR(s, "hello");
    uint32_t *z = atoll_calloc(100, sizeof *z);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(z[i], 0);
    CHECK(atoll_calloc(SIZE_MAX / 2, 4) == NULL);
    z = atoll_realloc(z, 1000);
    CHECK(z != NULL);
    CHECK(atoll_malloc(8u << 20) == NULL);
    void *a = atoll_memalign(4096, 100);
    CHECK(a && (uintptr_t)a % 4096 == 0);
    atoll_free(a);
    atoll_free(z);
    atoll_free(s);
    atoll_mem_stats(&st);
    CHECK_EQ(st.failures, 2);
    CHECK_EQ(atoll_heap_check(atoll_heap_default()), 0);
}
