/*
 * tests/unit/store_api.c - the versioned store's API on the memory
 * backend: values, folders, batches, test-and-set, branches, history (of a
 * branch and of a key), reading old commits, diff, revert, merges (clean,
 * conflicting, the provided merge functions, criss-cross ancestors) and
 * watches; and git's object format for the objects it writes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/core/runtime.h"
#include "../../lib/store/store_int.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/store.h"

#define MEM (64u << 20)

static struct atoll_store *open_mem(void)
{
    struct atoll_store_backend *be;
    struct atoll_store *s;
    CHECK_EQ(atoll_store_mem_backend(&be), 0);
    struct atoll_store_opts o = {.author = "Test <t@example.org>",
                                 .clock = atoll_wclock_platform()};
    CHECK_EQ(atoll_store_open(be, &o, &s), 0);
    return s;
}

static void expect(struct atoll_store *s, const char *rev, const char *key,
                   const char *want)
{
    void *v = NULL;
    size_t n = 0;
    int rc = atoll_store_get(s, rev, key, &v, &n);
    if (!want) {
        CHECK_EQ(rc, -ATOLL_ENOENT);
        return;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(n, strlen(want));
    CHECK_STR((char *)v, want);
    atoll_free(v);
}

static void set(struct atoll_store *s, const char *b, const char *k,
                const char *v, atoll_store_id *c)
{
    CHECK_EQ(atoll_store_set(s, b, k, v, strlen(v), NULL, c), 0);
}

#define RUN(fn) CHECK_EQ(atoll_test_run(MEM, fn, NULL), 0)

/* ---- values ----------------------------------------------------------------
 */

static int names_cb(const char *name, bool dir, void *arg)
{
    char *out = arg;
    strcat(out, name);
    strcat(out, dir ? "/ " : " ");
    return 0;
}

static int t_values(void *arg)
{
    struct atoll_store *s = open_mem();
    expect(s, "main", "a", NULL);
    set(s, "main", "a/b/c", "1", NULL);
    set(s, "main", "a/b/d", "2", NULL);
    set(s, "main", "a.txt", "3", NULL);
    set(s, "main", "top", "", NULL);
    expect(s, "main", "a/b/c", "1");
    expect(s, "main", "a/b/d", "2");
    expect(s, "main", "top", "");
    expect(s, "main", "a/b", NULL); /* a folder is not a value */
    char names[256] = "";
    CHECK_EQ(atoll_store_list(s, "main", "", names_cb, names), 3);
    /* git's order: "a.txt" < "a/" since '.' < '/'. */
    CHECK_STR(names, "a.txt a/ top ");
    names[0] = 0;
    CHECK_EQ(atoll_store_list(s, "main", "a/b", names_cb, names), 2);
    CHECK_STR(names, "c d ");
    CHECK_EQ(atoll_store_list(s, "main", "top", names_cb, names),
             -ATOLL_ENOENT);
    /* Remove: empty folders go away. */
    CHECK_EQ(atoll_store_remove(s, "main", "a/b/c", NULL, NULL), 0);
    CHECK_EQ(atoll_store_remove(s, "main", "a/b/c", NULL, NULL), -ATOLL_ENOENT);
    CHECK_EQ(atoll_store_remove(s, "main", "a/b/d", NULL, NULL), 0);
    names[0] = 0;
    CHECK_EQ(atoll_store_list(s, "main", "", names_cb, names), 2);
    CHECK_STR(names, "a.txt top ");
    /* A value in the way of a folder is replaced, and back. */
    set(s, "main", "top/x", "4", NULL);
    expect(s, "main", "top/x", "4");
    set(s, "main", "top", "5", NULL);
    expect(s, "main", "top", "5");
    /* Bad keys and branch names. */
    CHECK_EQ(atoll_store_set(s, "main", "", "x", 1, NULL, NULL), -ATOLL_EINVAL);
    CHECK_EQ(atoll_store_set(s, "main", "a//b", "x", 1, NULL, NULL),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_store_set(s, "main", "/a", "x", 1, NULL, NULL),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_store_set(s, "main", "a/../b", "x", 1, NULL, NULL),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_store_set(s, "beef", "k", "x", 1, NULL, NULL),
             -ATOLL_EINVAL);
    expect(s, "nosuch", "top", NULL);
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "set get list remove, folders replace values")
{
    RUN(t_values);
}

