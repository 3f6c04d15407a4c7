/*
 * lib/tls/client.c - the client side: BearSSL's "full" client profile
 * with its minimal X.509 validator, cut down to the versions and suites
 * atoll/tls.h promises, checking the server's chain against the caller's
 * trust anchors, for the name it asked for, at the wall clock's time.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/wclock.h"
#include "tls_int.h"

struct client_conn {
    struct tls_conn conn; /* first: see tls_conn_flow */
    br_ssl_client_context cc;
    br_x509_minimal_context xc;
    uint8_t ibuf[BR_SSL_BUFSIZE_INPUT];
    uint8_t obuf[BR_SSL_BUFSIZE_OUTPUT];
};

int atoll_tls_connect(struct atoll_tls_trust *trust, struct atoll_random *rnd,
                      const char *server_name, struct atoll_flow *under,
                      struct atoll_flow **out)
{
    if (!trust || !rnd || !server_name)
        return -ATOLL_EINVAL;
    struct client_conn *c = atoll_malloc(sizeof *c);
    if (!c)
        return -ATOLL_ENOMEM;
    memset(c, 0, offsetof(struct client_conn, ibuf));
    br_ssl_client_init_full(&c->cc, &c->xc, trust->ta, trust->n);
    br_ssl_engine_context *eng = &c->cc.eng;
    uint16_t suites[8];
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, tls_suites(0, suites));
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
    /* Days since 0000-01-01 and seconds into the day, as BearSSL counts. */
    int64_t now = atoll_wclock_now(atoll_wclock_platform()) / 1000000000LL;
    br_x509_minimal_set_time(&c->xc, (uint32_t)(now / 86400 + 719528),
                             (uint32_t)(now % 86400));
    br_ssl_engine_set_buffers_bidi(eng, c->ibuf, sizeof c->ibuf, c->obuf,
                                   sizeof c->obuf);
    int e = tls_conn_flow(eng, c, sizeof *c, under, rnd, out);
    if (e == 0 && !br_ssl_client_reset(&c->cc, server_name, 0))
        e = -ATOLL_EIO;
    if (e < 0)
        atoll_free(c);
    return e;
}
