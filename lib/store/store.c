/*
 * lib/store/store.c - the versioned store's repository: opening, ids and
 * keys, reading values and folders, and making commits (set, remove,
 * test-and-set, batches, revert, branches).
 *
 * A change loads the branch's root tree lazily into a small mutable tree
 * (struct tnode: only the folders on the changed paths are read), applies
 * every change of the batch, then writes the changed folders bottom-up,
 * so unchanged subtrees keep their ids and are not rewritten.  The new
 * objects and the ref update reach the backend as one atomic commit.
 *
 * History, diff and revision lookup are in history.c, merges in merge.c,
 * watches in watch.c (the only part that needs the scheduler: this file
 * is linked into the host tool as well).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "store_int.h"

#define DEFAULT_AUTHOR "atoll <atoll@localhost>"

/* ---- opening ----------------------------------------------------------------
 */

static bool author_ok(const char *a)
{
    const char *lt = strchr(a, '<'), *gt = strrchr(a, '>');
    return lt && gt && lt < gt && gt[1] == 0 && !strchr(a, '\n') &&
           strchr(lt + 1, '<') == NULL;
}

int atoll_store_open(struct atoll_store_backend *be,
                     const struct atoll_store_opts *opts,
                     struct atoll_store **out)
{
    const char *author = opts && opts->author ? opts->author : DEFAULT_AUTHOR;
    if (!author_ok(author))
        return -ATOLL_EINVAL;
    struct atoll_store *s = atoll_calloc(1, sizeof *s);
    if (!s)
        return -ATOLL_ENOMEM;
    s->author = atoll_strdup(author);
    if (!s->author) {
        atoll_free(s);
        return -ATOLL_ENOMEM;
    }
    s->be = be;
    s->clock = opts ? opts->clock : NULL;
    s->changed = (atoll_event)ATOLL_EVENT_INIT("store watch");
    *out = s;
    return 0;
}

int atoll_store_set_author(struct atoll_store *s, const char *author)
{
    if (!author || !author_ok(author))
        return -ATOLL_EINVAL;
    char *a = atoll_strdup(author);
    if (!a)
        return -ATOLL_ENOMEM;
    atoll_free(s->author);
    s->author = a;
    return 0;
}

void atoll_store_close(struct atoll_store *s)
{
    if (!s)
        return;
    s->be->ops->close(s->be->state);
    atoll_free(s->author);
    atoll_free(s);
}

struct atoll_store_backend *atoll_store_backend_of(struct atoll_store *s)
{
    return s->be;
}

/* ---- ids, keys
 * ---------------------------------------------------------------- */

