/*
 * lib/tls/server.c - the server side: one configuration (credentials, the
 * generator, a session cache) shared by every connection, and per
 * connection a BearSSL server context with its own record buffers, all
 * in one allocation that closing the flow frees.
 *
 * BearSSL's "full" server profile is the starting point (it wires every
 * algorithm in); versions and suites are then cut down to what atoll/tls.h
 * promises: TLS 1.2, ECDHE with AEAD ciphers, the server's order, no
 * renegotiation.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/net_tunables.h"
#include "tls_int.h"

struct atoll_tls_server {
    struct atoll_tls_creds *creds;
    struct atoll_random *rnd;
    br_ssl_session_cache_lru cache;
    uint8_t cache_buf[TLS_SESSION_CACHE_BYTES];
};

struct server_conn {
    struct tls_conn conn; /* first: see tls_conn_flow */
    br_ssl_server_context sc;
    uint8_t ibuf[BR_SSL_BUFSIZE_INPUT];
    uint8_t obuf[BR_SSL_BUFSIZE_OUTPUT];
};

int atoll_tls_server_create(struct atoll_tls_creds *creds,
                            struct atoll_random *rnd,
                            struct atoll_tls_server **out)
{
    if (!creds || !rnd)
        return -ATOLL_EINVAL;
    struct atoll_tls_server *s = atoll_calloc(1, sizeof *s);
    if (!s)
        return -ATOLL_ENOMEM;
    s->creds = creds;
    s->rnd = rnd;
    br_ssl_session_cache_lru_init(&s->cache, s->cache_buf, sizeof s->cache_buf);
    *out = s;
    return 0;
}

int atoll_tls_accept(struct atoll_tls_server *s, struct atoll_flow *under,
                     struct atoll_flow **out)
{
    struct server_conn *c = atoll_malloc(sizeof *c);
    if (!c)
        return -ATOLL_ENOMEM;
    memset(c, 0, offsetof(struct server_conn, ibuf));
    struct atoll_tls_creds *cr = s->creds;
    if (cr->key_type == BR_KEYTYPE_RSA)
        br_ssl_server_init_full_rsa(&c->sc, cr->chain, cr->chain_len,
                                    br_skey_decoder_get_rsa(&cr->key));
    else
        br_ssl_server_init_full_ec(&c->sc, cr->chain, cr->chain_len,
                                   BR_KEYTYPE_EC,
                                   br_skey_decoder_get_ec(&cr->key));
    br_ssl_engine_context *eng = &c->sc.eng;
    uint16_t suites[8];
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, tls_suites(cr->key_type, suites));
    br_ssl_engine_add_flags(eng, BR_OPT_ENFORCE_SERVER_PREFERENCES |
                                     BR_OPT_NO_RENEGOTIATION);
    br_ssl_engine_set_buffers_bidi(eng, c->ibuf, sizeof c->ibuf, c->obuf,
                                   sizeof c->obuf);
    br_ssl_server_set_cache(&c->sc, &s->cache.vtable);
    int e = tls_conn_flow(eng, c, sizeof *c, under, s->rnd, out);
    if (e == 0 && !br_ssl_server_reset(&c->sc))
        e = -ATOLL_EIO;
    if (e < 0)
        atoll_free(c);
    return e;
}

int atoll_tls_http_wrap(void *server, struct atoll_tcp_conn *c,
                        struct atoll_flow **out)
{
    return atoll_tls_accept(server, atoll_tcp_flow(c), out);
}
