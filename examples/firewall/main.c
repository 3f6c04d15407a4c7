/*
 * examples/firewall/main.c - the firewall appliance: the firewall of
 * atoll/firewall.h on the two stacks the manifest declares, `inside` and
 * `outside` (the names its rules use), its rule set a history in the
 * store on block device `history` (atoll/fw_history.h), changed live
 * through the management interface when --token is given (over HTTPS
 * with --mgmt_tls, its certificate from the read-only store `certs`).
 *
 * A malformed --rules stops it at boot with the line and column of the
 * fault.  --stats prints the counters, each rule's among them.
 */
#include <stdio.h>
#include <string.h>

#include "atoll_app.h"
#include "atoll/firewall.h"
#include "atoll/forward.h"
#include "atoll/fw_history.h"
#include "atoll/store.h"
#include "atoll/tls.h"

static void iface(struct atoll_stack *s, const char *name,
                  struct atoll_fw_iface *out)
{
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    out->name = name;
    out->addr = c.addr;
    out->prefix = c.prefix;
    out->gateway = c.gateway;
    out->mtu = atoll_stack_mtu(s);
    /* IPv6: the first static address (--NAME-ipv6=ADDR/PREFIX) and the
     * default router (--NAME-ipv6-gateway); none: no IPv6 forwarded on
     * this side.  A router's addresses are its own to set, not SLAAC's. */
    struct atoll_ipv6_addr_info a[8];
    int n = atoll_stack_ipv6_addrs(s, a, 8);
    for (int k = 0; k < n && k < 8; k++)
        if (a[k].origin == ATOLL_IPV6_STATIC) {
            out->addr6 = a[k].addr;
            out->prefix6 = a[k].prefix;
            break;
        }
    atoll_stack_ipv6_router(s, &out->gateway6, NULL);
}

/* " and ADDR/PREFIX" of an interface with IPv6, else "". */
static const char *v6_text(const struct atoll_fw_iface *f, char *buf)
{
    if (!f->prefix6)
        return "";
    char a[ATOLL_IPV6_TEXT];
    snprintf(buf, 64, " and %s/%u", atoll_ipv6_format(&f->addr6, a),
             f->prefix6);
    return buf;
}

/* --rules: ';' separates statements as a newline does. */
static char *rules_text(const char *arg, size_t *len)
{
    *len = strlen(arg);
    char *t = atoll_malloc(*len + 1);
    if (!t)
        return NULL;
    for (size_t k = 0; k <= *len; k++)
        t[k] = arg[k] == ';' ? '\n' : arg[k];
    return t;
}

static void report(struct app *app, struct atoll_firewall *fw)
{
    struct atoll_fw_stats st;
    uint32_t n, max;
    uint64_t refused;
    atoll_firewall_stats(fw, &st);
    atoll_firewall_ct_usage(fw, &n, &max, &refused);
    atoll_console_printf(
        app->console,
        "firewall: forwarded=%llu local=%llu dropped=%llu (policy=%llu "
        "rules=%llu spoofed=%llu invalid=%llu window=%llu full=%llu ttl=%llu "
        "too_big=%llu bad=%llu) related=%llu answers=%llu conns=%u/%u\n",
        (unsigned long long)st.forwarded, (unsigned long long)st.local,
        (unsigned long long)st.dropped, (unsigned long long)st.policy,
        (unsigned long long)st.rejected, (unsigned long long)st.spoofed,
        (unsigned long long)st.invalid, (unsigned long long)st.window,
        (unsigned long long)st.refused_full,
        (unsigned long long)st.ttl_exceeded, (unsigned long long)st.too_big,
        (unsigned long long)st.bad, (unsigned long long)st.related,
        (unsigned long long)st.answers, n, max);
    const struct atoll_fw_rules *r = atoll_firewall_rules(fw);
    for (int k = 0; k < r->n_rules; k++)
        atoll_console_printf(app->console,
                             "firewall: rule at line %d: %llu packets, %llu "
                             "bytes\n",
                             r->rules[k].line,
                             (unsigned long long)r->rules[k].packets,
                             (unsigned long long)r->rules[k].bytes);
}

/* The management interface's TLS server: certificate chain and key from
 * the read-only store `certs` (baked in, or a tar archive). */
