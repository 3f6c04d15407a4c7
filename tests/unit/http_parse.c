/*
 * tests/unit/http_parse.c - lib/http's parsers, byte for byte: the end of
 * a request head, the request line and fields, body framing and every
 * request-smuggling shape it must refuse, the chunked decoder, Range,
 * HTTP dates and content types.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/http/http_int.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/http.h"

/* Parse `text` as a whole request head: 0 or -status. */
static int parse(const char *text, struct http_head *h)
{
    static char buf[16384], path[16384];
    size_t len = strlen(text), scan = 0;
    memcpy(buf, text, len);
    long hl = http_head_end((const uint8_t *)buf, len, &scan, HTTP_HEADER_MAX);
    if (hl <= 0)
        return hl == 0 ? -1 : (int)hl;
    return http_parse_request(buf, (size_t)hl, path, sizeof path, h);
}

TEST(http_parse, "a simple GET: method, target, path, query, fields")
{
    struct http_head h;
    CHECK_EQ(parse("GET /a%20b/c.html?x=1&y HTTP/1.1\r\nHost: example.test\r\n"
                   "User-Agent:  curl/7 \r\n\r\n",
                   &h),
             0);
    CHECK_STR(h.method, "GET");
    CHECK_STR(h.target, "/a%20b/c.html?x=1&y");
    CHECK_STR(h.path, "/a b/c.html");
    CHECK_STR(h.query, "x=1&y");
    CHECK_EQ(h.minor, 1);
    CHECK_EQ(h.nfields, 2);
    CHECK_STR(h.fields[1].name, "User-Agent");
    CHECK_STR(h.fields[1].value, "curl/7"); /* whitespace trimmed */
    CHECK(h.keep_alive);
    CHECK_EQ(h.framing, HTTP_BODY_NONE);
}

TEST(http_parse, "keep-alive: 1.1 by default, 1.0 only when asked; close")
{
    struct http_head h;
    CHECK_EQ(parse("GET / HTTP/1.0\r\n\r\n", &h), 0);
    CHECK(!h.keep_alive);
    CHECK_EQ(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h), 0);
    CHECK(h.keep_alive);
    CHECK_EQ(
        parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
              &h),
        0);
    CHECK(!h.keep_alive);
}

TEST(http_parse, "absolute-form targets and OPTIONS *; empty lines first")
{
    struct http_head h;
    CHECK_EQ(
        parse("GET http://example.test/x?q HTTP/1.1\r\nHost: a\r\n\r\n", &h),
        0);
    CHECK_STR(h.path, "/x");
    CHECK_STR(h.query, "q");
    CHECK_EQ(parse("GET HTTP://example.test HTTP/1.1\r\nHost: a\r\n\r\n", &h),
             0);
    CHECK_STR(h.path, "/");
    CHECK_EQ(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &h), 0);
    CHECK_EQ(parse("GET * HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &h), 0);
}

TEST(http_parse, "bodies: Content-Length, repeated equal, chunked")
{
    struct http_head h;
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n", &h),
        0);
    CHECK_EQ(h.framing, HTTP_BODY_LENGTH);
    CHECK_EQ(h.length, 12);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                   "Content-Length: 5, 5\r\n\r\n",
                   &h),
             0);
    CHECK_EQ(h.length, 5);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked"
                   "\r\n\r\n",
                   &h),
             0);
    CHECK_EQ(h.framing, HTTP_BODY_CHUNKED);
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", &h),
        0);
    CHECK_EQ(h.framing, HTTP_BODY_NONE);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                   "99999999999999999999999\r\n\r\n",
                   &h),
             0);
    CHECK_EQ(h.length, UINT64_MAX); /* refused later as too large */
}

TEST(http_parse, "smuggling: Content-Length with Transfer-Encoding is 400")
{
    struct http_head h;
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n",
                   &h),
             -400);
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
              "Content-Length: 4\r\n\r\n",
              &h),
        -400);
}

TEST(http_parse, "smuggling: Content-Length values that differ are 400")
{
    struct http_head h;
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                   "Content-Length: 5\r\n\r\n",
                   &h),
             -400);
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 5\r\n\r\n", &h),
        -400);
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +4\r\n\r\n", &h),
        -400);
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x4\r\n\r\n", &h),
        -400);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", &h),
             -400);
}

TEST(http_parse, "smuggling: obs-fold, bare CR, bare LF, space before colon")
{
    struct http_head h;
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", &h),
             -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", &h),
             -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\rX-A: b\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost : a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nTransfer-Encoding : chunked\r\nHost: a"
                   "\r\n\r\n",
                   &h),
             -400);
}

