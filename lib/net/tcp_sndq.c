/*
 * lib/net/tcp_sndq.c - a connection's send queue (tcp_int.h): the bytes
 * it was given to send and has not had acknowledged, some copied into the
 * send ring (atoll_tcp_write), some referred to where the caller keeps
 * them (atoll_tcp_write_ref).
 *
 * Why references: a server sending a file the image holds (kv_ro_map)
 * copied every byte twice before, into the ring and from the ring into
 * each frame; a referred byte is copied once, into the frame, and again
 * only if that frame is lost.  The piece stays referred to until the ACK
 * covers it, so a retransmission reads the same memory.
 *
 * While nothing is referred to - every connection that only uses
 * atoll_tcp_write - the queue is the ring alone and each call here is the
 * ring operation it always was: no list, no allocation, no walk.  The
 * first reference turns the queue into a list of pieces in sequence order
 * (a piece for the ring bytes already queued, then the reference); the
 * list goes when the last piece is acknowledged.  A piece of ring bytes
 * stands for the next `len` bytes of the ring, so ring bytes stay in the
 * ring in order and a piece needs no offset of its own: the ring bytes
 * before a piece are the sum of the ring pieces before it.  Pieces are
 * few (one per write_ref, one per run of copies between two), so finding
 * a segment's bytes walks a short list.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "tcp_int.h"

static struct tcp_sref *piece_new(const uint8_t *p, uint32_t n)
{
    struct tcp_sref *r = atoll_malloc(sizeof *r);
    if (r) {
        r->next = NULL;
        r->p = p;
        r->len = n;
        r->done = NULL;
        r->arg = NULL;
    }
    return r;
}

static void piece_append(struct atoll_tcp_conn *c, struct tcp_sref *r)
{
    if (c->sq_tail)
        c->sq_tail->next = r;
    else
        c->sq_head = r;
    c->sq_tail = r;
}

int tcp_sndq_copy_ready(struct atoll_tcp_conn *c)
{
    /* A run of copies is one piece: the last, if it is one. */
    if (c->sq_tail && c->sq_tail->p) {
        struct tcp_sref *r = piece_new(NULL, 0);
        if (!r)
            return -ATOLL_ENOMEM;
        piece_append(c, r);
    }
    return 0;
}

int tcp_sndq_copy(struct atoll_tcp_conn *c, const void *p, uint32_t n)
{
    if (tcp_sndq_copy_ready(c) < 0)
        return -ATOLL_ENOMEM;
    if (c->sq_tail)
        c->sq_tail->len += n;
    tcp_ring_write(&c->sndbuf, c->sndbuf.len, p, n);
    c->sndbuf.len += n;
    c->snd_len += n;
    return 0;
}

int tcp_sndq_ref(struct atoll_tcp_conn *c, const void *p, uint32_t n,
                 atoll_tcp_ref_done *done, void *arg)
{
    struct tcp_sref *ring = NULL, *r = piece_new(p, n);
    if (!r)
        return -ATOLL_ENOMEM;
    r->done = done;
    r->arg = arg;
    if (!c->sq_head && c->sndbuf.len) {
        /* The ring's bytes so far go first, as a piece of their own. */
        ring = piece_new(NULL, c->sndbuf.len);
        if (!ring) {
            atoll_free(r);
            return -ATOLL_ENOMEM;
        }
        piece_append(c, ring);
    }
    piece_append(c, r);
    c->snd_len += n;
    return 0;
}

void tcp_sndq_read(struct atoll_tcp_conn *c, uint32_t off, uint8_t *dst,
                   uint32_t n)
{
    /* Only queued bytes are ever sent (or sent again). */
    ATOLL_ASSERT(off <= c->snd_len && n <= c->snd_len - off);
    if (!c->sq_head) {
        tcp_ring_read(&c->sndbuf, off, dst, n);
        return;
    }
    /* New data lies at or after where the last read started; only a
     * retransmission starts before it, from the head. */
    struct tcp_sref *r = c->sq_head;
    uint32_t base = 0, ring_off = 0; /* r's offset, ring bytes before r */
    if (c->sq_cur && off >= c->sq_cur_off) {
        r = c->sq_cur;
        base = c->sq_cur_off;
        ring_off = c->sq_cur_ring;
    }
    off -= base;
    bool first = true;
    for (; r && n; r = r->next) {
        if (off >= r->len) {
            off -= r->len;
            base += r->len;
            if (!r->p)
                ring_off += r->len;
            continue;
        }
        if (first) {
            c->sq_cur = r;
            c->sq_cur_off = base;
            c->sq_cur_ring = ring_off;
            first = false;
        }
        uint32_t k = r->len - off < n ? r->len - off : n;
        if (r->p) {
            memcpy(dst, r->p + off, k);
        } else {
            tcp_ring_read(&c->sndbuf, ring_off + off, dst, k);
            ring_off += r->len;
        }
        dst += k;
        n -= k;
        off = 0;
    }
    ATOLL_ASSERT(n == 0);
}

void tcp_sndq_consume(struct atoll_tcp_conn *c, uint32_t n)
{
    ATOLL_ASSERT(n <= c->snd_len);
    c->snd_len -= n;
    c->snd_base += n;
    if (!c->sq_head) {
        tcp_ring_consume(&c->sndbuf, n);
    } else {
        uint32_t acked = n, ring_before = c->sndbuf.len;
        while (n) {
            struct tcp_sref *r = c->sq_head;
            ATOLL_ASSERT(r != NULL); /* the pieces add up to snd_len */
            uint32_t k = r->len < n ? r->len : n;
            if (r->p)
                r->p += k;
            else
                tcp_ring_consume(&c->sndbuf, k);
            r->len -= k;
            n -= k;
            if (r->len)
                break;
            c->sq_head = r->next;
            if (!c->sq_head)
                c->sq_tail = NULL;
            if (c->sq_cur == r)
                c->sq_cur = NULL;
            /* Unlinked first: done may look at the connection. */
            if (r->done)
                r->done(r->arg, 0);
            atoll_free(r);
        }
        /* The cursor's offsets count from the queue's (new) start. */
        if (c->sq_cur == c->sq_head) {
            c->sq_cur_off = c->sq_cur_ring = 0;
        } else if (c->sq_cur) {
            c->sq_cur_off -= acked;
            c->sq_cur_ring -= ring_before - c->sndbuf.len;
        }
    }
    if (c->sndbuf.buf && c->sndbuf.len == 0)
        tcp_ring_drained(c, &c->sndbuf);
}

void tcp_sndq_release(struct atoll_tcp_conn *c, int status)
{
    struct tcp_sref *r;
    c->sq_cur = NULL;
    while ((r = c->sq_head) != NULL) {
        c->sq_head = r->next;
        if (!c->sq_head)
            c->sq_tail = NULL;
        if (r->p)
            c->snd_len -= r->len;
        if (r->done)
            r->done(r->arg, status);
        atoll_free(r);
    }
}
