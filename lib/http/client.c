/*
 * lib/http/client.c - the small client: one request on a flow the caller
 * connected, and its answer read with the server's own strict field
 * parser (lib/http/parse.c) and chunked decoder.  Bodies are framed as
 * RFC 9112 6.3 says: none for HEAD, 1xx, 204 and 304; chunked;
 * Content-Length; else up to the end of the stream.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "http_int.h"

/* Longest answer head the client reads. */
#define CLIENT_HEAD_MAX (2 * HTTP_HEADER_MAX)

struct rd {
    struct atoll_flow *f;
    atoll_time_t deadline;
    uint8_t *buf;
    size_t len, cap;
};

/* More bytes into r->buf (growing it up to `limit`): >0, 0 at the end of
 * the stream, or an error. */
static int more(struct rd *r, size_t limit)
{
    if (r->len == r->cap) {
        if (r->cap >= limit)
            return -ATOLL_EMSGSIZE;
        size_t ncap = r->cap ? r->cap * 2 : 4096;
        if (ncap > limit)
            ncap = limit;
        uint8_t *nb = atoll_realloc(r->buf, ncap + 1);
        if (!nb)
            return -ATOLL_ENOMEM;
        r->buf = nb;
        r->cap = ncap;
    }
    int n =
        atoll_flow_read(r->f, r->buf + r->len, r->cap - r->len, r->deadline);
    if (n > 0)
        r->len += (size_t)n;
    return n;
}

static int write_all(struct atoll_flow *f, const void *p, size_t len,
                     atoll_time_t deadline)
{
    size_t off = 0;
    while (off < len) {
        int n =
            atoll_flow_write(f, (const uint8_t *)p + off, len - off, deadline);
        if (n <= 0)
            return n < 0 ? n : -ATOLL_ECLOSED;
        off += (size_t)n;
    }
    return 0;
}

const char *atoll_http_response_header(const struct atoll_http_response *res,
                                       const char *name)
{
    for (size_t i = 0; i < res->nfields; i++)
        if (http_ieq(res->fields[i].name, name))
            return res->fields[i].value;
    return NULL;
}

void atoll_http_response_free(struct atoll_http_response *res)
{
    atoll_free(res->fields);
    atoll_free(res->body);
    atoll_free(res->head_);
    memset(res, 0, sizeof *res);
}

/* Read and parse one answer head from r->buf; moves the bytes after it to
 * the front.  0 or an error. */
static int read_head(struct rd *r, struct atoll_http_response *res)
{
    size_t scan = 0;
    long hl;
    while ((hl = http_head_end(r->buf, r->len, &scan, CLIENT_HEAD_MAX)) == 0) {
        int n = more(r, CLIENT_HEAD_MAX);
        if (n <= 0)
            return n < 0 ? n : -ATOLL_EBADMSG;
    }
    if (hl < 0)
        return -ATOLL_EBADMSG;
    char *h = atoll_malloc((size_t)hl + 1);
    if (!h)
        return -ATOLL_ENOMEM;
    memcpy(h, r->buf, (size_t)hl);
    h[hl] = 0;
    memmove(r->buf, r->buf + hl, r->len - (size_t)hl);
    r->len -= (size_t)hl;
    /* HTTP/1.x SP 3DIGIT SP reason CRLF */
    if (hl < 14 || memcmp(h, "HTTP/1.", 7) || h[7] < '0' || h[7] > '9' ||
        h[8] != ' ' || h[12] != ' ') {
        atoll_free(h);
        return -ATOLL_EBADMSG;
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (h[i] < '0' || h[i] > '9') {
            atoll_free(h);
            return -ATOLL_EBADMSG;
        }
        status = status * 10 + (h[i] - '0');
    }
    char *eol = strstr(h, "\r\n");
    struct atoll_http_field *fields =
        atoll_malloc(HTTP_FIELDS_MAX * sizeof *fields);
    int n = fields ? http_parse_fields(eol + 2, (size_t)(h + hl - eol - 2),
                                       fields, HTTP_FIELDS_MAX)
                   : -ATOLL_ENOMEM;
    if (n < 0) {
        atoll_free(fields);
        atoll_free(h);
        return n == -ATOLL_ENOMEM ? n : -ATOLL_EBADMSG;
    }
    atoll_free(res->fields);
    atoll_free(res->head_);
    res->head_ = h;
    res->fields = fields;
    res->nfields = (size_t)n;
    res->status = status;
    res->minor = h[7] - '0';
    return 0;
}

/* Parse a Content-Length value; -1 if malformed. */
static int64_t length_of(const char *v)
{
    if (!v || !*v)
        return -1;
    int64_t n = 0;
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || n > (INT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*v - '0');
    }
    return n;
}

