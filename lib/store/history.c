/*
 * lib/store/history.c - walking the commit graph: revision lookup (branch
 * names, full ids, unique prefixes), history of a branch or of one key,
 * ancestry, and the diff of two revisions.
 *
 * Walks use a max-heap on commit time (ties: discovery order), the same
 * "newest first" order as `git log`, and an id set so that a commit
 * reachable along several paths (merges) is listed once.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "store_int.h"

struct walk_item {
    atoll_store_id id;
    int64_t time;
    uint64_t seq;
};

struct walk {
    struct atoll_store *s;
    struct walk_item *heap;
    size_t n, cap;
    uint64_t seq;
    struct store_idmap seen;
};

static bool item_before(const struct walk_item *a, const struct walk_item *b)
{
    return a->time != b->time ? a->time > b->time : a->seq < b->seq;
}

static int walk_push(struct walk *w, const atoll_store_id *id)
{
    if (store_idmap_get(&w->seen, id))
        return 0;
    int rc = store_idmap_put(&w->seen, id, 0, 0);
    if (rc < 0)
        return rc;
    struct store_commit c;
    rc = store_read_commit(w->s, id, &c);
    if (rc < 0)
        return rc;
    int64_t t = c.time;
    store_commit_free(&c);
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        void *nh = atoll_realloc(w->heap, nc * sizeof *w->heap);
        if (!nh)
            return -ATOLL_ENOMEM;
        w->heap = nh;
        w->cap = nc;
    }
    size_t i = w->n++;
    w->heap[i] = (struct walk_item){*id, t, w->seq++};
    while (i > 0 && item_before(&w->heap[i], &w->heap[(i - 1) / 2])) {
        struct walk_item tmp = w->heap[i];
        w->heap[i] = w->heap[(i - 1) / 2];
        w->heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
    return 0;
}

static bool walk_pop(struct walk *w, atoll_store_id *id)
{
    if (!w->n)
        return false;
    *id = w->heap[0].id;
    w->heap[0] = w->heap[--w->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < w->n && item_before(&w->heap[l], &w->heap[m]))
            m = l;
        if (r < w->n && item_before(&w->heap[r], &w->heap[m]))
            m = r;
        if (m == i)
            break;
        struct walk_item tmp = w->heap[i];
        w->heap[i] = w->heap[m];
        w->heap[m] = tmp;
        i = m;
    }
    return true;
}

static void walk_free(struct walk *w)
{
    atoll_free(w->heap);
    store_idmap_free(&w->seen);
}

/* ---- revisions
 * ----------------------------------------------------------------- */

static int push_ref(const char *name, const atoll_store_id *id, void *arg)
{
    (void)name;
    struct walk *w = arg;
    int rc = walk_push(w, id);
    return rc < 0 ? rc : 0;
}

static int search_prefix(struct atoll_store *s, const char *prefix,
                         atoll_store_id *out)
{
    struct walk w = {.s = s};
    int rc = s->be->ops->ref_list(s->be->state, push_ref, &w);
    int matches = 0;
    atoll_store_id id;
    size_t pl = strlen(prefix);
    while (rc >= 0 && walk_pop(&w, &id)) {
        char hex[65];
        store_hex(id.b, 32, hex);
        if (!strncmp(hex, prefix, pl)) {
            if (matches++ == 0)
                *out = id;
            else if (memcmp(out->b, id.b, 32))
                break;
        }
        struct store_commit c;
        rc = store_read_commit(s, &id, &c);
        if (rc < 0)
            break;
        for (size_t i = 0; rc >= 0 && i < c.nparents; i++)
            rc = walk_push(&w, &c.parents[i]);
        store_commit_free(&c); /* also when a push failed */
    }
    walk_free(&w);
    if (rc < 0)
        return rc;
    return matches == 0 ? -ATOLL_ENOENT : matches > 1 ? -ATOLL_EINVAL : 0;
}

