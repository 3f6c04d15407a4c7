/*
 * tests/sim/tls.c - lib/tls on virtual time: HTTPS (lib/http over a TLS
 * flow) between a client and a server over an in-memory flow pair and over
 * TCP on a lossy simulated wire; the version and suite negotiated; a
 * certificate for another name, an unknown CA, a client that sends
 * garbage and one that hangs up mid-handshake, each failing alone while
 * the server goes on serving.
 *
 * Certificates are made at test time by openssl (EC P-256 and RSA 2048,
 * signed by a test CA) in a temporary folder; none is in the repository.
 * The sim wall clock is set to now so that they are valid.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "atoll/http.h"
#include "atoll/sha256.h"
#include "atoll/tls.h"
#include "net_util.h"

static char dir[] = "/tmp/atoll-tls-XXXXXX";
static char *ca, *ec_chain, *ec_key, *rsa_chain, *rsa_key, *other_ca;
static size_t ca_len, ec_chain_len, ec_key_len, rsa_chain_len, rsa_key_len,
    other_ca_len;

static char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        harness_fail(__FILE__, __LINE__, "no %s", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char *p = malloc(*len + 1);
    memcpy(p, buf, *len);
    p[*len] = 0;
    return p;
}

/* A CA and a server certificate for "site.test" of each key kind. */
static void make_certs(void)
{
    if (ca)
        return;
    if (!mkdtemp(dir))
        harness_fail(__FILE__, __LINE__, "mkdtemp");
    char cmd[4096];
    snprintf(
        cmd, sizeof cmd,
        "cd %s && exec >log 2>&1 && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout ca.key -out ca.pem -days 2 -subj /CN=atoll-test-ca && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout o.key -out other.pem -days 2 -subj /CN=other-ca && "
        "printf 'subjectAltName=DNS:site.test\\n' >ext && "
        "for k in ec rsa; do "
        "  if [ $k = ec ]; then o='-newkey ec -pkeyopt "
        "ec_paramgen_curve:P-256'; else o='-newkey rsa:2048'; fi; "
        "  openssl req $o -nodes -keyout $k.key -out $k.csr -subj "
        "/CN=site.test && "
        "  openssl x509 -req -in $k.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile ext -out $k.pem || exit 1; "
        "done",
        dir);
    if (system(cmd) != 0)
        SKIP("openssl could not make test certificates");
    ca = slurp("ca.pem", &ca_len);
    other_ca = slurp("other.pem", &other_ca_len);
    ec_chain = slurp("ec.pem", &ec_chain_len);
    ec_key = slurp("ec.key", &ec_key_len);
    rsa_chain = slurp("rsa.pem", &rsa_chain_len);
    rsa_key = slurp("rsa.key", &rsa_key_len);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        harness_fail(__FILE__, __LINE__, "cannot remove %s", dir);
    char epoch[32], err[128];
    snprintf(epoch, sizeof epoch, "%lld", (long long)time(NULL));
    if (plat_option("sim-epoch", epoch, err, sizeof err) < 0)
        harness_fail(__FILE__, __LINE__, "%s", err);
}

static const uint8_t page[] = "<html>over tls</html>\n";
static uint8_t big[300000];
static struct atoll_kv_ro_file table[] = {
    {"big.bin", big, sizeof big, false, {0}},
    {"index.html", page, sizeof page - 1, false, {0}},
};
static const struct atoll_kv_ro_files files = {"site", table, 2};
static struct atoll_http_files site;
static struct atoll_http_server *srv;
static struct atoll_tls_server *tsrv;

static void setup_server(const char *chain, size_t cl, const char *key,
                         size_t kl)
{
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 13 + i / 300);
    for (size_t i = 0; i < 2; i++)
        atoll_sha256(table[i].data, table[i].size, table[i].digest);
    struct atoll_kv_ro *kv;
    CHECK_EQ(atoll_kv_ro_open_baked("site", &files, &kv), 0);
    site = (struct atoll_http_files){kv, "/", 0};
    CHECK_EQ(atoll_http_server_create(NULL, false, &srv), 0);
    CHECK_EQ(atoll_http_route(srv, NULL, "/*", atoll_http_files, &site), 0);
    struct atoll_tls_creds *cr;
    char err[160];
    int e = atoll_tls_creds_parse(chain, cl, key, kl, &cr, err, sizeof err);
    if (e < 0)
        harness_fail(__FILE__, __LINE__, "creds: %s", err);
    CHECK_EQ(atoll_tls_server_create(cr, atoll_random_platform(), &tsrv), 0);
}

struct side {
    struct atoll_flow *f;
    int rc;
};

