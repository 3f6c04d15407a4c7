/*
 * tests/unit/buf.c - packet buffers (push/pull/put/trim at their edges)
 * and buffer queues.
 */
#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

static void init(void)
{
    struct atoll_runtime_opts o = {4u << 20, 64, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
}

TEST(buf, "a new buffer has its headroom and room for its size")
{
    init();
    struct atoll_buf *b = atoll_buf_alloc(32, 100);
    CHECK(b != NULL);
    CHECK_EQ(b->len, 0);
    CHECK_EQ(atoll_buf_headroom(b), 32);
    CHECK_EQ(atoll_buf_tailroom(b), 100);
    CHECK_EQ(b->cap, 132);
    CHECK(b->next == NULL);
    atoll_buf_free(b);
    atoll_buf_free(NULL);
    CHECK(atoll_buf_alloc(SIZE_MAX, 2) == NULL);
    CHECK(atoll_buf_alloc(0, 64u << 20) == NULL);
}

TEST(buf, "push, pull, put and trim stop exactly at the edges")
{
    init();
    struct atoll_buf *b = atoll_buf_alloc(8, 16);
    uint8_t *t = atoll_buf_put(b, 16);
    CHECK(t == b->data);
    CHECK(atoll_buf_put(b, 1) == NULL); /* no tailroom left */
    CHECK_EQ(b->len, 16);
    uint8_t *h = atoll_buf_push(b, 8);
    CHECK(h == b->head);
    CHECK_EQ(b->len, 24);
    CHECK(atoll_buf_push(b, 1) == NULL);
    CHECK_EQ(b->len, 24);
    CHECK(atoll_buf_pull(b, 25) == NULL);
    CHECK_EQ(b->len, 24);
    CHECK(atoll_buf_pull(b, 24) == h);
    CHECK_EQ(b->len, 0);
    CHECK(atoll_buf_pull(b, 0) == b->data);
    CHECK(atoll_buf_push(b, 24) == h);
    atoll_buf_trim(b, 30); /* longer: no-op */
    CHECK_EQ(b->len, 24);
    atoll_buf_trim(b, 10);
    CHECK_EQ(b->len, 10);
    CHECK_EQ(atoll_buf_tailroom(b), 14);
    atoll_buf_free(b);
}

TEST(buf, "a buffer made from bytes copies them behind the headroom")
{
    init();
    const char msg[] = "frame bytes";
    struct atoll_buf *b = atoll_buf_from(msg, sizeof msg);
    CHECK_EQ(b->len, sizeof msg);
    CHECK_EQ(atoll_buf_headroom(b), ATOLL_BUF_HEADROOM);
    CHECK_MEM(b->data, msg, sizeof msg);
    atoll_buf_free(b);
    b = atoll_buf_from(NULL, 0);
    CHECK(b && b->len == 0);
    atoll_buf_free(b);
}

TEST(buf, "a queue is FIFO and counts buffers and bytes")
{
    init();
    struct atoll_bufq q = ATOLL_BUFQ_INIT;
    CHECK(atoll_bufq_pop(&q) == NULL);
    struct atoll_buf *b[3];
    for (int i = 0; i < 3; i++) {
        b[i] = atoll_buf_alloc(0, 10);
        atoll_buf_put(b[i], (size_t)i + 1);
        atoll_bufq_push(&q, b[i]);
    }
    CHECK_EQ(q.count, 3);
    CHECK_EQ(q.bytes, 6);
    CHECK(atoll_bufq_pop(&q) == b[0]);
    CHECK(b[0]->next == NULL);
    CHECK_EQ(q.count, 2);
    CHECK_EQ(q.bytes, 5);
    atoll_bufq_push(&q, b[0]);
    CHECK(atoll_bufq_pop(&q) == b[1]);
    CHECK(atoll_bufq_pop(&q) == b[2]);
    CHECK(atoll_bufq_pop(&q) == b[0]);
    CHECK(atoll_bufq_pop(&q) == NULL);
    CHECK(q.head == NULL && q.tail == NULL && q.count == 0 && q.bytes == 0);
    for (int i = 0; i < 3; i++)
        atoll_bufq_push(&q, b[i]);
    struct atoll_mem_stats st;
    atoll_mem_stats(&st);
    uint64_t frees = st.frees;
    atoll_bufq_clear(&q);
    atoll_mem_stats(&st);
    CHECK_EQ(st.frees - frees, 3);
    CHECK_EQ(q.count, 0);
    CHECK(q.head == NULL);
}
