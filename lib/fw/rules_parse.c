/*
 * lib/fw/rules_parse.c - the rule language's parser (atoll/fw.h): text in,
 * tables out, or the line and column of the first thing wrong.
 *
 * The parse is two passes over the same words: the first counts the
 * statements of each kind so the tables are allocated once at their size,
 * the second fills them.  Both run the same statement parser, so they
 * cannot disagree about what is valid.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/fw.h"
#include "atoll/ipv6.h"
#include "atoll/mem.h"
#include "atoll/net_tunables.h"

/* One word of a line: where it starts and how long it is. */
struct word {
    const char *p;
    int len;
    int col;
};

#define WORDS_MAX 64

/* A tunable's value as a string, for messages. */
#define ATOLL_FW_STR2_(x) #x
#define ATOLL_FW_STR_(x)  ATOLL_FW_STR2_(x)

struct parser {
    const char *const *ifnames;
    int n_if;
    struct atoll_fw_error *err;
    int line;
    struct word w[WORDS_MAX];
    int nw, i;
    /* what the statement parsers produce (second pass), or only count */
    struct atoll_fw_rules *r; /* NULL in the counting pass */
    int n_rules, n_masq, n_forward, n_policy;
};

static int fail(struct parser *ps, const struct word *w, const char *fmt,
                const char *arg)
{
    struct atoll_fw_error *e = ps->err;
    e->line = ps->line;
    e->column = w ? w->col : 0;
    char shown[40];
    if (arg) {
        /* Quote at most 32 bytes of the word, unprintable bytes as '?'. */
        size_t n = strlen(arg);
        if (n > 32)
            n = 32;
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)arg[k];
            shown[k] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        shown[n] = 0;
    } else {
        shown[0] = 0;
    }
    snprintf(e->msg, sizeof e->msg, fmt, shown);
    return -ATOLL_EINVAL;
}

/* The word as a NUL-terminated copy (words are at most FW_LINE_MAX). */
static const char *wstr(const struct word *w, char *buf, size_t cap)
{
    size_t n = (size_t)w->len < cap - 1 ? (size_t)w->len : cap - 1;
    memcpy(buf, w->p, n);
    buf[n] = 0;
    return buf;
}

static bool is(const struct word *w, const char *kw)
{
    size_t n = strlen(kw);
    return (size_t)w->len == n && memcmp(w->p, kw, n) == 0;
}

static const struct word *next(struct parser *ps)
{
    return ps->i < ps->nw ? &ps->w[ps->i++] : NULL;
}

/* The next word, or an error at the end of the line saying what was
 * expected. */
static int need(struct parser *ps, const char *what, const struct word **out)
{
    *out = next(ps);
    if (*out)
        return 0;
    struct word end = {
        NULL, 0, ps->nw ? ps->w[ps->nw - 1].col + ps->w[ps->nw - 1].len : 1};
    return fail(ps, &end, "expected %s at the end of the line", what);
}

