/*
 * lib/core/mem.c - the allocator over one memory region (atoll/mem.h).
 *
 * Design: boundary-tagged blocks with segregated free lists in the manner
 * of TLSF (two-level size classes with bitmaps), so allocation and free
 * are O(1) apart from the optional fallback scan described in find_block.
 *
 *   - Every block starts with a 16-byte header: its size, the size of the
 *     block physically before it (so free can find and merge with it), and
 *     a magic word mixed with the header's address, which tells a block in
 *     use from a free one and from bytes that were never a header (double
 *     free and foreign pointers are caught there).
 *   - Free blocks are merged with free neighbours at once, so no two free
 *     blocks are ever adjacent; a free block keeps its list links in its
 *     payload.
 *   - Size classes: below 128 bytes one list per 16 bytes; above, each power
 *     of two is split into 8 lists.  Bitmaps find the first non-empty list
 *     at least as large as a request with two count-trailing-zeros.
 *   - The list heads live at the start of the region (they do not fit the
 *     opaque struct atoll_heap); a zero-size "used" sentinel header ends
 *     the region so merging never runs off its end.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"

#define HDR       16u
#define MIN_BLOCK 32u /* header + two list links */
#define SL_LOG    3
#define SL_COUNT  (1u << SL_LOG)
#define FL_COUNT  32u
#define SMALL_MAX (1u << (SL_LOG + 4)) /* sizes below are "small" (fl 0) */
#define MAX_BLOCK ((size_t)UINT32_MAX * 16)

#define MAGIC_USED 0xa7011ed5u
#define MAGIC_FREE 0x5f3eb10cu

struct hdr {
    uint32_t size16;  /* block size / 16, header included; 0 = sentinel */
    uint32_t prev16;  /* size / 16 of the block before; 0 = first block */
    uint32_t magic;   /* MAGIC_* ^ address bits */
    uint32_t request; /* in use: the request that made it (leak reports) */
};

struct freeblk {
    struct hdr h;
    struct freeblk *next, *prev;
};

struct heap_impl {
    uint8_t *first;        /* first block */
    struct hdr *sentinel;  /* end marker */
    struct freeblk **bins; /* FL_COUNT * SL_COUNT list heads */
    uint32_t fl_bitmap;    /* bit f: some list of class f is non-empty */
    uint32_t sl_bitmap[FL_COUNT];
    struct atoll_mem_stats st;
    /* Injected failure (atoll_heap_fail_nth): the request numbered
     * fail_at (st.requests counts them) fails, and with fail_sticky all
     * later ones; 0 = off. */
    uint64_t fail_at;
    bool fail_sticky;
};

_Static_assert(sizeof(struct heap_impl) <= sizeof(atoll_heap),
               "struct atoll_heap is too small for the allocator");
_Static_assert(sizeof(struct hdr) == HDR, "header size");

static struct heap_impl *impl(atoll_heap *h)
{
    return (struct heap_impl *)h;
}

static uint32_t magic_of(const struct hdr *h, uint32_t kind)
{
    return kind ^ (uint32_t)((uintptr_t)h >> 4);
}

static size_t bsize(const struct hdr *h)
{
    return (size_t)h->size16 * 16;
}

static struct hdr *next_of(const struct hdr *h)
{
    return (struct hdr *)((uint8_t *)h + bsize(h));
}

static struct hdr *prev_of(const struct hdr *h)
{
    return h->prev16 ? (struct hdr *)((uint8_t *)h - (size_t)h->prev16 * 16)
                     : NULL;
}

static bool is_free(const struct hdr *h)
{
    return h->magic == magic_of(h, MAGIC_FREE);
}

static bool is_used(const struct hdr *h)
{
    return h->magic == magic_of(h, MAGIC_USED);
}

static int log2_floor(size_t x)
{
    return 63 - __builtin_clzll((unsigned long long)x);
}

/* The list a free block of `size` bytes belongs to. */
static void mapping(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < SMALL_MAX) {
        *fl = 0;
        *sl = (unsigned)(size / 16);
    } else {
        int l = log2_floor(size);
        *fl = (unsigned)(l - (SL_LOG + 4) + 1);
        *sl = (unsigned)((size >> (l - SL_LOG)) & (SL_COUNT - 1));
    }
}

