/*
 * atoll/store.h - the versioned store: a git-compatible key-value store
 * with branches, history, merges and watches.
 *
 * NAME
 *     atoll_store_* - open, read, change, merge and watch a repository
 *
 * DESCRIPTION
 *     Values are byte strings stored at key paths such as "a/b/c".  Every
 *     change is a commit with a message, an author and a time (from the
 *     wall clock given at open); branches are named refs to commits.  The
 *     object model is git's, byte for byte, with SHA-256 ids (git's
 *     "sha256" object format): a value is a blob ("blob <len>\0<bytes>"), a
 *     folder a tree ("<mode> <name>\0<32-byte id>" entries, mode 100644
 *     for values and 40000 for folders, in git's order), and a commit
 *     names its tree, its parents, author and committer
 *     ("Name <email> <seconds> +0000") and its message.  `atoll store
 *     export` turns a store into a git repository that git reads as is.
 *
 *     A repository lives on a backend (struct atoll_store_backend): memory
 *     (atoll_store_mem_backend), or an append-only log of checksummed
 *     records on a block device (atoll_store_block_backend; on-disk format
 *     and crash-safety argument in docs/store.md).  A commit is durable
 *     when the call that made it returned 0.
 *
 *     Revisions.  Functions that read take a revision string `rev`: a
 *     branch name, or a commit id in hex (all 64 digits, or a unique
 *     prefix of at least 4 digits of a commit reachable from a branch).
 *     Functions that change take a branch name; a branch that does not
 *     exist yet is created by its first commit.
 *
 *     Keys.  "/"-separated components, each non-empty, not "." or "..",
 *     without NUL; no leading or trailing "/".  Setting "a/b" when "a"
 *     holds a value replaces that value with a folder (and the other way
 *     round).  Removing the last key of a folder removes the folder.
 *
 *     Concurrency.  Fibers are cooperative and no call here suspends
 *     except atoll_store_watch, so each call is atomic with respect to
 *     other fibers; test-and-set is exact.
 *
 * RETURN VALUE
 *     0 or a non-negative count, or a negative ATOLL_E... code:
 *     -ATOLL_ENOENT (no such branch, revision or key), -ATOLL_EINVAL (bad
 *     key, branch name or revision), -ATOLL_ENOMEM, -ATOLL_EEXIST (merge
 *     conflict; branch exists), -ATOLL_EAGAIN (test-and-set: the value was
 *     not the expected one), -ATOLL_ECORRUPT (a checksum or an object did
 *     not verify: never followed), -ATOLL_EBADMSG (a malformed object),
 *     -ATOLL_ENOSPC (device full: nothing committed is lost), -ATOLL_EBUSY,
 *     -ATOLL_EIO (a write failed: the block backend then refuses further
 *     changes until reopened, see docs/store.md), -ATOLL_ETIMEDOUT (watch).
 */
#ifndef ATOLL_STORE_H
#define ATOLL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/block.h"
#include "atoll/time.h"
#include "atoll/wclock.h"

#define ATOLL_STORE_ID_LEN  32
#define ATOLL_STORE_HEX_LEN 64

/* An object id: SHA-256 of the object in git's format. */
typedef struct atoll_store_id {
    uint8_t b[ATOLL_STORE_ID_LEN];
} atoll_store_id;

/* ---- backends ------------------------------------------------------------ */

/* A ref change made durable together with the objects written before it;
 * `id` NULL deletes the ref. */
struct atoll_store_ref_update {
    const char *name;
    const atoll_store_id *id;
};

/*
 * What a backend does.  Objects are raw git objects (header included);
 * writes are staged and become durable, together with ref updates, only
 * at commit, which is atomic.  abort drops what was staged.
 *   read:   *obj is allocated with atoll_malloc (caller frees); -ENOENT,
 *           -ECORRUPT, -EIO, -EBUSY, -ENOMEM.
 *   has:    1 if the object exists (staged or durable), else 0.
 *   write:  stage an object whose id is `id` (the caller computed it).
 *   ref_get: 0 and *id, or -ENOENT.
 *   ref_list: calls fn for each ref in name order; stops on non-zero
 *           (returned); else the number of refs.
 *   commit: make the staged objects and the ref updates durable.
 *   close:  frees the backend (the device itself stays open).
 */
struct atoll_store_backend_ops {
    int (*read)(void *st, const atoll_store_id *id, uint8_t **obj, size_t *len);
    int (*has)(void *st, const atoll_store_id *id);
    int (*write)(void *st, const atoll_store_id *id, const void *obj,
                 size_t len);
    int (*ref_get)(void *st, const char *name, atoll_store_id *id);
    int (*ref_list)(void *st,
                    int (*fn)(const char *name, const atoll_store_id *id,
                              void *arg),
                    void *arg);
    int (*commit)(void *st, const struct atoll_store_ref_update *ups, size_t n);
    void (*abort)(void *st);
    void (*close)(void *st);
};