void atoll_store_id_hex(const atoll_store_id *id,
                        char out[ATOLL_STORE_HEX_LEN + 1])
{
    store_hex(id->b, ATOLL_STORE_ID_LEN, out);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int atoll_store_id_parse(const char *hex, atoll_store_id *out)
{
    if (strlen(hex) != ATOLL_STORE_HEX_LEN)
        return -ATOLL_EINVAL;
    for (int i = 0; i < ATOLL_STORE_ID_LEN; i++) {
        int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
        if (a < 0 || b < 0)
            return -ATOLL_EINVAL;
        out->b[i] = (uint8_t)(a * 16 + b);
    }
    return 0;
}

/* Keys: non-empty "/"-separated components, none empty, "." or "..". */
static bool key_ok(const char *k)
{
    if (!k || !*k)
        return false;
    const char *p = k;
    for (;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (!e)
            return true;
        p = e + 1;
    }
}

static bool branch_ok(const char *b)
{
    if (!key_ok(b) || strlen(b) > 255)
        return false;
    size_t n = strlen(b), hex = 0;
    for (size_t i = 0; i < n; i++)
        hex += hexval(b[i]) >= 0;
    return !(hex == n && n >= 4);
}

/* ---- objects
 * -------------------------------------------------------------------- */

int store_put(struct atoll_store *s, enum store_obj_type t, const void *p,
              size_t len, atoll_store_id *id)
{
    uint8_t *obj;
    size_t olen;
    int rc = store_obj_frame(t, p, len, &obj, &olen, id);
    if (rc < 0)
        return rc;
    rc = s->be->ops->write(s->be->state, id, obj, olen);
    atoll_free(obj);
    if (rc == 0) {
        s->stats.objects_written++;
        s->stats.bytes_written += olen;
    }
    return rc;
}

int store_get(struct atoll_store *s, const atoll_store_id *id,
              enum store_obj_type t, uint8_t **obj, const uint8_t **payload,
              size_t *plen)
{
    size_t len;
    int rc = s->be->ops->read(s->be->state, id, obj, &len);
    if (rc < 0)
        return rc;
    s->stats.objects_read++;
    s->stats.bytes_read += len;
    enum store_obj_type got;
    rc = store_obj_parse(*obj, len, &got, payload, plen);
    if (rc == 0 && got != t)
        rc = -ATOLL_EBADMSG;
    if (rc < 0)
        atoll_free(*obj);
    return rc;
}

static int read_tree(struct atoll_store *s, const atoll_store_id *id,
                     struct store_tree *t)
{
    uint8_t *obj;
    const uint8_t *p;
    size_t n;
    int rc = store_get(s, id, OBJ_TREE, &obj, &p, &n);
    if (rc < 0)
        return rc;
    rc = store_tree_decode(p, n, t);
    atoll_free(obj);
    return rc;
}

int store_read_commit(struct atoll_store *s, const atoll_store_id *id,
                      struct store_commit *out)
{
    uint8_t *obj;
    const uint8_t *p;
    size_t n;
    int rc = store_get(s, id, OBJ_COMMIT, &obj, &p, &n);
    if (rc < 0)
        return rc;
    rc = store_commit_decode(p, n, out);
    atoll_free(obj);
    return rc;
}

int atoll_store_commit_read(struct atoll_store *s, const atoll_store_id *id,
                            struct atoll_store_commit *out)
{
    struct store_commit c;
    int rc = store_read_commit(s, id, &c);
    if (rc < 0)
        return rc;
    out->id = *id;
    out->tree = c.tree;
    out->parents = c.parents;
    out->nparents = c.nparents;
    out->author = c.author;
    out->time = c.time;
    out->message = c.message;
    return 0;
}

void atoll_store_commit_free(struct atoll_store_commit *c)
{
    atoll_free((void *)c->parents);
    atoll_free((void *)c->author);
    atoll_free((void *)c->message);
    memset(c, 0, sizeof *c);
}

int store_commit_tree(struct atoll_store *s, const atoll_store_id *commit,
                      atoll_store_id *tree)
{
    struct store_commit c;
    int rc = store_read_commit(s, commit, &c);
    if (rc < 0)
        return rc;
    *tree = c.tree;
    store_commit_free(&c);
    return 0;
}

/* Walk `path` (a key or folder; "" = the root) from tree `root`.  *id and
 * *dir describe what is there.  0 or -ATOLL_ENOENT. */
static int lookup(struct atoll_store *s, const atoll_store_id *root,
                  const char *path, atoll_store_id *id, bool *dir)
{
    atoll_store_id cur = *root;
    bool cur_dir = true;
    const char *p = path;
    while (*p) {
        if (!cur_dir)
            return -ATOLL_ENOENT;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        struct store_tree t;
        int rc = read_tree(s, &cur, &t);
        if (rc < 0)
            return rc;
        rc = -ATOLL_ENOENT;
        for (size_t i = 0; i < t.n; i++)
            if (strlen(t.e[i].name) == n && !memcmp(t.e[i].name, p, n)) {
                cur = t.e[i].id;
                cur_dir = t.e[i].dir;
                rc = 0;
                break;
            }
        store_tree_free(&t);
        if (rc < 0)
            return rc;
        p = e ? e + 1 : p + n;
    }
    *id = cur;
    *dir = cur_dir;
    return 0;
}

int store_key_blob(struct atoll_store *s, const atoll_store_id *tree,
                   const char *key, atoll_store_id *blob)
{
    bool dir;
    int rc = lookup(s, tree, key, blob, &dir);
    if (rc == 0 && dir)
        rc = -ATOLL_ENOENT;
    return rc;
}

int store_read_blob(struct atoll_store *s, const atoll_store_id *id, void **val,
                    size_t *len)
{
    uint8_t *obj;
    const uint8_t *p;
    size_t n;
    int rc = store_get(s, id, OBJ_BLOB, &obj, &p, &n);
    if (rc < 0)
        return rc;
    char *v = atoll_malloc(n + 1);
    if (v) {
        memcpy(v, p, n);
        v[n] = 0;
    }
    atoll_free(obj);
    if (!v)
        return -ATOLL_ENOMEM;
    *val = v;
    *len = n;
    return 0;
}

/* ---- reading
 * -------------------------------------------------------------------- */

static int rev_tree(struct atoll_store *s, const char *rev,
                    atoll_store_id *tree)
{
    atoll_store_id c;
    int rc = atoll_store_resolve(s, rev, &c);
    if (rc < 0)
        return rc;
    return store_commit_tree(s, &c, tree);
}

int atoll_store_get(struct atoll_store *s, const char *rev, const char *key,
                    void **val, size_t *len)
{
    if (!key_ok(key))
        return -ATOLL_EINVAL;
    atoll_store_id tree, blob;
    int rc = rev_tree(s, rev, &tree);
    if (rc == 0)
        rc = store_key_blob(s, &tree, key, &blob);
    if (rc == 0)
        rc = store_read_blob(s, &blob, val, len);
    return rc;
}

int atoll_store_list(struct atoll_store *s, const char *rev, const char *prefix,
                     int (*fn)(const char *name, bool is_dir, void *arg),
                     void *arg)
{
    if (!prefix)
        prefix = "";
    if (*prefix && !key_ok(prefix))
        return -ATOLL_EINVAL;
    atoll_store_id tree, id;
    bool dir;
    int rc = rev_tree(s, rev, &tree);
    if (rc == 0)
        rc = lookup(s, &tree, prefix, &id, &dir);
    if (rc == 0 && !dir)
        rc = -ATOLL_ENOENT;
    if (rc < 0)
        return rc;
    struct store_tree t;
    rc = read_tree(s, &id, &t);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < t.n && rc == 0; i++)
        rc = fn(t.e[i].name, t.e[i].dir, arg);
    if (rc == 0)
        rc = (int)t.n;
    store_tree_free(&t);
    return rc;
}

