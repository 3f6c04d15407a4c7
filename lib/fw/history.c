/*
 * lib/fw/history.c - the rule set as a history in the versioned store
 * (atoll/fw_history.h): parse, then commit, then apply, so the store and
 * the running firewall never disagree.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/fw_history.h"
#include "atoll/mem.h"
#include "fw_int.h"

#define RULES_KEY    "rules"
#define RULES_BRANCH "main"
#define FW_AUTHOR    "firewall <firewall@atoll.invalid>"

struct atoll_fw_history {
    struct atoll_firewall *fw;
    struct atoll_store *store;
};

static int parse(struct atoll_fw_history *h, const char *text, size_t len,
                 struct atoll_fw_error *err, struct atoll_fw_rules **out)
{
    return atoll_fw_rules_parse(text, len, h->fw->ifnames, h->fw->n_if, out,
                                err);
}

static void apply(struct atoll_fw_history *h, struct atoll_fw_rules *r)
{
    atoll_fw_rules_free(h->fw->rules);
    h->fw->rules = r;
}

static int author_is(struct atoll_fw_history *h, const char *author)
{
    return atoll_store_set_author(h->store, author ? author : FW_AUTHOR);
}

int atoll_fw_history_put(struct atoll_fw_history *h, const char *text,
                         size_t len, const char *author, const char *message,
                         struct atoll_fw_error *err, atoll_store_id *commit)
{
    struct atoll_fw_rules *r;
    int e = parse(h, text, len, err, &r);
    if (e < 0)
        return e;
    if ((e = author_is(h, author)) < 0 ||
        (e = atoll_store_set(h->store, RULES_BRANCH, RULES_KEY, text, len,
                             message && *message ? message : "rules changed",
                             commit)) < 0) {
        atoll_fw_rules_free(r);
        return e;
    }
    apply(h, r);
    return 0;
}

int atoll_fw_history_revert(struct atoll_fw_history *h, const char *rev,
                            const char *author, struct atoll_fw_error *err,
                            atoll_store_id *commit)
{
    void *v;
    size_t n;
    int e = atoll_store_get(h->store, rev, RULES_KEY, &v, &n);
    if (e < 0)
        return e;
    struct atoll_fw_rules *r;
    e = parse(h, v, n, err, &r);
    atoll_free(v);
    if (e < 0)
        return e; /* a set this firewall cannot read (other interfaces) */
    char msg[96];
    atoll_store_id id;
    if (atoll_store_resolve(h->store, rev, &id) == 0) {
        char hex[ATOLL_STORE_HEX_LEN + 1];
        atoll_store_id_hex(&id, hex);
        snprintf(msg, sizeof msg, "revert the rules to %.12s", hex);
    } else {
        snprintf(msg, sizeof msg, "revert the rules to %.60s", rev);
    }
    if ((e = author_is(h, author)) < 0 ||
        (e = atoll_store_revert(h->store, RULES_BRANCH, rev, msg, commit)) <
            0) {
        atoll_fw_rules_free(r);
        return e;
    }
    apply(h, r);
    return 0;
}

int atoll_fw_history_open(struct atoll_firewall *fw, struct atoll_store *s,
                          const char *boot_rules, size_t boot_len,
                          struct atoll_fw_error *err,
                          struct atoll_fw_history **out)
{
    struct atoll_fw_history *h = atoll_calloc(1, sizeof *h);
    if (!h)
        return -ATOLL_ENOMEM;
    h->fw = fw;
    h->store = s;
    void *v = NULL;
    size_t n = 0;
    int e = atoll_store_get(s, RULES_BRANCH, RULES_KEY, &v, &n);
    if (e < 0 && e != -ATOLL_ENOENT)
        goto fail;
    if (boot_rules && (e == -ATOLL_ENOENT || n != boot_len ||
                       memcmp(v, boot_rules, n) != 0)) {
        e = atoll_fw_history_put(h, boot_rules, boot_len, NULL,
                                 "rules given at boot", err, NULL);
    } else if (e == 0) {
        struct atoll_fw_rules *r;
        e = parse(h, v, n, err, &r);
        if (e == 0)
            apply(h, r);
    } else {
        e = 0; /* nothing stored, nothing given: the empty set stays */
    }
    atoll_free(v);
    if (e < 0)
        goto fail;
    *out = h;
    return 0;
fail:
    atoll_free(h);
    return e;
}

struct atoll_firewall *fw_history_firewall(struct atoll_fw_history *h)
{
    return h->fw;
}

struct atoll_store *fw_history_store(struct atoll_fw_history *h)
{
    return h->store;
}
