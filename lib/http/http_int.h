/*
 * lib/http/http_int.h - what the pieces of lib/http share: the request
 * parser's result, the chunked decoder, the range parser, and one
 * connection's state.  Parsers are pure functions over bytes, so the unit
 * tests and the fuzz target (tests/fuzz/http_request.c) call them
 * directly.
 */
#ifndef ATOLL_HTTP_INT_H
#define ATOLL_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/http.h"

/* ---- the request head (parse.c) ---------------------------------------- */

enum http_framing { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED };

struct http_head {
    char *method, *target, *query;
    char *path; /* decoded, in the caller's path buffer */
    int minor;
    size_t nfields;
    struct atoll_http_field fields[HTTP_FIELDS_MAX];
    enum http_framing framing;
    uint64_t length; /* HTTP_BODY_LENGTH; UINT64_MAX: too large to say */
    bool keep_alive, expect_continue;
};

/*
 * Where the head (request line and fields, through the empty line) of
 * the request at the start of buf[0..len) ends.  *scan is where the last
 * call stopped (start at 0), so bytes arriving one at a time are looked at
 * once.  Returns the head's length, 0 when it is not complete yet, -400
 * for a bare CR or LF or a NUL, -431 when no head of at most `max` bytes
 * fits.
 */
long http_head_end(const uint8_t *buf, size_t len, size_t *scan, size_t max);

/*
 * Parse the head buf[0..len) (len as http_head_end gave it) in place: NULs
 * are written after the method, target and each field.  `path` (pathcap
 * bytes, at least len) receives the decoded path.  Returns 0 or the
 * negated status to answer: -400, -431 (too many fields), -501 (a
 * transfer coding other than chunked), -505 (an HTTP version other than
 * 1.0 and 1.1), -417 (an Expect other than 100-continue).
 */
int http_parse_request(char *buf, size_t len, char *path, size_t pathcap,
                       struct http_head *h);

/* Parse field lines buf[0..len) (each ending in CRLF, the last one
 * followed by the empty line's CRLF) into fields[0..max).  Shared with the
 * client's answer parser.  Returns the count, -400 or -431. */
int http_parse_fields(char *buf, size_t len, struct atoll_http_field *fields,
                      size_t max);

/* Case-insensitive comparisons of ASCII text. */
bool http_ieq(const char *a, const char *b);
bool http_ieqn(const char *a, const char *b, size_t n);

/* The value of a hex digit, or -1. */
int http_hexval(uint8_t c);

/* Whether `value` (a comma-separated list) holds `token`,
 * case-insensitively. */
bool http_list_has(const char *value, const char *token);

/* ---- chunked bodies (chunked.c) ---------------------------------------- */

struct http_chunked {
    int state;
    uint64_t remaining; /* of the current chunk's data */
    int digits;
    bool ext_semicolon; /* a ';' started this line's extensions */
    size_t line;        /* bytes of the current size or trailer line */
    size_t trailer;     /* bytes of trailer fields so far */
};

void http_chunked_init(struct http_chunked *c);

/*
 * Decode from in[0..n).  Consumes *used bytes; when some of them are
 * body data, *data and *data_len point at it (inside `in`).  Returns 1
 * when the body (and its trailer) is complete, 0 when more input is
 * needed, -400 for a malformed body (a bad chunk size: not hex, over 16
 * digits; missing CRLFs; a bare CR or LF; a folded or malformed trailer
 * field), -431 for a trailer section over HTTP_HEADER_MAX.
 */
int http_chunked_step(struct http_chunked *c, const uint8_t *in, size_t n,
                      size_t *used, const uint8_t **data, size_t *data_len);

/* ---- Range (range.c) --------------------------------------------------- */

enum http_range_kind { HTTP_RANGE_NONE, HTTP_RANGE_ONE, HTTP_RANGE_UNSAT };

/* Read a Range field for a value of `size` bytes: NONE (no usable range:
 * absent, malformed, another unit or several ranges; answer with all of
 * it), ONE (bytes *first..*last, inclusive) or UNSAT (416). */
