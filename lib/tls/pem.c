/*
 * lib/tls/pem.c - PEM text into BearSSL's objects: a server's certificate
 * chain and private key (PKCS#8, or the older RSA and EC forms), and a
 * client's trust anchors from CA certificates.  Everything is copied to
 * the heap: the caller's text can go once parsed.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "tls_int.h"

struct der {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static void der_append(void *ctx, const void *src, size_t len)
{
    struct der *d = ctx;
    if (d->oom)
        return;
    if (d->len + len > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        while (cap < d->len + len)
            cap *= 2;
        uint8_t *np = atoll_realloc(d->p, cap);
        if (!np) {
            d->oom = true;
            return;
        }
        d->p = np;
        d->cap = cap;
    }
    memcpy(d->p + d->len, src, len);
    d->len += len;
}

int tls_pem_each(const void *pem, size_t len, tls_pem_fn fn, void *arg,
                 char *err, size_t errlen)
{
    br_pem_decoder_context pc;
    br_pem_decoder_init(&pc);
    const uint8_t *p = pem;
    struct der d = {0};
    char name[128] = "";
    bool inside = false;
    int objects = 0, rc = 0;
    /* A final newline lets the decoder see the last line's end. */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        const uint8_t *q = pass ? (const uint8_t *)"\n" : p;
        size_t n = pass ? 1 : len;
        while (n > 0 && rc == 0) {
            size_t used = br_pem_decoder_push(&pc, q, n);
            q += used;
            n -= used;
            switch (br_pem_decoder_event(&pc)) {
            case BR_PEM_BEGIN_OBJ:
                snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
                d.len = 0;
                inside = true;
                br_pem_decoder_setdest(&pc, der_append, &d);
                break;
            case BR_PEM_END_OBJ:
                inside = false;
                if (d.oom) {
                    rc = -ATOLL_ENOMEM;
                    break;
                }
                objects++;
                rc = fn(arg, name, d.p, d.len);
                break;
            case BR_PEM_ERROR:
                snprintf(err, errlen, "malformed PEM");
                rc = -ATOLL_EINVAL;
                break;
            default:
                break;
            }
        }
    }
    atoll_free(d.p);
    if (rc == 0 && (inside || objects == 0)) {
        snprintf(err, errlen,
                 inside ? "unterminated PEM object" : "no PEM object found");
        rc = -ATOLL_EINVAL;
    }
    return rc;
}

/* ---- credentials ------------------------------------------------------ */

struct creds_parse {
    struct atoll_tls_creds *c;
    char *err;
    size_t errlen;
    bool key_seen;
};

static int creds_object(void *arg, const char *name, uint8_t *der, size_t len)
{
    struct creds_parse *cp = arg;
    struct atoll_tls_creds *c = cp->c;
    if (!strcmp(name, "CERTIFICATE")) {
        if (c->chain_len == TLS_CHAIN_MAX) {
            snprintf(cp->err, cp->errlen, "more than %d certificates",
                     TLS_CHAIN_MAX);
            return -ATOLL_EINVAL;
        }
        if (!len) { /* a certificate is never empty; der may be NULL */
            snprintf(cp->err, cp->errlen, "an empty CERTIFICATE object");
            return -ATOLL_EINVAL;
        }
        uint8_t *copy = atoll_malloc(len);
        if (!copy)
            return -ATOLL_ENOMEM;
        memcpy(copy, der, len);
        c->chain[c->chain_len].data = copy;
        c->chain[c->chain_len++].data_len = len;
        return 0;
    }
    if (!strcmp(name, "PRIVATE KEY") || !strcmp(name, "RSA PRIVATE KEY") ||
        !strcmp(name, "EC PRIVATE KEY")) {
        if (cp->key_seen) {
            snprintf(cp->err, cp->errlen, "more than one private key");
            return -ATOLL_EINVAL;
        }
        cp->key_seen = true;
        br_skey_decoder_init(&c->key);
        br_skey_decoder_push(&c->key, der, len);
        int e = br_skey_decoder_last_error(&c->key);
        c->key_type = br_skey_decoder_key_type(&c->key);
        if (e || !c->key_type) {
            snprintf(cp->err, cp->errlen, "bad private key (BearSSL error %d)",
                     e);
            return -ATOLL_EINVAL;
        }
        return 0;
    }
    return 0; /* other objects (parameters) are not ours to use */
}

void atoll_tls_creds_free(struct atoll_tls_creds *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->chain_len; i++)
        atoll_free(c->chain[i].data);
    memset(&c->key, 0, sizeof c->key); /* no key bytes left in the heap */
    atoll_free(c);
}

