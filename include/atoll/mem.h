/*
 * atoll/mem.h - the allocator over one memory region.
 *
 * DESCRIPTION
 *     At boot the platform hands the runtime one region of memory (its size
 *     is --mem=MiB, default ATOLL_DEFAULT_MEM_MIB).  Every allocation of the
 *     unikernel - fiber stacks, packet buffers, the trace ring, application
 *     data - comes from that region through the functions below, so running
 *     out behaves the same in a Linux process and in a VM, and memory limits
 *     can be tested on the unix and sim targets.
 *
 *     Running out is an error value, never corruption: the allocation
 *     functions return NULL, count a failure in the statistics, and leave
 *     the heap intact.  Freeing a pointer the heap did not hand out, or
 *     freeing twice, is detected where the block header allows and stops the
 *     unikernel with a message (atoll_panic).
 *
 *     A heap is a plain structure, so tests can make small heaps of their
 *     own (atoll_heap_init on a static array) to exercise out-of-memory.
 *     The atoll_malloc family works on the unikernel's default heap.
 *
 *     All returned pointers are aligned to 16 bytes.
 *
 *     For tests, a heap can be told to fail an allocation that it could
 *     serve (atoll_heap_fail_nth), the way SQLite tests its handling of
 *     memory failure: a test runs a scenario once per N with the Nth
 *     allocation failing (or the Nth and every one after it), and checks
 *     each run ends without a crash or a leak (allocs - frees in the
 *     statistics is the number of blocks outstanding) and without losing
 *     anything already committed.  docs/testing.md describes the loops.
 */
#ifndef ATOLL_MEM_H
#define ATOLL_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct atoll_mem_stats {
    size_t region_size;  /* bytes managed, including headers */
    size_t in_use;       /* bytes in allocated blocks, with headers */
    size_t peak_in_use;  /* highest in_use seen */
    size_t largest_free; /* largest block an allocation could get now */
    uint64_t allocs;     /* successful allocations */
    uint64_t frees;      /* frees */
    uint64_t failures;   /* allocations refused (for lack of memory or
                            injected); allocs - frees = blocks outstanding */
    uint64_t requests;   /* allocation requests: alloc, aligned alloc, and
                            realloc that grows (what injection counts) */
    uint64_t injected;   /* of the failures, those atoll_heap_fail_nth made */
};

/* Opaque; big enough for any implementation (checked at compile time). */
typedef struct atoll_heap {
    uint64_t opaque[64];
} atoll_heap;

/* Manage [base, base+len) as a heap.  Returns 0 or -ATOLL_EINVAL (region
 * too small to hold one block, or misaligned beyond repair). */
int atoll_heap_init(atoll_heap *h, void *base, size_t len);

/* Allocate `n` bytes (n == 0 is treated as 1).  NULL when out of memory. */
void *atoll_heap_alloc(atoll_heap *h, size_t n);

/* Allocate `n` bytes aligned to `align` (a power of two up to the page size,
 * 4096).  NULL when out of memory or on a bad alignment. */
void *atoll_heap_alloc_aligned(atoll_heap *h, size_t align, size_t n);

/* Resize; same contract as realloc(3): NULL (and the old block untouched)
 * when out of memory. */
void *atoll_heap_realloc(atoll_heap *h, void *p, size_t n);

/* Release; NULL is ignored. */
void atoll_heap_free(atoll_heap *h, void *p);

/* Usable size of an allocated block (>= what was asked). */
size_t atoll_heap_usable(atoll_heap *h, const void *p);

void atoll_heap_stats(atoll_heap *h, struct atoll_mem_stats *out);

/* Injected failure: the nth allocation request from now on (n >= 1;
 * atoll_heap_alloc, atoll_heap_alloc_aligned, or an atoll_heap_realloc
 * that grows the block) fails as if the heap were full, leaving it
 * unchanged; with `sticky`, every request after that one fails too.
 * n = 0 turns injection off.  A new call replaces the previous one. */
void atoll_heap_fail_nth(atoll_heap *h, uint64_t n, bool sticky);

/* Call fn for every block in use: its pointer, usable size, and the
 * number of the allocation request that made it (the value of
 * stats.requests then, counted from 1; a block realloc moved counts as
 * made by that realloc).  For leak reports: a test replays the run and
 * stops at that request.  O(heap); fn must not allocate or free. */
void atoll_heap_walk(atoll_heap *h,
                     void (*fn)(void *p, size_t size, uint64_t request,
                                void *arg),
                     void *arg);

/* Walk the whole heap and verify every header and the free lists.  Returns
 * 0, or -ATOLL_ECORRUPT.  For tests; O(heap). */
int atoll_heap_check(atoll_heap *h);

/* The unikernel's default heap (set up at boot from the platform region). */
atoll_heap *atoll_heap_default(void);

void *atoll_malloc(size_t n);
void *atoll_calloc(size_t count, size_t size); /* NULL on overflow too */
void *atoll_realloc(void *p, size_t n);
void *atoll_memalign(size_t align, size_t n);
void atoll_free(void *p);
char *atoll_strdup(const char *s);
void atoll_mem_stats(struct atoll_mem_stats *out);
/* atoll_heap_fail_nth on the default heap. */
void atoll_mem_fail_nth(uint64_t n, bool sticky);
/* For an allocation served from a free list kept above the default heap
 * (a cache of blocks it already holds): counts as a request for
 * injection, and true when injection fails it, so that a cache hides no
 * allocation from atoll_mem_fail_nth. */
bool atoll_mem_fail_point(void);

#endif