static int count_cb(const struct atoll_store_commit *c, void *arg)
{
    char *out = arg;
    if (out) {
        strncat(out, c->message, strcspn(c->message, "\n"));
        strcat(out, ";");
    }
    return 0;
}

static int t_batch_tas(void *arg)
{
    struct atoll_store *s = open_mem();
    struct atoll_store_batch *b;
    CHECK_EQ(atoll_store_batch_begin(s, "main", &b), 0);
    CHECK_EQ(atoll_store_batch_set(b, "x", "1", 1), 0);
    CHECK_EQ(atoll_store_batch_set(b, "y/z", "2", 1), 0);
    CHECK_EQ(atoll_store_batch_set(b, "x", "3", 1), 0); /* last wins */
    CHECK_EQ(atoll_store_batch_remove(b, "nothing"), 0);
    atoll_store_id c1;
    CHECK_EQ(atoll_store_batch_commit(b, "two keys", &c1), 0);
    expect(s, "main", "x", "3");
    expect(s, "main", "y/z", "2");
    CHECK_EQ(atoll_store_log(s, "main", NULL, count_cb, NULL), 1);
    /* Test-and-set. */
    CHECK_EQ(
        atoll_store_test_and_set(s, "main", "x", "1", 1, "9", 1, NULL, NULL),
        -ATOLL_EAGAIN);
    expect(s, "main", "x", "3");
    CHECK_EQ(
        atoll_store_test_and_set(s, "main", "x", "3", 1, "9", 1, NULL, NULL),
        0);
    expect(s, "main", "x", "9");
    CHECK_EQ(
        atoll_store_test_and_set(s, "main", "new", NULL, 0, "n", 1, NULL, NULL),
        0);
    CHECK_EQ(
        atoll_store_test_and_set(s, "main", "new", NULL, 0, "m", 1, NULL, NULL),
        -ATOLL_EAGAIN);
    CHECK_EQ(
        atoll_store_test_and_set(s, "main", "new", "n", 1, NULL, 0, NULL, NULL),
        0);
    expect(s, "main", "new", NULL);
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "batch is one commit; test-and-set")
{
    RUN(t_batch_tas);
}

/* ---- history, diff, revert, branches ----------------------------------------
 */

static int diff_cb(const char *key, enum atoll_store_change what, void *arg)
{
    char *out = arg;
    strcat(out, what == ATOLL_STORE_ADDED     ? "+"
                : what == ATOLL_STORE_REMOVED ? "-"
                                              : "~");
    strcat(out, key);
    strcat(out, " ");
    return 0;
}

static int branch_cb(const char *name, const atoll_store_id *id, void *arg)
{
    strcat(arg, name);
    strcat(arg, " ");
    return 0;
}

