/*
 * lib/net/dns_forged.c - the resolver test double "DNS that always returns
 * the attacker's address" (atoll/dns.h, implementation "forged").
 *
 * Every valid name resolves to one configured IPv4 address, as if a
 * hostile network had taken over name resolution (the address of
 * put-your-creds-here.party).  An application built against it shows
 * whether it trusts names alone - for example whether it would send
 * credentials to whatever a name resolves to.  AAAA lookups find nothing,
 * so the application cannot escape to IPv6.  The address must be in
 * 198.18.0.0/15, the range our test networks use, so that a test built
 * with this double can only ever reach a host the test itself set up.
 */
#include <string.h>

#include "atoll/dns.h"
#include "atoll/error.h"
#include "atoll/log.h"
#include "atoll/mem.h"

static struct atoll_log_src forged_log = {"dns", -1, 0};

struct forged {
    struct atoll_dns dns;
    atoll_ipv4_t addr;
};

static int forged_query(void *state, const char *name, uint16_t type,
                        struct atoll_dns_result *out, atoll_time_t deadline)
{
    struct forged *f = state;
    uint8_t tmp[256];
    (void)deadline;
    if (!name || !*name || atoll_dns_name_write(tmp, sizeof tmp, name) < 0)
        return -ATOLL_EINVAL;
    if (type == ATOLL_DNS_TYPE_AAAA)
        return -ATOLL_ENOENT;
    if (type != ATOLL_DNS_TYPE_A)
        return -ATOLL_EINVAL;
    memset(out, 0, sizeof *out);
    out->type = type;
    out->count = 1;
    out->ttl = 300;
    out->addr[0][0] = (uint8_t)(f->addr >> 24);
    out->addr[0][1] = (uint8_t)(f->addr >> 16);
    out->addr[0][2] = (uint8_t)(f->addr >> 8);
    out->addr[0][3] = (uint8_t)f->addr;
    size_t n = strlen(name);
    if (n > ATOLL_DNS_NAME_MAX)
        n = ATOLL_DNS_NAME_MAX;
    memcpy(out->canonical, name, n);
    return 1;
}

static const struct atoll_dns_ops forged_ops = {forged_query, NULL};

int atoll_dns_forged_create(atoll_ipv4_t addr, struct atoll_dns **out)
{
    if ((addr & 0xfffe0000u) != 0xc6120000u) /* 198.18.0.0/15 */
        return -ATOLL_EINVAL;
    struct forged *f = atoll_calloc(1, sizeof *f);
    if (!f)
        return -ATOLL_ENOMEM;
    f->addr = addr;
    f->dns.ops = &forged_ops;
    f->dns.state = f;
    *out = &f->dns;
    return 0;
}

int atoll_dns_open_forged(const char *name, const struct atoll_arg_value *args,
                          struct atoll_dns **out)
{
    const char *text = args ? args[1].s : NULL;
    atoll_ipv4_t a;
    if (!text || atoll_ipv4_parse(text, &a, NULL) < 0 ||
        (a & 0xfffe0000u) != 0xc6120000u) {
        ATOLL_ERROR(&forged_log,
                    "%s: --dns-forged: '%s' must be an address in "
                    "198.18.0.0/15 (test networks only)",
                    name, text ? text : "");
        return -ATOLL_EINVAL;
    }
    int err = atoll_dns_forged_create(a, out);
    if (err == 0)
        ATOLL_INFO(&forged_log, "%s: forged resolver: every name is %s", name,
                   text);
    return err;
}
