/*
 * lib/store/object.c - git's object format: framing ("<type> <len>\0"),
 * SHA-256 ids, tree and commit payloads, encoded exactly as git writes
 * them so that ids agree with `git hash-object` in a sha256 repository.
 *
 * The decoders read bytes that came from a device and so are written to
 * reject anything malformed (the fuzz target in tests/fuzz drives them);
 * they never trust a length without checking it against the buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/invariant.h"
#include "atoll/mem.h"
#include "atoll/sha256.h"
#include "store_int.h"

static const char *type_name(enum store_obj_type t)
{
    return t == OBJ_BLOB ? "blob" : t == OBJ_TREE ? "tree" : "commit";
}

void store_hex(const uint8_t *b, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = 0;
}

void store_obj_hash(const void *obj, size_t len, atoll_store_id *id)
{
    atoll_sha256(obj, len, id->b);
}

int store_obj_frame(enum store_obj_type t, const void *payload, size_t len,
                    uint8_t **obj, size_t *objlen, atoll_store_id *id)
{
    char hdr[32];
    int h = snprintf(hdr, sizeof hdr, "%s %zu", type_name(t), len);
    uint8_t *o = atoll_malloc((size_t)h + 1 + len);
    if (!o)
        return -ATOLL_ENOMEM;
    memcpy(o, hdr, (size_t)h + 1); /* the NUL is part of the header */
    if (len)
        memcpy(o + h + 1, payload, len);
    *obj = o;
    *objlen = (size_t)h + 1 + len;
    store_obj_hash(o, *objlen, id);
    return 0;
}

int store_obj_parse(const uint8_t *obj, size_t len, enum store_obj_type *t,
                    const uint8_t **payload, size_t *plen)
{
    const uint8_t *nul = memchr(obj, 0, len < 32 ? len : 32);
    if (!nul)
        return -ATOLL_EBADMSG;
    const uint8_t *sp = memchr(obj, ' ', (size_t)(nul - obj));
    if (!sp)
        return -ATOLL_EBADMSG;
    size_t tl = (size_t)(sp - obj);
    if (tl == 4 && !memcmp(obj, "blob", 4))
        *t = OBJ_BLOB;
    else if (tl == 4 && !memcmp(obj, "tree", 4))
        *t = OBJ_TREE;
    else if (tl == 6 && !memcmp(obj, "commit", 6))
        *t = OBJ_COMMIT;
    else
        return -ATOLL_EBADMSG;
    /* Decimal length without sign or leading zeroes (git's rule). */
    const uint8_t *d = sp + 1;
    if (d == nul || (*d == '0' && d + 1 != nul))
        return -ATOLL_EBADMSG;
    uint64_t n = 0;
    for (; d < nul; d++) {
        if (*d < '0' || *d > '9' || n > UINT64_MAX / 10 - 1)
            return -ATOLL_EBADMSG;
        n = n * 10 + (uint64_t)(*d - '0');
    }
    size_t hl = (size_t)(nul - obj) + 1;
    if (n != len - hl)
        return -ATOLL_EBADMSG;
    *payload = obj + hl;
    *plen = (size_t)n;
    return 0;
}

/* ---- trees -----------------------------------------------------------------
 */

int store_tree_cmp(const char *a, bool adir, const char *b, bool bdir)
{
    /* git's base_name_compare: bytewise over the common length, then the
     * next character, where a folder's name ends in an implied '/'. */
    size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
    int c = memcmp(a, b, n);
    if (c)
        return c < 0 ? -1 : 1;
    unsigned ca = n < la ? (unsigned char)a[n] : adir ? '/' : 0;
    unsigned cb = n < lb ? (unsigned char)b[n] : bdir ? '/' : 0;
    return ca < cb ? -1 : ca > cb ? 1 : 0;
}

static int entry_cmp(const void *x, const void *y)
{
    const struct store_tree_entry *a = x, *b = y;
    return store_tree_cmp(a->name, a->dir, b->name, b->dir);
}

void store_tree_free(struct store_tree *t)
{
    for (size_t i = 0; i < t->n; i++)
        atoll_free(t->e[i].name);
    atoll_free(t->e);
    t->e = NULL;
    t->n = t->cap = 0;
}