/* ---- flat views
 * ----------------------------------------------------------------- */

void store_flat_free(struct store_flat *f)
{
    for (size_t i = 0; i < f->n; i++)
        atoll_free(f->e[i].key);
    atoll_free(f->e);
    memset(f, 0, sizeof *f);
}

static int flat_walk(struct atoll_store *s, const atoll_store_id *tree,
                     const char *prefix, struct store_flat *out, int depth)
{
    if (depth > 64)
        return -ATOLL_EBADMSG; /* deeper than any key we write */
    struct store_tree t;
    int rc = read_tree(s, tree, &t);
    if (rc < 0)
        return rc;
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < t.n && rc == 0; i++) {
        size_t nl = strlen(t.e[i].name);
        char *k = atoll_malloc(pl + nl + 2);
        if (!k) {
            rc = -ATOLL_ENOMEM;
            break;
        }
        memcpy(k, prefix, pl);
        if (pl)
            k[pl] = '/';
        memcpy(k + pl + (pl ? 1 : 0), t.e[i].name, nl + 1);
        if (t.e[i].dir) {
            rc = flat_walk(s, &t.e[i].id, k, out, depth + 1);
            atoll_free(k);
            continue;
        }
        if (out->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 16;
            void *ne = atoll_realloc(out->e, nc * sizeof *out->e);
            if (!ne) {
                atoll_free(k);
                rc = -ATOLL_ENOMEM;
                break;
            }
            out->e = ne;
            out->cap = nc;
        }
        out->e[out->n].key = k;
        out->e[out->n].id = t.e[i].id;
        out->n++;
    }
    store_tree_free(&t);
    return rc;
}

static int flat_cmp(const void *a, const void *b)
{
    return strcmp(((const struct store_flat_entry *)a)->key,
                  ((const struct store_flat_entry *)b)->key);
}