enum http_range_kind http_range_parse(const char *value, uint64_t size,
                                      uint64_t *first, uint64_t *last);

/* ---- a connection (server.c, response.c) -------------------------------- */

struct atoll_http_server;

struct atoll_http_conn {
    struct atoll_http_server *s;
    struct atoll_flow *f;
    /* The TCP connection under f when the connection may be parked while
     * idle (listen.c's pool), else NULL. */
    struct atoll_tcp_conn *tc;
    struct http_head *head; /* the request being served */
    const char *peer;       /* "198.18.0.1:40000", or "" */
    int err;                /* the first write error: the connection is done */
    uint8_t *in;
    size_t in_len, in_cap;
    uint8_t *out;
    size_t out_len, out_cap;
    atoll_time_t write_deadline;
    /* the answer in progress */
    bool started, drop_body, close_after;
    int status;
    uint64_t promised, sent;
    size_t fields_len;
    char fields[HTTP_RESP_FIELDS_BYTES];
};

/*
 * One connection's state and buffers are one allocation of
 * http_conn_size(s) bytes, set up for flow `f` by http_conn_init (`peer`
 * names the client in logs; "" for none).  The same allocation serves one
 * connection after another.
 */
size_t http_conn_size(const struct atoll_http_server *s);
void http_conn_init(struct atoll_http_conn *c, struct atoll_http_server *s,
                    struct atoll_flow *f, const char *peer);

/* How a connection's request loop ended: close the flow; answer sent
 * after an error, close after lingering; idle with nothing to read (only
 * when c->tc is set): wait for its next request elsewhere. */
enum http_end { HTTP_END_CLOSE, HTTP_END_LINGER, HTTP_END_PARK };

/* Serve requests on c until the connection ends or (c->tc set) has
 * nothing more to read after an answer. */
enum http_end http_conn_requests(struct atoll_http_conn *c);

/* Serve c as one of the server's connections: counted in conns_now for
 * its duration, or answered 503 beyond conns_max.  Never parks. */
enum http_end http_conn_serve(struct atoll_http_conn *c);

/* Close c's flow as `e` says (HTTP_END_LINGER: linger first). */
void http_conn_end(struct atoll_http_conn *c, enum http_end e);

/* The server's counters and limits, for listen.c. */
struct atoll_http_stats *http_server_stats(struct atoll_http_server *s);
const struct atoll_http_limits *http_server_limits(struct atoll_http_server *s);

/* Write out what is gathered in c->out.  0 or the flow's error (also left
 * in c->err). */
int http_flush(struct atoll_http_conn *c);

/* Append bytes to the answers being gathered (flushing as needed). */
int http_out(struct atoll_http_conn *c, const void *p, size_t len);
/* The same for memory that outlives the connection (a file baked into
 * the image): a large body is handed to the flow by reference
 * (atoll_flow_write_ref), so TCP copies it once, into its frames. */
int http_out_ref(struct atoll_http_conn *c, const void *p, size_t len);

/* Reset the answer state for the next request. */
void http_answer_reset(struct atoll_http_conn *c);

/* An error answer with a short text body and "Connection: close". */
int http_send_error(struct atoll_http_req *r, int status);

/* ---- routes (router.c) ------------------------------------------------- */

struct http_route {
    char method[16]; /* "" for GET and HEAD */
    char *pattern;   /* without the '*' of a prefix */
    bool prefix;
    atoll_http_handler fn;
    void *arg;
};

struct http_routes {
    struct http_route r[HTTP_ROUTES_MAX];
    size_t n;
};

int http_routes_add(struct http_routes *t, const char *method,
                    const char *pattern, atoll_http_handler fn, void *arg);
void http_routes_free(struct http_routes *t);

/* Hand `r` to the first matching route; answer 404 or 405 when none. */
int http_routes_dispatch(struct http_routes *t, struct atoll_http_req *r);

#endif
