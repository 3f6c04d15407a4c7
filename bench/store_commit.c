/*
 * bench/store_commit.c - the versioned store against libgit2, in the same
 * run: commits per second and reads per second for small values.
 *
 * Workload (identical on every side): N commits, each setting one key
 * "bench/kNNN" (100 distinct keys, so the folder holds 100 entries) to a
 * ~10-byte value, on branch main, each commit the child of the previous;
 * then N reads of random keys at the branch head.  libgit2 writes the same
 * objects (blob, the "bench" tree, the root tree, the commit, the ref
 * update) into a fresh repository on the same filesystem; libgit2 1.5
 * cannot write sha256 repositories, so its ids are SHA-1 (a cheaper hash:
 * the comparison favours libgit2 slightly).
 *
 * Sides: the store on the memory backend; on the block backend over a
 * file with fdatasync at each commit point (durable, the real thing); the
 * same without the syncs (comparable to libgit2, which does not fsync by
 * default); libgit2 with its defaults.  Ratios are against libgit2.
 * Block-backend reads are answered mostly by the backend's object cache
 * (ATOLL_STORE_CACHE_BYTES, lib/store/objcache.c); libgit2 keeps commits
 * and trees in its own object cache by default.
 */
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/core/runtime.h"
#include "atoll/atoll.h"
#include "atoll/store.h"
#include "atoll/tunables.h"