/* The server end of a pipe: TLS, then HTTP until the connection ends. */
static int serve_tls(void *arg)
{
    struct side *sd = arg;
    struct atoll_flow *t;
    sd->rc = atoll_tls_accept(tsrv, sd->f, &t);
    if (sd->rc == 0)
        sd->rc = atoll_http_serve_flow(srv, t);
    return 0;
}

/* A client over a new pipe to a new server fiber. */
static int client_pipe(const char *trust_pem, size_t trust_len,
                       const char *name, struct atoll_flow **tls,
                       atoll_fiber **server)
{
    static struct side sd;
    struct atoll_flow *c;
    CHECK_EQ(atoll_flow_pipe(0, &c, &sd.f), 0);
    CHECK_EQ(atoll_fiber_spawn(server, "tls srv", serve_tls, &sd,
                               HTTP_TLS_FIBER_STACK),
             0);
    struct atoll_tls_trust *tr;
    char err[160];
    int e = atoll_tls_trust_parse(trust_pem, trust_len, &tr, err, sizeof err);
    if (e < 0)
        harness_fail(__FILE__, __LINE__, "trust: %s", err);
    return atoll_tls_connect(tr, atoll_random_platform(), name, c, tls);
}

static int https_pipe_main(void *arg)
{
    int rsa = arg != NULL;
    setup_server(rsa ? rsa_chain : ec_chain, rsa ? rsa_chain_len : ec_chain_len,
                 rsa ? rsa_key : ec_key, rsa ? rsa_key_len : ec_key_len);
    struct atoll_flow *t;
    atoll_fiber *fb;
    CHECK_EQ(client_pipe(ca, ca_len, "site.test", &t, &fb), 0);
    for (int i = 0; i < 3; i++) {
        struct atoll_http_response res;
        CHECK_EQ(atoll_http_request(
                     t, "GET", "site.test", i == 1 ? "/big.bin" : "/", NULL,
                     NULL, 0, sizeof big, atoll_after(ATOLL_SEC(30)), &res),
                 0);
        CHECK_EQ(res.status, 200);
        if (i == 1) {
            CHECK_EQ(res.body_len, sizeof big);
            CHECK(!memcmp(res.body, big, sizeof big));
        } else {
            CHECK_STR((char *)res.body, (const char *)page);
        }
        atoll_http_response_free(&res);
    }
    CHECK_STR(atoll_tls_version(t), "TLS 1.2");
    CHECK_STR(atoll_tls_suite(t),
              rsa ? "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
                  : "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    atoll_flow_close(t);
    CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    return 0;
}

TEST(tls, "HTTPS over a flow pair, ECDSA: TLS 1.2, AES-128-GCM, 3 requests")
{
    make_certs();
    CHECK_EQ(atoll_test_run(0, https_pipe_main, NULL), 0);
}

TEST(tls, "HTTPS over a flow pair, RSA 2048: TLS 1.2, AES-128-GCM")
{
    make_certs();
    CHECK_EQ(atoll_test_run(0, https_pipe_main, (void *)1), 0);
}

/* A handshake that must fail on the client; then a good one is served. */
static int refused_main(void *arg)
{
    setup_server(ec_chain, ec_chain_len, ec_key, ec_key_len);
    const char *cases[2][2] = {{"other.test", "wrong name"},
                               {"site.test", "unknown CA"}};
    for (int i = 0; i < 2; i++) {
        struct atoll_flow *t;
        atoll_fiber *fb;
        CHECK_EQ(client_pipe(i ? other_ca : ca, i ? other_ca_len : ca_len,
                             cases[i][0], &t, &fb),
                 0);
        struct atoll_http_response res;
        int e = atoll_http_request(t, "GET", "site.test", "/", NULL, NULL, 0,
                                   1024, atoll_after(ATOLL_SEC(30)), &res);
        if (e != -ATOLL_ECONNRESET)
            harness_fail(__FILE__, __LINE__, "%s: got %d", cases[i][1], e);
        atoll_flow_close(t);
        CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    }
    struct atoll_flow *t;
    atoll_fiber *fb;
    CHECK_EQ(client_pipe(ca, ca_len, "site.test", &t, &fb), 0);
    struct atoll_http_response res;
    CHECK_EQ(atoll_http_request(t, "GET", "site.test", "/", NULL, NULL, 0, 1024,
                                atoll_after(ATOLL_SEC(30)), &res),
             0);
    CHECK_EQ(res.status, 200);
    atoll_http_response_free(&res);
    atoll_flow_close(t);
    CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    return 0;
}

static int empty_cert_main(void *arg)
{
    (void)arg;
    /* fuzz-long's input: a NUL ends the name at "CERTIFICATE", and the
     * object ends with the input, with no bytes; it reached memcpy with
     * a null source. */
    static const char empty[] =
        "-----BEGIN CERTIFICATE\0\0\0\0\0\0\0\347"
        "IDAzCCAeugASHDrNkYUez4YU4cIw==\n-----END CEATE";
    struct atoll_tls_creds *cr = NULL;
    char err[160] = "";
    CHECK_EQ(atoll_tls_creds_parse(empty, sizeof empty - 1, ec_key, ec_key_len,
                                   &cr, err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "empty CERTIFICATE") != NULL);
    return 0;
}

TEST(tls, "an empty CERTIFICATE object: refused with a message")
{
    make_certs();
    CHECK_EQ(atoll_test_run(0, empty_cert_main, NULL), 0);
}

TEST(tls, "a certificate for another name, an unknown CA: refused")
{
    make_certs();
    CHECK_EQ(atoll_test_run(0, refused_main, NULL), 0);
}

/* Raw bytes at a TLS server: garbage, half a ClientHello then silence. */
static int garbage_main(void *arg)
{
    setup_server(ec_chain, ec_chain_len, ec_key, ec_key_len);
    static const char *inputs[] = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n", /* plain HTTP to HTTPS */
        "\x16\x03\x01\x00\xff\x01\x00\x00\xfb\x03\x03",
    };
    for (int i = 0; i < 2; i++) {
        static struct side sd;
        struct atoll_flow *c;
        CHECK_EQ(atoll_flow_pipe(0, &c, &sd.f), 0);
        atoll_fiber *fb;
        CHECK_EQ(atoll_fiber_spawn(&fb, "tls srv", serve_tls, &sd,
                                   HTTP_TLS_FIBER_STACK),
                 0);
        atoll_flow_write(c, inputs[i], strlen(inputs[i]), ATOLL_NEVER);
        atoll_time_t t0 = atoll_now();
        char buf[256];
        int n;
        while ((n = atoll_flow_read(c, buf, sizeof buf,
                                    atoll_after(ATOLL_SEC(60)))) > 0)
            ;
        /* Garbage: refused at once (an alert, then close).  A stalled
         * handshake: closed at the header deadline (10 s by default). */
        CHECK_EQ(n, 0);
        if (i == 1)
            CHECK_EQ(atoll_now() - t0, HTTP_HEADER_TIMEOUT_NS);
        else
            CHECK(atoll_now() - t0 < ATOLL_SEC(1));
        atoll_flow_close(c);
        CHECK_EQ(atoll_fiber_join(fb, ATOLL_NEVER, NULL), 0);
    }
    return 0;
}

