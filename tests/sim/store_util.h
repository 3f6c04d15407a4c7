/*
 * tests/sim/store_util.h - what the store's sim tests share
 * (tests/sim/store_crash.c, tests/sim/store_memfail.c): opening a store
 * on a backend, and a store's state as text - every branch and its head -
 * with, optionally, every value of every commit of main and dev read
 * back.  Header-only, like net_util.h.
 */
#ifndef ATOLL_TESTS_STORE_UTIL_H
#define ATOLL_TESTS_STORE_UTIL_H

#include <stdio.h>
#include <string.h>

#include "../../lib/store/store_int.h"
#include "atoll/atoll.h"
#include "atoll/store.h"

/* The state of a store: every ref and its commit, as text. */
struct state {
    char text[1024];
};

static inline int state_cb(const char *name, const atoll_store_id *id,
                           void *arg)
{
    struct state *st = arg;
    char hex[65];
    atoll_store_id_hex(id, hex);
    size_t n = strlen(st->text);
    snprintf(st->text + n, sizeof st->text - n, "%s=%.16s ", name, hex);
    return 0;
}

/* Read everything reachable from every branch: all values of every
 * commit's tree.  0 or the first error. */
static inline int read_all_cb(const struct atoll_store_commit *c, void *arg)
{
    struct atoll_store *s = arg;
    struct store_flat f;
    int rc = store_flatten(s, &c->tree, &f);
    for (size_t i = 0; rc == 0 && i < f.n; i++) {
        void *v;
        size_t n;
        rc = store_read_blob(s, &f.e[i].id, &v, &n);
        if (rc == 0)
            atoll_free(v);
    }
    if (rc == 0)
        store_flat_free(&f);
    return rc;
}

static inline int snapshot(struct atoll_store *s, struct state *st, bool deep)
{
    st->text[0] = 0;
    int rc = atoll_store_branches(s, state_cb, st);
    if (rc < 0 || !deep)
        return rc < 0 ? rc : 0;
    rc = atoll_store_log(s, "main", NULL, read_all_cb, s);
    if (rc == -ATOLL_ENOENT)
        rc = 0;
    if (rc >= 0 && strstr(st->text, "dev=")) {
        rc = atoll_store_log(s, "dev", NULL, read_all_cb, s);
    }
    return rc < 0 ? rc : 0;
}

/* Open a store on `be` (closed again if that fails), commit times from
 * `clock` (NULL: time 0, so equal histories have equal ids). */
static inline int open_on(struct atoll_store_backend *be,
                          struct atoll_wclock *clock, struct atoll_store **s)
{
    struct atoll_store_opts o = {.author = "Test <test@atoll>", .clock = clock};
    int rc = atoll_store_open(be, &o, s);
    if (rc < 0)
        be->ops->close(be->state);
    return rc;
}

#endif