static int t_history(void *arg)
{
    struct atoll_store *s = open_mem();
    atoll_store_id c1, c2, c3, c4;
    set(s, "main", "a", "1", &c1);
    atoll_sleep(ATOLL_SEC(1)); /* distinct commit times */
    set(s, "main", "b", "1", &c2);
    atoll_sleep(ATOLL_SEC(1));
    set(s, "main", "a", "2", &c3);
    atoll_sleep(ATOLL_SEC(1));
    CHECK_EQ(atoll_store_remove(s, "main", "b", "drop b", &c4), 0);
    char log[512] = "";
    CHECK_EQ(atoll_store_log(s, "main", NULL, count_cb, log), 4);
    CHECK_STR(log, "drop b;set a;set b;set a;");
    log[0] = 0;
    CHECK_EQ(atoll_store_log(s, "main", "a", count_cb, log), 2);
    CHECK_STR(log, "set a;set a;");
    log[0] = 0;
    CHECK_EQ(atoll_store_log(s, "main", "b", count_cb, log), 2);
    CHECK_STR(log, "drop b;set b;");

    /* Read at any commit, by full id and by prefix. */
    char hex[65];
    atoll_store_id_hex(&c2, hex);
    expect(s, hex, "a", "1");
    expect(s, hex, "b", "1");
    hex[10] = 0;
    expect(s, hex, "a", "1");
    atoll_store_id r;
    CHECK_EQ(atoll_store_resolve(s, "zzzz", &r), -ATOLL_ENOENT);

    /* Diff. */
    char d[256] = "";
    atoll_store_id_hex(&c1, hex);
    CHECK_EQ(atoll_store_diff(s, hex, "main", diff_cb, d), 1);
    CHECK_STR(d, "~a ");
    d[0] = 0;
    char h3[65];
    atoll_store_id_hex(&c3, h3);
    CHECK_EQ(atoll_store_diff(s, hex, h3, diff_cb, d), 2);
    CHECK_STR(d, "~a +b ");

    /* Revert to c2: a=1, b=1 again, history kept. */
    atoll_store_id c5;
    atoll_store_id_hex(&c2, hex);
    CHECK_EQ(atoll_store_revert(s, "main", hex, NULL, &c5), 0);
    expect(s, "main", "a", "1");
    expect(s, "main", "b", "1");
    CHECK_EQ(atoll_store_log(s, "main", NULL, count_cb, NULL), 5);
    struct atoll_store_commit c;
    CHECK_EQ(atoll_store_commit_read(s, &c5, &c), 0);
    CHECK_EQ(c.nparents, 1);
    CHECK_MEM(c.parents[0].b, c4.b, 32);
    CHECK(strncmp(c.message, "revert to ", 10) == 0);
    CHECK_STR(c.author, "Test <t@example.org>");
    CHECK_EQ(c.time, 946684800 + 3); /* sim epoch + virtual seconds */
    atoll_store_commit_free(&c);

    /* Branches. */
    CHECK_EQ(atoll_store_branch_create(s, "dev", "main"), 0);
    CHECK_EQ(atoll_store_branch_create(s, "dev", "main"), -ATOLL_EEXIST);
    CHECK_EQ(atoll_store_branch_create(s, "x", "nosuch"), -ATOLL_ENOENT);
    set(s, "dev", "a", "dev", NULL);
    expect(s, "dev", "a", "dev");
    expect(s, "main", "a", "1");
    char names[128] = "";
    CHECK_EQ(atoll_store_branches(s, branch_cb, names), 2);
    CHECK_STR(names, "dev main ");
    CHECK_EQ(atoll_store_branch_delete(s, "dev"), 0);
    CHECK_EQ(atoll_store_branch_delete(s, "dev"), -ATOLL_ENOENT);
    expect(s, "dev", "a", NULL);
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "history of branch and key, read at commit, diff, revert, "
                "branches")
{
    RUN(t_history);
}

/* ---- merges
 * ------------------------------------------------------------------ */

static int t_merge_clean(void *arg)
{
    struct atoll_store *s = open_mem();
    set(s, "main", "a", "1", NULL);
    set(s, "main", "b", "1", NULL);
    CHECK_EQ(atoll_store_branch_create(s, "dev", "main"), 0);
    set(s, "main", "a", "main", NULL);
    set(s, "dev", "b", "dev", NULL);
    set(s, "dev", "c", "new", NULL);
    CHECK_EQ(atoll_store_remove(s, "main", "b", NULL, NULL), 0);
    atoll_store_id m;
    CHECK_EQ(atoll_store_merge(s, "main", "dev", NULL, NULL, NULL, &m, NULL, 0),
             -ATOLL_EEXIST); /* b removed on main, changed on dev */
    /* Undo the removal: now b only changed on dev. */
    set(s, "main", "b", "1", NULL);
    CHECK_EQ(atoll_store_merge(s, "main", "dev", NULL, NULL, NULL, &m, NULL, 0),
             0);
    expect(s, "main", "a", "main");
    expect(s, "main", "b", "dev");
    expect(s, "main", "c", "new");
    struct atoll_store_commit c;
    CHECK_EQ(atoll_store_commit_read(s, &m, &c), 0);
    CHECK_EQ(c.nparents, 2);
    atoll_store_commit_free(&c);
    /* Merging again changes nothing; dev fast-forwards to main. */
    atoll_store_id m2;
    CHECK_EQ(
        atoll_store_merge(s, "main", "dev", NULL, NULL, NULL, &m2, NULL, 0), 0);
    CHECK_MEM(m2.b, m.b, 32);
    CHECK_EQ(
        atoll_store_merge(s, "dev", "main", NULL, NULL, NULL, &m2, NULL, 0), 0);
    CHECK_MEM(m2.b, m.b, 32);
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "merge: clean three-way, fast-forward, up to date")
{
    RUN(t_merge_clean);
}

