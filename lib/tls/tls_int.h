/*
 * lib/tls/tls_int.h - what lib/tls's files share: the credentials and
 * trust anchors as BearSSL wants them, and one connection (a flow over
 * a BearSSL engine).
 */
#ifndef ATOLL_TLS_INT_H
#define ATOLL_TLS_INT_H

#include <bearssl.h>
#include <stdbool.h>

#include "atoll/tls.h"

#define TLS_CHAIN_MAX 8 /* certificates in a server's chain */

struct atoll_tls_creds {
    br_x509_certificate chain[TLS_CHAIN_MAX];
    size_t chain_len;
    br_skey_decoder_context key; /* holds the decoded key */
    int key_type;                /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
};

struct atoll_tls_trust {
    br_x509_trust_anchor *ta;
    size_t n;
};

/* DER objects of a PEM text: calls fn(arg, name, der, len) for each;
 * 0, or -ATOLL_EINVAL with the reason in err. */
typedef int (*tls_pem_fn)(void *arg, const char *name, uint8_t *der,
                          size_t len);
int tls_pem_each(const void *pem, size_t len, tls_pem_fn fn, void *arg,
                 char *err, size_t errlen);

/* The cipher suites we offer, in order of preference, for keys of
 * `key_type` (servers) or any (clients: key_type 0). */
size_t tls_suites(int key_type, uint16_t *out);

/* One connection: the first member of an allocation (`owner`) that also
 * holds its engine and buffers; closing the flow frees the whole. */
struct tls_conn {
    struct atoll_flow flow;
    struct atoll_flow *under;
    br_ssl_engine_context *eng;
    void *owner;
    size_t owner_size;
    bool eof;  /* the peer's flow ended (with or without close_notify) */
    bool dead; /* an I/O error: nothing more is sent */
};

/* Make `owner`'s tls_conn a flow over the engine `eng`, seeded with 32
 * bytes of `rnd`. */
int tls_conn_flow(br_ssl_engine_context *eng, void *owner, size_t owner_size,
                  struct atoll_flow *under, struct atoll_random *rnd,
                  struct atoll_flow **out);

#endif