static struct freeblk **bin(struct heap_impl *H, unsigned fl, unsigned sl)
{
    return &H->bins[fl * SL_COUNT + sl];
}

static void list_insert(struct heap_impl *H, struct hdr *h)
{
    unsigned fl, sl;
    mapping(bsize(h), &fl, &sl);
    struct freeblk *b = (struct freeblk *)h, **head = bin(H, fl, sl);
    b->prev = NULL;
    b->next = *head;
    if (*head)
        (*head)->prev = b;
    *head = b;
    H->fl_bitmap |= 1u << fl;
    H->sl_bitmap[fl] |= 1u << sl;
}

static void list_remove(struct heap_impl *H, struct hdr *h)
{
    unsigned fl, sl;
    mapping(bsize(h), &fl, &sl);
    struct freeblk *b = (struct freeblk *)h, **head = bin(H, fl, sl);
    if (b->prev)
        b->prev->next = b->next;
    else
        *head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    if (!*head) {
        H->sl_bitmap[fl] &= ~(1u << sl);
        if (!H->sl_bitmap[fl])
            H->fl_bitmap &= ~(1u << fl);
    }
}

/* Write a header and keep the next block's back link right. */
static void set_block(struct hdr *h, size_t size, uint32_t prev16,
                      uint32_t kind)
{
    h->size16 = (uint32_t)(size / 16);
    h->prev16 = prev16;
    h->magic = magic_of(h, kind);
    h->request = 0;
    next_of(h)->prev16 = h->size16;
}

/* Make [h, h+size) a free block, merging with free neighbours, and list
 * it. */
static void make_free(struct heap_impl *H, struct hdr *h, size_t size)
{
    struct hdr *next = (struct hdr *)((uint8_t *)h + size);
    if (is_free(next)) {
        list_remove(H, next);
        size += bsize(next);
    }
    struct hdr *prev = prev_of(h);
    if (prev && is_free(prev)) {
        list_remove(H, prev);
        size += bsize(prev);
        h = prev;
    }
    set_block(h, size, h->prev16, MAGIC_FREE);
    list_insert(H, h);
}

/* Cut used block h down to `size` bytes if the rest makes a block. */
static void trim_used(struct heap_impl *H, struct hdr *h, size_t size)
{
    size_t have = bsize(h);
    if (have - size < MIN_BLOCK)
        return;
    set_block(h, size, h->prev16, MAGIC_USED);
    struct hdr *rest = next_of(h);
    rest->prev16 = h->size16;
    make_free(H, rest, have - size);
}

/* Block size for a request of n bytes (0 if it cannot be satisfied). */
static size_t request_size(size_t n)
{
    if (n == 0)
        n = 1;
    if (n > MAX_BLOCK - HDR - 15)
        return 0;
    size_t size = (n + HDR + 15) & ~(size_t)15;
    return size < MIN_BLOCK ? MIN_BLOCK : size;
}

/*
 * A free block of at least `size` bytes, or NULL.  The fast path rounds
 * the request up to the next class boundary, so that any block of the
 * class found fits.  When that finds nothing, the request's own class may
 * still hold a block large enough: scan it, so that an allocation of
 * largest_free bytes always succeeds.
 */
static struct hdr *find_block(struct heap_impl *H, size_t size)
{
    unsigned fl, sl;
    size_t rounded = size;
    if (size >= SMALL_MAX)
        rounded += ((size_t)1 << (log2_floor(size) - SL_LOG)) - 1;
    mapping(rounded, &fl, &sl);
    if (fl < FL_COUNT) {
        uint32_t slmap = H->sl_bitmap[fl] & (~0u << sl);
        if (!slmap) {
            uint32_t flmap =
                fl + 1 < FL_COUNT ? H->fl_bitmap & (~0u << (fl + 1)) : 0;
            if (flmap) {
                fl = (unsigned)__builtin_ctz(flmap);
                slmap = H->sl_bitmap[fl];
            }
        }
        if (slmap)
            return &(*bin(H, fl, (unsigned)__builtin_ctz(slmap)))->h;
    }
    mapping(size, &fl, &sl);
    if (fl >= FL_COUNT)
        return NULL;
    for (struct freeblk *b = *bin(H, fl, sl); b; b = b->next)
        if (bsize(&b->h) >= size)
            return &b->h;
    return NULL;
}

