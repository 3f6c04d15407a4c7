/*
 * lib/store/store_int.h - internals of the versioned store shared by its
 * files, the host tool (tools/atoll/store_cmd.c), the tests and the fuzz
 * target: git object encoding and decoding, the id hash map, the block
 * backend's object cache, CRC-32C and the block log's record format.
 *
 * Everything declared here is pure (no runtime, no scheduler): the host
 * tool links these files without libatoll's core, providing only
 * atoll_malloc/atoll_free/atoll_realloc.
 */
#ifndef ATOLL_STORE_INT_H
#define ATOLL_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/fiber.h"
#include "atoll/store.h"

/* ---- git objects (object.c) ---------------------------------------------- */

enum store_obj_type { OBJ_BLOB = 1, OBJ_TREE, OBJ_COMMIT };

/* Frame a payload as a git object ("<type> <len>\0" + payload) and hash
 * it.  *obj from atoll_malloc.  0 or -ATOLL_ENOMEM. */
int store_obj_frame(enum store_obj_type t, const void *payload, size_t len,
                    uint8_t **obj, size_t *objlen, atoll_store_id *id);
/* The id of a framed object. */
void store_obj_hash(const void *obj, size_t len, atoll_store_id *id);
/* Split a framed object: its type and payload (pointing into obj).
 * 0 or -ATOLL_EBADMSG. */
int store_obj_parse(const uint8_t *obj, size_t len, enum store_obj_type *t,
                    const uint8_t **payload, size_t *plen);

struct store_tree_entry {
    char *name;
    bool dir;
    atoll_store_id id;
};
struct store_tree {
    struct store_tree_entry *e;
    size_t n, cap;
};
/* Decode a tree payload (modes 100644/100755/120000 are values, 40000
 * folders; names non-empty without '/').  -ATOLL_EBADMSG, -ENOMEM. */
int store_tree_decode(const uint8_t *p, size_t len, struct store_tree *out);
/* Encode (sorts the entries into git's order first). */
int store_tree_encode(struct store_tree *t, uint8_t **payload, size_t *len);
void store_tree_free(struct store_tree *t);
/* git's entry order: names compared bytewise, a folder as if "name/". */
int store_tree_cmp(const char *a, bool adir, const char *b, bool bdir);

struct store_commit {
    atoll_store_id tree;
    atoll_store_id *parents;
    size_t nparents;
    char *author; /* "Name <email>" */
    int64_t time;
    char *message;
};
int store_commit_decode(const uint8_t *p, size_t len, struct store_commit *out);
int store_commit_encode(const struct store_commit *c, uint8_t **payload,
                        size_t *len);
void store_commit_free(struct store_commit *c);

void store_hex(const uint8_t *b, size_t n, char *out);

/* ---- id -> value hash map (idmap.c) ----------------------------------------
 */

struct store_idmap_slot {
    atoll_store_id id;
    uint64_t val;
    uint32_t len;
    bool used;
};
struct store_idmap {
    struct store_idmap_slot *slots;
    size_t cap, n; /* cap a power of two or 0 */
};
/* Insert or overwrite.  0 or -ATOLL_ENOMEM. */
int store_idmap_put(struct store_idmap *m, const atoll_store_id *id,
                    uint64_t val, uint32_t len);
struct store_idmap_slot *store_idmap_get(const struct store_idmap *m,
                                         const atoll_store_id *id);
/* Make room for `n` entries in all, so that putting up to that many
 * cannot fail.  0 or -ATOLL_ENOMEM. */
int store_idmap_reserve(struct store_idmap *m, size_t n);
void store_idmap_free(struct store_idmap *m);

/* ---- the block backend's object cache (objcache.c) -------------------------
 */

struct store_cache_ent;
struct store_cache {
    struct store_cache_ent **buckets;
    size_t nbuckets; /* a power of two or 0 */
    size_t n;        /* entries */
    size_t bytes;    /* entries with their bookkeeping, and the buckets */
    size_t limit;    /* bytes stays at or below it */
    struct store_cache_ent *newest, *oldest;
    uint64_t hits, misses;
};
/* An empty cache of at most `limit` bytes (0: keeps nothing). */
void store_cache_init(struct store_cache *c, size_t limit);
/* A copy of the cached object (*obj from atoll_malloc), made the most
 * recently used.  0, -ATOLL_ENOENT (not cached), -ATOLL_ENOMEM. */
int store_cache_get(struct store_cache *c, const atoll_store_id *id,
                    uint8_t **obj, size_t *len);
/* Keep a copy of a verified or durable object, evicting the least
 * recently used as needed.  Best effort: an object over limit/8, an
 * allocation failure or one already cached leave the cache as it was. */
void store_cache_put(struct store_cache *c, const atoll_store_id *id,
                     const void *obj, size_t len);
/* Change the limit, evicting at once down to it. */
void store_cache_set_limit(struct store_cache *c, size_t limit);
/* Drop everything (the cache stays usable, empty). */
void store_cache_free(struct store_cache *c);

/* ---- checksums (crc32c.c) --------------------------------------------------
 */

uint32_t store_crc32c(uint32_t crc, const void *data, size_t len);

/* ---- block log records (block_record.c) ------------------------------------
 */

