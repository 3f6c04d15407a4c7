/*
 * atoll/http.h - HTTP/1.1: a server with a small router, static files
 * from a read-only store, and a small client, over any flow.
 *
 * NAME
 *     atoll_http_server_create, atoll_http_route, atoll_http_serve_flow,
 *     atoll_http_listen, atoll_http_send, atoll_http_start,
 *     atoll_http_body, atoll_http_add_header, atoll_http_header,
 *     atoll_http_files, atoll_http_request
 *
 * DESCRIPTION
 *     RFC 9110 semantics and RFC 9112 message syntax, written against the
 *     generic flow (atoll/flow.h): the same server answers over TCP and
 *     over TLS (atoll/tls.h).  docs/http.md says what is implemented of
 *     each RFC and what is not.
 *
 *     A server holds the routes and the limits.  atoll_http_serve_flow
 *     runs one connection to its end in the calling fiber: it reads
 *     requests (several per connection, pipelined or not), hands each to
 *     the first route that matches, writes the answers in order and closes
 *     the flow.  atoll_http_listen starts a fiber that accepts TCP
 *     connections and serves each in a fiber of its own.
 *
 *     Requests are parsed strictly.  A malformed request is answered 400
 *     and the connection closed; so are the shapes that let two parsers
 *     disagree about where a request ends (request smuggling): both
 *     Content-Length and Transfer-Encoding, Content-Length repeated with
 *     different values, a line folded onto the next (obs-fold), a bare CR
 *     or LF, whitespace between a field name and its colon, a bad chunk
 *     size, Transfer-Encoding whose last coding is not chunked, a missing
 *     or repeated Host.  Other codings than chunked get 501, versions
 *     other than 1.0 and 1.1 get 505.
 *
 *     Limits (struct atoll_http_limits; defaults in atoll/net_tunables.h,
 *     HTTP section): a header section larger than header_max gets 431, a
 *     body larger than body_max 413, a connection beyond conns_max 503;
 *     each of those then closes.  A request whose header has not arrived
 *     in full within header_timeout of its first byte gets 408 and the
 *     connection is closed (a client that trickles bytes holds a
 *     connection no longer than that), and so does a body not complete
 *     within body_timeout; a kept-alive connection without a new request
 *     for idle_timeout is closed.  A client that does not read its
 *     answers is cut off after write_timeout.
 *
 *     A handler answers through the request: atoll_http_send for a whole
 *     body in memory, or atoll_http_start then atoll_http_body for one
 *     written in pieces (Content-Length is always sent; bodies of HEAD
 *     requests and of 204 and 304 answers are dropped for the handler).
 *     Headers it adds with atoll_http_add_header go out with the status
 *     line; the server adds Date, Content-Length and Connection.  A
 *     handler that returns without answering gets a 500 sent for it.
 *
 * RETURN VALUE
 *     0 or a count, or a negative ATOLL_E... code: -ATOLL_EINVAL,
 *     -ATOLL_ENOMEM, -ATOLL_E2BIG (a table or buffer is full), the flow's
 *     errors (-ATOLL_ETIMEDOUT, -ATOLL_ECONNRESET, ...), and for the
 *     client -ATOLL_EBADMSG (a malformed answer) and -ATOLL_EMSGSIZE (an
 *     answer over the caller's limit).
 */
#ifndef ATOLL_HTTP_H
#define ATOLL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/flow.h"
#include "atoll/kv_ro.h"
#include "atoll/net_tunables.h"
#include "atoll/tcp.h"
#include "atoll/time.h"

struct atoll_http_limits {
    size_t header_max;           /* request line + fields, bytes: 431 */
    size_t body_max;             /* request body, bytes: 413 */
    int conns_max;               /* connections served at once: 503 */
    atoll_time_t header_timeout; /* first byte to the end of the header */
    atoll_time_t body_timeout;   /* end of header to the end of the body */
    atoll_time_t idle_timeout;   /* between requests on a connection */
    atoll_time_t write_timeout;  /* one answer's bytes into the flow */
};