static int t_merge_fns(void *arg)
{
    struct atoll_store *s = open_mem();
    set(s, "main", "n", "10", NULL);
    set(s, "main", "w", "base", NULL);
    CHECK_EQ(atoll_store_branch_create(s, "dev", "main"), 0);
    set(s, "main", "n", "13", NULL); /* +3 */
    set(s, "main", "w", "ours", NULL);
    atoll_sleep(ATOLL_SEC(5));
    set(s, "dev", "n", "15", NULL); /* +5 */
    set(s, "dev", "w", "theirs", NULL);
    char key[64];
    CHECK_EQ(atoll_store_merge(s, "main", "dev", NULL, NULL, NULL, NULL, key,
                               sizeof key),
             -ATOLL_EEXIST);
    CHECK_STR(key, "n");
    expect(s, "main", "n", "13"); /* nothing committed */
    /* Counter for n, last-writer-wins for w: dev's head is newer. */
    CHECK_EQ(atoll_store_branch_create(s, "try", "main"), 0);
    CHECK_EQ(atoll_store_merge(s, "try", "dev", atoll_store_merge_lww, NULL,
                               NULL, NULL, NULL, 0),
             0);
    expect(s, "try", "w", "theirs");
    expect(s, "try", "n", "15");
    CHECK_EQ(atoll_store_merge(s, "main", "dev", atoll_store_merge_counter,
                               NULL, NULL, NULL, key, sizeof key),
             -ATOLL_EEXIST); /* w is not a number */
    CHECK_STR(key, "w");
    set(s, "dev", "w", "ours", NULL); /* now only n differs */
    CHECK_EQ(atoll_store_merge(s, "main", "dev", atoll_store_merge_counter,
                               NULL, NULL, NULL, NULL, 0),
             0);
    expect(s, "main", "n", "18");
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "merge functions: conflict, last-writer-wins, counter")
{
    RUN(t_merge_fns);
}

static int t_criss_cross(void *arg)
{
    /*      a1 -- a2 ---- M1 (main)
     *     /       \     /
     *  base        \   /
     *     \         \ /
     *      b1 ------ X --- M2 (dev)     (criss-cross: M1 and M2 each merge
     *  a2 and b1, so main and dev have two best common ancestors.) */
    struct atoll_store *s = open_mem();
    set(s, "main", "n", "0", NULL);
    CHECK_EQ(atoll_store_branch_create(s, "dev", "main"), 0);
    set(s, "main", "n", "1", NULL); /* main +1 */
    set(s, "main", "m", "x", NULL);
    set(s, "dev", "n", "2", NULL); /* dev +2 */
    set(s, "dev", "d", "y", NULL);
    atoll_store_id a2, b1;
    CHECK_EQ(atoll_store_head(s, "main", &a2), 0);
    CHECK_EQ(atoll_store_head(s, "dev", &b1), 0);
    char h_a2[65], h_b1[65];
    atoll_store_id_hex(&a2, h_a2);
    atoll_store_id_hex(&b1, h_b1);
    CHECK_EQ(atoll_store_merge(s, "main", h_b1, atoll_store_merge_counter, NULL,
                               NULL, NULL, NULL, 0),
             0);
    CHECK_EQ(atoll_store_merge(s, "dev", h_a2, atoll_store_merge_counter, NULL,
                               NULL, NULL, NULL, 0),
             0);
    expect(s, "main", "n", "3");
    expect(s, "dev", "n", "3");
    set(s, "main", "n", "13", NULL); /* main +10 */
    set(s, "dev", "n", "103", NULL); /* dev +100 */
    /* The recursive virtual base has n = 3 (0 +1 +2): the right answer is
     * 113; a single arbitrary base (n = 1 or 2) would give 115 or 114. */
    CHECK_EQ(atoll_store_merge(s, "main", "dev", atoll_store_merge_counter,
                               NULL, NULL, NULL, NULL, 0),
             0);
    expect(s, "main", "n", "113");
    expect(s, "main", "m", "x");
    expect(s, "main", "d", "y");
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "merge: criss-cross ancestors use a recursive virtual base")
{
    RUN(t_criss_cross);
}

/* ---- watches
 * ----------------------------------------------------------------- */

struct watch_job {
    struct atoll_store *s;
    int rc;
    atoll_time_t woke;
};

static int watcher(void *arg)
{
    struct watch_job *j = arg;
    j->rc = atoll_store_watch(j->s, "main", "k", NULL, NULL,
                              atoll_after(ATOLL_SEC(60)));
    j->woke = atoll_now();
    return 0;
}

