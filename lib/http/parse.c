/*
 * lib/http/parse.c - the request head (RFC 9112 2-3, 5-7): finding its
 * end, the request line, the field lines, and the framing of the body.
 *
 * Strict on purpose: where RFC 9112 lets a recipient be lenient (a bare
 * LF as a line end, whitespace before a colon, obs-fold), leniency is what
 * request smuggling exploits, because a proxy in front may read the same
 * bytes differently.  Every such shape is refused with 400.
 */
#include <string.h>

#include "http_int.h"

/* tchar (RFC 9110 5.6.2): the characters of a token. */
static bool is_tchar(uint8_t c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar, SP and HTAB: what a field value may hold. */
static bool is_value_char(uint8_t c)
{
    return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

int http_hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool http_ieqn(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower((uint8_t)a[i]) != lower((uint8_t)b[i]))
            return false;
        if (!a[i])
            return true;
    }
    return true;
}

bool http_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        if (lower((uint8_t)*a) != lower((uint8_t)*b))
            return false;
        if (!*a)
            return true;
    }
}

bool http_list_has(const char *v, const char *token)
{
    size_t tl = strlen(token);
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        const char *start = v;
        while (*v && *v != ',')
            v++;
        const char *end = v;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tl && http_ieqn(start, token, tl))
            return true;
    }
    return false;
}

long http_head_end(const uint8_t *buf, size_t len, size_t *scan, size_t max)
{
    size_t i = *scan;
    for (; i < len; i++) {
        uint8_t b = buf[i];
        if (b == '\n') {
            if (i == 0 || buf[i - 1] != '\r')
                return -400; /* bare LF */
            if (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r')
                return i + 1 > max ? -431 : (long)(i + 1);
        } else if (b == '\r') {
            if (i + 1 == len)
                break; /* look at it again with the next byte */
            if (buf[i + 1] != '\n')
                return -400; /* bare CR */
        } else if (b == 0) {
            return -400;
        }
    }
    *scan = i;
    return len >= max ? -431 : 0;
}

int http_parse_fields(char *buf, size_t len, struct atoll_http_field *fields,
                      size_t max)
{
    size_t n = 0, i = 0;
    while (i + 1 < len && !(buf[i] == '\r' && buf[i + 1] == '\n')) {
        if (buf[i] == ' ' || buf[i] == '\t')
            return -400; /* obs-fold, or whitespace before the first name */
        size_t name = i;
        while (i < len && is_tchar((uint8_t)buf[i]))
            i++;
        if (i == name || i >= len || buf[i] != ':')
            return -400; /* no name, or something (a space) before ':' */
        buf[i++] = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        size_t value = i;
        while (i < len && is_value_char((uint8_t)buf[i]))
            i++;
        if (i + 1 >= len || buf[i] != '\r' || buf[i + 1] != '\n')
            return -400; /* a control character in the value */
        size_t end = i;
        while (end > value && (buf[end - 1] == ' ' || buf[end - 1] == '\t'))
            end--;
        buf[end] = 0;
        i += 2;
        if (n == max)
            return -431;
        fields[n].name = buf + name;
        fields[n].value = buf + value;
        n++;
    }
    if (i + 1 >= len)
        return -400; /* no empty line: not what http_head_end found */
    return (int)n;
}

/* Percent-decode target[0..len) into out (NUL-terminated).  %00, a bad
 * escape or a '#' are refused. */
static int decode_path(const char *t, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == '#')
            return -400;
        if (c == '%') {
            int v = 0;
            for (int k = 1; k <= 2; k++) {
                int d = i + k < len ? http_hexval((uint8_t)t[i + k]) : -1;
                if (d < 0)
                    return -400;
                v = v * 16 + d;
            }
            if (v == 0)
                return -400;
            c = (char)v;
            i += 2;
        }
        if (o + 1 >= cap)
            return -431;
        out[o++] = c;
    }
    out[o] = 0;
    return 0;
}

/* The request-target (RFC 9112 3.2): origin-form, absolute-form (its
 * path is used), or "*" for OPTIONS. */
static int parse_target(struct http_head *h, char *path, size_t pathcap)
{
    char *t = h->target;
    if (!strcmp(t, "*")) {
        if (strcmp(h->method, "OPTIONS"))
            return -400;
        h->query = t + 1;
        return decode_path(t, 1, path, pathcap);
    }
    if (http_ieqn(t, "http://", 7) || http_ieqn(t, "https://", 8)) {
        char *auth = strchr(t, ':') + 3;
        char *slash = auth + strcspn(auth, "/?");
        if (slash == auth)
            return -400; /* no authority */
        if (*slash != '/') {
            /* "http://host" or "http://host?q": the path is "/" */
            h->query = *slash == '?' ? slash + 1 : slash;
            path[0] = '/';
            path[1] = 0;
            return strchr(h->query, '#') ? -400 : 0;
        }
        t = slash;
    } else if (t[0] != '/') {
        return -400; /* authority-form (CONNECT) or garbage */
    }
    char *q = strchr(t, '?');
    size_t plen = q ? (size_t)(q - t) : strlen(t);
    h->query = q ? q + 1 : t + plen;
    if (strchr(h->query, '#'))
        return -400;
    return decode_path(t, plen, path, pathcap);
}