int store_flatten(struct atoll_store *s, const atoll_store_id *tree,
                  struct store_flat *out)
{
    memset(out, 0, sizeof *out);
    int rc = flat_walk(s, tree, "", out, 0);
    if (rc < 0) {
        store_flat_free(out);
        return rc;
    }
    qsort(out->e, out->n, sizeof *out->e, flat_cmp);
    return 0;
}

/* ---- the mutable tree
 * -------------------------------------------------------------- */

struct tnode;
struct tent {
    char *name;
    bool dir;
    atoll_store_id id;
    struct tnode *child; /* loaded folder, or NULL */
};
struct tnode {
    struct tent *e;
    size_t n, cap;
    bool dirty;
};

static void tnode_free(struct tnode *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        atoll_free(t->e[i].name);
        tnode_free(t->e[i].child);
    }
    atoll_free(t->e);
    atoll_free(t);
}

static struct tnode *tnode_new(void)
{
    return atoll_calloc(1, sizeof(struct tnode));
}

static int tnode_load(struct atoll_store *s, const atoll_store_id *id,
                      struct tnode **out)
{
    struct tnode *n = tnode_new();
    if (!n)
        return -ATOLL_ENOMEM;
    if (id) {
        struct store_tree t;
        int rc = read_tree(s, id, &t);
        if (rc < 0) {
            atoll_free(n);
            return rc;
        }
        n->e = atoll_calloc(t.n ? t.n : 1, sizeof *n->e);
        if (!n->e) {
            store_tree_free(&t);
            atoll_free(n);
            return -ATOLL_ENOMEM;
        }
        for (size_t i = 0; i < t.n; i++) {
            n->e[i].name = t.e[i].name; /* ownership moves */
            n->e[i].dir = t.e[i].dir;
            n->e[i].id = t.e[i].id;
        }
        n->n = n->cap = t.n ? t.n : 1;
        n->n = t.n;
        atoll_free(t.e);
    }
    *out = n;
    return 0;
}

static struct tent *tnode_find(struct tnode *t, const char *name, size_t nl)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strncmp(t->e[i].name, name, nl) && t->e[i].name[nl] == 0)
            return &t->e[i];
    return NULL;
}

static struct tent *tnode_add(struct tnode *t, const char *name, size_t nl)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 8;
        void *ne = atoll_realloc(t->e, nc * sizeof *t->e);
        if (!ne)
            return NULL;
        t->e = ne;
        t->cap = nc;
    }
    struct tent *e = &t->e[t->n];
    memset(e, 0, sizeof *e);
    e->name = atoll_malloc(nl + 1);
    if (!e->name)
        return NULL;
    memcpy(e->name, name, nl);
    e->name[nl] = 0;
    t->n++;
    return e;
}

/* Set key to blob `id` under t (creating folders, replacing a value that
 * is in the way). */
static int tnode_set(struct atoll_store *s, struct tnode *t, const char *key,
                     const atoll_store_id *id)
{
    for (;;) {
        t->dirty = true;
        const char *sl = strchr(key, '/');
        size_t nl = sl ? (size_t)(sl - key) : strlen(key);
        struct tent *e = tnode_find(t, key, nl);
        if (!e && !(e = tnode_add(t, key, nl)))
            return -ATOLL_ENOMEM;
        if (!sl) {
            tnode_free(e->child);
            e->child = NULL;
            e->dir = false;
            e->id = *id;
            return 0;
        }
        if (!e->child) {
            int rc = tnode_load(s, e->dir ? &e->id : NULL, &e->child);
            if (rc < 0)
                return rc;
            e->dir = true;
        }
        t = e->child;
        key = sl + 1;
    }
}