int atoll_tls_creds_parse(const void *chain_pem, size_t chain_len,
                          const void *key_pem, size_t key_len,
                          struct atoll_tls_creds **out, char *err,
                          size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    *err = 0;
    struct atoll_tls_creds *c = atoll_calloc(1, sizeof *c);
    if (!c)
        return -ATOLL_ENOMEM;
    struct creds_parse cp = {c, err, errlen, false};
    char sub[96] = "";
    int rc =
        tls_pem_each(chain_pem, chain_len, creds_object, &cp, sub, sizeof sub);
    if (rc == 0 && !c->chain_len) {
        snprintf(sub, sizeof sub, "no certificate");
        rc = -ATOLL_EINVAL;
    }
    if (rc < 0 && !*err)
        snprintf(err, errlen, "certificate chain: %s", sub);
    if (rc == 0) {
        *sub = 0;
        cp.key_seen = false;
        rc = tls_pem_each(key_pem, key_len, creds_object, &cp, sub, sizeof sub);
        if (rc == 0 && !cp.key_seen) {
            snprintf(sub, sizeof sub, "no private key");
            rc = -ATOLL_EINVAL;
        }
        if (rc < 0 && !*err)
            snprintf(err, errlen, "private key: %s", sub);
    }
    if (rc < 0) {
        atoll_tls_creds_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int atoll_tls_creds_from_kv(struct atoll_kv_ro *kv, const char *chain_key,
                            const char *key_key, struct atoll_tls_creds **out,
                            char *err, size_t errlen)
{
    void *chain = NULL, *key = NULL;
    size_t cl, kl;
    int rc = atoll_kv_ro_read_all(kv, chain_key, &chain, &cl);
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", chain_key, atoll_strerror(rc));
    if (rc == 0 && (rc = atoll_kv_ro_read_all(kv, key_key, &key, &kl)) < 0)
        snprintf(err, errlen, "%s: %s", key_key, atoll_strerror(rc));
    if (rc == 0)
        rc = atoll_tls_creds_parse(chain, cl, key, kl, out, err, errlen);
    if (key)
        memset(key, 0, kl); /* the key's text does not linger in the heap */
    atoll_free(key);
    atoll_free(chain);
    return rc;
}

/* ---- trust anchors ---------------------------------------------------- */

static void *dup(const void *p, size_t n)
{
    void *q = atoll_malloc(n ? n : 1);
    if (q)
        memcpy(q, p, n);
    return q;
}

struct trust_parse {
    struct atoll_tls_trust *t;
    char *err;
    size_t errlen;
};

static int trust_object(void *arg, const char *name, uint8_t *der, size_t len)
{
    struct trust_parse *tp = arg;
    if (strcmp(name, "CERTIFICATE"))
        return 0;
    struct der dn = {0};
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, der_append, &dn);
    br_x509_decoder_push(&dc, der, len);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
    if (!pk || dn.oom) {
        atoll_free(dn.p);
        snprintf(tp->err, tp->errlen, "bad CA certificate (BearSSL error %d)",
                 br_x509_decoder_last_error(&dc));
        return dn.oom ? -ATOLL_ENOMEM : -ATOLL_EINVAL;
    }
    struct atoll_tls_trust *t = tp->t;
    br_x509_trust_anchor *ta = atoll_realloc(t->ta, (t->n + 1) * sizeof *t->ta);
    if (!ta) {
        atoll_free(dn.p);
        return -ATOLL_ENOMEM;
    }
    t->ta = ta;
    br_x509_trust_anchor *a = &ta[t->n];
    memset(a, 0, sizeof *a);
    a->dn.data = dn.p;
    a->dn.len = dn.len;
    a->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    a->pkey.key_type = pk->key_type;
    bool ok;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        a->pkey.key.rsa.n = dup(pk->key.rsa.n, pk->key.rsa.nlen);
        a->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        a->pkey.key.rsa.e = dup(pk->key.rsa.e, pk->key.rsa.elen);
        a->pkey.key.rsa.elen = pk->key.rsa.elen;
        ok = a->pkey.key.rsa.n && a->pkey.key.rsa.e;
    } else {
        a->pkey.key.ec.curve = pk->key.ec.curve;
        a->pkey.key.ec.q = dup(pk->key.ec.q, pk->key.ec.qlen);
        a->pkey.key.ec.qlen = pk->key.ec.qlen;
        ok = a->pkey.key.ec.q != NULL;
    }
    t->n++; /* counted even when a copy failed, so free releases it */
    return ok ? 0 : -ATOLL_ENOMEM;
}

void atoll_tls_trust_free(struct atoll_tls_trust *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        br_x509_trust_anchor *a = &t->ta[i];
        atoll_free(a->dn.data);
        if (a->pkey.key_type == BR_KEYTYPE_RSA) {
            atoll_free(a->pkey.key.rsa.n);
            atoll_free(a->pkey.key.rsa.e);
        } else {
            atoll_free(a->pkey.key.ec.q);
        }
    }
    atoll_free(t->ta);
    atoll_free(t);
}

int atoll_tls_trust_parse(const void *pem, size_t len,
                          struct atoll_tls_trust **out, char *err,
                          size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    *err = 0;
    struct atoll_tls_trust *t = atoll_calloc(1, sizeof *t);
    if (!t)
        return -ATOLL_ENOMEM;
    struct trust_parse tp = {t, err, errlen};
    int rc = tls_pem_each(pem, len, trust_object, &tp, err, errlen);
    if (rc == 0 && !t->n) {
        snprintf(err, errlen, "no CA certificate");
        rc = -ATOLL_EINVAL;
    }
    if (rc < 0) {
        atoll_tls_trust_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
