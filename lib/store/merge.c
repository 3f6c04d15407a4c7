/*
 * lib/store/merge.c - three-way merges of branches with a merge function
 * per key, and the three provided functions (conflict, last writer wins,
 * counter).
 *
 * A merge works on flat views (every key with its blob id): keys that one
 * side changed take that side, keys both sides changed alike take the
 * common value, and the merge function decides the rest.  The merge base
 * is the best common ancestor; with several (criss-cross histories) the
 * bases are merged first, recursively and with the same function, into a
 * virtual base, as git's "recursive" strategy does.  More than two best
 * bases is refused with -ATOLL_ENOTSUP (documented in docs/store.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "store_int.h"

#define MAX_DEPTH 16 /* recursion of virtual bases */

struct merge {
    struct atoll_store *s;
    atoll_store_merge_fn fn;
    void *fn_arg;
    char *conflict;
    size_t conflict_len;
};

/* ---- provided merge functions
 * -------------------------------------------------- */

int atoll_store_merge_conflict(const struct atoll_store_merge_ctx *ctx,
                               const struct atoll_store_value *base,
                               const struct atoll_store_value *ours,
                               const struct atoll_store_value *theirs,
                               struct atoll_store_value *out, bool *owned)
{
    return -ATOLL_EEXIST;
}

int atoll_store_merge_lww(const struct atoll_store_merge_ctx *ctx,
                          const struct atoll_store_value *base,
                          const struct atoll_store_value *ours,
                          const struct atoll_store_value *theirs,
                          struct atoll_store_value *out, bool *owned)
{
    *out = ctx->theirs_time > ctx->ours_time ? *theirs : *ours;
    *owned = false;
    return 0;
}

/* A counter value: decimal int64 (absent = 0).  false if not a number. */
static bool counter(const struct atoll_store_value *v, int64_t *out)
{
    *out = 0;
    if (!v->present)
        return true;
    char buf[24];
    if (v->len == 0 || v->len >= sizeof buf)
        return false;
    memcpy(buf, v->data, v->len);
    buf[v->len] = 0;
    char *end;
    long long x = strtoll(buf, &end, 10);
    if (*end && !(*end == '\n' && end[1] == 0))
        return false;
    *out = x;
    return true;
}

int atoll_store_merge_counter(const struct atoll_store_merge_ctx *ctx,
                              const struct atoll_store_value *base,
                              const struct atoll_store_value *ours,
                              const struct atoll_store_value *theirs,
                              struct atoll_store_value *out, bool *owned)
{
    int64_t b, o, t;
    if (!counter(base, &b) || !counter(ours, &o) || !counter(theirs, &t))
        return -ATOLL_EEXIST;
    char *p = atoll_malloc(24);
    if (!p)
        return -ATOLL_ENOMEM;
    int n = snprintf(p, 24, "%lld",
                     (long long)((uint64_t)o + (uint64_t)t - (uint64_t)b));
    out->present = true;
    out->data = p;
    out->len = (size_t)n;
    *owned = true;
    return 0;
}

/* ---- merge bases
 * --------------------------------------------------------------- */

struct ids {
    atoll_store_id *v;
    size_t n, cap;
};

static int ids_push(struct ids *l, const atoll_store_id *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (!memcmp(l->v[i].b, id->b, 32))
            return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        void *nv = atoll_realloc(l->v, nc * sizeof *l->v);
        if (!nv)
            return -ATOLL_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *id;
    return 0;
}

/* All ancestors of `start` (itself included) into `set`. */
static int ancestors(struct atoll_store *s, const atoll_store_id *start,
                     struct store_idmap *set)
{
    struct ids todo = {0};
    int rc = ids_push(&todo, start);
    size_t next = 0;
    while (rc == 0 && next < todo.n) {
        atoll_store_id id = todo.v[next++];
        if (store_idmap_get(set, &id))
            continue;
        rc = store_idmap_put(set, &id, 0, 0);
        struct store_commit c;
        if (rc == 0)
            rc = store_read_commit(s, &id, &c);
        if (rc < 0)
            break;
        for (size_t i = 0; rc == 0 && i < c.nparents; i++)
            if (!store_idmap_get(set, &c.parents[i]))
                rc = ids_push(&todo, &c.parents[i]);
        store_commit_free(&c);
    }
    atoll_free(todo.v);
    return rc;
}

/* The best common ancestors of a and b: common ancestors that are not
 * ancestors of another common ancestor. */
