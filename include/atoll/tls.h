/*
 * atoll/tls.h - TLS for servers and clients: a TLS connection is a flow
 * (atoll/flow.h) over another flow, so HTTPS is the same HTTP code.
 *
 * NAME
 *     atoll_tls_creds_parse, atoll_tls_creds_from_kv, atoll_tls_trust_parse,
 *     atoll_tls_server_create, atoll_tls_accept, atoll_tls_connect,
 *     atoll_tls_http_wrap
 *
 * DESCRIPTION
 *     Built on BearSSL, compiled from Debian's source package with each
 *     target's flags (docs/tls.md: why this library, and what it costs).
 *     What is offered, client and server alike:
 *
 *       protocol    TLS 1.2 only (no SSL 3, TLS 1.0 or 1.1; BearSSL has no
 *                   TLS 1.3)
 *       key exchange  ECDHE (X25519, P-256, P-384, P-521): forward
 *                   secrecy always; no static RSA or ECDH
 *       ciphers     AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM, in the
 *                   server's order of preference (AEAD only: no CBC, RC4,
 *                   3DES or NULL)
 *       certificates  RSA (2048 bits or more) or ECDSA keys
 *       no renegotiation, no compression; session resumption by id
 *
 *     Randomness comes from the caller's generator (app->random, the
 *     Fortuna generator): 32 bytes are injected into each connection's
 *     own DRBG before its handshake.  Certificates and keys are PEM text
 *     the caller read from wherever it keeps them (a kv_ro store, the
 *     versioned store, a block device); nothing is built in.
 *
 *     A server holds a certificate chain and its key (creds) and a session
 *     cache; atoll_tls_accept wraps one connection's flow.  A client
 *     verifies the server's chain against trust anchors (CA certificates)
 *     and the name it asked for, at the wall clock's time.  The handshake
 *     runs inside the first read or write, under that call's deadline, so
 *     a peer that stalls or aborts mid-handshake costs its own connection
 *     only.  Closing the TLS flow sends close_notify (best effort) and
 *     closes the flow underneath.
 *
 * RETURN VALUE
 *     0, or -ATOLL_EINVAL (bad PEM, key or certificate: the reason is in
 *     `err`), -ATOLL_ENOMEM, -ATOLL_ENOENT (a key missing from a store);
 *     the flow's read and write: as atoll/flow.h, with -ATOLL_ECONNRESET
 *     for a TLS failure (bad record, failed handshake, a certificate that
 *     does not verify; the reason is logged on source "tls" at debug).
 */
#ifndef ATOLL_TLS_H
#define ATOLL_TLS_H

#include <stddef.h>

#include "atoll/flow.h"
#include "atoll/kv_ro.h"
#include "atoll/random.h"
#include "atoll/tcp.h"

/* A certificate chain (the server's first) and its private key. */
struct atoll_tls_creds;
int atoll_tls_creds_parse(const void *chain_pem, size_t chain_len,
                          const void *key_pem, size_t key_len,
                          struct atoll_tls_creds **out, char *err,
                          size_t errlen);
/* The same from two values of a read-only store. */
int atoll_tls_creds_from_kv(struct atoll_kv_ro *kv, const char *chain_key,
                            const char *key_key, struct atoll_tls_creds **out,
                            char *err, size_t errlen);
void atoll_tls_creds_free(struct atoll_tls_creds *c);

/* Trust anchors: one or more CA certificates, PEM. */
struct atoll_tls_trust;
int atoll_tls_trust_parse(const void *pem, size_t len,
                          struct atoll_tls_trust **out, char *err,
                          size_t errlen);
void atoll_tls_trust_free(struct atoll_tls_trust *t);

/* A server: credentials (kept, not copied: they must outlive it), the
 * generator, and a session cache of TLS_SESSION_CACHE_BYTES. */
struct atoll_tls_server;
int atoll_tls_server_create(struct atoll_tls_creds *creds,
                            struct atoll_random *rnd,
                            struct atoll_tls_server **out);

/* The server side of TLS over `under`; *out is a flow. */
int atoll_tls_accept(struct atoll_tls_server *s, struct atoll_flow *under,
                     struct atoll_flow **out);

/* The client side: verifies the server's certificate against `trust` for
 * `server_name` (also sent as SNI). */
int atoll_tls_connect(struct atoll_tls_trust *trust, struct atoll_random *rnd,
                      const char *server_name, struct atoll_flow *under,
                      struct atoll_flow **out);

/* For atoll_http_listen (atoll/http.h): `server` is a struct
 * atoll_tls_server; wraps each accepted connection. */
int atoll_tls_http_wrap(void *server, struct atoll_tcp_conn *c,
                        struct atoll_flow **out);

/* What a connection negotiated, once its handshake is done: "TLS 1.2"
 * and the cipher suite's IANA name; NULL before. */
const char *atoll_tls_version(struct atoll_flow *f);
const char *atoll_tls_suite(struct atoll_flow *f);

#endif