/*
 * A record: 16-byte header {u32 magic "ASR1", u8 type, 3 zero bytes,
 * u32 payload length, u32 CRC-32C over header bytes 0..11 and the
 * payload}, then the payload.  All integers little-endian.
 *   REC_OBJECT payload: 32-byte id, then the framed git object.
 *   REC_REF    payload: 32-byte id (all zero: deleted), u16 name length,
 *              the name.
 *   REC_PAD    payload: zeroes up to the end of the sector.
 */
#define STORE_REC_MAGIC 0x31525341u /* "ASR1" */
#define STORE_REC_HDR   16
enum store_rec_type { REC_OBJECT = 1, REC_REF = 2, REC_PAD = 3 };

struct store_record {
    enum store_rec_type type;
    uint32_t len;           /* payload length */
    const uint8_t *payload; /* into the buffer */
    atoll_store_id id;      /* OBJECT, REF */
    const uint8_t *obj;     /* OBJECT: the framed object */
    size_t objlen;          /* OBJECT */
    const char *name;       /* REF: not NUL-terminated */
    size_t namelen;         /* REF */
    bool deleted;           /* REF */
};

/* Parse the header at buf (len bytes available).  Returns the record's
 * total size (header + payload) and fills *out; -ATOLL_EAGAIN if more
 * bytes are needed (*need gets the total); -ATOLL_ECORRUPT (bad magic,
 * checksum) or -ATOLL_EBADMSG (bad payload). */
int store_record_parse(const uint8_t *buf, size_t len, struct store_record *out,
                       size_t *need);
/* Append a record to a buffer that has room: returns its size. */
size_t store_record_put(uint8_t *buf, enum store_rec_type t, const void *a,
                        size_t alen, const void *b, size_t blen);

/* The superblock (one sector each at sectors 0 and 1; slot = gen & 1). */
#define STORE_SB_MAGIC "ATOLLSTR"
#define STORE_SB_SIZE  40 /* fields; the CRC ends the sector */
struct store_sb {
    uint32_t version, sector_size;
    uint64_t generation, log_end, records;
};
/* 0 valid; -ATOLL_ENOENT no magic (blank); -ATOLL_ECORRUPT magic but bad
 * checksum or fields. */
int store_sb_decode(const uint8_t *buf, size_t ss, struct store_sb *out);
/* Fill a whole sector of `ss` bytes. */
void store_sb_encode(const struct store_sb *sb, uint8_t *buf, size_t ss);

/* ---- the repository (store.c), seen by merge.c and watch.c -----------------
 */

struct atoll_store {
    struct atoll_store_backend *be;
    char *author;
    struct atoll_wclock *clock;
    atoll_event changed;                      /* watch.c: broadcast */
    void (*on_change)(struct atoll_store *s); /* set by watch.c */
    struct atoll_store_stats stats;           /* the counters of store.c */
};

/* A flat view of a tree: every value's full key and blob id, sorted by
 * key bytewise. */
struct store_flat_entry {
    char *key;
    atoll_store_id id;
};
struct store_flat {
    struct store_flat_entry *e;
    size_t n, cap;
};
int store_flatten(struct atoll_store *s, const atoll_store_id *tree,
                  struct store_flat *out);
void store_flat_free(struct store_flat *f);

/* Write an object through the backend (staged).  *id gets its id. */
int store_put(struct atoll_store *s, enum store_obj_type t, const void *p,
              size_t len, atoll_store_id *id);
/* Read an object and check its type (and, for safety, its id). */
int store_get(struct atoll_store *s, const atoll_store_id *id,
              enum store_obj_type t, uint8_t **obj, const uint8_t **payload,
              size_t *plen);
int store_read_commit(struct atoll_store *s, const atoll_store_id *id,
                      struct store_commit *out);
/* Build a tree from a flat view: *tree gets the root id (staged). */
int store_tree_from_flat(struct atoll_store *s, const struct store_flat *f,
                         atoll_store_id *tree);
/* Write a commit (tree, parents) and move `branch` to it, durably. */
int store_make_commit(struct atoll_store *s, const char *branch,
                      const atoll_store_id *tree, const atoll_store_id *parents,
                      size_t nparents, const char *message,
                      atoll_store_id *commit);
/* Set a ref durably (no commit object): fast-forward, branch create. */
int store_set_ref(struct atoll_store *s, const char *name,
                  const atoll_store_id *id);
int store_commit_tree(struct atoll_store *s, const atoll_store_id *commit,
                      atoll_store_id *tree);
/* The blob id at `key` in `tree`: 0 or -ATOLL_ENOENT (absent, folder). */
int store_key_blob(struct atoll_store *s, const atoll_store_id *tree,
                   const char *key, atoll_store_id *blob);
/* A blob's bytes (atoll_malloc, NUL-terminated). */
int store_read_blob(struct atoll_store *s, const atoll_store_id *id, void **val,
                    size_t *len);
bool store_branch_name_ok(const char *name);
/* Is `anc` an ancestor of (or equal to) `desc`? 1/0 or an error. */
int store_is_ancestor(struct atoll_store *s, const atoll_store_id *anc,
                      const atoll_store_id *desc);

#endif