#define COMMITS 5000
#define READS   50000
#define KEYS    100

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- a file-backed block device (host code, like the unix platform's) ---- */

struct fdev {
    struct atoll_block blk;
    int fd;
    bool sync;
    struct atoll_block_info info;
};

static int f_read(void *st, uint64_t s, void *buf, size_t n)
{
    struct fdev *d = st;
    size_t len = n * 512;
    return pread(d->fd, buf, len, (off_t)(s * 512)) == (ssize_t)len
               ? 0
               : -ATOLL_EIO;
}

static int f_write(void *st, uint64_t s, const void *buf, size_t n)
{
    struct fdev *d = st;
    size_t len = n * 512;
    return pwrite(d->fd, buf, len, (off_t)(s * 512)) == (ssize_t)len
               ? 0
               : -ATOLL_EIO;
}

static int f_flush(void *st)
{
    struct fdev *d = st;
    return !d->sync || fdatasync(d->fd) == 0 ? 0 : -ATOLL_EIO;
}

static void f_info(void *st, struct atoll_block_info *out)
{
    *out = ((struct fdev *)st)->info;
}

static const struct atoll_block_ops f_ops = {f_read, f_write, f_flush, f_info};

/* ---- the store
 * ------------------------------------------------------------------ */

struct result {
    double commits_s, reads_s;
};

static void key_of(int i, char *k, size_t n)
{
    snprintf(k, n, "bench/k%03d", i % KEYS);
}

static int run_store(struct atoll_store_backend *be, struct result *r,
                     int commits)
{
    struct atoll_store *s;
    if (atoll_store_open(be, NULL, &s) < 0)
        return -1;
    char k[32], v[32];
    double t0 = now_s();
    for (int i = 0; i < commits; i++) {
        key_of(i, k, sizeof k);
        int n = snprintf(v, sizeof v, "value %d", i);
        int rc = atoll_store_set(s, "main", k, v, (size_t)n, "bench", NULL);
        if (rc < 0) {
            fprintf(stderr, "store: commit %d: %s\n", i, atoll_strerror(rc));
            return -1;
        }
    }
    double t1 = now_s();
    unsigned x = 12345;
    for (int i = 0; i < READS; i++) {
        x = x * 1103515245 + 12345;
        key_of((int)(x >> 8), k, sizeof k);
        void *val;
        size_t n;
        if (atoll_store_get(s, "main", k, &val, &n) < 0)
            return -1;
        atoll_free(val);
    }
    double t2 = now_s();
    atoll_store_close(s);
    r->commits_s = commits / (t1 - t0);
    r->reads_s = READS / (t2 - t1);
    return 0;
}

static int run_block(const char *path, bool sync, struct result *r, int commits)
{
    struct fdev d = {.blk = {&f_ops, &d}, .sync = sync};
    d.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (d.fd < 0 || ftruncate(d.fd, 256 << 20) != 0)
        return -1;
    d.info = (struct atoll_block_info){512, (256u << 20) / 512, false, "b"};
    struct atoll_store_backend *be;
    char why[160];
    if (atoll_store_block_backend(&d.blk, 0, &be, why, sizeof why) < 0)
        return -1;
    int rc = run_store(be, r, commits);
    close(d.fd);
    unlink(path);
    return rc;
}

/* ---- libgit2
 * --------------------------------------------------------------------- */

#define G(call)                                                                \
    do {                                                                       \
        if ((call) < 0) {                                                      \
            const git_error *ge_ = git_error_last();                           \
            fprintf(stderr, "libgit2: %s: %s\n", #call,                        \
                    ge_ ? ge_->message : "?");                                 \
            return -1;                                                         \
        }                                                                      \
    } while (0)

static int run_libgit2(const char *dir, struct result *r)
{
    git_repository *repo;
    G(git_repository_init(&repo, dir, 1));
    git_signature *sig;
    G(git_signature_new(&sig, "atoll", "atoll@localhost", 0, 0));
    git_oid parent, sub_oid, root_oid, blob, commit_oid;
    bool have_parent = false;
    git_tree *sub = NULL;
    char k[32], v[32];
    double t0 = now_s();
    for (int i = 0; i < COMMITS; i++) {
        key_of(i, k, sizeof k);
        int n = snprintf(v, sizeof v, "value %d", i);
        G(git_blob_create_from_buffer(&blob, repo, v, (size_t)n));
        git_treebuilder *tb;
        G(git_treebuilder_new(&tb, repo, sub));
        G(git_treebuilder_insert(NULL, tb, k + 6, &blob, GIT_FILEMODE_BLOB));
        G(git_treebuilder_write(&sub_oid, tb));
        git_treebuilder_free(tb);
        git_tree_free(sub);
        G(git_tree_lookup(&sub, repo, &sub_oid));
        G(git_treebuilder_new(&tb, repo, NULL));
        G(git_treebuilder_insert(NULL, tb, "bench", &sub_oid,
                                 GIT_FILEMODE_TREE));
        G(git_treebuilder_write(&root_oid, tb));
        git_treebuilder_free(tb);
        git_tree *root;
        G(git_tree_lookup(&root, repo, &root_oid));
        git_commit *pc = NULL;
        if (have_parent)
            G(git_commit_lookup(&pc, repo, &parent));
        const git_commit *parents[1] = {pc};
        G(git_commit_create(&commit_oid, repo, "refs/heads/main", sig, sig,
                            NULL, "bench", root, have_parent ? 1 : 0, parents));
        git_commit_free(pc);
        git_tree_free(root);
        parent = commit_oid;
        have_parent = true;
    }
    double t1 = now_s();
    unsigned x = 12345;
    for (int i = 0; i < READS; i++) {
        x = x * 1103515245 + 12345;
        key_of((int)(x >> 8), k, sizeof k);
        /* What a store get does: resolve the branch, its commit, its tree,
         * the path, the blob. */
        git_reference *ref;
        git_commit *c;
        git_tree *t;
        git_tree_entry *e;
        git_blob *b;
        G(git_reference_lookup(&ref, repo, "refs/heads/main"));
        G(git_commit_lookup(&c, repo, git_reference_target(ref)));
        G(git_commit_tree(&t, c));
        G(git_tree_entry_bypath(&e, t, k));
        G(git_blob_lookup(&b, repo, git_tree_entry_id(e)));
        volatile size_t sz = (size_t)git_blob_rawsize(b);
        (void)sz;
        git_blob_free(b);
        git_tree_entry_free(e);
        git_tree_free(t);
        git_commit_free(c);
        git_reference_free(ref);
    }
    double t2 = now_s();
    git_tree_free(sub);
    git_signature_free(sig);
    git_repository_free(repo);
    r->commits_s = COMMITS / (t1 - t0);
    r->reads_s = READS / (t2 - t1);
    return 0;
}

static int bench_main(void *arg)
{
    char dir[] = "/tmp/atoll-bench-store.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char img[sizeof dir + 16], repo[sizeof dir + 16];
    snprintf(img, sizeof img, "%s/img", dir);
    snprintf(repo, sizeof repo, "%s/git", dir);
    struct result mem, blk, blk_sync, lg;
    struct atoll_store_backend *be;
    if (atoll_store_mem_backend(&be) < 0 || run_store(be, &mem, COMMITS) < 0 ||
        run_block(img, false, &blk, COMMITS) < 0 ||
        run_block(img, true, &blk_sync, COMMITS / 10) < 0 ||
        run_libgit2(repo, &lg) < 0)
        return 1;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    int maj, min, rev;
    git_libgit2_version(&maj, &min, &rev);
    printf("store vs libgit2 %d.%d.%d: %d commits of one small value (100 "
           "keys in a folder; %d with fdatasync), %d reads\n",
           maj, min, rev, COMMITS, COMMITS / 10, READS);
    printf("  %-34s %10s %10s %12s %10s\n", "", "commits/s", "x libgit2",
           "reads/s", "x libgit2");
    struct {
        const char *name;
        struct result *r;
    } rows[] = {{"store, memory backend", &mem},
                {"store, block backend (no sync)", &blk},
                {"store, block backend (fdatasync)", &blk_sync},
                {"libgit2 (loose objects, no fsync)", &lg}};
    for (size_t i = 0; i < 4; i++)
        printf("  %-34s %10.0f %9.1fx %12.0f %9.1fx\n", rows[i].name,
               rows[i].r->commits_s, rows[i].r->commits_s / lg.commits_s,
               rows[i].r->reads_s, rows[i].r->reads_s / lg.reads_s);
    double ratio = mem.commits_s / lg.commits_s;
    printf("goal: commits >= 3x libgit2: memory %.1fx, block (no sync) "
           "%.1fx -> %s\n",
           ratio, blk.commits_s / lg.commits_s,
           ratio >= 3 && blk.commits_s / lg.commits_s >= 3 ? "met" : "NOT met");
    double rr = blk.reads_s / lg.reads_s;
    printf("goal: block-backend reads >= 1x libgit2 (object cache of %u "
           "KiB, ATOLL_STORE_CACHE_BYTES): %.1fx -> %s\n",
           (unsigned)(ATOLL_STORE_CACHE_BYTES / 1024), rr,
           rr >= 1 ? "met" : "NOT met");
    return 0;
}

int main(void)
{
    git_libgit2_init();
    int rc = atoll_test_run(256u << 20, bench_main, NULL);
    git_libgit2_shutdown();
    return rc;
}
