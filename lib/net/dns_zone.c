/*
 * lib/net/dns_zone.c - the RFC 1035 master-file parser (section 5) that
 * turns zone text into the in-memory zone of dns_int.h.
 *
 * Supported: $ORIGIN and $TTL, "@", relative and absolute names, an owner
 * left blank (the previous one), TTL and class in either order or
 * omitted, TTLs with s/m/h/d/w units, parentheses spanning lines,
 * comments, quoted strings with \" \\ and \DDD escapes; records A, AAAA,
 * CNAME, MX, TXT, NS and SOA.  $INCLUDE is refused: a zone comes as one
 * text.  Every error names its line.  The text comes from outside (it is
 * fuzzed), so tokens are bounded and the record count is limited.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "dns_int.h"
#include "wire.h"

#define TOKEN_MAX 2048
#define RDATA_MAX 8192

struct parser {
    const char *p, *end;
    int line;
    int paren;
    struct atoll_dns_zone *z;
    char owner[ATOLL_DNS_NAME_MAX + 1];
    bool have_owner, have_origin;
    uint32_t ttl;
    bool have_ttl;
    char *err;
    size_t errlen;
    size_t order;
};

static int fail(struct parser *ps, const char *fmt, ...)
{
    if (ps->err && ps->errlen) {
        int n = snprintf(ps->err, ps->errlen, "line %d: ", ps->line);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < ps->errlen)
            vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -ATOLL_EINVAL;
}

/* ---- tokens ----------------------------------------------------------------
 */

enum tok { T_END, T_EOL, T_WORD, T_QUOTED };

/* The next token into buf.  Newlines inside parentheses are blanks. */
static int next(struct parser *ps, char *buf, size_t *len, enum tok *t)
{
    for (;;) {
        if (ps->p >= ps->end) {
            if (ps->paren)
                return fail(ps, "unbalanced parentheses");
            *t = T_END;
            return 0;
        }
        char c = *ps->p;
        if (c == '\n') {
            ps->p++;
            ps->line++;
            if (!ps->paren) {
                *t = T_EOL;
                return 0;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            ps->p++;
            continue;
        }
        if (c == ';') {
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
            continue;
        }
        if (c == '(') {
            if (ps->paren++)
                return fail(ps, "nested parentheses");
            ps->p++;
            continue;
        }
        if (c == ')') {
            if (!ps->paren)
                return fail(ps, "')' without '('");
            ps->paren = 0;
            ps->p++;
            continue;
        }
        break;
    }
    size_t n = 0;
    bool quoted = *ps->p == '"';
    if (quoted)
        ps->p++;
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (quoted ? c == '"'
                   : (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
                      c == ';' || c == '(' || c == ')'))
            break;
        if (c == '\n')
            ps->line++;
        if (c == '\\') {
            ps->p++;
            if (ps->p >= ps->end)
                return fail(ps, "'\\' at the end");
            if (ps->p + 2 < ps->end && ps->p[0] >= '0' && ps->p[0] <= '9' &&
                ps->p[1] >= '0' && ps->p[1] <= '9' && ps->p[2] >= '0' &&
                ps->p[2] <= '9') {
                int v = (ps->p[0] - '0') * 100 + (ps->p[1] - '0') * 10 +
                        (ps->p[2] - '0');
                if (v > 255)
                    return fail(ps, "bad \\DDD escape");
                c = (char)v;
                ps->p += 2;
            } else {
                c = *ps->p;
            }
        }
        if (n + 1 >= TOKEN_MAX)
            return fail(ps, "token too long");
        buf[n++] = c;
        ps->p++;
    }
    if (quoted) {
        if (ps->p >= ps->end)
            return fail(ps, "unterminated string");
        ps->p++;
    }
    buf[n] = 0;
    *len = n;
    *t = quoted ? T_QUOTED : T_WORD;
    return 0;
}

/* ---- fields
 * ------------------------------------------------------------------ */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A name token made absolute (lower case, no trailing dot). */