int atoll_store_resolve(struct atoll_store *s, const char *rev,
                        atoll_store_id *out)
{
    if (!rev || !*rev)
        return -ATOLL_EINVAL;
    if (s->be->ops->ref_get(s->be->state, rev, out) == 0)
        return 0;
    size_t n = strlen(rev);
    char low[65];
    if (n < 4 || n > 64)
        return -ATOLL_ENOENT;
    for (size_t i = 0; i < n; i++) {
        char c = rev[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -ATOLL_ENOENT;
        low[i] = c;
    }
    low[n] = 0;
    if (n == 64) {
        atoll_store_id_parse(low, out);
        struct store_commit c;
        int rc = store_read_commit(s, out, &c);
        if (rc < 0)
            return rc == -ATOLL_EBADMSG ? -ATOLL_ENOENT : rc;
        store_commit_free(&c);
        return 0;
    }
    return search_prefix(s, low, out);
}

/* ---- ancestry
 * ------------------------------------------------------------------ */

int store_is_ancestor(struct atoll_store *s, const atoll_store_id *anc,
                      const atoll_store_id *desc)
{
    struct walk w = {.s = s};
    int rc = walk_push(&w, desc), found = 0;
    atoll_store_id id;
    while (rc >= 0 && !found && walk_pop(&w, &id)) {
        if (!memcmp(id.b, anc->b, 32)) {
            found = 1;
            break;
        }
        struct store_commit c;
        rc = store_read_commit(s, &id, &c);
        if (rc < 0)
            break;
        for (size_t i = 0; rc >= 0 && i < c.nparents; i++)
            rc = walk_push(&w, &c.parents[i]);
        store_commit_free(&c); /* also when a push failed */
    }
    walk_free(&w);
    return rc < 0 ? rc : found;
}

/* ---- history
 * ------------------------------------------------------------------- */

/* The key's blob in a commit's tree; present false if absent. */
static int key_at(struct atoll_store *s, const atoll_store_id *tree,
                  const char *key, atoll_store_id *blob, bool *present)
{
    int rc = store_key_blob(s, tree, key, blob);
    *present = rc == 0;
    return rc == -ATOLL_ENOENT ? 0 : rc;
}

int atoll_store_log(struct atoll_store *s, const char *rev, const char *key,
                    int (*fn)(const struct atoll_store_commit *c, void *arg),
                    void *arg)
{
    atoll_store_id start, id;
    int rc = atoll_store_resolve(s, rev, &start);
    if (rc < 0)
        return rc;
    struct walk w = {.s = s};
    rc = walk_push(&w, &start);
    int count = 0;
    while (rc >= 0 && walk_pop(&w, &id)) {
        struct store_commit c;
        rc = store_read_commit(s, &id, &c);
        if (rc < 0)
            break;
        bool show = true;
        if (key) {
            atoll_store_id a, b;
            bool pa, pb = false;
            rc = key_at(s, &c.tree, key, &a, &pa);
            if (rc == 0 && c.nparents) {
                atoll_store_id ptree;
                rc = store_commit_tree(s, &c.parents[0], &ptree);
                if (rc == 0)
                    rc = key_at(s, &ptree, key, &b, &pb);
            }
            show = pa != pb || (pa && memcmp(a.b, b.b, 32));
        }
        if (rc == 0 && show) {
            struct atoll_store_commit pc = {
                .id = id,
                .tree = c.tree,
                .parents = c.parents,
                .nparents = c.nparents,
                .author = c.author,
                .time = c.time,
                .message = c.message,
            };
            count++;
            int r = fn(&pc, arg);
            if (r) {
                store_commit_free(&c);
                walk_free(&w);
                return r;
            }
        }
        for (size_t i = 0; rc >= 0 && i < c.nparents; i++)
            rc = walk_push(&w, &c.parents[i]);
        store_commit_free(&c);
    }
    walk_free(&w);
    return rc < 0 ? rc : count;
}

/* ---- diff
 * ---------------------------------------------------------------------- */

int atoll_store_diff(struct atoll_store *s, const char *a, const char *b,
                     int (*fn)(const char *key, enum atoll_store_change what,
                               void *arg),
                     void *arg)
{
    atoll_store_id ca, cb, ta, tb;
    int rc = atoll_store_resolve(s, a, &ca);
    if (rc == 0)
        rc = atoll_store_resolve(s, b, &cb);
    if (rc == 0)
        rc = store_commit_tree(s, &ca, &ta);
    if (rc == 0)
        rc = store_commit_tree(s, &cb, &tb);
    if (rc < 0)
        return rc;
    struct store_flat fa, fb;
    rc = store_flatten(s, &ta, &fa);
    if (rc < 0)
        return rc;
    rc = store_flatten(s, &tb, &fb);
    if (rc < 0) {
        store_flat_free(&fa);
        return rc;
    }
    size_t i = 0, j = 0;
    int count = 0, r = 0;
    while (r == 0 && (i < fa.n || j < fb.n)) {
        int c = i == fa.n   ? 1
                : j == fb.n ? -1
                            : strcmp(fa.e[i].key, fb.e[j].key);
        if (c < 0) {
            count++;
            r = fn(fa.e[i++].key, ATOLL_STORE_REMOVED, arg);
        } else if (c > 0) {
            count++;
            r = fn(fb.e[j++].key, ATOLL_STORE_ADDED, arg);
        } else {
            if (memcmp(fa.e[i].id.b, fb.e[j].id.b, 32)) {
                count++;
                r = fn(fa.e[i].key, ATOLL_STORE_CHANGED, arg);
            }
            i++;
            j++;
        }
    }
    store_flat_free(&fa);
    store_flat_free(&fb);
    return r ? r : count;
}