TEST(http_parse, "Transfer-Encoding: not chunked last is 400, gzip is 501")
{
    struct http_head h;
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, "
                   "gzip\r\n\r\n",
                   &h),
             -400);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                   "\r\n",
                   &h),
             -400);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, "
                   "chunked\r\n\r\n",
                   &h),
             -501);
    CHECK_EQ(
        parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
              "Transfer-Encoding: chunked\r\n\r\n",
              &h),
        -400);
    CHECK_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked"
                   "\r\n\r\n",
                   &h),
             -400);
    CHECK_EQ(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &h),
             -400);
}

TEST(http_parse, "request line and Host: malformed is 400, HTTP/2.0 is 505")
{
    struct http_head h;
    CHECK_EQ(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &h), -505);
    CHECK_EQ(parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n", &h), -505);
    CHECK_EQ(parse("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / http/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET /\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\n\r\n", &h), -400); /* no Host */
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", &h), -400);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", &h), -400);
    CHECK_EQ(
        parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", &h),
        0);
    CHECK(h.expect_continue);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: tea\r\n\r\n", &h),
             -417);
}

TEST(http_parse, "head end: incremental, bare CR/LF and NUL early, 431")
{
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next";
    size_t scan = 0;
    long hl = 0;
    size_t i;
    for (i = 1; i <= strlen(req) && hl == 0; i++)
        hl = http_head_end((const uint8_t *)req, i, &scan, 1024);
    CHECK_EQ(hl, 27);
    CHECK_EQ(i - 1, 27); /* found as soon as its last byte arrived */
    scan = 0;
    CHECK_EQ(http_head_end((const uint8_t *)"GET /\n", 6, &scan, 1024), -400);
    scan = 0;
    CHECK_EQ(http_head_end((const uint8_t *)"GET /\rx", 7, &scan, 1024), -400);
    scan = 0;
    CHECK_EQ(http_head_end((const uint8_t *)"GET /\r", 6, &scan, 1024), 0);
    scan = 0;
    CHECK_EQ(http_head_end((const uint8_t *)"GE\0T", 4, &scan, 1024), -400);
    char big[200];
    memset(big, 'a', sizeof big);
    scan = 0;
    CHECK_EQ(http_head_end((const uint8_t *)big, sizeof big, &scan, 100), -431);
    scan = 0;
    CHECK_EQ(http_head_end((const uint8_t *)req, 27, &scan, 20), -431);
}

TEST(http_parse, "too many fields is 431")
{
    static char req[8192];
    int n = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < HTTP_FIELDS_MAX; i++)
        n += snprintf(req + n, sizeof req - (size_t)n, "X-%d: v\r\n", i);
    snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    struct http_head h;
    CHECK_EQ(parse(req, &h), -431);
}

/* Decode a whole chunked body fed `step` bytes at a time. */
static int dechunk(const char *in, size_t step, char *out, size_t *outlen)
{
    struct http_chunked c;
    http_chunked_init(&c);
    size_t len = strlen(in), off = 0, avail = 0;
    *outlen = 0;
    for (;;) {
        if (avail < len)
            avail = avail + step < len ? avail + step : len;
        size_t used, dlen;
        const uint8_t *data;
        int rc = http_chunked_step(&c, (const uint8_t *)in + off, avail - off,
                                   &used, &data, &dlen);
        if (dlen)
            memcpy(out + *outlen, data, dlen);
        *outlen += dlen;
        off += used;
        if (rc != 0)
            return rc;
        if (off == len && avail == len)
            return 0; /* needs more */
    }
}

TEST(http_parse, "chunked: sizes, extensions, trailers, byte by byte")
{
    char out[256];
    size_t n;
    const char *body = "5\r\nhello\r\n7;name=\"v\"\r\n, world\r\n0\r\n"
                       "Trailer: x\r\n\r\n";
    for (size_t step = 1; step <= 8; step++) {
        CHECK_EQ(dechunk(body, step, out, &n), 1);
        CHECK_EQ(n, 12);
        CHECK_MEM(out, "hello, world", 12);
    }
    CHECK_EQ(dechunk("A\r\n0123456789\r\n0\r\n\r\n", 64, out, &n), 1);
    CHECK_EQ(n, 10);
    CHECK_EQ(dechunk("000\r\n\r\n", 64, out, &n), 1);
    CHECK_EQ(dechunk("5\r\nhel", 64, out, &n), 0); /* incomplete */
}