/* The defaults of net_tunables.h. */
void atoll_http_limits_default(struct atoll_http_limits *out);

/* One header field of a request, NUL-terminated in the connection's
 * buffer: the name as sent (compare it case-insensitively), the value
 * without the whitespace around it. */
struct atoll_http_field {
    const char *name;
    const char *value;
};

struct atoll_http_conn; /* the server's side of one connection */

/* A parsed request, valid until its handler returns. */
struct atoll_http_req {
    const char *method; /* "GET", as sent (methods are case-sensitive) */
    const char *target; /* the request-target as sent */
    const char *path;   /* its path, percent-decoded: "/a b" for /a%20b */
    const char *query;  /* after '?', not decoded; "" when none */
    int minor;          /* HTTP/1.minor: 0 or 1 */
    bool keep_alive;    /* the connection stays open after the answer */
    bool head;          /* method HEAD: answers carry no body */
    size_t nfields;
    const struct atoll_http_field *fields;
    const uint8_t *body; /* the whole body (de-chunked), NUL after it */
    size_t body_len;
    /* Wall-clock time the request was read (ns since 1970), for handlers
     * that compare dates. */
    atoll_time_t now;
    struct atoll_http_conn *conn;
};

/* The first value of field `name` (case-insensitive), or NULL. */
const char *atoll_http_header(const struct atoll_http_req *r, const char *name);

/* A route's handler.  Returns 0, or a negative code (the connection is
 * then closed; if nothing was answered yet, a 500 goes first). */
typedef int (*atoll_http_handler)(void *arg, struct atoll_http_req *r);

struct atoll_http_server;

/* A server with `limits` (NULL: the defaults).  Logs one line per request
 * at info level on log source "http" when `log_requests` is set. */
int atoll_http_server_create(const struct atoll_http_limits *limits,
                             bool log_requests, struct atoll_http_server **out);
void atoll_http_server_destroy(struct atoll_http_server *s);

/*
 * Route requests for `pattern` to fn(arg, req).  A pattern is a path
 * ("/status": that path only) or a path ending in '*' (every path that
 * starts with what comes before the '*': "/static/" then '*' for a
 * folder, "/" then '*' for everything).
 * `method` is one method ("POST"), or NULL for GET and HEAD.  Routes are
 * tried in the order they were added.  A path no route matches gets 404;
 * a path matched only under other methods gets 405 with Allow.  At most
 * HTTP_ROUTES_MAX routes (-ATOLL_E2BIG).
 */
int atoll_http_route(struct atoll_http_server *s, const char *method,
                     const char *pattern, atoll_http_handler fn, void *arg);

/* Serve one connection in the calling fiber until it ends; closes `f`.
 * Counts toward conns_max (answers 503 beyond it). */
int atoll_http_serve_flow(struct atoll_http_server *s, struct atoll_flow *f);

/*
 * Accept connections on `l` in a fiber of its own and serve each in a new
 * fiber.  When `wrap` is given, each accepted connection is first handed
 * to it and the flow it returns is served instead (TLS: atoll/tls.h);
 * closing that flow must close the connection.  A peer's address is
 * logged with its requests.
 */
typedef int (*atoll_http_wrap_fn)(void *arg, struct atoll_tcp_conn *c,
                                  struct atoll_flow **out);
int atoll_http_listen(struct atoll_http_server *s, struct atoll_tcp_listener *l,
                      atoll_http_wrap_fn wrap, void *wrap_arg);

/* Counters, for tests and logs. */
struct atoll_http_stats {
    uint64_t conns, conns_refused, requests, bad_requests, timeouts;
    int conns_now;
};
void atoll_http_server_stats(const struct atoll_http_server *s,
                             struct atoll_http_stats *out);

/*
 * Answering.  add_header queues a field for the answer (the name and value
 * are copied; at most HTTP_RESP_FIELDS_BYTES of them per answer).  start
 * writes the status line and the fields, promising `length` body bytes;
 * body writes them (in as many calls as the handler likes; no more than
 * promised).  send is add Content-Type, start and body in one.
 */