static int absolute(struct parser *ps, const char *tok, char *out)
{
    size_t n = strlen(tok);
    if (!strcmp(tok, "@")) {
        if (!ps->have_origin)
            return fail(ps, "'@' without $ORIGIN");
        snprintf(out, ATOLL_DNS_NAME_MAX + 1, "%s", ps->z->origin);
        return 0;
    }
    char tmp[2 * (ATOLL_DNS_NAME_MAX + 1) + 2];
    if (n > ATOLL_DNS_NAME_MAX + 1)
        return fail(ps, "name too long");
    if (n && tok[n - 1] == '.') {
        memcpy(tmp, tok, n - 1);
        tmp[n - 1] = 0;
    } else {
        if (!ps->have_origin)
            return fail(ps, "relative name '%s' without $ORIGIN", tok);
        snprintf(tmp, sizeof tmp, "%s%s%s", tok, ps->z->origin[0] ? "." : "",
                 ps->z->origin);
    }
    size_t l = strlen(tmp);
    uint8_t wire[256];
    if (l > ATOLL_DNS_NAME_MAX ||
        (l && atoll_dns_name_write(wire, sizeof wire, tmp) < 0))
        return fail(ps, "bad name '%s'", tok);
    for (size_t i = 0; i < l; i++) {
        if ((unsigned char)tmp[i] <= ' ' || (unsigned char)tmp[i] >= 127)
            return fail(ps, "bad character in name '%s'", tok);
        out[i] = lower(tmp[i]);
    }
    out[l] = 0;
    return 0;
}

static bool is_number(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* A TTL: digits with optional units (1h30m). */
static bool parse_ttl(const char *s, uint32_t *out)
{
    uint64_t total = 0, v = 0;
    bool digits = false;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            v = v * 10 + (uint64_t)(*s - '0');
            digits = true;
            if (v > 0xffffffffu)
                return false;
            continue;
        }
        uint64_t m;
        switch (lower(*s)) {
        case 's':
            m = 1;
            break;
        case 'm':
            m = 60;
            break;
        case 'h':
            m = 3600;
            break;
        case 'd':
            m = 86400;
            break;
        case 'w':
            m = 604800;
            break;
        default:
            return false;
        }
        if (!digits)
            return false;
        total += v * m;
        v = 0;
        digits = false;
        if (total > 0xffffffffu)
            return false;
    }
    total += v;
    if (total > 0xffffffffu)
        return false;
    *out = (uint32_t)total;
    return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    if (!is_number(s) || strlen(s) > 10)
        return false;
    unsigned long long v = strtoull(s, NULL, 10);
    if (v > 0xffffffffu)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* RFC 4291 2.2 text (no embedded IPv4 form). */
static bool parse_ipv6(const char *s, uint8_t out[16])
{
    uint16_t groups[8];
    int n = 0, gap = -1;
    const char *p = s;
    if (p[0] == ':' && p[1] == ':') {
        gap = 0;
        p += 2;
        if (!*p)
            goto done;
    }
    for (;;) {
        int v = 0, d = 0;
        while (d < 5 && hexval(*p) >= 0) {
            v = v * 16 + hexval(*p++);
            d++;
        }
        if (d == 0 || d > 4 || n >= 8)
            return false;
        groups[n++] = (uint16_t)v;
        if (!*p)
            break;
        if (*p != ':')
            return false;
        p++;
        if (*p == ':') {
            if (gap >= 0)
                return false;
            gap = n;
            p++;
            if (!*p)
                break;
        }
    }
done:
    if ((gap < 0 && n != 8) || (gap >= 0 && n > 7))
        return false;
    memset(out, 0, 16);
    int tail = gap < 0 ? 0 : n - gap;
    for (int i = 0; i < n - tail; i++) {
        out[2 * i] = (uint8_t)(groups[i] >> 8);
        out[2 * i + 1] = (uint8_t)groups[i];
    }
    for (int i = 0; i < tail; i++) {
        int at = 8 - tail + i;
        out[2 * at] = (uint8_t)(groups[n - tail + i] >> 8);
        out[2 * at + 1] = (uint8_t)groups[n - tail + i];
    }
    return true;
}

/* ---- records ---------------------------------------------------------------
 */

static int add(struct parser *ps, const char *owner, uint16_t type,
               uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
    struct atoll_dns_zone *z = ps->z;
    if (z->nrrs >= ATOLL_DNS_ZONE_RECORDS_MAX)
        return fail(ps, "more than %d records", ATOLL_DNS_ZONE_RECORDS_MAX);
    if (z->nrrs == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 64;
        struct zone_rr *n = atoll_realloc(z->rrs, cap * sizeof *n);
        if (!n)
            return -ATOLL_ENOMEM;
        z->rrs = n;
        z->cap = cap;
    }
    struct zone_rr *r = &z->rrs[z->nrrs];
    size_t ol = strlen(owner);
    r->owner = atoll_malloc(ol + 1);
    r->rdata = atoll_malloc(rdlen ? rdlen : 1);
    if (!r->owner || !r->rdata) {
        atoll_free(r->owner);
        atoll_free(r->rdata);
        return -ATOLL_ENOMEM;
    }
    memcpy(r->owner, owner, ol + 1);
    memcpy(r->rdata, rdata, rdlen);
    r->type = type;
    r->ttl = ttl;
    r->rdlen = (uint16_t)rdlen;
    r->order = ps->order++;
    z->nrrs++;
    return 0;
}

