/*
 * atoll/error.h - error codes as values.
 *
 * Every Atoll function that can fail returns an int: 0 (or a non-negative
 * count) on success, and a negated ATOLL_E... code on failure:
 *
 *     int n = atoll_netif_recv(nif, bufs, 8, atoll_after(ATOLL_MS(100)));
 *     if (n == -ATOLL_ETIMEDOUT) ...
 *
 * There is no errno and no global error state.  Functions that return a
 * pointer return NULL on failure and document which error that means
 * (almost always "out of memory").
 *
 * Every code has a name (atoll_errname) and a one-line message
 * (atoll_strerror); both accept the code negated or not.
 */
#ifndef ATOLL_ERROR_H
#define ATOLL_ERROR_H

/*
 * X-macro list: (symbol, number, message).  Numbers are stable: they are
 * part of the ABI between a unikernel and its tests, and they may appear in
 * traces.  Append new codes at the end.
 */
#define ATOLL_ERRORS(X)                                                        \
    X(ATOLL_EPERM, 1, "operation not permitted")                               \
    X(ATOLL_ENOENT, 2, "no such entry")                                        \
    X(ATOLL_EIO, 3, "input/output error")                                      \
    X(ATOLL_E2BIG, 4, "argument list too long")                                \
    X(ATOLL_EAGAIN, 5, "resource temporarily unavailable")                     \
    X(ATOLL_ENOMEM, 6, "out of memory")                                        \
    X(ATOLL_EBUSY, 7, "device or resource busy")                               \
    X(ATOLL_EEXIST, 8, "already exists")                                       \
    X(ATOLL_EINVAL, 9, "invalid argument")                                     \
    X(ATOLL_ENOSPC, 10, "no space left on device")                             \
    X(ATOLL_ERANGE, 11, "out of range")                                        \
    X(ATOLL_ETIMEDOUT, 12, "timed out")                                        \
    X(ATOLL_ECANCELED, 13, "canceled")                                         \
    X(ATOLL_ENOTSUP, 14, "not supported")                                      \
    X(ATOLL_EMSGSIZE, 15, "message too long")                                  \
    X(ATOLL_ECLOSED, 16, "closed")                                             \
    X(ATOLL_ECONNREFUSED, 17, "connection refused")                            \
    X(ATOLL_ECONNRESET, 18, "connection reset")                                \
    X(ATOLL_ENOTCONN, 19, "not connected")                                     \
    X(ATOLL_EADDRINUSE, 20, "address in use")                                  \
    X(ATOLL_EHOSTUNREACH, 21, "host unreachable")                              \
    X(ATOLL_ENETDOWN, 22, "network is down")                                   \
    X(ATOLL_ECORRUPT, 23, "data corrupted (checksum mismatch)")                \
    X(ATOLL_EOVERFLOW, 24, "value too large")                                  \
    X(ATOLL_ENODEV, 25, "no such device")                                      \
    X(ATOLL_EBADMSG, 26, "malformed message")                                  \
    X(ATOLL_EDEADLK, 27, "deadlock: every fiber is blocked forever")           \
    X(ATOLL_ESRCH, 28, "no such fiber")

enum atoll_error {
#define ATOLL_ERROR_ENUM_(sym, num, msg) sym = num,
    ATOLL_ERRORS(ATOLL_ERROR_ENUM_)
#undef ATOLL_ERROR_ENUM_
        ATOLL_ERROR_MAX
};

/* "ATOLL_ENOMEM" for ATOLL_ENOMEM or -ATOLL_ENOMEM; "ATOLL_OK" for 0;
 * "ATOLL_E?" for an unknown code.  Never NULL. */
const char *atoll_errname(int err);

/* "out of memory" for ATOLL_ENOMEM or -ATOLL_ENOMEM; "success" for 0;
 * "unknown error" for an unknown code.  Never NULL. */
const char *atoll_strerror(int err);

#endif