static int merge_bases(struct atoll_store *s, const atoll_store_id *a,
                       const atoll_store_id *b, struct ids *out)
{
    struct store_idmap in_a = {0}, seen = {0};
    struct ids todo = {0}, cand = {0};
    int rc = ancestors(s, a, &in_a);
    if (rc == 0)
        rc = ids_push(&todo, b);
    size_t next = 0;
    /* From b, stop at the first common commits on every path. */
    while (rc == 0 && next < todo.n) {
        atoll_store_id id = todo.v[next++];
        if (store_idmap_get(&seen, &id))
            continue;
        rc = store_idmap_put(&seen, &id, 0, 0);
        if (rc < 0)
            break;
        if (store_idmap_get(&in_a, &id)) {
            rc = ids_push(&cand, &id);
            continue;
        }
        struct store_commit c;
        rc = store_read_commit(s, &id, &c);
        if (rc < 0)
            break;
        for (size_t i = 0; rc == 0 && i < c.nparents; i++)
            rc = ids_push(&todo, &c.parents[i]);
        store_commit_free(&c);
    }
    /* Drop candidates that are ancestors of other candidates. */
    for (size_t i = 0; rc == 0 && i < cand.n; i++) {
        bool dominated = false;
        for (size_t j = 0; rc == 0 && j < cand.n && !dominated; j++) {
            if (i == j)
                continue;
            int r = store_is_ancestor(s, &cand.v[i], &cand.v[j]);
            if (r < 0)
                rc = r;
            dominated = r == 1;
        }
        if (rc == 0 && !dominated)
            rc = ids_push(out, &cand.v[i]);
    }
    store_idmap_free(&in_a);
    store_idmap_free(&seen);
    atoll_free(todo.v);
    atoll_free(cand.v);
    return rc;
}

/* ---- flat three-way merge
 * ------------------------------------------------------- */

static int flat_push(struct store_flat *f, const char *key,
                     const atoll_store_id *id)
{
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 16;
        void *ne = atoll_realloc(f->e, nc * sizeof *f->e);
        if (!ne)
            return -ATOLL_ENOMEM;
        f->e = ne;
        f->cap = nc;
    }
    char *k = atoll_strdup(key);
    if (!k)
        return -ATOLL_ENOMEM;
    f->e[f->n].key = k;
    f->e[f->n].id = *id;
    f->n++;
    return 0;
}

static void set_conflict(struct merge *m, const char *key)
{
    if (m->conflict && m->conflict_len)
        snprintf(m->conflict, m->conflict_len, "%s", key);
}

static int load_value(struct atoll_store *s, const atoll_store_id *id,
                      struct atoll_store_value *v, void **mem)
{
    *mem = NULL;
    if (!id) {
        *v = (struct atoll_store_value){false, NULL, 0};
        return 0;
    }
    size_t len;
    int rc = store_read_blob(s, id, mem, &len);
    if (rc < 0)
        return rc;
    *v = (struct atoll_store_value){true, *mem, len};
    return 0;
}

/* Decide one key both sides changed differently. */
static int decide(struct merge *m, const char *key, const atoll_store_id *b,
                  const atoll_store_id *o, const atoll_store_id *t,
                  int64_t otime, int64_t ttime, struct store_flat *out)
{
    struct atoll_store_value vb, vo, vt, r = {0};
    void *mb, *mo, *mt;
    int rc = load_value(m->s, b, &vb, &mb);
    if (rc == 0)
        rc = load_value(m->s, o, &vo, &mo);
    else
        mo = NULL;
    if (rc == 0)
        rc = load_value(m->s, t, &vt, &mt);
    else
        mt = NULL;
    bool owned = false;
    if (rc == 0) {
        struct atoll_store_merge_ctx ctx = {key, otime, ttime, m->fn_arg};
        rc = m->fn(&ctx, &vb, &vo, &vt, &r, &owned);
        if (rc == -ATOLL_EEXIST)
            set_conflict(m, key);
    }
    if (rc == 0 && r.present) {
        atoll_store_id id;
        rc = store_put(m->s, OBJ_BLOB, r.data, r.len, &id);
        if (rc == 0)
            rc = flat_push(out, key, &id);
    }
    if (owned)
        atoll_free((void *)r.data);
    atoll_free(mb);
    atoll_free(mo);
    atoll_free(mt);
    return rc;
}

static bool same(const atoll_store_id *a, const atoll_store_id *b)
{
    return a == b || (a && b && !memcmp(a->b, b->b, 32));
}

static int merge_flat3(struct merge *m, const struct store_flat *fb,
                       const struct store_flat *fo, const struct store_flat *ft,
                       int64_t otime, int64_t ttime, struct store_flat *out)
{
    size_t ib = 0, io = 0, it = 0;
    int rc = 0;
    memset(out, 0, sizeof *out);
    while (rc == 0 && (io < fo->n || it < ft->n || ib < fb->n)) {
        /* The smallest key among the three heads. */
        const char *k = NULL;
        if (ib < fb->n)
            k = fb->e[ib].key;
        if (io < fo->n && (!k || strcmp(fo->e[io].key, k) < 0))
            k = fo->e[io].key;
        if (it < ft->n && (!k || strcmp(ft->e[it].key, k) < 0))
            k = ft->e[it].key;
        const atoll_store_id *b = NULL, *o = NULL, *t = NULL;
        if (ib < fb->n && !strcmp(fb->e[ib].key, k))
            b = &fb->e[ib].id;
        if (io < fo->n && !strcmp(fo->e[io].key, k))
            o = &fo->e[io].id;
        if (it < ft->n && !strcmp(ft->e[it].key, k))
            t = &ft->e[it].id;
        if (same(o, t)) {
            if (o)
                rc = flat_push(out, k, o);
        } else if (same(o, b)) {
            if (t)
                rc = flat_push(out, k, t);
        } else if (same(t, b)) {
            if (o)
                rc = flat_push(out, k, o);
        } else {
            rc = decide(m, k, b, o, t, otime, ttime, out);
        }
        ib += b != NULL;
        io += o != NULL;
        it += t != NULL;
    }
    /* A key that is also a folder of another ("a" and "a/b") cannot be
     * represented: report it as a conflict. */
    for (size_t i = 0; rc == 0 && i + 1 < out->n; i++) {
        size_t l = strlen(out->e[i].key);
        if (!strncmp(out->e[i].key, out->e[i + 1].key, l) &&
            out->e[i + 1].key[l] == '/') {
            set_conflict(m, out->e[i].key);
            rc = -ATOLL_EEXIST;
        }
    }
    if (rc < 0)
        store_flat_free(out);
    return rc;
}

