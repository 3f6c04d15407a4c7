/*
 * tools/atoll/json.c - the strict JSON reader (see json.h).
 *
 * A recursive-descent parser over the whole text in memory.  Recursion is
 * bounded by JSON_MAX_DEPTH so that a file of a million '[' is an error,
 * not a stack overflow; containers grow by doubling.
 */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct parser {
    const char *s, *end, *p;
    char *err;
    size_t errlen;
    bool failed;
};

static void fail(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(struct parser *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    size_t line = 1, col = 1;
    for (const char *q = ps->s; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*q & 0xc0) != 0x80) {
            col++; /* columns count characters, not UTF-8 bytes */
        }
    }
    int n = snprintf(ps->err, ps->errlen, "%zu:%zu: ", line, col);
    if (n < 0 || (size_t)n >= ps->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* What is at p, for messages: "end of file" or the character. */
static const char *here(struct parser *ps, char *buf, size_t len)
{
    unsigned char c = ps->p < ps->end ? (unsigned char)*ps->p : 0;
    if (ps->p >= ps->end)
        snprintf(buf, len, "end of file");
    else if (c >= 0x21 && c < 0x7f)
        snprintf(buf, len, "'%c'", c);
    else
        snprintf(buf, len, "byte 0x%02x", c);
    return buf;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, word, n)) {
        ps->p += n;
        return true;
    }
    return false;
}

static bool parse_value(struct parser *ps, struct json_value *v, int depth);

static void parse_number(struct parser *ps, struct json_value *v)
{
    const char *start = ps->p, *q = ps->p;
    if (q < ps->end && *q == '-')
        q++;
    if (q < ps->end && *q == '0') {
        q++;
    } else if (q < ps->end && *q >= '1' && *q <= '9') {
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    } else {
        ps->p = q;
        fail(ps, "bad number: a digit must follow '-'");
        return;
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9') {
            ps->p = q;
            fail(ps, "bad number: a digit must follow '.'");
            return;
        }
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || *q < '0' || *q > '9') {
            ps->p = q;
            fail(ps, "bad number: the exponent has no digits");
            return;
        }
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    /* strtod needs a terminated copy; numbers are short. */
    size_t n = (size_t)(q - start);
    if (n > 400) {
        fail(ps, "number of %zu characters is too long", n);
        return;
    }
    char buf[401];
    memcpy(buf, start, n);
    buf[n] = 0;
    errno = 0;
    v->type = JSON_NUMBER;
    v->num = strtod(buf, NULL);
    if (!isfinite(v->num)) {
        fail(ps, "number %s is out of range", buf);
        return;
    }
    ps->p = q;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sb_putn(b, u, n);
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t min;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A string at p (which is at the opening quote); the decoded text goes
 * into *out and *outlen. */
static bool parse_string(struct parser *ps, char **out, size_t *outlen)
{
    struct sbuf b = {0};
    sb_putn(&b, "", 0);
    ps->p++;
    for (;;) {
        if (ps->p >= ps->end) {
            fail(ps, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            *out = b.p;
            *outlen = b.len;
            return true;
        }
        if (c < 0x20) {
            fail(ps, "control character 0x%02x in a string (escape it)", c);
            break;
        }
        if (c == '\\') {
            if (ps->end - ps->p < 2) {
                fail(ps, "unterminated string");
                break;
            }
            char e = ps->p[1];
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                sb_putn(&b, &map[simple - "\"\\/bfnrt"], 1);
                ps->p += 2;
                continue;
            }
            if (e != 'u') {
                ps->p++;
                char w[32];
                fail(ps, "unknown escape '\\' then %s", here(ps, w, sizeof w));
                break;
            }
            int u = ps->end - ps->p >= 6 ? hex4(ps->p + 2) : -1;
            if (u < 0) {
                fail(ps, "\\u must be followed by four hex digits");
                break;
            }
            uint32_t cp = (uint32_t)u;
            ps->p += 6;
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                fail(ps, "\\u%04x: a low surrogate without a high one", u);
                break;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                int lo =
                    ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u'
                        ? hex4(ps->p + 2)
                        : -1;
                if (lo < 0xdc00 || lo > 0xdfff) {
                    fail(ps, "\\u%04x: a high surrogate without a low one", u);
                    break;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
                ps->p += 6;
            }
            put_utf8(&b, cp);
            continue;
        }
        if (c < 0x80) {
            sb_putn(&b, ps->p, 1);
            ps->p++;
            continue;
        }
        size_t n = utf8_seq((const unsigned char *)ps->p,
                            (const unsigned char *)ps->end);
        if (!n) {
            fail(ps, "invalid UTF-8 (byte 0x%02x) in a string", c);
            break;
        }
        sb_putn(&b, ps->p, n);
        ps->p += n;
    }
    sb_free(&b);
    return false;
}