struct atoll_store_backend {
    const struct atoll_store_backend_ops *ops;
    void *state;
};

/* A backend in memory (gone when closed).  0 or -ATOLL_ENOMEM. */
int atoll_store_mem_backend(struct atoll_store_backend **out);

/* Flags of atoll_store_block_backend. */
#define ATOLL_STORE_READONLY 1u /* never write (host tools, inspection) */

/*
 * A backend on block device `dev`: an append-only log of checksummed
 * records after two alternating superblocks.  A blank (all-zero) device is
 * formatted on first commit.  The whole log is verified when opening.
 * On failure, `why` (if not NULL) receives a one-line explanation, e.g.
 * "log record at byte 4096: checksum mismatch".  Returns 0,
 * -ATOLL_ECORRUPT (damaged image), -ATOLL_EINVAL (not a store, or sector
 * size/geometry unusable), -ATOLL_EBUSY, -ATOLL_EIO, -ATOLL_ENOMEM.  Opening
 * succeeds when only the older superblock is damaged or the newer one was
 * torn by a crash; atoll_store_block_recovered then says so.
 */
int atoll_store_block_backend(struct atoll_block *dev, unsigned flags,
                              struct atoll_store_backend **out, char *why,
                              size_t whylen);
/* True if opening fell back to the older superblock (see above). */
bool atoll_store_block_recovered(struct atoll_store_backend *be);

/* Space accounting of a block backend: bytes of log used and available,
 * and its object cache (see atoll_store_block_cache): bytes held (never
 * above the limit), the limit, objects held, and reads of committed
 * objects it answered or missed.  0 or -ATOLL_EINVAL (not a block
 * backend). */
struct atoll_store_block_usage {
    uint64_t log_bytes, capacity_bytes, generation, records;
    uint64_t cache_bytes, cache_limit, cache_objects, cache_hits, cache_misses;
    uint64_t flushes; /* device flushes asked for (two per commit) */
};
int atoll_store_block_usage(struct atoll_store_backend *be,
                            struct atoll_store_block_usage *out);

/*
 * A block backend keeps objects it has verified or committed in memory,
 * up to `bytes` of heap (ATOLL_STORE_CACHE_BYTES when opened), the least
 * recently used evicted first: a read that hits skips the device, the
 * CRC and the SHA-256 check.  Objects never change, so what it answers
 * is what the device holds.  Setting a smaller limit evicts at once; 0
 * turns the cache off and frees it.  0 or -ATOLL_EINVAL (not a block
 * backend).
 */
int atoll_store_block_cache(struct atoll_store_backend *be, size_t bytes);

/* ---- opening a repository --------------------------------------------------
 */

struct atoll_store;

struct atoll_store_opts {
    const char *author;         /* "Name <email>"; NULL = "atoll
                                   <atoll@localhost>" */
    struct atoll_wclock *clock; /* commit times; NULL = time 0 */
};

/* Open a repository on `be` (which it then owns: atoll_store_close
 * closes it).  0, -ATOLL_EINVAL (bad author), -ATOLL_ENOMEM. */
int atoll_store_open(struct atoll_store_backend *be,
                     const struct atoll_store_opts *opts,
                     struct atoll_store **out);
void atoll_store_close(struct atoll_store *s);

/*
 * What a store did since it was opened, for monitoring (atoll/metrics.h
 * serves them): objects read (every object read from the backend, through
 * the cache or not) and written (staged), with their bytes in git's
 * format; durable commits (each a transaction of the backend: a commit, a
 * branch created or moved); and, on a block backend (zero elsewhere),
 * reads of committed objects the cache answered or missed and the device
 * flushes asked for (atoll_store_block_usage).
 */
struct atoll_store_stats {
    uint64_t objects_read, objects_written;
    uint64_t bytes_read, bytes_written;
    uint64_t commits;
    uint64_t cache_hits, cache_misses;
    uint64_t flushes;
};
void atoll_store_stats(struct atoll_store *s, struct atoll_store_stats *out);

/* The author of the commits made from now on (a store changed by several
 * people, say by a management interface): "Name <email>".  0,
 * -ATOLL_EINVAL (not of that form), -ATOLL_ENOMEM. */
int atoll_store_set_author(struct atoll_store *s, const char *author);

