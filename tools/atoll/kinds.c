/*
 * tools/atoll/kinds.c - the table of device kinds (see kinds.h).
 */
#include "kinds.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const struct mf_impl net_impls[] = {
    {"default", true}, /* the platform's: tap, sim wire, hvt hypercalls */
    {"flood", false},  /* test double: always has a frame waiting */
    {"faulty", true},  /* the platform's, with --faults:NAME= injected */
    {NULL, false},
};

/* A network stack (lib/net) over a network interface of the same name:
 * its implementations are those of the interface underneath. */
static const struct mf_impl stack_impls[] = {
    {"default", true},
    {"flood", false},
    {"faulty", true},
    {NULL, false},
};

static const struct mf_kind_arg stack_args[] = {
    {"ipv4", ATOLL_ARG_STRING, "",
     "ADDR/PREFIX of this stack; empty: configured by DHCP"},
    {"ipv4-gateway", ATOLL_ARG_STRING, "", "gateway ADDR, empty for none"},
    {"dhcp", ATOLL_ARG_BOOL, "false",
     "configure by DHCP (the default "
     "without --ipv4)"},
    {"ipv6", ATOLL_ARG_STRING, "",
     "ADDR/PREFIX of this stack (several: comma-separated); empty: SLAAC; "
     "off: IPv4 only"},
    {"ipv6-gateway", ATOLL_ARG_STRING, "",
     "IPv6 default router ADDR with --ipv6, empty for none"},
    {NULL, 0, NULL, NULL},
};

/* A DNS resolver (lib/net/dns_*.c) on the first stack declared before it:
 * the stub resolver, or the test double that resolves every name to the
 * attacker's address (atoll/dns.h). */
static const struct mf_impl dns_impls[] = {
    {"default", false},
    {"forged", false},
    {NULL, false},
};

static const struct mf_kind_arg dns_args[] = {
    {"dns-server", ATOLL_ARG_STRING, "",
     "resolver ADDR (IPv4 or IPv6); empty: the servers DHCP gave"},
    {"dns-forged", ATOLL_ARG_STRING, "198.18.0.66",
     "forged implementation: the address every name gets (198.18.0.0/15)"},
    {NULL, 0, NULL, NULL},
};

static const struct mf_impl block_impls[] = {
    {"default", true}, /* the platform's: file, sim disk, hvt hypercalls */
    {"full", false},   /* test double: every write fails, no space */
    {"busy", false},   /* test double: every request fails, busy */
    {NULL, false},
};

/* A read-only key-value store (atoll/kv_ro.h): a tar archive on the block
 * device of the same name, files baked into the image at build time, or
 * the head of branch main of a versioned store on the block device. */
static const struct mf_impl kv_ro_impls[] = {
    {"tar", true},    /* --block:NAME=FILE holds the archive */
    {"baked", false}, /* the `files NAME DIR` folder, in the image */
    {"store", true},  /* --block:NAME=IMAGE holds a versioned store */
    {NULL, false},
};

static const struct mf_impl random_impls[] = {
    {"default", false},  /* Fortuna, fed by the machine's entropy */
    {"list", false},     /* test double: bytes of --random-list, repeated */
    {"blocking", false}, /* test double: entropy that never comes */
    {NULL, false},
};

const struct mf_kind mf_random_kind = {"random",
                                       ATOLL_DEV_NONE,
                                       "struct atoll_random",
                                       "atoll_random_open_",
                                       random_impls,
                                       NULL};

static const struct mf_kind kinds[] = {
    {"net", ATOLL_DEV_NET, "struct atoll_netif", "atoll_netif_open_", net_impls,
     NULL},
    {"block", ATOLL_DEV_BLOCK, "struct atoll_block", "atoll_block_open_",
     block_impls, NULL},
    {"stack", ATOLL_DEV_NET, "struct atoll_stack", "atoll_stack_open_",
     stack_impls, stack_args},
    {"kv_ro", ATOLL_DEV_BLOCK, "struct atoll_kv_ro", "atoll_kv_ro_open_",
     kv_ro_impls, NULL},
    {"dns", ATOLL_DEV_NONE, "struct atoll_dns", "atoll_dns_open_", dns_impls,
     dns_args},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

const struct mf_kind *mf_kind_find(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

const char *mf_kinds_text(void)
{
    static char buf[256];
    const char *names[NKINDS];
    for (size_t i = 0; i < NKINDS; i++)
        names[i] = kinds[i].name;
    join_names(buf, sizeof buf, names, NKINDS);
    return buf;
}

const struct mf_impl *mf_kind_impl(const struct mf_kind *kind, const char *impl)
{
    for (const struct mf_impl *i = kind->impls; i->name; i++)
        if (!strcmp(i->name, impl))
            return i;
    return NULL;
}

const char *mf_impls_text(const struct mf_kind *kind)
{
    static char buf[256];
    const char *names[16];
    size_t n = 0;
    for (const struct mf_impl *i = kind->impls; i->name && n < 16; i++)
        names[n++] = i->name;
    join_names(buf, sizeof buf, names, n);
    return buf;
}

int mf_kind_nargs(const struct mf_kind *kind)
{
    int n = 0;
    if (kind->args)
        while (kind->args[n].name)
            n++;
    return n;
}

/* Implementations built from host files (see kinds.h). */
static const struct {
    const char *kind, *impl, *type;
} files_impls[] = {
    {"kv_ro", "baked", "struct atoll_kv_ro_files"},
};

const char *mf_impl_files_type(const struct mf_kind *kind, const char *impl)
{
    for (size_t i = 0; i < sizeof files_impls / sizeof files_impls[0]; i++)
        if (!strcmp(files_impls[i].kind, kind->name) &&
            !strcmp(files_impls[i].impl, impl))
            return files_impls[i].type;
    return NULL;
}