static int mgmt_tls(struct app *app, struct atoll_tls_server **out)
{
    struct atoll_tls_creds *creds;
    char err[160];
    int e = atoll_tls_creds_from_kv(app->certs, "server.pem", "server.key",
                                    &creds, err, sizeof err);
    if (e < 0) {
        atoll_console_printf(app->console, "firewall: --mgmt_tls: %s\n", err);
        return e;
    }
    if ((e = atoll_tls_server_create(creds, app->random, out)) < 0)
        atoll_console_printf(app->console, "firewall: --mgmt_tls: %s\n",
                             atoll_strerror(e));
    return e;
}

int app_main(struct app *app)
{
    int64_t conns = app->args.conns, stats = app->args.stats;
    int64_t port = app->args.mgmt_port;
    if (conns < 1 || conns > (1 << 24) || stats < 0 || stats > 86400 ||
        port < 1 || port > 65535) {
        atoll_console_printf(app->console,
                             "firewall: --conns is 1 to 16777216, --stats "
                             "0 to 86400 seconds, --mgmt-port 1 to "
                             "65535\n");
        return 1;
    }
    struct atoll_fw_iface ifs[2] = {{0}};
    iface(app->inside, "inside", &ifs[0]);
    iface(app->outside, "outside", &ifs[1]);
    uint8_t key[16];
    if (atoll_random_fill(atoll_random_platform(), key, sizeof key,
                          atoll_after(ATOLL_SEC(10))) < 0)
        return 1;
    struct atoll_firewall *fw;
    int err = atoll_firewall_create(ifs, 2, (uint32_t)conns, key, &fw);
    if (err < 0) {
        atoll_console_printf(app->console, "firewall: %s\n",
                             atoll_strerror(err));
        return 1;
    }
    struct atoll_store_backend *be;
    char why[160] = "";
    struct atoll_store *store;
    struct atoll_store_opts so = {.author = "firewall <firewall@atoll.invalid>",
                                  .clock = app->wclock};
    err = atoll_store_block_backend(app->history, 0, &be, why, sizeof why);
    if (err < 0 || (err = atoll_store_open(be, &so, &store)) < 0) {
        atoll_console_printf(app->console, "firewall: the history: %s %s\n",
                             atoll_strerror(err), why);
        return 1;
    }
    size_t len = 0;
    char *text = NULL;
    if (app->args.rules[0] && !(text = rules_text(app->args.rules, &len)))
        return 1;
    struct atoll_fw_error e = {0, 0, ""};
    struct atoll_fw_history *h;
    err = atoll_fw_history_open(fw, store, text, len, &e, &h);
    atoll_free(text);
    if (err < 0) {
        atoll_console_printf(
            app->console, "firewall: --rules: %d:%d: %s\n", e.line, e.column,
            err == -ATOLL_EINVAL ? e.msg : atoll_strerror(err));
        return 1;
    }
    if (app->args.revert[0]) {
        err = atoll_fw_history_revert(h, app->args.revert, NULL, &e, NULL);
        if (err < 0) {
            atoll_console_printf(app->console, "firewall: --revert: %s\n",
                                 err == -ATOLL_EINVAL ? e.msg
                                                      : atoll_strerror(err));
            return 1;
        }
    }
    struct atoll_stack *stacks[2] = {app->inside, app->outside};
    if (atoll_firewall_attach(fw, stacks, 2) < 0)
        return 1;
    if (app->args.mgmt_tls && !app->args.token[0]) {
        atoll_console_printf(app->console,
                             "firewall: --mgmt_tls needs --token\n");
        return 1;
    }
    if (app->args.token[0]) {
        struct atoll_tls_server *tls = NULL;
        if (app->args.mgmt_tls && mgmt_tls(app, &tls) < 0)
            return 1;
        err =
            atoll_fw_mgmt_listen(h, app->inside, (uint16_t)app->args.mgmt_port,
                                 app->args.token, tls);
        if (err < 0) {
            atoll_console_printf(app->console,
                                 "firewall: management interface: %s "
                                 "(a token is 16 to 127 bytes)\n",
                                 atoll_strerror(err));
            return 1;
        }
    }
    char a[16], b[16], a6[64], b6[64];
    atoll_console_printf(
        app->console,
        "firewall: forwarding inside %s/%u%s <-> outside "
        "%s/%u%s, %d rules\n",
        atoll_ipv4_format(ifs[0].addr, a), ifs[0].prefix, v6_text(&ifs[0], a6),
        atoll_ipv4_format(ifs[1].addr, b), ifs[1].prefix, v6_text(&ifs[1], b6),
        atoll_firewall_rules(fw)->n_rules);
    for (;;) {
        atoll_sleep(ATOLL_SEC(stats ? stats : 3600));
        if (stats)
            report(app, fw);
    }
}