static int parse_uint(const struct word *w, unsigned max, unsigned *out)
{
    if (w->len == 0 || w->len > 6)
        return -1;
    unsigned v = 0;
    for (int k = 0; k < w->len; k++) {
        if (w->p[k] < '0' || w->p[k] > '9')
            return -1;
        v = v * 10 + (unsigned)(w->p[k] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_if(struct parser *ps, int8_t *out)
{
    const struct word *w;
    int e = need(ps, "an interface name", &w);
    if (e < 0)
        return e;
    for (int k = 0; k < ps->n_if; k++) {
        if (ps->ifnames[k] && is(w, ps->ifnames[k])) {
            *out = (int8_t)k;
            return 0;
        }
    }
    char b[FW_LINE_MAX + 1];
    return fail(ps, w, "unknown interface '%s'", wstr(w, b, sizeof b));
}

/* An IPv6 address or prefix in word w (its text b). */
static int parse_prefix6(struct parser *ps, const struct word *w, const char *b,
                         struct atoll_fw_prefix *out, bool allow_prefix)
{
    atoll_ipv6_t a;
    uint8_t len = 128;
    if (atoll_ipv6_parse(b, &a, allow_prefix ? &len : NULL) < 0)
        return fail(ps, w,
                    allow_prefix ? "'%s' is not an IPv6 address or x:y::/len"
                                 : "'%s' is not an IPv6 address",
                    b);
    memcpy(out->addr, a.b, 16);
    out->len = len;
    out->v6 = 1;
    if (atoll_fw_addr_is4(out->addr))
        return fail(ps, w, "'%s': write an IPv4 address as a.b.c.d", b);
    for (unsigned bit = len; bit < 128; bit++)
        if (out->addr[bit / 8] & (0x80 >> (bit % 8)))
            return fail(ps, w, "'%s' has bits set beyond its prefix length", b);
    return 0;
}

/* `any`, a.b.c.d or a.b.c.d/n; with allow_v6 an IPv6 address or prefix
 * too (where nothing is translated). */
static int parse_prefix(struct parser *ps, struct atoll_fw_prefix *out,
                        bool allow_prefix, bool allow_v6)
{
    const struct word *w;
    int e = need(ps, "an address", &w);
    if (e < 0)
        return e;
    memset(out, 0, sizeof *out);
    char b[FW_LINE_MAX + 1];
    wstr(w, b, sizeof b);
    if (allow_prefix && is(w, "any"))
        return 0;
    if (memchr(w->p, ':', (size_t)w->len)) {
        if (!allow_v6)
            return fail(ps, w,
                        "'%s': IPv6 is not translated (no NAT66), only "
                        "filtered",
                        b);
        return parse_prefix6(ps, w, b, out, allow_prefix);
    }
    atoll_ipv4_t a;
    uint8_t len = 32;
    if (atoll_ipv4_parse(b, &a, allow_prefix ? &len : NULL) < 0)
        return fail(ps, w,
                    allow_prefix ? "'%s' is not an address, a.b.c.d/len or any"
                                 : "'%s' is not an address (a.b.c.d)",
                    b);
    if (!strchr(b, '/'))
        len = 32;
    uint32_t mask = len ? 0xffffffffu << (32 - len) : 0;
    if (a & ~mask)
        return fail(ps, w, "'%s' has bits set beyond its prefix length", b);
    atoll_fw_addr4(out->addr, a);
    out->len = (uint8_t)(96 + len);
    return 0;
}

static int parse_ports(struct parser *ps, struct atoll_fw_ports *out)
{
    const struct word *w;
    int e = need(ps, "a port or a range N-M", &w);
    if (e < 0)
        return e;
    char b[FW_LINE_MAX + 1];
    wstr(w, b, sizeof b);
    const char *dash = memchr(w->p, '-', (size_t)w->len);
    unsigned lo, hi;
    struct word a = *w, z = *w;
    if (dash) {
        a.len = (int)(dash - w->p);
        z.p = dash + 1;
        z.len = w->len - a.len - 1;
    }
    if (parse_uint(&a, 65535, &lo) < 0 || parse_uint(&z, 65535, &hi) < 0)
        return fail(ps, w, "'%s' is not a port (0-65535) or a range N-M", b);
    if (lo > hi)
        return fail(ps, w, "port range '%s' ends before it starts", b);
    out->lo = (uint16_t)lo;
    out->hi = (uint16_t)hi;
    return 0;
}

static int parse_proto(struct parser *ps, int16_t *out, const struct word **w)
{
    int e = need(ps, "a protocol", w);
    if (e < 0)
        return e;
    unsigned n;
    if (is(*w, "tcp"))
        *out = 6;
    else if (is(*w, "udp"))
        *out = 17;
    else if (is(*w, "icmp"))
        *out = 1;
    else if (is(*w, "icmpv6"))
        *out = 58;
    else if (parse_uint(*w, 255, &n) == 0)
        *out = (int16_t)n;
    else {
        char b[FW_LINE_MAX + 1];
        return fail(ps, *w,
                    "'%s' is not a protocol (tcp, udp, icmp, icmpv6 or "
                    "0-255)",
                    wstr(*w, b, sizeof b));
    }
    return 0;
}

static int parse_states(struct parser *ps, uint8_t *out)
{
    const struct word *w;
    int e = need(ps, "a state (new, established, related, invalid)", &w);
    if (e < 0)
        return e;
    static const char *const names[] = {"new", "established", "related",
                                        "invalid"};
    *out = 0;
    struct word part = {w->p, 0, w->col};
    const char *end = w->p + w->len;
    for (const char *p = w->p;; p++) {
        if (p < end && *p != ',')
            continue;
        part.len = (int)(p - part.p);
        int k = 0;
        while (k < 4 && !is(&part, names[k]))
            k++;
        char b[FW_LINE_MAX + 1];
        if (k == 4)
            return fail(ps, &part,
                        "'%s' is not a state (new, established, related, "
                        "invalid)",
                        wstr(&part, b, sizeof b));
        *out |= (uint8_t)(1u << k);
        if (p == end)
            break;
        part.p = p + 1;
        part.col = w->col + (int)(part.p - w->p);
    }
    return 0;
}

static bool has_ports(int16_t proto)
{
    return proto == 6 || proto == 17;
}

static int parse_filter(struct parser *ps, const struct word *verb)
{
    struct atoll_fw_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.proto = -1;
    rule.in_if = rule.out_if = ATOLL_FW_ANY_IF;
    rule.sport.hi = rule.dport.hi = 65535;
    rule.line = ps->line;
    rule.action = is(verb, "accept") ? ATOLL_FW_ACCEPT
                  : is(verb, "drop") ? ATOLL_FW_DROP
                                     : ATOLL_FW_REJECT;
    const struct word *with = NULL;
    int e;
    if (rule.action == ATOLL_FW_REJECT && ps->i < ps->nw &&
        is(&ps->w[ps->i], "with")) {
        ps->i++;
        static const char *const hows[] = {"tcp-reset", "icmp-net", "icmp-host",
                                           "icmp-port", "icmp-admin"};
        if ((e = need(ps, "tcp-reset or icmp-net|host|port|admin", &with)) < 0)
            return e;
        int k = 0;
        while (k < 5 && !is(with, hows[k]))
            k++;
        char b[FW_LINE_MAX + 1];
        if (k == 5)
            return fail(ps, with,
                        "'%s': reject with tcp-reset, icmp-net, icmp-host, "
                        "icmp-port or icmp-admin",
                        wstr(with, b, sizeof b));
        rule.reject_with = (uint8_t)k;
    }
    unsigned seen = 0; /* one bit per match keyword */
    static const char *const kws[] = {"in", "out",   "from",
                                      "to", "proto", "state"};
    const struct word *port_word = NULL;
    const struct word *w;
    while ((w = next(ps))) {
        int k = 0;
        while (k < 6 && !is(w, kws[k]))
            k++;
        char b[FW_LINE_MAX + 1];
        if (k == 6)
            return fail(ps, w,
                        "'%s' is not a match (in, out, from, to, proto, "
                        "state)",
                        wstr(w, b, sizeof b));
        if (seen & (1u << k))
            return fail(ps, w, "'%s' given twice in one rule",
                        wstr(w, b, sizeof b));
        seen |= 1u << k;
        const struct word *pw;
        switch (k) {
        case 0:
            e = parse_if(ps, &rule.in_if);
            break;
        case 1:
            e = parse_if(ps, &rule.out_if);
            break;
        case 2:
        case 3:
            e = parse_prefix(ps, k == 2 ? &rule.src : &rule.dst, true, true);
            if (e == 0 && ps->i < ps->nw && is(&ps->w[ps->i], "port")) {
                port_word = &ps->w[ps->i++];
                if (!has_ports(rule.proto))
                    return fail(ps, port_word,
                                "a port needs proto tcp or udp before it%s",
                                NULL);
                e = parse_ports(ps, k == 2 ? &rule.sport : &rule.dport);
            }
            break;
        case 4:
            e = parse_proto(ps, &rule.proto, &pw);
            break;
        default:
            e = parse_states(ps, &rule.states);
            break;
        }
        if (e < 0)
            return e;
    }
    if (rule.action == ATOLL_FW_REJECT && !with)
        rule.reject_with =
            rule.proto == 6 ? ATOLL_FW_REJ_TCP_RESET : ATOLL_FW_REJ_ICMP_PORT;
    if (with && rule.reject_with == ATOLL_FW_REJ_TCP_RESET && rule.proto != 6)
        return fail(ps, with, "tcp-reset needs proto tcp in the rule%s", NULL);
    if (ps->r)
        ps->r->rules[ps->n_rules] = rule;
    ps->n_rules++;
    return 0;
}

static int expect(struct parser *ps, const char *kw)
{
    const struct word *w;
    char what[32];
    snprintf(what, sizeof what, "'%s'", kw);
    int e = need(ps, what, &w);
    if (e < 0)
        return e;
    if (!is(w, kw)) {
        char b[FW_LINE_MAX + 1], m[64];
        snprintf(m, sizeof m, "expected '%s', not '%%s'", kw);
        return fail(ps, w, m, wstr(w, b, sizeof b));
    }
    return 0;
}

static int parse_masq(struct parser *ps)
{
    struct atoll_fw_masq m;
    memset(&m, 0, sizeof m);
    m.line = ps->line;
    int e;
    if ((e = expect(ps, "out")) < 0 || (e = parse_if(ps, &m.out_if)) < 0)
        return e;
    if (ps->i < ps->nw) {
        if ((e = expect(ps, "from")) < 0 ||
            (e = parse_prefix(ps, &m.src, true, false)) < 0)
            return e;
    }
    if (ps->r)
        ps->r->masq[ps->n_masq] = m;
    ps->n_masq++;
    return 0;
}

static int parse_forward(struct parser *ps)
{
    struct atoll_fw_forward f;
    memset(&f, 0, sizeof f);
    f.line = ps->line;
    int16_t proto;
    const struct word *pw;
    struct atoll_fw_prefix to;
    int e;
    if ((e = expect(ps, "in")) < 0 || (e = parse_if(ps, &f.in_if)) < 0 ||
        (e = expect(ps, "proto")) < 0 || (e = parse_proto(ps, &proto, &pw)) < 0)
        return e;
    if (!has_ports(proto)) {
        char b[FW_LINE_MAX + 1];
        return fail(ps, pw, "forward is for tcp or udp, not '%s'",
                    wstr(pw, b, sizeof b));
    }
    f.proto = (uint8_t)proto;
    if ((e = expect(ps, "port")) < 0 || (e = parse_ports(ps, &f.ports)) < 0 ||
        (e = expect(ps, "to")) < 0 ||
        (e = parse_prefix(ps, &to, false, false)) < 0)
        return e;
    memcpy(f.to, to.addr, 16);
    if (ps->i < ps->nw) {
        struct atoll_fw_ports p;
        const struct word *w;
        if ((e = expect(ps, "port")) < 0)
            return e;
        w = &ps->w[ps->i];
        if ((e = parse_ports(ps, &p)) < 0)
            return e;
        if (p.lo != p.hi || p.lo == 0)
            return fail(ps, w, "forward to one port (1-65535)%s", NULL);
        f.to_port = p.lo;
    }
    if (ps->r)
        ps->r->forward[ps->n_forward] = f;
    ps->n_forward++;
    return 0;
}

static int parse_statement(struct parser *ps)
{
    const struct word *w = next(ps);
    int e;
    char b[FW_LINE_MAX + 1];
    if (ps->n_rules + ps->n_masq + ps->n_forward + ps->n_policy >=
        FW_RULES_MAX) {
        fail(ps, w, "more than " ATOLL_FW_STR_(FW_RULES_MAX) " statements%s",
             NULL);
        return -ATOLL_E2BIG;
    }
    if (is(w, "accept") || is(w, "drop") || is(w, "reject"))
        e = parse_filter(ps, w);
    else if (is(w, "masquerade"))
        e = parse_masq(ps);
    else if (is(w, "forward"))
        e = parse_forward(ps);
    else if (is(w, "policy")) {
        const struct word *v;
        if ((e = need(ps, "accept or drop", &v)) < 0)
            return e;
        if (!is(v, "accept") && !is(v, "drop"))
            return fail(ps, v, "policy is accept or drop, not '%s'",
                        wstr(v, b, sizeof b));
        if (ps->n_policy++)
            return fail(ps, w, "a second policy line%s", NULL);
        if (ps->r)
            ps->r->policy = is(v, "accept") ? ATOLL_FW_ACCEPT : ATOLL_FW_DROP;
        e = 0;
    } else
        return fail(ps, w,
                    "'%s' is not a statement (accept, drop, reject, policy, "
                    "masquerade, forward)",
                    wstr(w, b, sizeof b));
    if (e < 0)
        return e;
    if (ps->i < ps->nw)
        return fail(ps, &ps->w[ps->i], "unexpected '%s' after the statement",
                    wstr(&ps->w[ps->i], b, sizeof b));
    return 0;
}

/* Split one line into words and parse it.  Bytes that are not printable
 * ASCII (other than blanks) are refused: a rule set is for people. */
static int parse_line(struct parser *ps, const char *p, size_t n)
{
    if (n > FW_LINE_MAX) {
        struct word w = {p, 0, FW_LINE_MAX + 1};
        fail(ps, &w, "line longer than " ATOLL_FW_STR_(FW_LINE_MAX) " bytes%s",
             NULL);
        return -ATOLL_E2BIG;
    }
    ps->nw = ps->i = 0;
    for (size_t k = 0; k < n;) {
        unsigned char c = (unsigned char)p[k];
        if (c == '#')
            break;
        if (c == ' ' || c == '\t' || c == '\r') {
            k++;
            continue;
        }
        size_t s = k;
        while (k < n) {
            c = (unsigned char)p[k];
            if (c == ' ' || c == '\t' || c == '\r' || c == '#')
                break;
            if (c < 0x21 || c > 0x7e) {
                struct word bad = {p + k, 1, (int)k + 1};
                char hex[8];
                snprintf(hex, sizeof hex, "0x%02x", c);
                return fail(ps, &bad, "byte %s is not allowed in a rule set",
                            hex);
            }
            k++;
        }
        if (ps->nw == WORDS_MAX) {
            struct word w = {p + s, (int)(k - s), (int)s + 1};
            return fail(ps, &w, "more than 64 words on a line%s", NULL);
        }
        ps->w[ps->nw++] = (struct word){p + s, (int)(k - s), (int)s + 1};
    }
    if (ps->nw == 0)
        return 0;
    return parse_statement(ps);
}

static int parse_all(struct parser *ps, const char *text, size_t len)
{
    ps->n_rules = ps->n_masq = ps->n_forward = ps->n_policy = 0;
    ps->line = 0;
    for (size_t at = 0; at < len || at == 0;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        ps->line++;
        int e = parse_line(ps, text + at, n);
        if (e < 0)
            return e;
        at += n + 1;
        if (!nl)
            break;
    }
    return 0;
}

int atoll_fw_rules_parse(const char *text, size_t len,
                         const char *const *ifnames, int n_if,
                         struct atoll_fw_rules **out,
                         struct atoll_fw_error *err)
{
    struct atoll_fw_error scratch;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    *out = NULL;
    if (len > FW_RULES_TEXT_MAX) {
        snprintf(err->msg, sizeof err->msg, "rule set of %zu bytes; at most %d",
                 len, FW_RULES_TEXT_MAX);
        return -ATOLL_E2BIG;
    }
    struct parser ps;
    memset(&ps, 0, sizeof ps);
    ps.ifnames = ifnames;
    ps.n_if = n_if;
    ps.err = err;
    int e = parse_all(&ps, text, len);
    if (e < 0)
        return e;
    struct atoll_fw_rules *r = atoll_calloc(1, sizeof *r);
    if (!r)
        return -ATOLL_ENOMEM;
    r->policy = ATOLL_FW_DROP;
    r->rules = atoll_calloc((size_t)ps.n_rules + 1, sizeof *r->rules);
    r->masq = atoll_calloc((size_t)ps.n_masq + 1, sizeof *r->masq);
    r->forward = atoll_calloc((size_t)ps.n_forward + 1, sizeof *r->forward);
    r->text = atoll_malloc(len + 1);
    if (!r->rules || !r->masq || !r->forward || !r->text) {
        atoll_fw_rules_free(r);
        return -ATOLL_ENOMEM;
    }
    memcpy(r->text, text, len);
    r->text[len] = 0;
    r->text_len = len;
    ps.r = r;
    e = parse_all(&ps, text, len);
    if (e < 0) { /* cannot happen: the first pass accepted the same text */
        atoll_fw_rules_free(r);
        return e;
    }
    r->n_rules = ps.n_rules;
    r->n_masq = ps.n_masq;
    r->n_forward = ps.n_forward;
    *out = r;
    return 0;
}

void atoll_fw_rules_free(struct atoll_fw_rules *r)
{
    if (!r)
        return;
    atoll_free(r->rules);
    atoll_free(r->masq);
    atoll_free(r->forward);
    atoll_free(r->text);
    atoll_free(r);
}
