/*
 * lib/http/files.c - static files from a read-only key-value store
 * (atoll/kv_ro.h): the handler a website routes its paths to.
 *
 * Validators (RFC 9110 8.8): the ETag is the first 128 bits of the
 * value's SHA-256 in hex, so it changes exactly when the bytes do and is
 * the same on every server holding the same file; Last-Modified is the
 * time the application gives (a store of files has no dates of its own).
 * Conditionals (RFC 9110 13): If-None-Match, else If-Modified-Since, for
 * GET and HEAD, give 304; If-Range decides whether Range applies.
 * Ranges (RFC 9110 14): one byte range gives 206, an unsatisfiable one
 * 416 with "Content-Range: bytes * / SIZE".
 *
 * The body is sent from the store's own memory when its values are there
 * (atoll_kv_ro_map: the baked store), else read from the store straight
 * into the connection's output buffer, a buffer at a time: a file of any
 * size needs no memory of its own.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "http_int.h"

#define ETAG_LEN 35 /* '"', 32 hex digits, '"', NUL */

static void make_etag(const uint8_t d[ATOLL_KV_RO_DIGEST_LEN], char *out)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '"';
    for (int i = 0; i < 16; i++) {
        out[1 + 2 * i] = hex[d[i] >> 4];
        out[2 + 2 * i] = hex[d[i] & 15];
    }
    out[33] = '"';
    out[34] = 0;
}

/* If-None-Match: "*" or a list of entity tags, compared weakly (W/ is
 * ignored on both sides; ours is strong). */
static bool etag_list_matches(const char *v, const char *etag)
{
    size_t el = strlen(etag);
    const char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            return false;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *s = p;
        if (*p == '"') {
            p = strchr(p + 1, '"');
            if (!p)
                return false;
            p++;
        } else {
            while (*p && *p != ',')
                p++;
        }
        if ((size_t)(p - s) == el && !memcmp(s, etag, el))
            return true;
    }
}

static int64_t secs(atoll_time_t t)
{
    return t / 1000000000LL;
}

/* Whether If-Range lets a Range apply: a strong match of the ETag, or an
 * exact match of the date. */
static bool if_range_ok(const char *v, const char *etag, atoll_time_t mtime)
{
    if (!v)
        return true;
    if (v[0] == '"')
        return !strcmp(v, etag);
    atoll_time_t t;
    return mtime && atoll_http_date_parse(v, &t) == 0 && secs(t) == secs(mtime);
}