/* Remove key under t: 1 if removed, 0 if absent. */
static int tnode_remove(struct atoll_store *s, struct tnode *t, const char *key)
{
    const char *sl = strchr(key, '/');
    size_t nl = sl ? (size_t)(sl - key) : strlen(key);
    struct tent *e = tnode_find(t, key, nl);
    if (!e)
        return 0;
    if (sl) {
        if (!e->dir)
            return 0;
        if (!e->child) {
            int rc = tnode_load(s, &e->id, &e->child);
            if (rc < 0)
                return rc;
        }
        int rc = tnode_remove(s, e->child, sl + 1);
        if (rc <= 0)
            return rc;
        t->dirty = true;
        if (e->child->n > 0)
            return 1;
    } else if (e->dir) {
        return 0; /* a folder is not a key */
    }
    /* Drop the entry (a value, or a folder that became empty). */
    atoll_free(e->name);
    tnode_free(e->child);
    size_t k = (size_t)(e - t->e);
    memmove(e, e + 1, (t->n - k - 1) * sizeof *e);
    t->n--;
    t->dirty = true;
    return 1;
}

static int tnode_write(struct atoll_store *s, struct tnode *t,
                       atoll_store_id *id)
{
    struct store_tree st = {0};
    st.e = atoll_malloc((t->n ? t->n : 1) * sizeof *st.e);
    if (!st.e)
        return -ATOLL_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        struct tent *e = &t->e[i];
        if (e->child && e->child->dirty) {
            int rc = tnode_write(s, e->child, &e->id);
            if (rc < 0) {
                atoll_free(st.e);
                return rc;
            }
        }
        st.e[i].name = e->name; /* borrowed */
        st.e[i].dir = e->dir;
        st.e[i].id = e->id;
    }
    st.n = st.cap = t->n;
    uint8_t *p;
    size_t len;
    int rc = store_tree_encode(&st, &p, &len);
    atoll_free(st.e);
    if (rc < 0)
        return rc;
    rc = store_put(s, OBJ_TREE, p, len, id);
    atoll_free(p);
    if (rc == 0)
        t->dirty = false;
    return rc;
}

int store_tree_from_flat(struct atoll_store *s, const struct store_flat *f,
                         atoll_store_id *tree)
{
    struct tnode *root = tnode_new();
    if (!root)
        return -ATOLL_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < f->n && rc == 0; i++)
        rc = tnode_set(s, root, f->e[i].key, &f->e[i].id);
    if (rc == 0)
        rc = tnode_write(s, root, tree);
    tnode_free(root);
    return rc;
}

/* ---- commits
 * --------------------------------------------------------------------- */

static void notify(struct atoll_store *s)
{
    if (s->on_change)
        s->on_change(s);
}

int store_set_ref(struct atoll_store *s, const char *name,
                  const atoll_store_id *id)
{
    struct atoll_store_ref_update u = {name, id};
    int rc = s->be->ops->commit(s->be->state, &u, 1);
    if (rc == 0) {
        s->stats.commits++;
        notify(s);
    }
    return rc;
}

void atoll_store_stats(struct atoll_store *s, struct atoll_store_stats *out)
{
    *out = s->stats;
    struct atoll_store_block_usage u;
    if (atoll_store_block_usage(s->be, &u) == 0) {
        out->cache_hits = u.cache_hits;
        out->cache_misses = u.cache_misses;
        out->flushes = u.flushes;
    }
}

int store_make_commit(struct atoll_store *s, const char *branch,
                      const atoll_store_id *tree, const atoll_store_id *parents,
                      size_t nparents, const char *message,
                      atoll_store_id *commit)
{
    struct store_commit c = {
        .tree = *tree,
        .parents = (atoll_store_id *)parents,
        .nparents = nparents,
        .author = s->author,
        .time = s->clock ? atoll_wclock_now(s->clock) / 1000000000 : 0,
        .message = (char *)(message ? message : ""),
    };
    uint8_t *p;
    size_t len;
    atoll_store_id id;
    int rc = store_commit_encode(&c, &p, &len);
    if (rc == 0) {
        rc = store_put(s, OBJ_COMMIT, p, len, &id);
        atoll_free(p);
    }
    if (rc < 0) {
        s->be->ops->abort(s->be->state);
        return rc;
    }
    rc = store_set_ref(s, branch, &id);
    if (rc == 0 && commit)
        *commit = id;
    return rc;
}

/* ---- batches
 * ----------------------------------------------------------------------- */

struct batch_op {
    char *key;
    void *val; /* NULL: remove */
    size_t len;
};