TEST(tls, "garbage, and a handshake that stalls: each dropped on its own")
{
    make_certs();
    CHECK_EQ(atoll_test_run(0, garbage_main, NULL), 0);
}

/* ---- HTTPS over TCP on a lossy wire ------------------------------------- */

static int wire_main(void *arg)
{
    struct atoll_stack *sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    setup_server(ec_chain, ec_chain_len, ec_key, ec_key_len);
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sa, 443, 0, &l), 0);
    NCHECK_EQ(atoll_http_listen(srv, l, atoll_tls_http_wrap, tsrv), 0);
    struct atoll_tls_trust *tr;
    NCHECK_EQ(atoll_tls_trust_parse(ca, ca_len, &tr, NULL, 0), 0);
    for (int conn = 0; conn < 2; conn++) {
        struct atoll_tcp_conn *tc;
        NCHECK_EQ(atoll_tcp_connect(sb, atoll_addr4(0xc6120002u), 443,
                                    atoll_after(ATOLL_SEC(60)), &tc),
                  0);
        struct atoll_flow *t;
        NCHECK_EQ(atoll_tls_connect(tr, atoll_random_platform(), "site.test",
                                    atoll_tcp_flow(tc), &t),
                  0);
        for (int i = 0; i < 2; i++) {
            struct atoll_http_response res;
            NCHECK_EQ(atoll_http_request(t, "GET", "site.test", "/big.bin",
                                         NULL, NULL, 0, sizeof big,
                                         atoll_after(ATOLL_SEC(120)), &res),
                      0);
            NCHECK_EQ(res.status, 200);
            NCHECK_EQ(res.body_len, sizeof big);
            NCHECK(!memcmp(res.body, big, sizeof big));
            atoll_http_response_free(&res);
        }
        atoll_flow_close(t);
    }
    struct atoll_http_stats st;
    atoll_http_server_stats(srv, &st);
    NCHECK_EQ(st.requests, 4);
    return 0;
}

TEST(tls, "HTTPS: 300 KB files over TCP, 2% loss, dups, reorder")
{
    make_certs();
    struct atoll_sim_wire_opts o = {.loss = 0.02,
                                    .duplicate = 0.01,
                                    .reorder = 0.02,
                                    .delay = ATOLL_MS(5),
                                    .jitter = ATOLL_MS(2)};
    net_sim_begin("tls-wire", 14, o);
    CHECK_EQ(atoll_test_run(0, wire_main, NULL), 0);
    net_sim_end();
}