/* The store's backend (for the block backend's usage and recovery). */
struct atoll_store_backend *atoll_store_backend_of(struct atoll_store *s);

/* ---- ids and revisions -----------------------------------------------------
 */

/* 65 bytes: 64 hex digits and NUL. */
void atoll_store_id_hex(const atoll_store_id *id,
                        char out[ATOLL_STORE_HEX_LEN + 1]);
/* Exactly 64 hex digits.  0 or -ATOLL_EINVAL. */
int atoll_store_id_parse(const char *hex, atoll_store_id *out);
/* Resolve a revision (see DESCRIPTION) to a commit id.  0, -ATOLL_ENOENT,
 * -ATOLL_EINVAL (ambiguous prefix), backend errors. */
int atoll_store_resolve(struct atoll_store *s, const char *rev,
                        atoll_store_id *out);

/* ---- branches --------------------------------------------------------------
 */

/* Create branch `name` pointing at revision `from`.  -ATOLL_EEXIST if it
 * exists, -ATOLL_EINVAL for a bad name (same rules as a key, plus no
 * all-hex names of 4 digits or more). */
int atoll_store_branch_create(struct atoll_store *s, const char *name,
                              const char *from);
int atoll_store_branch_delete(struct atoll_store *s, const char *name);
/* Calls fn for each branch in name order; returns the count (or fn's
 * non-zero result, which stops the walk). */
int atoll_store_branches(struct atoll_store *s,
                         int (*fn)(const char *name, const atoll_store_id *head,
                                   void *arg),
                         void *arg);
/* The head commit of a branch.  0 or -ATOLL_ENOENT. */
int atoll_store_head(struct atoll_store *s, const char *branch,
                     atoll_store_id *out);

/* ---- reading ---------------------------------------------------------------
 */

/* The value at `key` in revision `rev`: *val is allocated with
 * atoll_malloc (NUL-terminated for convenience; *len excludes the NUL).
 * -ATOLL_ENOENT if the key is absent or is a folder. */
int atoll_store_get(struct atoll_store *s, const char *rev, const char *key,
                    void **val, size_t *len);

/* The entries directly under folder `prefix` ("" = the root) in `rev`, in
 * git's order; fn's is_dir tells a folder from a value.  Returns the count
 * or fn's non-zero result; -ATOLL_ENOENT if prefix is not a folder. */
int atoll_store_list(struct atoll_store *s, const char *rev, const char *prefix,
                     int (*fn)(const char *name, bool is_dir, void *arg),
                     void *arg);

/* A decoded commit; strings are valid during the callback only. */
struct atoll_store_commit {
    atoll_store_id id, tree;
    const atoll_store_id *parents;
    size_t nparents;
    const char *author; /* "Name <email>" */
    int64_t time;       /* seconds since the epoch */
    const char *message;
};

/* Read one commit (strings valid until atoll_store_commit_free). */
int atoll_store_commit_read(struct atoll_store *s, const atoll_store_id *id,
                            struct atoll_store_commit *out);
void atoll_store_commit_free(struct atoll_store_commit *c);

/* History: the commits reachable from `rev`, newest first (by time, then
 * by discovery order); with `key` not NULL only those where the key's
 * value differs from their first parent's.  Returns the count or fn's
 * non-zero result. */
int atoll_store_log(struct atoll_store *s, const char *rev, const char *key,
                    int (*fn)(const struct atoll_store_commit *c, void *arg),
                    void *arg);

enum atoll_store_change {
    ATOLL_STORE_ADDED = 1,
    ATOLL_STORE_REMOVED,
    ATOLL_STORE_CHANGED
};
/* The keys that differ between revisions `a` and `b`, in key order.
 * Returns the count or fn's non-zero result. */
int atoll_store_diff(struct atoll_store *s, const char *a, const char *b,
                     int (*fn)(const char *key, enum atoll_store_change what,
                               void *arg),
                     void *arg);

/* ---- changing --------------------------------------------------------------
 */

/* Each makes one commit on `branch` and stores its id in *commit (may be
 * NULL).  A NULL message is "set KEY" / "remove KEY".  remove of an
 * absent key: -ATOLL_ENOENT, nothing committed. */
int atoll_store_set(struct atoll_store *s, const char *branch, const char *key,
                    const void *val, size_t len, const char *message,
                    atoll_store_id *commit);
int atoll_store_remove(struct atoll_store *s, const char *branch,
                       const char *key, const char *message,
                       atoll_store_id *commit);
/* Set `key` to val (val NULL: remove it) only if its value is `expect`
 * (expect NULL: only if absent).  -ATOLL_EAGAIN otherwise. */