struct atoll_store_batch {
    struct atoll_store *s;
    char *branch;
    struct batch_op *ops;
    size_t n, cap;
    bool must_exist; /* single remove: an absent key is an error */
};

int atoll_store_batch_begin(struct atoll_store *s, const char *branch,
                            struct atoll_store_batch **out)
{
    if (!branch_ok(branch))
        return -ATOLL_EINVAL;
    struct atoll_store_batch *b = atoll_calloc(1, sizeof *b);
    if (!b || !(b->branch = atoll_strdup(branch))) {
        atoll_free(b);
        return -ATOLL_ENOMEM;
    }
    b->s = s;
    *out = b;
    return 0;
}

static int batch_add(struct atoll_store_batch *b, const char *key,
                     const void *val, size_t len, bool remove)
{
    if (!key_ok(key))
        return -ATOLL_EINVAL;
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 4;
        void *no = atoll_realloc(b->ops, nc * sizeof *b->ops);
        if (!no)
            return -ATOLL_ENOMEM;
        b->ops = no;
        b->cap = nc;
    }
    struct batch_op *o = &b->ops[b->n];
    o->key = atoll_strdup(key);
    o->val = remove ? NULL : atoll_malloc(len ? len : 1);
    o->len = len;
    if (!o->key || (!remove && !o->val)) {
        atoll_free(o->key);
        atoll_free(o->val);
        return -ATOLL_ENOMEM;
    }
    if (!remove && len)
        memcpy(o->val, val, len);
    b->n++;
    return 0;
}

int atoll_store_batch_set(struct atoll_store_batch *b, const char *key,
                          const void *val, size_t len)
{
    return batch_add(b, key, val, len, false);
}

int atoll_store_batch_remove(struct atoll_store_batch *b, const char *key)
{
    return batch_add(b, key, NULL, 0, true);
}

void atoll_store_batch_abort(struct atoll_store_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        atoll_free(b->ops[i].key);
        atoll_free(b->ops[i].val);
    }
    atoll_free(b->ops);
    atoll_free(b->branch);
    atoll_free(b);
}

static int batch_apply(struct atoll_store_batch *b, const char *message,
                       atoll_store_id *commit)
{
    struct atoll_store *s = b->s;
    atoll_store_id head, tree;
    bool have_head = s->be->ops->ref_get(s->be->state, b->branch, &head) == 0;
    struct tnode *root = NULL;
    int rc = 0;
    if (have_head)
        rc = store_commit_tree(s, &head, &tree);
    if (rc == 0)
        rc = tnode_load(s, have_head ? &tree : NULL, &root);
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        struct batch_op *o = &b->ops[i];
        if (o->val) {
            atoll_store_id blob;
            rc = store_put(s, OBJ_BLOB, o->val, o->len, &blob);
            if (rc == 0)
                rc = tnode_set(s, root, o->key, &blob);
        } else {
            rc = tnode_remove(s, root, o->key);
            if (rc == 0 && b->must_exist)
                rc = -ATOLL_ENOENT;
            else if (rc > 0)
                rc = 0;
        }
    }
    if (rc == 0)
        rc = tnode_write(s, root, &tree);
    tnode_free(root);
    if (rc < 0) {
        s->be->ops->abort(s->be->state);
        return rc;
    }
    return store_make_commit(s, b->branch, &tree, have_head ? &head : NULL,
                             have_head ? 1 : 0, message, commit);
}

int atoll_store_batch_commit(struct atoll_store_batch *b, const char *message,
                             atoll_store_id *commit)
{
    int rc = batch_apply(b, message, commit);
    atoll_store_batch_abort(b);
    return rc;
}

int atoll_store_set(struct atoll_store *s, const char *branch, const char *key,
                    const void *val, size_t len, const char *message,
                    atoll_store_id *commit)
{
    struct atoll_store_batch *b;
    int rc = atoll_store_batch_begin(s, branch, &b);
    if (rc < 0)
        return rc;
    rc = atoll_store_batch_set(b, key, val, len);
    if (rc < 0) {
        atoll_store_batch_abort(b);
        return rc;
    }
    char def[300];
    if (!message) {
        snprintf(def, sizeof def, "set %s", key);
        message = def;
    }
    return atoll_store_batch_commit(b, message, commit);
}

