/*
 * lib/net/dheap.c - the deadline heap of dheap.h: an array of node
 * pointers in heap order, each node knowing its slot.
 */
#include "dheap.h"

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"

static void place(struct dheap *h, uint32_t i, struct dheap_node *x)
{
    h->v[i] = x;
    x->slot = i + 1;
}

static void sift_up(struct dheap *h, uint32_t i)
{
    struct dheap_node *x = h->v[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (h->v[parent]->key <= x->key)
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, x);
}

static void sift_down(struct dheap *h, uint32_t i)
{
    struct dheap_node *x = h->v[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= h->n)
            break;
        if (child + 1 < h->n && h->v[child + 1]->key < h->v[child]->key)
            child++;
        if (x->key <= h->v[child]->key)
            break;
        place(h, i, h->v[child]);
        i = child;
    }
    place(h, i, x);
}

int dheap_reserve(struct dheap *h, uint32_t n)
{
    if (n <= h->cap)
        return 0;
    uint32_t cap = h->cap ? h->cap : 64;
    while (cap < n)
        cap *= 2;
    struct dheap_node **v = atoll_realloc(h->v, (size_t)cap * sizeof *v);
    if (!v)
        return -ATOLL_ENOMEM;
    h->v = v;
    h->cap = cap;
    return 0;
}

void dheap_put(struct dheap *h, struct dheap_node *x, atoll_time_t key)
{
    if (!x->slot) {
        if (h->n == h->cap) /* not reserved: a caller's bug */
            atoll_panic("dheap: no room reserved");
        x->key = key;
        place(h, h->n++, x);
        sift_up(h, h->n - 1);
        return;
    }
    atoll_time_t old = x->key;
    x->key = key;
    if (key < old)
        sift_up(h, x->slot - 1);
    else
        sift_down(h, x->slot - 1);
}

void dheap_remove(struct dheap *h, struct dheap_node *x)
{
    if (!x->slot)
        return;
    uint32_t i = x->slot - 1;
    x->slot = 0;
    struct dheap_node *last = h->v[--h->n];
    if (i == h->n)
        return;
    place(h, i, last);
    /* The moved node may belong above or below its new slot. */
    sift_up(h, i);
    sift_down(h, last->slot - 1);
}

void dheap_free(struct dheap *h)
{
    atoll_free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}