static void count_alloc(struct heap_impl *H, struct hdr *h)
{
    h->request = (uint32_t)H->st.requests;
    H->st.allocs++;
    H->st.in_use += bsize(h);
    if (H->st.in_use > H->st.peak_in_use)
        H->st.peak_in_use = H->st.in_use;
}

static void *fail(struct heap_impl *H)
{
    H->st.failures++;
    return NULL;
}

/* Count a request; true if injection says it fails. */
static bool injected(struct heap_impl *H)
{
    uint64_t k = ++H->st.requests;
    if (!H->fail_at || k < H->fail_at || (k > H->fail_at && !H->fail_sticky))
        return false;
    H->st.injected++;
    H->st.failures++;
    return true;
}

void atoll_heap_fail_nth(atoll_heap *heap, uint64_t n, bool sticky)
{
    struct heap_impl *H = impl(heap);
    H->fail_at = n ? H->st.requests + n : 0;
    H->fail_sticky = sticky;
}

int atoll_heap_init(atoll_heap *heap, void *base, size_t len)
{
    struct heap_impl *H = impl(heap);
    memset(heap, 0, sizeof *heap);
    if (!base)
        return -ATOLL_EINVAL;
    uintptr_t lo = ((uintptr_t)base + 15) & ~(uintptr_t)15;
    uintptr_t hi = ((uintptr_t)base + len) & ~(uintptr_t)15;
    size_t bins_bytes = FL_COUNT * SL_COUNT * sizeof(struct freeblk *);
    if (hi < lo || hi - lo < bins_bytes + MIN_BLOCK + HDR)
        return -ATOLL_EINVAL;
    H->bins = (struct freeblk **)lo;
    memset(H->bins, 0, bins_bytes);
    H->first = (uint8_t *)(lo + bins_bytes);
    size_t size = hi - HDR - (uintptr_t)H->first;
    if (size > MAX_BLOCK)
        size = MAX_BLOCK & ~(size_t)15;
    struct hdr *first = (struct hdr *)H->first;
    H->sentinel = (struct hdr *)(H->first + size);
    H->sentinel->size16 = 0;
    H->sentinel->magic = magic_of(H->sentinel, MAGIC_USED);
    H->sentinel->request = 0;
    first->prev16 = 0;
    set_block(first, size, 0, MAGIC_FREE);
    list_insert(H, first);
    H->st.region_size = len;
    return 0;
}

/* An allocation that injection does not see (realloc's move). */
static void *heap_alloc(struct heap_impl *H, size_t n)
{
    size_t size = request_size(n);
    if (!H->bins)
        return NULL;
    struct hdr *h = size ? find_block(H, size) : NULL;
    if (!h)
        return fail(H);
    list_remove(H, h);
    set_block(h, bsize(h), h->prev16, MAGIC_USED);
    trim_used(H, h, size);
    count_alloc(H, h);
    return (uint8_t *)h + HDR;
}

void *atoll_heap_alloc(atoll_heap *heap, size_t n)
{
    struct heap_impl *H = impl(heap);
    if (H->bins && injected(H))
        return NULL;
    return heap_alloc(H, n);
}