static int commit_time(struct atoll_store *s, const atoll_store_id *id,
                       int64_t *t)
{
    struct store_commit c;
    int rc = store_read_commit(s, id, &c);
    if (rc == 0) {
        *t = c.time;
        store_commit_free(&c);
    }
    return rc;
}

static int flatten_commit(struct atoll_store *s, const atoll_store_id *c,
                          struct store_flat *out)
{
    atoll_store_id tree;
    int rc = store_commit_tree(s, c, &tree);
    if (rc < 0)
        return rc;
    return store_flatten(s, &tree, out);
}

/* The merged flat view of commits a and b. */
static int merge_commits(struct merge *m, const atoll_store_id *a,
                         const atoll_store_id *b, int depth,
                         struct store_flat *out)
{
    if (depth > MAX_DEPTH)
        return -ATOLL_ENOTSUP;
    struct ids bases = {0};
    struct store_flat fb = {0}, fo = {0}, ft = {0};
    int64_t ta = 0, tb = 0;
    int rc = merge_bases(m->s, a, b, &bases);
    if (rc == 0 && bases.n == 1)
        rc = flatten_commit(m->s, &bases.v[0], &fb);
    else if (rc == 0 && bases.n == 2)
        rc = merge_commits(m, &bases.v[0], &bases.v[1], depth + 1, &fb);
    else if (rc == 0 && bases.n > 2)
        rc = -ATOLL_ENOTSUP;
    if (rc == 0)
        rc = flatten_commit(m->s, a, &fo);
    if (rc == 0)
        rc = flatten_commit(m->s, b, &ft);
    if (rc == 0)
        rc = commit_time(m->s, a, &ta);
    if (rc == 0)
        rc = commit_time(m->s, b, &tb);
    if (rc == 0)
        rc = merge_flat3(m, &fb, &fo, &ft, ta, tb, out);
    store_flat_free(&fb);
    store_flat_free(&fo);
    store_flat_free(&ft);
    atoll_free(bases.v);
    return rc;
}

int atoll_store_merge(struct atoll_store *s, const char *into, const char *from,
                      atoll_store_merge_fn fn, void *fn_arg,
                      const char *message, atoll_store_id *commit,
                      char *conflict, size_t conflict_len)
{
    if (!store_branch_name_ok(into))
        return -ATOLL_EINVAL;
    if (conflict && conflict_len)
        conflict[0] = 0;
    atoll_store_id theirs, ours;
    int rc = atoll_store_resolve(s, from, &theirs);
    if (rc < 0)
        return rc;
    if (s->be->ops->ref_get(s->be->state, into, &ours) < 0) {
        rc = store_set_ref(s, into, &theirs); /* new branch: take theirs */
        if (rc == 0 && commit)
            *commit = theirs;
        return rc;
    }
    rc = store_is_ancestor(s, &theirs, &ours);
    if (rc == 1) { /* already contained */
        if (commit)
            *commit = ours;
        return 0;
    }
    if (rc == 0)
        rc = store_is_ancestor(s, &ours, &theirs);
    if (rc == 1) { /* fast-forward */
        rc = store_set_ref(s, into, &theirs);
        if (rc == 0 && commit)
            *commit = theirs;
        return rc;
    }
    if (rc < 0)
        return rc;
    struct merge m = {s, fn ? fn : atoll_store_merge_conflict, fn_arg, conflict,
                      conflict_len};
    struct store_flat merged;
    atoll_store_id tree;
    rc = merge_commits(&m, &ours, &theirs, 0, &merged);
    if (rc == 0) {
        rc = store_tree_from_flat(s, &merged, &tree);
        store_flat_free(&merged);
    }
    if (rc < 0) {
        s->be->ops->abort(s->be->state);
        return rc;
    }
    char def[300];
    if (!message) {
        snprintf(def, sizeof def, "merge %s into %s", from, into);
        message = def;
    }
    atoll_store_id parents[2] = {ours, theirs};
    return store_make_commit(s, into, &tree, parents, 2, message, commit);
}