/* Members of arrays and objects are collected here, then moved into the
 * value at the closing bracket. */
struct members {
    struct json_value *items;
    char **keys;
    size_t n, cap;
};

static void members_push(struct members *m, bool keyed)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->items = xrealloc(m->items, m->cap * sizeof *m->items);
        if (keyed)
            m->keys = xrealloc(m->keys, m->cap * sizeof *m->keys);
    }
    memset(&m->items[m->n], 0, sizeof m->items[m->n]);
    if (keyed)
        m->keys[m->n] = NULL;
    m->n++;
}

static bool parse_container(struct parser *ps, struct json_value *v, int depth,
                            bool object)
{
    char close = object ? '}' : ']';
    struct members m = {0};
    v->type = object ? JSON_OBJECT : JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    bool ok = true;
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
    } else {
        for (;;) {
            skip_ws(ps);
            members_push(&m, object);
            if (object) {
                char w[32];
                if (ps->p >= ps->end || *ps->p != '"') {
                    fail(ps, "expected a member name (a string), found %s",
                         here(ps, w, sizeof w));
                    ok = false;
                    break;
                }
                size_t klen;
                if (!parse_string(ps, &m.keys[m.n - 1], &klen)) {
                    ok = false;
                    break;
                }
                skip_ws(ps);
                if (ps->p >= ps->end || *ps->p != ':') {
                    fail(ps, "expected ':' after a member name, found %s",
                         here(ps, w, sizeof w));
                    ok = false;
                    break;
                }
                ps->p++;
            }
            if (!parse_value(ps, &m.items[m.n - 1], depth + 1)) {
                ok = false;
                break;
            }
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                break;
            }
            char w[32];
            fail(ps, "expected ',' or '%c', found %s", close,
                 here(ps, w, sizeof w));
            ok = false;
            break;
        }
    }
    v->items = m.items;
    v->keys = m.keys;
    v->len = m.n;
    return ok;
}

static bool parse_value(struct parser *ps, struct json_value *v, int depth)
{
    char w[32];
    skip_ws(ps);
    if (depth > JSON_MAX_DEPTH) {
        fail(ps, "nested deeper than %d levels", JSON_MAX_DEPTH);
        return false;
    }
    if (ps->p >= ps->end) {
        fail(ps, "expected a value, found end of file");
        return false;
    }
    switch (*ps->p) {
    case '{':
        return parse_container(ps, v, depth, true);
    case '[':
        return parse_container(ps, v, depth, false);
    case '"':
        v->type = JSON_STRING;
        return parse_string(ps, &v->str, &v->len);
    case 't':
        v->type = JSON_TRUE;
        if (literal(ps, "true"))
            return true;
        break;
    case 'f':
        v->type = JSON_FALSE;
        if (literal(ps, "false"))
            return true;
        break;
    case 'n':
        v->type = JSON_NULL;
        if (literal(ps, "null"))
            return true;
        break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
            parse_number(ps, v);
            return !ps->failed;
        }
        break;
    }
    v->type = JSON_NULL;
    fail(ps, "expected a value, found %s", here(ps, w, sizeof w));
    return false;
}

static void free_members(struct json_value *v)
{
    if (v->type == JSON_STRING) {
        free(v->str);
    } else if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            free_members(&v->items[i]);
            if (v->keys)
                free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
}

struct json_value *json_parse(const char *text, size_t len, char *err,
                              size_t errlen)
{
    struct parser ps = {text, text + len, text, err, errlen, false};
    struct json_value *root = xmalloc(sizeof *root);
    memset(root, 0, sizeof *root);
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        fail(&ps, "the file starts with a byte-order mark (not JSON)");
    } else if (parse_value(&ps, root, 0)) {
        skip_ws(&ps);
        if (ps.p < ps.end) {
            char w[32];
            fail(&ps, "unexpected %s after the document",
                 here(&ps, w, sizeof w));
        }
    }
    if (ps.failed) {
        json_free(root);
        return NULL;
    }
    return root;
}

void json_free(struct json_value *v)
{
    if (!v)
        return;
    free_members(v);
    free(v);
}

const struct json_value *json_get(const struct json_value *v, const char *key)
{
    if (!v || v->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->len; i++)
        if (v->keys[i] && !strcmp(v->keys[i], key))
            return &v->items[i];
    return NULL;
}

const char *json_type_name(enum json_type t)
{
    switch (t) {
    case JSON_NULL:
        return "null";
    case JSON_FALSE:
    case JSON_TRUE:
        return "a boolean";
    case JSON_NUMBER:
        return "a number";
    case JSON_STRING:
        return "a string";
    case JSON_ARRAY:
        return "an array";
    case JSON_OBJECT:
        return "an object";
    }
    return "?";
}