static int put_name(struct parser *ps, const char *tok, uint8_t *rd,
                    size_t *len)
{
    char abs[ATOLL_DNS_NAME_MAX + 1];
    int err = absolute(ps, tok, abs);
    if (err < 0)
        return err;
    int n = atoll_dns_name_write(rd + *len, RDATA_MAX - *len, abs);
    if (n < 0)
        return fail(ps, "bad name '%s'", tok);
    *len += (size_t)n;
    return 0;
}

/* The rest of a record line after its type. */
static int rdata(struct parser *ps, const char *owner, uint16_t type,
                 uint32_t ttl, char *tok)
{
    uint8_t rd[RDATA_MAX];
    size_t len = 0, tl;
    enum tok t;
    int err;
    int want = type == ATOLL_DNS_TYPE_SOA   ? 7
               : type == ATOLL_DNS_TYPE_MX  ? 2
               : type == ATOLL_DNS_TYPE_TXT ? -1
                                            : 1;
    int got = 0;
    for (;;) {
        if ((err = next(ps, tok, &tl, &t)) < 0)
            return err;
        if (t == T_EOL || t == T_END)
            break;
        if (want >= 0 && got >= want)
            return fail(ps, "too many fields");
        if (type == ATOLL_DNS_TYPE_TXT) {
            if (tl > 255)
                return fail(ps, "TXT string over 255 bytes");
            if (len + 1 + tl > RDATA_MAX || len + 1 + tl > 65535)
                return fail(ps, "TXT record too long");
            rd[len++] = (uint8_t)tl;
            memcpy(rd + len, tok, tl);
            len += tl;
        } else if (t == T_QUOTED) {
            return fail(ps, "unexpected string");
        } else if (type == ATOLL_DNS_TYPE_A) {
            atoll_ipv4_t a;
            if (atoll_ipv4_parse(tok, &a, NULL) < 0)
                return fail(ps, "bad IPv4 address '%s'", tok);
            net_put32(rd, a);
            len = 4;
        } else if (type == ATOLL_DNS_TYPE_AAAA) {
            if (!parse_ipv6(tok, rd))
                return fail(ps, "bad IPv6 address '%s'", tok);
            len = 16;
        } else if (type == ATOLL_DNS_TYPE_MX && got == 0) {
            uint32_t v;
            if (!parse_u32(tok, &v) || v > 65535)
                return fail(ps, "bad MX preference '%s'", tok);
            rd[0] = (uint8_t)(v >> 8);
            rd[1] = (uint8_t)v;
            len = 2;
        } else if (type == ATOLL_DNS_TYPE_SOA && got >= 2) {
            uint32_t v;
            if (!(got == 2 ? parse_u32(tok, &v) : parse_ttl(tok, &v)))
                return fail(ps, "bad SOA number '%s'", tok);
            net_put32(rd + len, v);
            len += 4;
        } else {
            if ((err = put_name(ps, tok, rd, &len)) < 0)
                return err;
        }
        got++;
    }
    if ((want >= 0 && got != want) || (want < 0 && got == 0))
        return fail(ps, "missing fields");
    if (t == T_EOL)
        ps->line--; /* the error line is the record's, not the next */
    err = add(ps, owner, type, ttl, rd, len);
    if (t == T_EOL)
        ps->line++;
    if (err < 0)
        return err;
    return t == T_END ? 1 : 0;
}

static int type_code(const char *s)
{
    static const struct {
        const char *name;
        uint16_t code;
    } types[] = {
        {"a", ATOLL_DNS_TYPE_A},         {"aaaa", ATOLL_DNS_TYPE_AAAA},
        {"cname", ATOLL_DNS_TYPE_CNAME}, {"mx", ATOLL_DNS_TYPE_MX},
        {"txt", ATOLL_DNS_TYPE_TXT},     {"ns", ATOLL_DNS_TYPE_NS},
        {"soa", ATOLL_DNS_TYPE_SOA},
    };
    char l[8];
    size_t n = strlen(s);
    if (n >= sizeof l)
        return -1;
    for (size_t i = 0; i <= n; i++)
        l[i] = lower(s[i]);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(types[i].name, l))
            return types[i].code;
    return -1;
}

static bool is_class(const char *s)
{
    return (lower(s[0]) == 'i' && lower(s[1]) == 'n' && !s[2]);
}