void *atoll_heap_alloc_aligned(atoll_heap *heap, size_t align, size_t n)
{
    struct heap_impl *H = impl(heap);
    if (align == 0 || (align & (align - 1)) || align > 4096 || !H->bins)
        return NULL;
    if (injected(H))
        return NULL;
    if (align <= 16)
        return heap_alloc(H, n);
    size_t size = request_size(n);
    if (!size || size > MAX_BLOCK - align - MIN_BLOCK)
        return fail(H);
    /* Room for the worst leading gap: it must be 0 or a whole block. */
    struct hdr *h = find_block(H, size + align + MIN_BLOCK);
    if (!h)
        return fail(H);
    list_remove(H, h);
    size_t have = bsize(h);
    uintptr_t p = ((uintptr_t)h + HDR + align - 1) & ~(uintptr_t)(align - 1);
    size_t gap = p - HDR - (uintptr_t)h;
    if (gap && gap < MIN_BLOCK) {
        p += align;
        gap += align;
    }
    if (gap) {
        /* The leading piece stays free; its predecessor is in use (h was
         * free, and free blocks are never adjacent). */
        uint32_t prev16 = h->prev16;
        set_block(h, gap, prev16, MAGIC_FREE);
        list_insert(H, h);
        struct hdr *a = (struct hdr *)(p - HDR);
        a->prev16 = (uint32_t)(gap / 16);
        h = a;
        have -= gap;
    }
    set_block(h, have, h->prev16, MAGIC_USED);
    trim_used(H, h, size);
    count_alloc(H, h);
    return (void *)p;
}

/* The header of a pointer handed out by this heap, or a panic. */
static struct hdr *owned(struct heap_impl *H, const void *p, const char *op)
{
    const uint8_t *q = p;
    if (!H->bins || q < H->first + HDR || q >= (uint8_t *)H->sentinel ||
        ((uintptr_t)q & 15))
        atoll_panic("%s of %p, which the heap did not hand out", op, p);
    struct hdr *h = (struct hdr *)(q - HDR);
    if (is_free(h))
        atoll_panic("%s of %p, which is already free (double free)", op, p);
    if (!is_used(h) || (uint8_t *)next_of(h) > (uint8_t *)H->sentinel)
        atoll_panic("%s of %p: not a block of this heap, or its header "
                    "was overwritten",
                    op, p);
    return h;
}

void atoll_heap_free(atoll_heap *heap, void *p)
{
    struct heap_impl *H = impl(heap);
    if (!p)
        return;
    struct hdr *h = owned(H, p, "free");
    H->st.frees++;
    H->st.in_use -= bsize(h);
    make_free(H, h, bsize(h));
}

void *atoll_heap_realloc(atoll_heap *heap, void *p, size_t n)
{
    struct heap_impl *H = impl(heap);
    if (!p)
        return atoll_heap_alloc(heap, n);
    struct hdr *h = owned(H, p, "realloc");
    size_t size = request_size(n), have = bsize(h);
    if (!size)
        return fail(H);
    if (size > have && injected(H))
        return NULL;
    if (size <= have) {
        trim_used(H, h, size);
        H->st.in_use -= have - bsize(h);
        return p;
    }
    struct hdr *next = next_of(h);
    if (is_free(next) && have + bsize(next) >= size) {
        list_remove(H, next);
        set_block(h, have + bsize(next), h->prev16, MAGIC_USED);
        trim_used(H, h, size);
        H->st.in_use += bsize(h) - have;
        if (H->st.in_use > H->st.peak_in_use)
            H->st.peak_in_use = H->st.in_use;
        return p;
    }
    void *q = heap_alloc(H, n);
    if (!q)
        return NULL;
    memcpy(q, p, have - HDR);
    atoll_heap_free(heap, p);
    return q;
}

size_t atoll_heap_usable(atoll_heap *heap, const void *p)
{
    return bsize(owned(impl(heap), p, "usable size")) - HDR;
}

void atoll_heap_stats(atoll_heap *heap, struct atoll_mem_stats *out)
{
    struct heap_impl *H = impl(heap);
    *out = H->st;
    out->largest_free = 0;
    if (!H->fl_bitmap)
        return;
    /* The largest free block is in the highest non-empty list. */
    unsigned fl = (unsigned)log2_floor(H->fl_bitmap);
    unsigned sl = (unsigned)log2_floor(H->sl_bitmap[fl]);
    size_t best = 0;
    for (struct freeblk *b = *bin(H, fl, sl); b; b = b->next)
        if (bsize(&b->h) > best)
            best = bsize(&b->h);
    out->largest_free = best - HDR;
}

