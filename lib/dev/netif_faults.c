/*
 * lib/dev/netif_faults.c - the faults of --faults:NAME=SPEC: their parser
 * and the record of them by device name, apart from the wrapper that
 * injects them (netif_faulty.c).
 *
 * Kept apart because every unikernel's boot (lib/core/boot.c) takes the
 * option and so links this file: had it lived with the wrapper, every
 * image - hello included - would carry the wrapper and, through it, the
 * platform's network interface, whether or not it declares a network
 * device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/netif.h"

#define FAULTS_MAX 16

static struct {
    char name[64];
    struct atoll_netif_faults f;
} registry[FAULTS_MAX];

static int prob(const char *key, const char *v, double *out, char *err,
                size_t errlen)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || (*end && *end != ',') || !(d >= 0 && d <= 1)) {
        snprintf(err, errlen, "%s: '%.*s' is not a probability from 0 to 1",
                 key, (int)strcspn(v, ","), v);
        return -ATOLL_EINVAL;
    }
    *out = d;
    return 0;
}

int atoll_netif_faults_parse(const char *spec, struct atoll_netif_faults *out,
                             char *err, size_t errlen)
{
    struct atoll_netif_faults f;
    memset(&f, 0, sizeof f);
    const char *p = spec ? spec : "";
    while (*p) {
        size_t klen = strcspn(p, "=,");
        if (p[klen] != '=') {
            snprintf(err, errlen, "'%.*s': expected KEY=VALUE", (int)klen, p);
            return -ATOLL_EINVAL;
        }
        const char *v = p + klen + 1;
        int r;
        if (klen == 4 && !strncmp(p, "loss", 4))
            r = prob("loss", v, &f.loss, err, errlen);
        else if (klen == 3 && !strncmp(p, "dup", 3))
            r = prob("dup", v, &f.duplicate, err, errlen);
        else if (klen == 7 && !strncmp(p, "reorder", 7))
            r = prob("reorder", v, &f.reorder, err, errlen);
        else if (klen == 7 && !strncmp(p, "corrupt", 7))
            r = prob("corrupt", v, &f.corrupt, err, errlen);
        else if (klen == 4 && !strncmp(p, "seed", 4)) {
            char *end;
            f.seed = strtoull(v, &end, 10);
            r = (end == v || (*end && *end != ',')) ? -ATOLL_EINVAL : 0;
            if (r < 0)
                snprintf(err, errlen, "seed: '%.*s' is not a number",
                         (int)strcspn(v, ","), v);
        } else {
            snprintf(err, errlen,
                     "unknown fault '%.*s' (known: loss, dup, reorder, "
                     "corrupt, seed)",
                     (int)klen, p);
            r = -ATOLL_EINVAL;
        }
        if (r < 0)
            return r;
        p = v + strcspn(v, ",");
        if (*p == ',')
            p++;
    }
    *out = f;
    return 0;
}

int atoll_netif_faults_set(const char *name, const char *spec, char *err,
                           size_t errlen)
{
    struct atoll_netif_faults f;
    int r = atoll_netif_faults_parse(spec, &f, err, errlen);
    if (r < 0)
        return r;
    if (!name || strlen(name) >= sizeof registry[0].name) {
        snprintf(err, errlen, "bad device name");
        return -ATOLL_EINVAL;
    }
    for (int i = 0; i < FAULTS_MAX; i++)
        if (!registry[i].name[0] || !strcmp(registry[i].name, name)) {
            snprintf(registry[i].name, sizeof registry[i].name, "%s", name);
            registry[i].f = f;
            return 0;
        }
    snprintf(err, errlen, "faults for more than %d devices", FAULTS_MAX);
    return -ATOLL_ENOSPC;
}

const struct atoll_netif_faults *atoll_netif_faults_get(const char *name)
{
    for (int i = 0; i < FAULTS_MAX; i++)
        if (registry[i].name[0] && !strcmp(registry[i].name, name))
            return &registry[i].f;
    return NULL;
}