/* One line (the first token already read into tok). */
static int line(struct parser *ps, char *tok, size_t tl, bool blank_owner)
{
    int err;
    enum tok t;
    if (!blank_owner && tok[0] == '$') {
        char arg[TOKEN_MAX];
        size_t al;
        if ((err = next(ps, arg, &al, &t)) < 0)
            return err;
        if (t != T_WORD)
            return fail(ps, "%s needs an argument", tok);
        if (!strcmp(tok, "$ORIGIN")) {
            if (al == 0 || arg[al - 1] != '.')
                return fail(ps, "$ORIGIN must be absolute");
            char abs[ATOLL_DNS_NAME_MAX + 1];
            bool had = ps->have_origin;
            ps->have_origin = true;
            err = absolute(ps, arg, abs);
            ps->have_origin = had;
            if (err < 0)
                return err;
            memcpy(ps->z->origin, abs, sizeof abs);
            ps->have_origin = true;
        } else if (!strcmp(tok, "$TTL")) {
            if (!parse_ttl(arg, &ps->ttl))
                return fail(ps, "bad $TTL '%s'", arg);
            ps->have_ttl = true;
        } else {
            return fail(ps, "unsupported directive %s", tok);
        }
        if ((err = next(ps, arg, &al, &t)) < 0)
            return err;
        if (t == T_WORD || t == T_QUOTED)
            return fail(ps, "extra text after %s", tok);
        return t == T_END ? 1 : 0;
    }
    if (!blank_owner) {
        if (t = T_WORD, (err = absolute(ps, tok, ps->owner)) < 0)
            return err;
        ps->have_owner = true;
        if ((err = next(ps, tok, &tl, &t)) < 0)
            return err;
    } else {
        t = T_WORD;
    }
    if (!ps->have_owner)
        return fail(ps, "no owner name");
    uint32_t ttl = ps->ttl;
    bool have_ttl = false;
    for (int i = 0; i < 2 && t == T_WORD; i++) {
        uint32_t v;
        if (!have_ttl && tok[0] >= '0' && tok[0] <= '9' && parse_ttl(tok, &v)) {
            ttl = v;
            have_ttl = true;
        } else if (is_class(tok)) {
        } else {
            break;
        }
        if ((err = next(ps, tok, &tl, &t)) < 0)
            return err;
    }
    if (t != T_WORD)
        return fail(ps, "missing record type");
    int type = type_code(tok);
    if (type < 0)
        return fail(ps, "unsupported record type '%s'", tok);
    if (!have_ttl && !ps->have_ttl && type != ATOLL_DNS_TYPE_SOA)
        return fail(ps, "no TTL (and no $TTL)");
    char owner[ATOLL_DNS_NAME_MAX + 1];
    memcpy(owner, ps->owner, sizeof owner);
    (void)tl;
    return rdata(ps, owner, (uint16_t)type, ttl, tok);
}

/* ---- index
 * ------------------------------------------------------------------- */

uint32_t dns_name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)name[i];
        h *= 16777619u;
    }
    return h;
}

const struct zone_name *dns_zone_lookup(const struct atoll_dns_zone *z,
                                        const char *name, size_t len)
{
    uint32_t h = dns_name_hash(name, len);
    size_t mask = z->nindex - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const struct zone_name *e = &z->index[i];
        if (!e->name)
            return NULL;
        if (e->hash == h && !strncmp(e->name, name, len) && !e->name[len])
            return e;
    }
}

static int rr_cmp(const void *a, const void *b)
{
    const struct zone_rr *x = a, *y = b;
    int c = strcmp(x->owner, y->owner);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static struct zone_name *index_slot(struct atoll_dns_zone *z, const char *name,
                                    size_t len, bool *fresh)
{
    uint32_t h = dns_name_hash(name, len);
    size_t mask = z->nindex - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct zone_name *e = &z->index[i];
        if (!e->name) {
            *fresh = true;
            e->hash = h;
            return e;
        }
        if (e->hash == h && !strncmp(e->name, name, len) && !e->name[len]) {
            *fresh = false;
            return e;
        }
    }
}