void atoll_heap_walk(atoll_heap *heap,
                     void (*fn)(void *p, size_t size, uint64_t request,
                                void *arg),
                     void *arg)
{
    struct heap_impl *H = impl(heap);
    if (!H->bins)
        return;
    for (struct hdr *h = (struct hdr *)H->first; h != H->sentinel;
         h = next_of(h))
        if (is_used(h))
            fn((uint8_t *)h + HDR, bsize(h) - HDR, h->request, arg);
}

int atoll_heap_check(atoll_heap *heap)
{
    struct heap_impl *H = impl(heap);
    if (!H->bins)
        return -ATOLL_ECORRUPT;
    size_t nfree = 0, used = 0;
    uint32_t prev16 = 0;
    bool prev_free = false;
    struct hdr *h = (struct hdr *)H->first;
    while (h != H->sentinel) {
        if ((uint8_t *)h < H->first || h > H->sentinel)
            return -ATOLL_ECORRUPT;
        size_t size = bsize(h);
        if (size < MIN_BLOCK || (uint8_t *)h + size > (uint8_t *)H->sentinel ||
            h->prev16 != prev16)
            return -ATOLL_ECORRUPT;
        if (is_used(h)) {
            used += size;
            prev_free = false;
        } else if (is_free(h)) {
            if (prev_free)
                return -ATOLL_ECORRUPT; /* missed a merge */
            unsigned fl, sl;
            mapping(size, &fl, &sl);
            if (!(H->sl_bitmap[fl] & (1u << sl)))
                return -ATOLL_ECORRUPT;
            nfree++;
            prev_free = true;
        } else {
            return -ATOLL_ECORRUPT;
        }
        prev16 = h->size16;
        h = next_of(h);
    }
    if (!is_used(h) || h->prev16 != prev16 || used != H->st.in_use)
        return -ATOLL_ECORRUPT;

    size_t listed = 0;
    for (unsigned fl = 0; fl < FL_COUNT; fl++) {
        for (unsigned sl = 0; sl < SL_COUNT; sl++) {
            struct freeblk *b = *bin(H, fl, sl), *prev = NULL;
            bool bit = (H->sl_bitmap[fl] >> sl) & 1;
            if (bit != (b != NULL))
                return -ATOLL_ECORRUPT;
            for (; b; prev = b, b = b->next) {
                unsigned f2, s2;
                if ((uint8_t *)b < H->first || (struct hdr *)b >= H->sentinel ||
                    ((uintptr_t)b & 15) || !is_free(&b->h) || b->prev != prev ||
                    ++listed > nfree)
                    return -ATOLL_ECORRUPT;
                mapping(bsize(&b->h), &f2, &s2);
                if (f2 != fl || s2 != sl)
                    return -ATOLL_ECORRUPT;
            }
        }
        if (((H->fl_bitmap >> fl) & 1) != (H->sl_bitmap[fl] != 0))
            return -ATOLL_ECORRUPT;
    }
    return listed == nfree ? 0 : -ATOLL_ECORRUPT;
}

/* ---- the default heap --------------------------------------------- */

static atoll_heap default_heap; /* zero: every allocation fails */

atoll_heap *atoll_heap_default(void)
{
    return &default_heap;
}

void *atoll_malloc(size_t n)
{
    return atoll_heap_alloc(&default_heap, n);
}

void *atoll_calloc(size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n))
        return fail(impl(&default_heap));
    void *p = atoll_heap_alloc(&default_heap, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *atoll_realloc(void *p, size_t n)
{
    return atoll_heap_realloc(&default_heap, p, n);
}

void *atoll_memalign(size_t align, size_t n)
{
    return atoll_heap_alloc_aligned(&default_heap, align, n);
}

void atoll_free(void *p)
{
    atoll_heap_free(&default_heap, p);
}

char *atoll_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = atoll_heap_alloc(&default_heap, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void atoll_mem_stats(struct atoll_mem_stats *out)
{
    atoll_heap_stats(&default_heap, out);
}

void atoll_mem_fail_nth(uint64_t n, bool sticky)
{
    atoll_heap_fail_nth(&default_heap, n, sticky);
}

bool atoll_mem_fail_point(void)
{
    struct heap_impl *H = impl(&default_heap);
    return H->bins && injected(H);
}
