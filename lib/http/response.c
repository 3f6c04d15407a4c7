/*
 * lib/http/response.c - writing answers: the status line, the fields a
 * handler added, Date, Content-Length and Connection, then the body.
 *
 * Answers are gathered in the connection's output buffer and written when
 * it fills or when the server is about to wait for input: the answers to
 * pipelined requests leave in one write, and a small page and its header
 * in one segment.  A body larger than the buffer goes straight from the
 * caller's memory to the flow.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/wclock.h"
#include "http_int.h"

const char *atoll_http_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "";
    }
}

int http_flush(struct atoll_http_conn *c)
{
    if (c->err)
        return c->err;
    size_t off = 0;
    while (off < c->out_len) {
        int n = atoll_flow_write(c->f, c->out + off, c->out_len - off,
                                 c->write_deadline);
        if (n <= 0) {
            c->err = n < 0 ? n : -ATOLL_ECLOSED;
            return c->err;
        }
        off += (size_t)n;
    }
    c->out_len = 0;
    return 0;
}

static int out(struct atoll_http_conn *c, const void *p, size_t len, bool ref)
{
    if (c->err)
        return c->err;
    if (len > c->out_cap - c->out_len) {
        int e = http_flush(c);
        if (e < 0)
            return e;
        if (len >= c->out_cap) {
            /* Large: from the caller's memory, no copy through ours
             * (and with `ref`, none into the flow's buffer either). */
            size_t off = 0;
            while (off < len) {
                const uint8_t *q = (const uint8_t *)p + off;
                int n = ref ? atoll_flow_write_ref(c->f, q, len - off,
                                                   c->write_deadline)
                            : atoll_flow_write(c->f, q, len - off,
                                               c->write_deadline);
                if (n == -ATOLL_ENOMEM && ref) {
                    ref = false; /* no record for it: copy instead */
                    continue;
                }
                if (n <= 0)
                    return c->err = n < 0 ? n : -ATOLL_ECLOSED;
                off += (size_t)n;
            }
            return 0;
        }
    }
    memcpy(c->out + c->out_len, p, len);
    c->out_len += len;
    return 0;
}

int http_out(struct atoll_http_conn *c, const void *p, size_t len)
{
    return out(c, p, len, false);
}

int http_out_ref(struct atoll_http_conn *c, const void *p, size_t len)
{
    return out(c, p, len, true);
}

void http_answer_reset(struct atoll_http_conn *c)
{
    c->started = false;
    c->drop_body = false;
    c->close_after = false;
    c->status = 0;
    c->promised = c->sent = 0;
    c->fields_len = 0;
}

/* A field name is a token; a value has no CR, LF or NUL (which would let
 * a handler's input write fields of its own: response splitting). */
static bool field_ok(const char *name, const char *value)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == ':')
            return false;
    for (const char *p = value; *p; p++)
        if ((*p < ' ' && *p != '\t') || *p == 0x7f)
            return false;
    return true;
}

int atoll_http_add_header(struct atoll_http_req *r, const char *name,
                          const char *value)
{
    struct atoll_http_conn *c = r->conn;
    if (c->started || !field_ok(name, value))
        return -ATOLL_EINVAL;
    size_t nl = strlen(name), vl = strlen(value);
    if (c->fields_len + nl + vl + 4 > sizeof c->fields)
        return -ATOLL_E2BIG;
    char *p = c->fields + c->fields_len;
    memcpy(p, name, nl);
    p += nl;
    *p++ = ':';
    *p++ = ' ';
    memcpy(p, value, vl);
    p += vl;
    *p++ = '\r';
    *p++ = '\n';
    c->fields_len = (size_t)(p - c->fields);
    return 0;
}

int atoll_http_start(struct atoll_http_req *r, int status, uint64_t length)
{
    struct atoll_http_conn *c = r->conn;
    if (c->started || status < 200 || status > 999)
        return -ATOLL_EINVAL;
    c->started = true;
    c->status = status;
    bool no_body = status == 204 || status == 304;
    c->drop_body = no_body || r->head;
    c->promised = no_body ? 0 : length;
    if (!r->keep_alive)
        c->close_after = true;
    char date[ATOLL_HTTP_DATE_LEN];
    atoll_http_date_format(r->now, date);
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nDate: %s\r\n",
                     status, atoll_http_reason(status), date);
    int e = http_out(c, head, (size_t)n);
    if (e == 0 && c->fields_len)
        e = http_out(c, c->fields, c->fields_len);
    if (e < 0)
        return e;
    n = 0;
    if (!no_body)
        n = snprintf(head, sizeof head, "Content-Length: %llu\r\n",
                     (unsigned long long)length);
    if (c->close_after)
        n += snprintf(head + n, sizeof head - (size_t)n,
                      "Connection: close\r\n");
    else if (r->minor == 0)
        n += snprintf(head + n, sizeof head - (size_t)n,
                      "Connection: keep-alive\r\n");
    memcpy(head + n, "\r\n", 2);
    return http_out(c, head, (size_t)n + 2);
}

int atoll_http_body(struct atoll_http_req *r, const void *data, size_t len)
{
    struct atoll_http_conn *c = r->conn;
    if (!c->started)
        return -ATOLL_EINVAL;
    if (c->drop_body)
        return 0;
    if (len > c->promised - c->sent)
        return -ATOLL_EINVAL; /* more than Content-Length said */
    c->sent += len;
    return http_out(c, data, len);
}

int atoll_http_send(struct atoll_http_req *r, int status,
                    const char *content_type, const void *body, size_t len)
{
    int e = 0;
    if (content_type)
        e = atoll_http_add_header(r, "Content-Type", content_type);
    if (e == 0)
        e = atoll_http_start(r, status, len);
    if (e == 0 && len)
        e = atoll_http_body(r, body, len);
    return e;
}

int http_send_error(struct atoll_http_req *r, int status)
{
    char body[96];
    int n = snprintf(body, sizeof body, "%d %s\n", status,
                     atoll_http_reason(status));
    if (status >= 400 && status != 404 && status != 405 && status != 416)
        r->keep_alive = false; /* the request itself was the problem */
    return atoll_http_send(r, status, "text/plain; charset=utf-8", body,
                           (size_t)n);
}