static int build_index(struct parser *ps, size_t want)
{
    struct atoll_dns_zone *z = ps->z;
    if (z->nrrs)
        qsort(z->rrs, z->nrrs, sizeof *z->rrs, rr_cmp);
    size_t ol = strlen(z->origin);
    size_t nsoa = 0;
    for (size_t i = 0; i < z->nrrs; i++) {
        const char *o = z->rrs[i].owner;
        size_t l = strlen(o);
        bool inside =
            !strcmp(o, z->origin) || ol == 0 ||
            (l > ol && o[l - ol - 1] == '.' && !strcmp(o + l - ol, z->origin));
        if (!inside)
            return fail(ps, "'%s' is outside the zone '%s'", o, z->origin);
        if (z->rrs[i].type == ATOLL_DNS_TYPE_SOA) {
            if (strcmp(o, z->origin))
                return fail(ps, "SOA not at the origin");
            z->soa = i;
            nsoa++;
        }
    }
    if (nsoa != 1)
        return fail(ps, "the zone needs exactly one SOA (has %zu)", nsoa);
    /* Every owner adds itself and its ancestors down to the origin; the
     * table starts at 4 slots per record and doubles (the caller calls
     * again) whenever it would be more than half full. */
    z->nindex = want;
    z->index = atoll_calloc(want, sizeof *z->index);
    if (!z->index)
        return -ATOLL_ENOMEM;
    size_t used = 0;
    for (size_t i = 0; i < z->nrrs; i++) {
        const char *o = z->rrs[i].owner;
        size_t l = strlen(o);
        bool fresh;
        struct zone_name *e = index_slot(z, o, l, &fresh);
        if (fresh)
            used++;
        if (e->count == 0) { /* new, or so far only an ancestor */
            e->name = o;
            e->first = i;
        }
        e->count++;
        /* Ancestors inside the zone: empty non-terminals unless owners. */
        for (size_t k = 0; k < l && l - k > ol; k++) {
            if (o[k] != '.')
                continue;
            const char *anc = o + k + 1;
            struct zone_name *a = index_slot(z, anc, l - k - 1, &fresh);
            if (fresh) {
                a->name = anc;
                a->first = 0;
                a->count = 0;
                used++;
            }
            if (used * 2 > z->nindex) {
                /* Grow: rebuild at twice the size. */
                atoll_free(z->index);
                z->index = NULL;
                z->nindex = 0;
                return 1;
            }
        }
        if (used * 2 > z->nindex) {
            atoll_free(z->index);
            z->index = NULL;
            return 1;
        }
    }
    return 0;
}

/* ---- API --------------------------------------------------------------- */

void atoll_dns_zone_free(struct atoll_dns_zone *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->nrrs; i++) {
        atoll_free(z->rrs[i].owner);
        atoll_free(z->rrs[i].rdata);
    }
    atoll_free(z->rrs);
    atoll_free(z->index);
    atoll_free(z);
}

size_t atoll_dns_zone_count(const struct atoll_dns_zone *z)
{
    return z->nrrs;
}

const char *atoll_dns_zone_origin(const struct atoll_dns_zone *z)
{
    return z->origin;
}

int atoll_dns_zone_parse(const char *text, size_t len, const char *origin,
                         struct atoll_dns_zone **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    struct atoll_dns_zone *z = atoll_calloc(1, sizeof *z);
    char *tok = atoll_malloc(TOKEN_MAX);
    if (!z || !tok) {
        atoll_free(z);
        atoll_free(tok);
        return -ATOLL_ENOMEM;
    }
    struct parser ps = {.p = text,
                        .end = text + len,
                        .line = 1,
                        .z = z,
                        .err = err,
                        .errlen = errlen};
    int rc = 0;
    if (origin) {
        char o[ATOLL_DNS_NAME_MAX + 3];
        snprintf(o, sizeof o, "%s%s", origin,
                 *origin && origin[strlen(origin) - 1] == '.' ? "" : ".");
        ps.have_origin = true;
        if (!strcmp(o, "."))
            z->origin[0] = 0;
        else if ((rc = absolute(&ps, o, z->origin)) < 0)
            goto out;
    }
    for (;;) {
        /* A line that starts with a blank keeps the previous owner. */
        bool blank = ps.p < ps.end && (*ps.p == ' ' || *ps.p == '\t');
        size_t tl;
        enum tok t;
        if ((rc = next(&ps, tok, &tl, &t)) < 0)
            goto out;
        if (t == T_END)
            break;
        if (t == T_EOL)
            continue;
        if (t == T_QUOTED)
            rc = fail(&ps, "unexpected string");
        else
            rc = line(&ps, tok, tl, blank);
        if (rc < 0)
            goto out;
        if (rc == 1)
            break;
    }
    size_t want = 16;
    while (want < z->nrrs * 4)
        want *= 2;
    while ((rc = build_index(&ps, want)) == 1)
        want *= 2; /* more names than expected: a bigger table */
out:
    atoll_free(tok);
    if (rc < 0) {
        atoll_dns_zone_free(z);
        return rc;
    }
    *out = z;
    return 0;
}