/* Content-Length (RFC 9110 8.6): 1*DIGIT, or a list of equal values. */
static int parse_length(const char *v, uint64_t *out, bool *seen)
{
    const char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p < '0' || *p > '9')
            return -400;
        uint64_t n = 0;
        while (*p >= '0' && *p <= '9') {
            /* Saturate: a huge length is refused later as too large. */
            n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + (*p - '0');
            p++;
        }
        if (*seen && n != *out)
            return -400; /* repeated with a different value */
        *out = n;
        *seen = true;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return 0;
        if (*p++ != ',')
            return -400;
    }
}

/* Transfer-Encoding (RFC 9112 6.1): the codings of all its fields, in
 * order.  Counts chunked, notes whether the last coding is chunked and
 * whether there is one we do not implement. */
static int parse_codings(const char *v, int *chunked, bool *last_chunked,
                         bool *unknown)
{
    const char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            return 0;
        const char *s = p;
        while (is_tchar((uint8_t)*p))
            p++;
        size_t n = (size_t)(p - s);
        while (*p == ' ' || *p == '\t')
            p++;
        if (!n || (*p && *p != ','))
            return -400; /* parameters or garbage */
        *last_chunked = n == 7 && http_ieqn(s, "chunked", 7);
        if (*last_chunked && (*chunked)++)
            return -400; /* chunked twice */
        if (!*last_chunked)
            *unknown = true;
    }
}

/* The request line: method SP request-target SP HTTP-version. */
static int parse_request_line(char *buf, size_t len, size_t *at,
                              struct http_head *h)
{
    size_t i = *at, m = i;
    while (i < len && is_tchar((uint8_t)buf[i]))
        i++;
    if (i == m || i >= len || buf[i] != ' ')
        return -400;
    buf[i++] = 0;
    size_t t = i;
    while (i < len && (uint8_t)buf[i] > 0x20 && (uint8_t)buf[i] < 0x7f)
        i++;
    if (i == t || i >= len || buf[i] != ' ')
        return -400;
    buf[i++] = 0;
    if (len - i < 10 || memcmp(buf + i, "HTTP/", 5))
        return -400;
    char maj = buf[i + 5], dot = buf[i + 6], min = buf[i + 7];
    if (maj < '0' || maj > '9' || dot != '.' || min < '0' || min > '9' ||
        buf[i + 8] != '\r' || buf[i + 9] != '\n')
        return -400;
    if (maj != '1' || min > '1')
        return -505;
    h->method = buf + m;
    h->target = buf + t;
    h->minor = min - '0';
    *at = i + 10;
    return 0;
}

int http_parse_request(char *buf, size_t len, char *path, size_t pathcap,
                       struct http_head *h)
{
    memset(h, 0, sizeof *h);
    size_t at = 0;
    /* RFC 9112 2.2: ignore empty lines before the request line. */
    while (at + 1 < len && buf[at] == '\r' && buf[at + 1] == '\n')
        at += 2;
    int rc = parse_request_line(buf, len, &at, h);
    if (rc < 0)
        return rc;
    int n = http_parse_fields(buf + at, len - at, h->fields, HTTP_FIELDS_MAX);
    if (n < 0)
        return n;
    h->nfields = (size_t)n;
    h->path = path;
    if ((rc = parse_target(h, path, pathcap)) < 0)
        return rc;

    bool have_length = false, last_chunked = false, close = false, keep = false;
    bool unknown = false;
    int hosts = 0, chunked = 0, te = 0;
    for (size_t i = 0; i < h->nfields; i++) {
        const char *name = h->fields[i].name, *v = h->fields[i].value;
        if (http_ieq(name, "content-length")) {
            if ((rc = parse_length(v, &h->length, &have_length)) < 0)
                return rc;
        } else if (http_ieq(name, "transfer-encoding")) {
            te++;
            if (parse_codings(v, &chunked, &last_chunked, &unknown) < 0)
                return -400;
        } else if (http_ieq(name, "host")) {
            hosts++;
            for (const char *p = v; *p; p++)
                if (*p == ' ' || *p == '\t' || *p == '/' || *p == '@' ||
                    *p == '?' || *p == '#')
                    return -400;
        } else if (http_ieq(name, "connection")) {
            close |= http_list_has(v, "close");
            keep |= http_list_has(v, "keep-alive");
        } else if (http_ieq(name, "expect")) {
            if (!http_ieq(v, "100-continue"))
                return -417;
            h->expect_continue = true;
        }
    }
    /* RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one in 1.0. */
    if (hosts > 1 || (h->minor == 1 && hosts == 0))
        return -400;
    if (te) {
        /* RFC 9112 6.1: both framings at once is a smuggling shape; a
         * chunked body needs HTTP/1.1; chunked must be the last coding. */
        if (have_length || h->minor == 0)
            return -400;
        if (!last_chunked)
            return -400;
        if (unknown)
            return -501; /* e.g. gzip, chunked: we decode chunked only */
        h->framing = HTTP_BODY_CHUNKED;
    } else if (have_length && h->length) {
        h->framing = HTTP_BODY_LENGTH;
    }
    h->keep_alive = !close && (h->minor == 1 || keep);
    return 0;
}
