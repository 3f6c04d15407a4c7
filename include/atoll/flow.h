/*
 * atoll/flow.h - a generic reliable byte stream: read, write, shutdown,
 * close.
 *
 * NAME
 *     struct atoll_flow, atoll_flow_read, atoll_flow_write,
 *     atoll_flow_shutdown, atoll_flow_close, atoll_flow_pipe
 *
 * DESCRIPTION
 *     What an application needs of a connection, independent of what
 *     carries it.  A TCP connection is a flow (atoll_tcp_flow); a TLS
 *     session or a test double can wrap or replace one later without the
 *     application changing.
 *
 *     read blocks until at least one byte is available, the peer has
 *     finished sending (returns 0: end of stream), or `deadline` passes.
 *     write blocks until all `len` bytes are queued for sending (not
 *     necessarily acknowledged), or the deadline passes, in which case it
 *     returns the number of bytes queued so far if any, else
 *     -ATOLL_ETIMEDOUT.  shutdown ends our direction of the stream (the
 *     peer reads end of stream); close releases the flow (after close the
 *     handle is invalid).
 *
 *     write_ref is write for memory the caller keeps unchanged until the
 *     flow is closed (a file baked into the image, a constant): a flow
 *     that can send from it in place (TCP: atoll_tcp_write_ref) does so
 *     instead of copying it into its buffer; others copy (the op is
 *     NULL and atoll_flow_write_ref calls write).  Returns as write.
 *
 * RETURN VALUE
 *     read/write: bytes (>= 0), or -ATOLL_ETIMEDOUT, -ATOLL_ECONNRESET,
 *     -ATOLL_ECLOSED (after shutdown/close), -ATOLL_ENOTCONN,
 *     -ATOLL_EHOSTUNREACH, -ATOLL_ENOMEM.  shutdown/close: 0 or an error.
 */
#ifndef ATOLL_FLOW_H
#define ATOLL_FLOW_H

#include <stddef.h>

#include "atoll/time.h"

struct atoll_flow_ops {
    int (*read)(void *state, void *buf, size_t len, atoll_time_t deadline);
    int (*write)(void *state, const void *buf, size_t len,
                 atoll_time_t deadline);
    int (*shutdown)(void *state);
    int (*close)(void *state);
    /* optional: NULL means write (above) */
    int (*write_ref)(void *state, const void *buf, size_t len,
                     atoll_time_t deadline);
};

struct atoll_flow {
    const struct atoll_flow_ops *ops;
    void *state;
};

static inline int atoll_flow_read(struct atoll_flow *f, void *buf, size_t len,
                                  atoll_time_t deadline)
{
    return f->ops->read(f->state, buf, len, deadline);
}

static inline int atoll_flow_write(struct atoll_flow *f, const void *buf,
                                   size_t len, atoll_time_t deadline)
{
    return f->ops->write(f->state, buf, len, deadline);
}

static inline int atoll_flow_write_ref(struct atoll_flow *f, const void *buf,
                                       size_t len, atoll_time_t deadline)
{
    if (f->ops->write_ref)
        return f->ops->write_ref(f->state, buf, len, deadline);
    return f->ops->write(f->state, buf, len, deadline);
}

static inline int atoll_flow_shutdown(struct atoll_flow *f)
{
    return f->ops->shutdown(f->state);
}

static inline int atoll_flow_close(struct atoll_flow *f)
{
    return f->ops->close(f->state);
}

/*
 * A test double: two flows joined back to back in memory, what one writes
 * the other reads (each direction buffers `cap` bytes; 0: 64 KiB).  Used
 * to test protocols over flows (HTTP, TLS) without a network; reads and
 * writes block the calling fiber like a real connection's.  Closing one
 * end makes the other read end of stream and fail writes with
 * -ATOLL_ECONNRESET; memory is released when both are closed.  0 or
 * -ATOLL_ENOMEM.
 */
int atoll_flow_pipe(size_t cap, struct atoll_flow **a, struct atoll_flow **b);

#endif