int store_tree_decode(const uint8_t *p, size_t len, struct store_tree *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        const uint8_t *sp = memchr(p + i, ' ', len - i < 8 ? len - i : 8);
        if (!sp)
            goto bad;
        size_t ml = (size_t)(sp - (p + i));
        bool dir;
        if (ml == 5 && !memcmp(p + i, "40000", 5))
            dir = true;
        else if (ml == 6 &&
                 (!memcmp(p + i, "100644", 6) || !memcmp(p + i, "100755", 6) ||
                  !memcmp(p + i, "120000", 6)))
            dir = false;
        else
            goto bad;
        i += ml + 1;
        const uint8_t *nul = memchr(p + i, 0, len - i);
        if (!nul)
            goto bad;
        size_t nl = (size_t)(nul - (p + i));
        if (nl == 0 || memchr(p + i, '/', nl) || len - (i + nl + 1) < 32)
            goto bad;
        if (out->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 8;
            void *ne = atoll_realloc(out->e, nc * sizeof *out->e);
            if (!ne) {
                store_tree_free(out);
                return -ATOLL_ENOMEM;
            }
            out->e = ne;
            out->cap = nc;
        }
        struct store_tree_entry *e = &out->e[out->n];
        e->name = atoll_malloc(nl + 1);
        if (!e->name) {
            store_tree_free(out);
            return -ATOLL_ENOMEM;
        }
        memcpy(e->name, p + i, nl);
        e->name[nl] = 0;
        e->dir = dir;
        memcpy(e->id.b, nul + 1, 32);
        out->n++;
        /* Entries must be strictly ordered: duplicates are malformed. */
        if (out->n > 1 && entry_cmp(&out->e[out->n - 2], e) >= 0)
            goto bad;
        i += nl + 1 + 32;
    }
    return 0;
bad:
    store_tree_free(out);
    return -ATOLL_EBADMSG;
}

int store_tree_encode(struct store_tree *t, uint8_t **payload, size_t *len)
{
    if (t->n > 1)
        qsort(t->e, t->n, sizeof *t->e, entry_cmp);
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        /* What the decoder would refuse, the encoder must never write:
         * a name that is empty or holds '/', two entries of one name
         * (callers build trees from unique names; sorted, a duplicate
         * sits next to its twin). */
        ATOLL_ASSERT_SLOW(t->e[i].name[0] && !strchr(t->e[i].name, '/'));
        ATOLL_ASSERT_SLOW(i == 0 || entry_cmp(&t->e[i - 1], &t->e[i]) < 0);
        n += 7 + strlen(t->e[i].name) + 1 + 32;
    }
    uint8_t *p = atoll_malloc(n ? n : 1), *q = p;
    if (!p)
        return -ATOLL_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        const char *mode = t->e[i].dir ? "40000 " : "100644 ";
        size_t ml = strlen(mode), nl = strlen(t->e[i].name) + 1;
        memcpy(q, mode, ml);
        memcpy(q + ml, t->e[i].name, nl);
        memcpy(q + ml + nl, t->e[i].id.b, 32);
        q += ml + nl + 32;
    }
    *payload = p;
    *len = (size_t)(q - p);
    return 0;
}

/* ---- commits ---------------------------------------------------------------
 */

void store_commit_free(struct store_commit *c)
{
    atoll_free(c->parents);
    atoll_free(c->author);
    atoll_free(c->message);
    memset(c, 0, sizeof *c);
}

static int parse_hex(const uint8_t *p, atoll_store_id *id)
{
    for (int i = 0; i < 32; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            uint8_t c = p[2 * i + k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                           : -1;
            if (d < 0)
                return -ATOLL_EBADMSG;
            v = v * 16 + d;
        }
        id->b[i] = (uint8_t)v;
    }
    return 0;
}

/* A line "<key> <rest>\n" at p[*i]: returns rest and its length. */
static const uint8_t *line(const uint8_t *p, size_t len, size_t *i,
                           const char *key, size_t *rl)
{
    size_t kl = strlen(key);
    if (len - *i < kl + 1 || memcmp(p + *i, key, kl) || p[*i + kl] != ' ')
        return NULL;
    const uint8_t *s = p + *i + kl + 1;
    const uint8_t *nl = memchr(s, '\n', len - (*i + kl + 1));
    if (!nl)
        return NULL;
    *rl = (size_t)(nl - s);
    *i = (size_t)(nl - p) + 1;
    return s;
}