int atoll_store_test_and_set(struct atoll_store *s, const char *branch,
                             const char *key, const void *expect,
                             size_t expect_len, const void *val, size_t len,
                             const char *message, atoll_store_id *commit);

/* A batch: any number of sets and removes, committed as one commit. */
struct atoll_store_batch;
int atoll_store_batch_begin(struct atoll_store *s, const char *branch,
                            struct atoll_store_batch **out);
int atoll_store_batch_set(struct atoll_store_batch *b, const char *key,
                          const void *val, size_t len);
int atoll_store_batch_remove(struct atoll_store_batch *b, const char *key);
/* Commit and free the batch (also on failure).  An empty batch or one
 * that changes nothing still makes a commit. */
int atoll_store_batch_commit(struct atoll_store_batch *b, const char *message,
                             atoll_store_id *commit);
void atoll_store_batch_abort(struct atoll_store_batch *b);

/* A new commit on `branch` whose tree is revision `to`'s: the state of
 * `to`, with the history kept. */
int atoll_store_revert(struct atoll_store *s, const char *branch,
                       const char *to, const char *message,
                       atoll_store_id *commit);

/* ---- merging ---------------------------------------------------------------
 */

/* One side of a three-way merge for one key. */
struct atoll_store_value {
    bool present;
    const void *data;
    size_t len;
};

/* Context of a merge function call. */
struct atoll_store_merge_ctx {
    const char *key;
    int64_t ours_time, theirs_time; /* commit times of the two heads */
    void *arg;                      /* atoll_store_merge's fn_arg */
};

/*
 * A merge function decides one key that both sides changed differently.
 * Set *out (out->data may point into base/ours/theirs, or to memory from
 * atoll_malloc with *owned = true) and return 0, or return -ATOLL_EEXIST
 * for a conflict.
 */
typedef int (*atoll_store_merge_fn)(const struct atoll_store_merge_ctx *ctx,
                                    const struct atoll_store_value *base,
                                    const struct atoll_store_value *ours,
                                    const struct atoll_store_value *theirs,
                                    struct atoll_store_value *out, bool *owned);

/* Provided: always conflict; the side whose head commit is newer (ours on
 * a tie); counters: values are decimal int64, result ours + theirs - base
 * (absent counts as 0; a non-number is a conflict). */
int atoll_store_merge_conflict(const struct atoll_store_merge_ctx *ctx,
                               const struct atoll_store_value *base,
                               const struct atoll_store_value *ours,
                               const struct atoll_store_value *theirs,
                               struct atoll_store_value *out, bool *owned);
int atoll_store_merge_lww(const struct atoll_store_merge_ctx *ctx,
                          const struct atoll_store_value *base,
                          const struct atoll_store_value *ours,
                          const struct atoll_store_value *theirs,
                          struct atoll_store_value *out, bool *owned);
int atoll_store_merge_counter(const struct atoll_store_merge_ctx *ctx,
                              const struct atoll_store_value *base,
                              const struct atoll_store_value *ours,
                              const struct atoll_store_value *theirs,
                              struct atoll_store_value *out, bool *owned);

/*
 * Merge revision `from` into branch `into`: three-way, key by key, against
 * the merge base.  Keys changed on one side only take that side; keys
 * changed on both sides to the same value take it; otherwise `fn` (NULL =
 * atoll_store_merge_conflict) decides.  Criss-cross histories (several
 * best common ancestors) are merged recursively: the bases are merged
 * first, with the same fn, into a virtual base (a conflict there fails the
 * merge with -ATOLL_EEXIST).  When `into` contains `from` nothing happens;
 * when `from` contains `into` the branch fast-forwards; otherwise a merge
 * commit with parents (into, from) is made.  On conflict nothing is
 * committed and `conflict` (if not NULL) gets the first conflicting key.
 */
int atoll_store_merge(struct atoll_store *s, const char *into, const char *from,
                      atoll_store_merge_fn fn, void *fn_arg,
                      const char *message, atoll_store_id *commit,
                      char *conflict, size_t conflict_len);

/* ---- watching --------------------------------------------------------------
 */

/*
 * Block the calling fiber until branch `branch` moves away from commit
 * `since` (NULL: its head now) and, when `key` is not NULL, the key's value
 * differs from its value at `since`.  *now (may be NULL) gets the new head.
 * 0, -ATOLL_ETIMEDOUT at `deadline` (ATOLL_NEVER: no limit).  Changes
 * made through this atoll_store wake the watchers.
 */
int atoll_store_watch(struct atoll_store *s, const char *branch,
                      const char *key, const atoll_store_id *since,
                      atoll_store_id *now, atoll_time_t deadline);

#endif