static int read_body(struct rd *r, struct atoll_http_response *res,
                     bool head_request, size_t max_body)
{
    const char *te = atoll_http_response_header(res, "Transfer-Encoding");
    const char *cl = atoll_http_response_header(res, "Content-Length");
    uint8_t *b = NULL;
    size_t blen = 0;
    int rc = 0;
    if (head_request || res->status < 200 || res->status == 204 ||
        res->status == 304) {
        /* no body */
    } else if (te) {
        if (!http_list_has(te, "chunked"))
            return -ATOLL_EBADMSG;
        struct http_chunked ch;
        http_chunked_init(&ch);
        if (!(b = atoll_malloc(max_body + 1)))
            return -ATOLL_ENOMEM;
        for (;;) {
            size_t used, dlen;
            const uint8_t *data;
            rc = http_chunked_step(&ch, r->buf, r->len, &used, &data, &dlen);
            if (rc < 0) {
                rc = -ATOLL_EBADMSG;
                break;
            }
            if (dlen > max_body - blen) {
                rc = -ATOLL_EMSGSIZE;
                break;
            }
            if (dlen)
                memcpy(b + blen, data, dlen);
            blen += dlen;
            if (r->len > used)
                memmove(r->buf, r->buf + used, r->len - used);
            r->len -= used;
            if (rc == 1) {
                rc = 0;
                break;
            }
            if (r->len == 0 || used == 0) {
                int n = more(r, CLIENT_HEAD_MAX);
                if (n <= 0) {
                    rc = n < 0 ? n : -ATOLL_EBADMSG;
                    break;
                }
            }
        }
    } else if (cl) {
        int64_t len = length_of(cl);
        if (len < 0)
            return -ATOLL_EBADMSG;
        if ((uint64_t)len > max_body)
            return -ATOLL_EMSGSIZE;
        if (!(b = atoll_malloc((size_t)len + 1)))
            return -ATOLL_ENOMEM;
        blen = r->len < (size_t)len ? r->len : (size_t)len;
        if (blen)
            memcpy(b, r->buf, blen);
        while (blen < (size_t)len) {
            int n = atoll_flow_read(r->f, b + blen, (size_t)len - blen,
                                    r->deadline);
            if (n <= 0) {
                rc = n < 0 ? n : -ATOLL_EBADMSG;
                break;
            }
            blen += (size_t)n;
        }
    } else {
        /* Up to the end of the stream. */
        res->keep_alive = false;
        for (;;) {
            int n = more(r, max_body);
            if (n == 0)
                break;
            if (n < 0) {
                rc = n;
                break;
            }
        }
        b = r->buf;
        blen = r->len;
        r->buf = NULL;
        r->len = r->cap = 0;
    }
    if (rc < 0) {
        atoll_free(b);
        return rc;
    }
    if (!b && !(b = atoll_malloc(1)))
        return -ATOLL_ENOMEM;
    b[blen] = 0;
    res->body = b;
    res->body_len = blen;
    return 0;
}

int atoll_http_request(struct atoll_flow *f, const char *method,
                       const char *host, const char *path, const char *extra,
                       const void *body, size_t len, size_t max_body,
                       atoll_time_t deadline, struct atoll_http_response *res)
{
    memset(res, 0, sizeof *res);
    if (!method || !host || !path || path[0] != '/' ||
        host[strcspn(host, "\r\n")] || path[strcspn(path, " \r\n")])
        return -ATOLL_EINVAL;
    size_t need = strlen(method) + strlen(path) + strlen(host) +
                  (extra ? strlen(extra) : 0) + 96;
    char *req = atoll_malloc(need);
    if (!req)
        return -ATOLL_ENOMEM;
    int n = snprintf(req, need, "%s %s HTTP/1.1\r\nHost: %s\r\n%s", method,
                     path, host, extra ? extra : "");
    if (len || !strcmp(method, "POST") || !strcmp(method, "PUT"))
        n +=
            snprintf(req + n, need - (size_t)n, "Content-Length: %zu\r\n", len);
    memcpy(req + n, "\r\n", 2);
    int rc = write_all(f, req, (size_t)n + 2, deadline);
    atoll_free(req);
    if (rc == 0 && len)
        rc = write_all(f, body, len, deadline);
    if (rc < 0)
        return rc;

    struct rd r = {.f = f, .deadline = deadline};
    do {
        rc = read_head(&r, res); /* 1xx answers come before the final one */
    } while (rc == 0 && res->status >= 100 && res->status < 200);
    if (rc == 0) {
        const char *conn = atoll_http_response_header(res, "Connection");
        res->keep_alive =
            res->minor == 1 && !(conn && http_list_has(conn, "close"));
        rc = read_body(&r, res, !strcmp(method, "HEAD"), max_body);
    }
    atoll_free(r.buf);
    if (rc < 0)
        atoll_http_response_free(res);
    return rc;
}