int atoll_http_add_header(struct atoll_http_req *r, const char *name,
                          const char *value);
int atoll_http_start(struct atoll_http_req *r, int status, uint64_t length);
int atoll_http_body(struct atoll_http_req *r, const void *data, size_t len);
int atoll_http_send(struct atoll_http_req *r, int status,
                    const char *content_type, const void *body, size_t len);

/* The reason phrase of a status ("Not Found"), "" when unknown. */
const char *atoll_http_reason(int status);

/*
 * Static files from a read-only store: a handler for atoll_http_route
 * (GET and HEAD), with `struct atoll_http_files` as its argument.  The
 * request's path minus `prefix` (the route's pattern without its '*') is
 * the key; a path ending in '/' serves its index.html, and a directory
 * named without its '/' is redirected (301) to the name with it.  Keys
 * come from percent-decoded paths and must be well-formed (no "..",
 * atoll/kv_ro.h); others get 404 like missing ones.
 *
 * Answers carry Content-Type from the name's extension
 * (atoll_http_content_type), an ETag made of the value's SHA-256, and
 * Last-Modified (`mtime`, wall-clock ns; 0: none).  If-None-Match (weak
 * comparison, "*" too) and else If-Modified-Since get 304 when they
 * match.  One byte range (Range: bytes=A-B, A-, -N) gets 206 with
 * Content-Range, an unsatisfiable one 416; If-Range that does not match
 * the ETag or the date gets the whole value; several ranges are answered
 * with the whole value (RFC 9110 14.2 lets a server ignore Range).
 */
struct atoll_http_files {
    struct atoll_kv_ro *kv;
    const char *prefix; /* "/" for a site at the root */
    atoll_time_t mtime; /* Last-Modified of every file; 0: none */
};
int atoll_http_files(void *files, struct atoll_http_req *r);

/* The media type for a file name, from its extension ("a.css":
 * "text/css"); "application/octet-stream" when unknown. */
const char *atoll_http_content_type(const char *name);

/* HTTP dates (RFC 9110 5.6.7).  format writes the IMF-fixdate of `t`
 * (wall-clock ns) into buf, 30 bytes with the NUL: "Sun, 06 Nov 1994
 * 08:49:37 GMT".  parse reads that form and the two obsolete ones
 * (RFC 850 and asctime) into *t; 0 or -ATOLL_EINVAL (also for a date
 * after April 2262, past what atoll_time_t holds). */
#define ATOLL_HTTP_DATE_LEN 30
void atoll_http_date_format(atoll_time_t t, char buf[ATOLL_HTTP_DATE_LEN]);
int atoll_http_date_parse(const char *s, atoll_time_t *t);

/*
 * The client: one request on `f` (which the caller connected, over TCP or
 * TLS) and its answer.  Sends "METHOD PATH HTTP/1.1" with Host `host`,
 * the given extra header lines (each "Name: value\r\n"; NULL for none)
 * and the body (len 0: none).  Reads the answer's status, fields and
 * body (Content-Length, chunked, or up to the end of the stream), at most
 * `max_body` body bytes.  Keep-alive: the flow is left open, so another
 * request may follow on it (res->keep_alive says whether the server
 * agrees).  Free the answer with atoll_http_response_free.
 */
struct atoll_http_response {
    int status;
    int minor;
    bool keep_alive;
    size_t nfields;
    struct atoll_http_field *fields; /* names and values, in one buffer */
    uint8_t *body;                   /* NUL after it */
    size_t body_len;
    char *head_; /* the header block the fields point into */
};
int atoll_http_request(struct atoll_flow *f, const char *method,
                       const char *host, const char *path, const char *extra,
                       const void *body, size_t len, size_t max_body,
                       atoll_time_t deadline, struct atoll_http_response *res);
const char *atoll_http_response_header(const struct atoll_http_response *res,
                                       const char *name);
void atoll_http_response_free(struct atoll_http_response *res);

#endif
