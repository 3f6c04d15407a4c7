/*
 * tender/common/manifest.c - the image's device manifest against the
 * command line's attachments.
 *
 * The tender exposes exactly the devices the image declared: each declared
 * device must be attached (--net:NAME=TAP, --block:NAME=FILE) and each
 * attachment must be declared, with the same kind.  A mismatch is refused
 * with a message saying which device and how to fix it.  Device indices
 * in hypercalls are positions in the manifest.
 */
#include <string.h>

#include "tender.h"

static const char *kind_name(uint32_t kind)
{
    return kind == ATOLL_HVT_DEV_NET ? "net" : "block";
}

static const char *host_word(uint32_t kind)
{
    return kind == ATOLL_HVT_DEV_NET ? "TAP" : "FILE";
}

static bool valid_name(const char *n, size_t cap)
{
    size_t len = strnlen(n, cap);
    if (len == 0 || len == cap)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int hvt_manifest_match(const void *desc, uint64_t size,
                       const struct hvt_attach *att, int natt,
                       struct hvt_devices *d)
{
    struct atoll_hvt_manifest mf;
    if (size != sizeof mf) {
        hvt_msg("bad image: manifest note has %llu bytes, expected %zu",
                (unsigned long long)size, sizeof mf);
        return -1;
    }
    memcpy(&mf, desc, sizeof mf);
    if (mf.version != ATOLL_HVT_ABI_VERSION) {
        hvt_msg("bad image: manifest for hvt ABI %u, this tender speaks %d",
                mf.version, ATOLL_HVT_ABI_VERSION);
        return -1;
    }
    memset(d, 0, sizeof *d);
    uint32_t n = 0;
    while (n < ATOLL_HVT_MAX_DEVICES &&
           mf.devices[n].kind != ATOLL_HVT_DEV_NONE)
        n++;
    static const struct atoll_hvt_device_decl zero;
    for (uint32_t i = n; i < ATOLL_HVT_MAX_DEVICES; i++)
        if (memcmp(&mf.devices[i], &zero, sizeof zero) != 0) {
            hvt_msg("bad image: manifest entry %u follows an empty one", i);
            return -1;
        }
    for (uint32_t i = 0; i < n; i++) {
        const struct atoll_hvt_device_decl *e = &mf.devices[i];
        if (e->kind != ATOLL_HVT_DEV_NET && e->kind != ATOLL_HVT_DEV_BLOCK) {
            hvt_msg("bad image: manifest entry %u has unknown kind %u", i,
                    e->kind);
            return -1;
        }
        if (!valid_name(e->name, sizeof e->name)) {
            hvt_msg("bad image: manifest entry %u has an invalid name", i);
            return -1;
        }
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(d->dev[j].name, e->name) == 0) {
                hvt_msg("bad image: device '%s' declared twice", e->name);
                return -1;
            }
        d->dev[i].kind = e->kind;
        memcpy(d->dev[i].name, e->name, sizeof e->name);
        d->dev[i].fd = -1;
    }
    d->count = n;

    /* Every attachment declared, once, with the right kind. */
    for (int a = 0; a < natt; a++) {
        uint32_t i;
        for (i = 0; i < n; i++)
            if (strcmp(d->dev[i].name, att[a].name) == 0)
                break;
        if (i == n) {
            hvt_msg("%s device '%s' is attached but the image does not "
                    "declare it",
                    kind_name(att[a].kind), att[a].name);
            return -2;
        }
        if (d->dev[i].kind != att[a].kind) {
            hvt_msg("device '%s' is declared as %s but attached with "
                    "--%s:",
                    att[a].name, kind_name(d->dev[i].kind),
                    kind_name(att[a].kind));
            return -2;
        }
        if (d->dev[i].host != NULL) {
            hvt_msg("device '%s' is attached twice", att[a].name);
            return -2;
        }
        d->dev[i].host = att[a].host;
    }
    /* Every declared device attached. */
    for (uint32_t i = 0; i < n; i++)
        if (d->dev[i].host == NULL) {
            hvt_msg("declared %s device '%s' is not attached: give "
                    "--%s:%s=%s",
                    kind_name(d->dev[i].kind), d->dev[i].name,
                    kind_name(d->dev[i].kind), d->dev[i].name,
                    host_word(d->dev[i].kind));
            return -2;
        }
    return 0;
}