int atoll_store_remove(struct atoll_store *s, const char *branch,
                       const char *key, const char *message,
                       atoll_store_id *commit)
{
    struct atoll_store_batch *b;
    int rc = atoll_store_batch_begin(s, branch, &b);
    if (rc < 0)
        return rc;
    b->must_exist = true;
    rc = atoll_store_batch_remove(b, key);
    if (rc < 0) {
        atoll_store_batch_abort(b);
        return rc;
    }
    char def[300];
    if (!message) {
        snprintf(def, sizeof def, "remove %s", key);
        message = def;
    }
    return atoll_store_batch_commit(b, message, commit);
}

int atoll_store_test_and_set(struct atoll_store *s, const char *branch,
                             const char *key, const void *expect,
                             size_t expect_len, const void *val, size_t len,
                             const char *message, atoll_store_id *commit)
{
    if (!key_ok(key) || !branch_ok(branch))
        return -ATOLL_EINVAL;
    void *cur = NULL;
    size_t cl = 0;
    int rc = atoll_store_get(s, branch, key, &cur, &cl);
    if (rc < 0 && rc != -ATOLL_ENOENT)
        return rc;
    bool present = rc == 0;
    bool match = expect ? present && cl == expect_len &&
                              (cl == 0 || !memcmp(cur, expect, cl))
                        : !present;
    atoll_free(cur);
    if (!match)
        return -ATOLL_EAGAIN;
    /* No fiber can run between the check and the commit: nothing here
     * suspends. */
    if (val)
        return atoll_store_set(s, branch, key, val, len, message, commit);
    if (!present) { /* expected absent, asked to remove: nothing to do */
        if (commit && atoll_store_head(s, branch, commit) < 0)
            memset(commit, 0, sizeof *commit);
        return 0;
    }
    return atoll_store_remove(s, branch, key, message, commit);
}

int atoll_store_revert(struct atoll_store *s, const char *branch,
                       const char *to, const char *message,
                       atoll_store_id *commit)
{
    if (!branch_ok(branch))
        return -ATOLL_EINVAL;
    atoll_store_id target, tree, head;
    int rc = atoll_store_resolve(s, to, &target);
    if (rc == 0)
        rc = store_commit_tree(s, &target, &tree);
    if (rc < 0)
        return rc;
    bool have_head = s->be->ops->ref_get(s->be->state, branch, &head) == 0;
    char def[120];
    if (!message) {
        char hex[65];
        atoll_store_id_hex(&target, hex);
        snprintf(def, sizeof def, "revert to %.12s", hex);
        message = def;
    }
    return store_make_commit(s, branch, &tree, have_head ? &head : NULL,
                             have_head ? 1 : 0, message, commit);
}

/* ---- branches
 * --------------------------------------------------------------------- */

int atoll_store_head(struct atoll_store *s, const char *branch,
                     atoll_store_id *out)
{
    return s->be->ops->ref_get(s->be->state, branch, out);
}

int atoll_store_branch_create(struct atoll_store *s, const char *name,
                              const char *from)
{
    if (!branch_ok(name))
        return -ATOLL_EINVAL;
    atoll_store_id id;
    if (s->be->ops->ref_get(s->be->state, name, &id) == 0)
        return -ATOLL_EEXIST;
    int rc = atoll_store_resolve(s, from, &id);
    if (rc < 0)
        return rc;
    return store_set_ref(s, name, &id);
}

int atoll_store_branch_delete(struct atoll_store *s, const char *name)
{
    atoll_store_id id;
    int rc = s->be->ops->ref_get(s->be->state, name, &id);
    if (rc < 0)
        return rc;
    return store_set_ref(s, name, NULL);
}

int atoll_store_branches(struct atoll_store *s,
                         int (*fn)(const char *name, const atoll_store_id *head,
                                   void *arg),
                         void *arg)
{
    return s->be->ops->ref_list(s->be->state, fn, arg);
}

bool store_branch_name_ok(const char *name)
{
    return branch_ok(name);
}
