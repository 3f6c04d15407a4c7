/*
 * lib/tls/conn.c - a TLS connection as a flow (atoll/flow.h): BearSSL's
 * engine driven over the flow underneath.  The engine says what it needs
 * (records to send, records to receive, room for application data) and
 * this file moves bytes until it has what the caller asked for, under the
 * caller's deadline: the handshake happens inside the first read or
 * write.  Each write is flushed (the caller, lib/http, batches its own
 * writes), so a record leaves as soon as it is complete.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "tls_int.h"

static struct atoll_log_src tls_log = {"tls", -1, 0};

/* What a failed engine's error means to our callers. */
static int engine_error(struct tls_conn *t)
{
    int e = br_ssl_engine_last_error(t->eng);
    if (e == BR_ERR_OK)
        return -ATOLL_ECLOSED;
    ATOLL_DEBUG(&tls_log, "connection failed: BearSSL error %d", e);
    return -ATOLL_ECONNRESET;
}

/* Write out the record bytes the engine has ready.  0 or an error. */
static int send_records(struct tls_conn *t, atoll_time_t deadline)
{
    while (!t->dead && (br_ssl_engine_current_state(t->eng) & BR_SSL_SENDREC)) {
        size_t len;
        uint8_t *buf = br_ssl_engine_sendrec_buf(t->eng, &len);
        int n = atoll_flow_write(t->under, buf, len, deadline);
        if (n <= 0) {
            t->dead |= n != -ATOLL_ETIMEDOUT;
            return n < 0 ? n : -ATOLL_ECLOSED;
        }
        br_ssl_engine_sendrec_ack(t->eng, (size_t)n);
    }
    return 0;
}

/* Move records until the engine's state has one of `want`'s bits, or it
 * is closed.  0, or an error (-ATOLL_ECLOSED: closed cleanly). */
static int run_until(struct tls_conn *t, unsigned want, atoll_time_t deadline)
{
    for (;;) {
        if (t->dead)
            return -ATOLL_ECONNRESET; /* the flow underneath failed */
        int e = send_records(t, deadline);
        if (e < 0)
            return e;
        unsigned st = br_ssl_engine_current_state(t->eng);
        if (st & BR_SSL_CLOSED)
            return engine_error(t);
        if (st & want)
            return 0;
        if (st & BR_SSL_RECVREC) {
            if (t->eof)
                return -ATOLL_ECONNRESET;
            size_t len;
            uint8_t *buf = br_ssl_engine_recvrec_buf(t->eng, &len);
            int n = atoll_flow_read(t->under, buf, len, deadline);
            if (n == 0) {
                /* The peer's stream ended, maybe without close_notify.
                 * Readers see end of stream; lib/http frames its own
                 * messages, so a truncation cannot pass for a whole one. */
                t->eof = true;
                return -ATOLL_ECLOSED;
            }
            if (n < 0) {
                t->dead |= n != -ATOLL_ETIMEDOUT;
                return n;
            }
            br_ssl_engine_recvrec_ack(t->eng, (size_t)n);
            continue;
        }
        /* Neither: application data is buffered but not in a record yet
         * (a write we are waiting to push out). */
        br_ssl_engine_flush(t->eng, 0);
        if (!(br_ssl_engine_current_state(t->eng) & BR_SSL_SENDREC))
            return t->dead ? -ATOLL_ECONNRESET : -ATOLL_EIO;
    }
}

static int tls_read(void *state, void *buf, size_t len, atoll_time_t deadline)
{
    struct tls_conn *t = state;
    if (t->eof && !(br_ssl_engine_current_state(t->eng) & BR_SSL_RECVAPP))
        return 0;
    int e = run_until(t, BR_SSL_RECVAPP, deadline);
    if (e == -ATOLL_ECLOSED)
        return 0; /* close_notify, or the peer's stream ended */
    if (e < 0)
        return e;
    size_t avail;
    uint8_t *app = br_ssl_engine_recvapp_buf(t->eng, &avail);
    size_t n = len < avail ? len : avail;
    if (n > 0x7fffffff)
        n = 0x7fffffff;
    memcpy(buf, app, n);
    br_ssl_engine_recvapp_ack(t->eng, n);
    return (int)n;
}

/* Close the current record and push every record out. */
static int push(struct tls_conn *t, atoll_time_t deadline)
{
    br_ssl_engine_flush(t->eng, 0);
    return send_records(t, deadline);
}

static int tls_write(void *state, const void *buf, size_t len,
                     atoll_time_t deadline)
{
    struct tls_conn *t = state;
    size_t done = 0;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    while (done < len) {
        int e = run_until(t, BR_SSL_SENDAPP, deadline);
        if (e < 0)
            return done ? (int)done : e;
        size_t room;
        uint8_t *app = br_ssl_engine_sendapp_buf(t->eng, &room);
        size_t n = len - done < room ? len - done : room;
        memcpy(app, (const uint8_t *)buf + done, n);
        br_ssl_engine_sendapp_ack(t->eng, n);
        done += n;
    }
    int e = push(t, deadline);
    if (e < 0)
        return e;
    return (int)done;
}

static int tls_shutdown(void *state)
{
    struct tls_conn *t = state;
    if (!(br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED)) {
        br_ssl_engine_close(t->eng); /* queues close_notify */
        push(t, atoll_after(ATOLL_MS(500)));
    }
    return atoll_flow_shutdown(t->under);
}

static int tls_close(void *state)
{
    struct tls_conn *t = state;
    if (!t->dead && !(br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED)) {
        br_ssl_engine_close(t->eng);
        push(t, atoll_after(ATOLL_MS(500)));
    }
    int e = atoll_flow_close(t->under);
    void *owner = t->owner;
    memset(owner, 0, t->owner_size); /* session keys out of memory */
    atoll_free(owner);
    return e;
}

static const struct atoll_flow_ops tls_ops = {tls_read, tls_write, tls_shutdown,
                                              tls_close, NULL};

int tls_conn_flow(br_ssl_engine_context *eng, void *owner, size_t owner_size,
                  struct atoll_flow *under, struct atoll_random *rnd,
                  struct atoll_flow **out)
{
    struct tls_conn *t = owner; /* the first member of its owner */
    uint8_t seed[32];
    int e =
        atoll_random_fill(rnd, seed, sizeof seed, atoll_after(ATOLL_SEC(5)));
    if (e < 0)
        return e;
    br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    t->flow.ops = &tls_ops;
    t->flow.state = t;
    t->under = under;
    t->eng = eng;
    t->owner = owner;
    t->owner_size = owner_size;
    *out = &t->flow;
    return 0;
}

size_t tls_suites(int key_type, uint16_t *out)
{
    size_t n = 0;
    if (key_type != BR_KEYTYPE_RSA) {
        out[n++] = BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        out[n++] = BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
        out[n++] = BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    }
    if (key_type != BR_KEYTYPE_EC) {
        out[n++] = BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        out[n++] = BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
        out[n++] = BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
    }
    return n;
}

const char *atoll_tls_version(struct atoll_flow *f)
{
    struct tls_conn *t = f->state;
    if (f->ops != &tls_ops || !t->eng->session.version)
        return NULL;
    return t->eng->session.version == BR_TLS12 ? "TLS 1.2" : "TLS (other)";
}

const char *atoll_tls_suite(struct atoll_flow *f)
{
    struct tls_conn *t = f->state;
    if (f->ops != &tls_ops)
        return NULL;
    switch (t->eng->session.cipher_suite) {
    case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
        return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
        return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
        return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    default:
        return NULL;
    }
}
