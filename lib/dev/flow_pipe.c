/*
 * lib/dev/flow_pipe.c - two flows joined back to back in memory
 * (atoll_flow_pipe, atoll/flow.h): the test double for protocols that run
 * over a flow.  Each direction is a ring of bytes with an event for the
 * reader and one for the writer.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/flow.h"
#include "atoll/mem.h"

struct ring {
    uint8_t *buf;
    size_t cap, head, len;
    bool shut; /* the writer ended this direction */
    atoll_event readable, writable;
};

struct end {
    struct atoll_flow flow;
    struct pipe *p;
    struct ring *in, *out;
    bool closed;
};

struct pipe {
    struct ring r[2];
    struct end e[2];
    int open; /* ends not closed yet */
};

static int pipe_read(void *state, void *buf, size_t len, atoll_time_t deadline)
{
    struct end *e = state;
    if (e->closed)
        return -ATOLL_ECLOSED;
    struct ring *r = e->in;
    while (r->len == 0) {
        if (r->shut)
            return 0;
        int err = atoll_event_wait(&r->readable, deadline);
        if (err < 0)
            return err;
    }
    size_t n = len < r->len ? len : r->len;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = r->buf[(r->head + i) % r->cap];
    r->head = (r->head + n) % r->cap;
    r->len -= n;
    atoll_event_broadcast(&r->writable);
    return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

static int pipe_write(void *state, const void *buf, size_t len,
                      atoll_time_t deadline)
{
    struct end *e = state;
    struct ring *r = e->out;
    size_t done = 0;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    while (done < len) {
        if (e->closed || r->shut)
            return done ? (int)done : -ATOLL_ECLOSED;
        struct end *peer = &e->p->e[e == &e->p->e[0]];
        if (peer->closed)
            return done ? (int)done : -ATOLL_ECONNRESET;
        if (r->len == r->cap) {
            int err = atoll_event_wait(&r->writable, deadline);
            if (err < 0)
                return done ? (int)done : err;
            continue;
        }
        size_t room = r->cap - r->len,
               n = len - done < room ? len - done : room;
        for (size_t i = 0; i < n; i++)
            r->buf[(r->head + r->len + i) % r->cap] =
                ((const uint8_t *)buf)[done + i];
        r->len += n;
        done += n;
        atoll_event_broadcast(&r->readable);
    }
    return (int)done;
}

static int pipe_shutdown(void *state)
{
    struct end *e = state;
    e->out->shut = true;
    atoll_event_broadcast(&e->out->readable);
    return 0;
}

static int pipe_close(void *state)
{
    struct end *e = state;
    if (e->closed)
        return -ATOLL_ECLOSED;
    pipe_shutdown(e);
    e->closed = true;
    /* The peer's writes fail from now on; wake a blocked writer. */
    atoll_event_broadcast(&e->in->writable);
    struct pipe *p = e->p;
    if (--p->open == 0) {
        atoll_free(p->r[0].buf);
        atoll_free(p);
    }
    return 0;
}

static const struct atoll_flow_ops pipe_ops = {pipe_read, pipe_write,
                                               pipe_shutdown, pipe_close, NULL};

int atoll_flow_pipe(size_t cap, struct atoll_flow **a, struct atoll_flow **b)
{
    if (!cap)
        cap = 64 * 1024;
    struct pipe *p = atoll_calloc(1, sizeof *p);
    uint8_t *bufs = atoll_malloc(2 * cap);
    if (!p || !bufs) {
        atoll_free(p);
        atoll_free(bufs);
        return -ATOLL_ENOMEM;
    }
    for (int i = 0; i < 2; i++) {
        p->r[i].buf = bufs + (size_t)i * cap;
        p->r[i].cap = cap;
        atoll_event_init(&p->r[i].readable, "pipe read");
        atoll_event_init(&p->r[i].writable, "pipe write");
        p->e[i].flow.ops = &pipe_ops;
        p->e[i].flow.state = &p->e[i];
        p->e[i].p = p;
        p->e[i].in = &p->r[i];
        p->e[i].out = &p->r[!i];
    }
    p->open = 2;
    *a = &p->e[0].flow;
    *b = &p->e[1].flow;
    return 0;
}