/* "Name <email> SECONDS +0000": split the identity and the time. */
static int parse_ident(const uint8_t *s, size_t n, char **who, int64_t *t)
{
    const uint8_t *gt = NULL;
    for (size_t k = n; k > 0; k--)
        if (s[k - 1] == '>') {
            gt = s + k - 1;
            break;
        }
    if (!gt || (size_t)(gt - s) + 2 > n || gt[1] != ' ')
        return -ATOLL_EBADMSG;
    size_t wl = (size_t)(gt - s) + 1;
    const uint8_t *d = gt + 2, *end = s + n;
    int64_t v = 0;
    if (d == end || *d < '0' || *d > '9')
        return -ATOLL_EBADMSG;
    for (; d < end && *d >= '0' && *d <= '9'; d++) {
        if (v > (INT64_MAX - 9) / 10)
            return -ATOLL_EBADMSG;
        v = v * 10 + (*d - '0');
    }
    if (end - d != 6 || d[0] != ' ' || (d[1] != '+' && d[1] != '-'))
        return -ATOLL_EBADMSG;
    *who = atoll_malloc(wl + 1);
    if (!*who)
        return -ATOLL_ENOMEM;
    memcpy(*who, s, wl);
    (*who)[wl] = 0;
    *t = v;
    return 0;
}

int store_commit_decode(const uint8_t *p, size_t len, struct store_commit *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, rl;
    int rc = -ATOLL_EBADMSG;
    const uint8_t *v = line(p, len, &i, "tree", &rl);
    if (!v || rl != 64 || parse_hex(v, &out->tree) < 0)
        goto bad;
    while ((v = line(p, len, &i, "parent", &rl)) != NULL) {
        if (rl != 64 || out->nparents >= 64)
            goto bad;
        void *np = atoll_realloc(out->parents,
                                 (out->nparents + 1) * sizeof *out->parents);
        if (!np) {
            rc = -ATOLL_ENOMEM;
            goto bad;
        }
        out->parents = np;
        if (parse_hex(v, &out->parents[out->nparents]) < 0)
            goto bad;
        out->nparents++;
    }
    v = line(p, len, &i, "author", &rl);
    if (!v || (rc = parse_ident(v, rl, &out->author, &out->time)) < 0)
        goto bad;
    rc = -ATOLL_EBADMSG;
    v = line(p, len, &i, "committer", &rl);
    if (!v)
        goto bad;
    /* Skip any other headers (gpgsig, encoding...) up to the blank line. */
    while (i < len && p[i] != '\n') {
        const uint8_t *nl = memchr(p + i, '\n', len - i);
        if (!nl)
            goto bad;
        i = (size_t)(nl - p) + 1;
    }
    if (i >= len)
        goto bad;
    i++;
    out->message = atoll_malloc(len - i + 1);
    if (!out->message) {
        rc = -ATOLL_ENOMEM;
        goto bad;
    }
    memcpy(out->message, p + i, len - i);
    out->message[len - i] = 0;
    return 0;
bad:
    store_commit_free(out);
    return rc;
}

int store_commit_encode(const struct store_commit *c, uint8_t **payload,
                        size_t *len)
{
    size_t ml = strlen(c->message);
    bool nl = ml == 0 || c->message[ml - 1] != '\n';
    size_t al = strlen(c->author);
    size_t n = 70 + 72 * c->nparents + 2 * (al + 40) + 1 + ml + 1;
    char *p = atoll_malloc(n), *q = p;
    if (!p)
        return -ATOLL_ENOMEM;
    char hex[65];
    store_hex(c->tree.b, 32, hex);
    q += sprintf(q, "tree %s\n", hex);
    for (size_t i = 0; i < c->nparents; i++) {
        store_hex(c->parents[i].b, 32, hex);
        q += sprintf(q, "parent %s\n", hex);
    }
    q += sprintf(q, "author %s %lld +0000\n", c->author, (long long)c->time);
    q += sprintf(q, "committer %s %lld +0000\n\n", c->author,
                 (long long)c->time);
    memcpy(q, c->message, ml);
    q += ml;
    if (nl)
        *q++ = '\n'; /* git ends messages with a newline */
    *payload = (uint8_t *)p;
    *len = (size_t)(q - p);
    return 0;
}