/* Write `len` bytes of `key` from `off` as the answer's body. */
static int body_from_store(struct atoll_http_req *r, struct atoll_kv_ro *kv,
                           const char *key, uint64_t off, uint64_t len)
{
    struct atoll_http_conn *c = r->conn;
    if (c->drop_body)
        return 0;
    /* A store whose values are in memory (baked into the image, for the
     * program's life): a large body goes from there to the flow by
     * reference, a small one joins the answer's head in the output
     * buffer (http_out_ref). */
    const void *mapped;
    size_t avail;
    if (atoll_kv_ro_map(kv, key, off, &mapped, &avail) == 0) {
        if (avail < len)
            return -ATOLL_EIO; /* the value shrank */
        c->sent += len;
        return http_out_ref(c, mapped, (size_t)len);
    }
    while (len) {
        if (c->out_cap - c->out_len < 2048 || c->out_len == c->out_cap) {
            int e = http_flush(c);
            if (e < 0)
                return e;
        }
        size_t room = c->out_cap - c->out_len;
        size_t want = len < room ? (size_t)len : room;
        int n = atoll_kv_ro_get(kv, key, off, c->out + c->out_len, want);
        if (n <= 0)
            return n < 0 ? n : -ATOLL_EIO; /* the value shrank */
        c->out_len += (size_t)n;
        c->sent += (size_t)n;
        off += (size_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* 301 to the same path with a '/' after it (a directory). */
static int redirect_dir(struct atoll_http_req *r)
{
    char loc[ATOLL_KV_RO_KEY_MAX + 64];
    size_t tl = strcspn(r->target, "?");
    if (r->target[0] != '/' || tl + 2 + strlen(r->query) > sizeof loc)
        return http_send_error(r, 404);
    snprintf(loc, sizeof loc, "%.*s/%s%s", (int)tl, r->target,
             *r->query ? "?" : "", r->query);
    int e = atoll_http_add_header(r, "Location", loc);
    return e < 0 ? e : http_send_error(r, 301);
}

int atoll_http_files(void *arg, struct atoll_http_req *r)
{
    struct atoll_http_files *fs = arg;
    const char *prefix = fs->prefix ? fs->prefix : "/";
    size_t pl = strlen(prefix);
    if (strncmp(r->path, prefix, pl))
        return http_send_error(r, 404);
    const char *rel = r->path + pl;
    while (*rel == '/')
        rel++; /* "//x" is "/x" */
    size_t rl = strlen(rel);
    char key[ATOLL_KV_RO_KEY_MAX + 16];
    bool dir = rl == 0 || rel[rl - 1] == '/';
    if (rl + sizeof "index.html" > sizeof key)
        return http_send_error(r, 404);
    snprintf(key, sizeof key, "%s%s", rel, dir ? "index.html" : "");
    uint64_t size;
    int e = atoll_kv_ro_check_key(key, false);
    if (e == 0)
        e = atoll_kv_ro_size(fs->kv, key, &size);
    if (e == -ATOLL_EINVAL && !dir && atoll_kv_ro_check_key(key, false) == 0)
        return redirect_dir(r); /* a directory, named without its '/' */
    if (e == -ATOLL_EINVAL || e == -ATOLL_ENOENT)
        return http_send_error(r, 404);
    uint8_t digest[ATOLL_KV_RO_DIGEST_LEN];
    if (e == 0)
        e = atoll_kv_ro_digest(fs->kv, key, digest);
    if (e < 0)
        return http_send_error(r, 500);

    char etag[ETAG_LEN], date[ATOLL_HTTP_DATE_LEN];
    make_etag(digest, etag);
    if ((e = atoll_http_add_header(r, "ETag", etag)) < 0)
        return e;
    if (fs->mtime) {
        atoll_http_date_format(fs->mtime, date);
        if ((e = atoll_http_add_header(r, "Last-Modified", date)) < 0)
            return e;
    }

    /* RFC 9110 13.2.2: If-None-Match first; If-Modified-Since only
     * without it. */
    const char *inm = atoll_http_header(r, "If-None-Match");
    const char *ims = atoll_http_header(r, "If-Modified-Since");
    atoll_time_t since;
    if ((inm && etag_list_matches(inm, etag)) ||
        (!inm && ims && fs->mtime && atoll_http_date_parse(ims, &since) == 0 &&
         secs(fs->mtime) <= secs(since)))
        return atoll_http_start(r, 304, 0);

    if ((e = atoll_http_add_header(r, "Accept-Ranges", "bytes")) < 0)
        return e;
    uint64_t first = 0, last = size ? size - 1 : 0;
    enum http_range_kind rk = HTTP_RANGE_NONE;
    const char *range = atoll_http_header(r, "Range");
    if (range && !strcmp(r->method, "GET") &&
        if_range_ok(atoll_http_header(r, "If-Range"), etag, fs->mtime))
        rk = http_range_parse(range, size, &first, &last);
    char cr[80];
    if (rk == HTTP_RANGE_UNSAT) {
        snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
        if ((e = atoll_http_add_header(r, "Content-Range", cr)) < 0)
            return e;
        return http_send_error(r, 416);
    }
    int status = 200;
    uint64_t len = size;
    if (rk == HTTP_RANGE_ONE) {
        status = 206;
        len = last - first + 1;
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu",
                 (unsigned long long)first, (unsigned long long)last,
                 (unsigned long long)size);
        if ((e = atoll_http_add_header(r, "Content-Range", cr)) < 0)
            return e;
    }
    if ((e = atoll_http_add_header(r, "Content-Type",
                                   atoll_http_content_type(key))) < 0 ||
        (e = atoll_http_start(r, status, len)) < 0)
        return e;
    return body_from_store(r, fs->kv, key, first, len);
}