TEST(http_parse, "chunked: invalid sizes and framing are 400")
{
    char out[256];
    size_t n;
    CHECK_EQ(dechunk("-1\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("0x5\r\nhello\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk(" 5\r\nhello\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("5 \r\nhello\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("5 x\r\nhello\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("\r\nhello\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("g\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("10000000000000000\r\n", 64, out, &n), -400); /* 17 */
    CHECK_EQ(dechunk("5\nhello\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("5\r\nhelloX\r\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("5\r\nhello\n0\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("0\r\nX: a\r\n b\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("0\r\nX : a\r\n\r\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("0\r\n\n", 64, out, &n), -400);
    CHECK_EQ(dechunk("ffffffffffffffff\r\n", 64, out, &n), 0); /* 16: ok */
}

TEST(http_parse, "Range: one range, suffix, open end, unsatisfiable, ignored")
{
    uint64_t a, b;
    CHECK_EQ(http_range_parse("bytes=0-9", 100, &a, &b), HTTP_RANGE_ONE);
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 9);
    CHECK_EQ(http_range_parse("bytes=90-", 100, &a, &b), HTTP_RANGE_ONE);
    CHECK_EQ(a, 90);
    CHECK_EQ(b, 99);
    CHECK_EQ(http_range_parse("bytes=-10", 100, &a, &b), HTTP_RANGE_ONE);
    CHECK_EQ(a, 90);
    CHECK_EQ(http_range_parse("bytes=-1000", 100, &a, &b), HTTP_RANGE_ONE);
    CHECK_EQ(a, 0);
    CHECK_EQ(http_range_parse("bytes=50-1000", 100, &a, &b), HTTP_RANGE_ONE);
    CHECK_EQ(b, 99);
    CHECK_EQ(http_range_parse("bytes=100-", 100, &a, &b), HTTP_RANGE_UNSAT);
    CHECK_EQ(http_range_parse("bytes=-0", 100, &a, &b), HTTP_RANGE_UNSAT);
    CHECK_EQ(http_range_parse("bytes=0-0", 0, &a, &b), HTTP_RANGE_UNSAT);
    CHECK_EQ(http_range_parse("bytes=5-3", 100, &a, &b), HTTP_RANGE_NONE);
    CHECK_EQ(http_range_parse("bytes=0-1,5-6", 100, &a, &b), HTTP_RANGE_NONE);
    CHECK_EQ(http_range_parse("items=0-1", 100, &a, &b), HTTP_RANGE_NONE);
    CHECK_EQ(http_range_parse("bytes=x-1", 100, &a, &b), HTTP_RANGE_NONE);
}

TEST(http_parse, "dates: IMF-fixdate out, all three forms in")
{
    char buf[ATOLL_HTTP_DATE_LEN];
    atoll_time_t t = 784111777LL * 1000000000LL; /* RFC 9110's example */
    atoll_http_date_format(t, buf);
    CHECK_STR(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
    atoll_time_t got;
    CHECK_EQ(atoll_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &got), 0);
    CHECK_EQ(got, t);
    CHECK_EQ(atoll_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &got), 0);
    CHECK_EQ(got, t);
    CHECK_EQ(atoll_http_date_parse("Sun Nov  6 08:49:37 1994", &got), 0);
    CHECK_EQ(got, t);
    CHECK_EQ(atoll_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &got),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_http_date_parse("yesterday", &got), -ATOLL_EINVAL);
    CHECK_EQ(atoll_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMTx", &got),
             -ATOLL_EINVAL);
    atoll_http_date_format(951782400LL * 1000000000LL, buf); /* leap day */
    CHECK_STR(buf, "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK_EQ(atoll_http_date_parse(buf, &got), 0);
    CHECK_EQ(got, 951782400LL * 1000000000LL);
    /* Past what 64-bit nanoseconds hold (April 2262): refused, not an
     * overflow (the parser fuzz target found year 3988). */
    CHECK_EQ(atoll_http_date_parse("Fri, 31 Dec 2260 23:59:59 GMT", &got), 0);
    CHECK_EQ(atoll_http_date_parse("Sat, 01 Jan 3988 00:00:00 GMT", &got),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_http_date_parse("Fri Dec 31 23:59:59 9999", &got),
             -ATOLL_EINVAL);
    /* And before September 1677 (fuzz-long found year 0899). */
    CHECK_EQ(atoll_http_date_parse("Sat, 01 Jan 1678 00:00:00 GMT", &got), 0);
    CHECK(got < 0);
    CHECK_EQ(atoll_http_date_parse("Sun, 06 Nov 0899 08:49:37 GMT", &got),
             -ATOLL_EINVAL);
}

TEST(http_parse, "content types from extensions")
{
    CHECK_STR(atoll_http_content_type("index.html"),
              "text/html; charset=utf-8");
    CHECK_STR(atoll_http_content_type("a/b/style.CSS"),
              "text/css; charset=utf-8");
    CHECK_STR(atoll_http_content_type("logo.svg"), "image/svg+xml");
    CHECK_STR(atoll_http_content_type("x.png"), "image/png");
    CHECK_STR(atoll_http_content_type("README"), "application/octet-stream");
    CHECK_STR(atoll_http_content_type(".html"), "application/octet-stream");
    CHECK_STR(atoll_http_content_type("a.html/b"), "application/octet-stream");
}