static int t_watch(void *arg)
{
    struct atoll_store *s = open_mem();
    set(s, "main", "k", "1", NULL);
    struct watch_job j = {s, 99, 0};
    atoll_fiber *f;
    CHECK_EQ(atoll_fiber_spawn(&f, "watcher", watcher, &j, 0), 0);
    atoll_sleep(ATOLL_SEC(1));
    set(s, "main", "other", "x", NULL); /* not the watched key */
    atoll_sleep(ATOLL_SEC(1));
    CHECK_EQ(j.rc, 99);
    set(s, "main", "k", "2", NULL);
    CHECK_EQ(atoll_fiber_join(f, ATOLL_NEVER, NULL), 0);
    CHECK_EQ(j.rc, 0);
    CHECK_EQ(j.woke, ATOLL_SEC(2));
    /* A branch watch with a deadline times out. */
    CHECK_EQ(atoll_store_watch(s, "main", NULL, NULL, NULL,
                               atoll_after(ATOLL_SEC(3))),
             -ATOLL_ETIMEDOUT);
    atoll_store_close(s);
    return 0;
}

TEST(store_api, "watch wakes on the key's change only, and times out")
{
    RUN(t_watch);
}

/* ---- object format
 * ----------------------------------------------------------- */

static int t_objects(void *arg)
{
    uint8_t *o;
    size_t n;
    atoll_store_id id;
    char hex[65];
    /* Values printed by git 2.39 `git hash-object` in a repository made
     * with `git init --object-format=sha256`. */
    CHECK_EQ(store_obj_frame(OBJ_BLOB, "hello", 5, &o, &n, &id), 0);
    atoll_store_id_hex(&id, hex);
    CHECK_STR(
        hex,
        "8aec4e4876f854f688d0ebfc8f37598f38e5fd6903cccc850ca36591175aeb60");
    CHECK_EQ(n, 12);
    CHECK_MEM(o, "blob 5\0hello", 12);
    atoll_free(o);
    CHECK_EQ(store_obj_frame(OBJ_BLOB, "", 0, &o, &n, &id), 0);
    atoll_store_id_hex(&id, hex);
    CHECK_STR(
        hex,
        "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813");
    atoll_free(o);
    /* git's tree order. */
    CHECK(store_tree_cmp("a.txt", false, "a", true) < 0);
    CHECK(store_tree_cmp("a", true, "a0", false) < 0);
    CHECK(store_tree_cmp("a", false, "a.txt", false) < 0);
    CHECK(store_tree_cmp("a", false, "a", true) < 0);
    /* Tree and commit round trips. */
    struct store_tree t = {0}, t2;
    struct store_tree_entry e[2] = {{"b", false, {{1}}}, {"a", true, {{2}}}};
    t.e = e;
    t.n = t.cap = 2;
    uint8_t *p;
    size_t pl;
    CHECK_EQ(store_tree_encode(&t, &p, &pl), 0);
    CHECK_EQ(pl, 6 + 2 + 32 + 7 + 2 + 32);
    CHECK_MEM(p, "40000 a\0", 8);
    CHECK_EQ(store_tree_decode(p, pl, &t2), 0);
    CHECK_EQ(t2.n, 2);
    CHECK_STR(t2.e[0].name, "a");
    CHECK(t2.e[0].dir);
    store_tree_free(&t2);
    CHECK_EQ(store_tree_decode(p, pl - 1, &t2), -ATOLL_EBADMSG);
    atoll_free(p);
    atoll_store_id par = {{7}};
    struct store_commit c = {.tree = {{9}},
                             .parents = &par,
                             .nparents = 1,
                             .author = "A <a@b>",
                             .time = 1234,
                             .message = "hi"},
                        c2;
    CHECK_EQ(store_commit_encode(&c, &p, &pl), 0);
    CHECK_EQ(store_commit_decode(p, pl, &c2), 0);
    CHECK_STR(c2.author, "A <a@b>");
    CHECK_EQ(c2.time, 1234);
    CHECK_STR(c2.message, "hi\n");
    CHECK_EQ(c2.nparents, 1);
    CHECK_MEM(c2.parents[0].b, par.b, 32);
    CHECK(strstr((char *)p, "\nauthor A <a@b> 1234 +0000\ncommitter A <a@b> "
                            "1234 +0000\n\nhi\n") != NULL);
    store_commit_free(&c2);
    atoll_free(p);
    return 0;
}

TEST(store_api, "git object format: blob ids equal git's, tree order, "
                "round trips")
{
    RUN(t_objects);
}
