/*
 * tools/atoll/kinds.c - the table of device kinds (see kinds.h).
 */
#include "kinds.h"

#include <stdio.h>
#include <string.h>

static const struct mf_impl net_impls[] = {
    {"default", true}, /* the platform's: tap, sim wire, hvt hypercalls */
    {"flood", false},  /* test double: always has a frame waiting */
    {NULL, false},
};

static const struct mf_impl block_impls[] = {
    {"default", true}, /* the platform's: file, sim disk, hvt hypercalls */
    {"full", false},   /* test double: every write fails, no space */
    {"busy", false},   /* test double: every request fails, busy */
    {NULL, false},
};

static const struct mf_kind kinds[] = {
    {"net", ATOLL_DEV_NET, "struct atoll_netif", "atoll_netif_open_", net_impls,
     NULL},
    {"block", ATOLL_DEV_BLOCK, "struct atoll_block", "atoll_block_open_",
     block_impls, NULL},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

const struct mf_kind *mf_kind_find(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

/* "a, b or c" from a list of names. */
static void join_names(char *buf, size_t len, const char *const *names,
                       size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, len - used, "%s%s", sep, names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
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
