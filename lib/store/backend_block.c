/*
 * lib/store/backend_block.c - the block-device backend of the versioned
 * store: an append-only log of checksummed records after two superblocks
 * written alternately.  Layout and crash-safety argument: docs/store.md.
 *
 * In short: sectors 0 and 1 hold superblocks (generation, end of the log,
 * CRC); the log starts at sector 2.  A commit appends its records (the new
 * objects, then the ref updates, padded to a whole sector so that no
 * later write ever touches a sector holding committed data), flushes,
 * then writes the superblock of the next generation into the slot that
 * holds the older one, and flushes again.  That superblock write is the
 * commit point: before it, the previous superblock describes the previous
 * state; a torn superblock fails its CRC and the other slot is used.
 *
 * Opening reads both superblocks, takes the valid one with the highest
 * generation, and replays the log up to its end, verifying every record's
 * CRC: the object index (id -> offset) and the refs are rebuilt in memory.
 * Nothing on the device is followed before its checksum has been checked.
 *
 * After a write or flush error other than ENOSPC/EBUSY (which promise that
 * nothing changed) the device's state is unknown, so the backend refuses
 * every later change with -ATOLL_EIO until reopened, which rereads the
 * truth from the device.
 *
 * Invariants of the log (atoll/invariant.h), checked as it changes: the
 * log ends on a sector boundary inside the device; a transaction is
 * whole sectors when written; every record the index points at lies
 * inside the committed log, every staged one inside the transaction;
 * the superblock's generation grows by one per commit; refs stay sorted
 * by name without duplicates (walked at level 2).
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/invariant.h"
#include "atoll/mem.h"
#include "atoll/tunables.h"
#include "store_int.h"

#define LOG_FIRST_SECTOR 2
#define SCAN_WINDOW      (256 * 1024) /* bytes read per request when scanning */
#define WRITE_CHUNK      256          /* sectors per write request */

struct blk_ref {
    char *name;
    atoll_store_id id;
};

struct blk {
    struct atoll_store_backend be;
    struct atoll_block *dev;
    uint32_t ss;
    uint64_t nsect;
    unsigned flags;
    bool failed;    /* a write failed: refuse changes until reopened */
    bool recovered; /* opened from the older superblock */
    struct store_sb sb;
    struct store_idmap index; /* val: record offset in the log; len: size */
    struct blk_ref *refs;     /* sorted by name */
    size_t nrefs;
    /* The transaction being staged: records not yet on the device. */
    uint8_t *txn;
    size_t txn_len, txn_cap;
    uint64_t txn_records;
    struct store_idmap staged; /* val: offset in txn */
    struct store_cache cache;  /* committed objects, verified */
    uint64_t flushes;          /* device flushes asked for */
};

static int txn_reserve(struct blk *b, size_t more)
{
    if (b->txn_len + more <= b->txn_cap)
        return 0;
    size_t nc = b->txn_cap ? b->txn_cap : 4096;
    while (nc < b->txn_len + more)
        nc *= 2;
    uint8_t *p = atoll_realloc(b->txn, nc);
    if (!p)
        return -ATOLL_ENOMEM;
    b->txn = p;
    b->txn_cap = nc;
    return 0;
}

/* The committed log and the ref table, after open and after each commit. */
static void log_check(const struct blk *b)
{
    ATOLL_ASSERT(b->sb.log_end % b->ss == 0);
    ATOLL_ASSERT(b->sb.log_end <= (b->nsect - LOG_FIRST_SECTOR) * b->ss);
    ATOLL_ASSERT(b->txn_len <= b->txn_cap);
    if (ATOLL_INVARIANTS < 2)
        return;
    for (size_t i = 1; i < b->nrefs; i++)
        ATOLL_ASSERT_SLOW(strcmp(b->refs[i - 1].name, b->refs[i].name) < 0);
    for (size_t i = 0; i < b->index.cap; i++) {
        const struct store_idmap_slot *s = &b->index.slots[i];
        ATOLL_ASSERT_SLOW(!s->used || (s->len >= STORE_REC_HDR &&
                                       s->val + s->len <= b->sb.log_end));
    }
}

static void txn_clear(struct blk *b)
{
    b->txn_len = 0;
    b->txn_records = 0;
    store_idmap_free(&b->staged);
}

/* Read `len` bytes at log offset `off` into a fresh buffer. */
static int read_log(struct blk *b, uint64_t off, size_t len, uint8_t **out,
                    size_t *skip)
{
    uint64_t first = LOG_FIRST_SECTOR + off / b->ss;
    uint64_t last = LOG_FIRST_SECTOR + (off + len + b->ss - 1) / b->ss;
    size_t n = (size_t)(last - first);
    uint8_t *buf = atoll_malloc(n * b->ss);
    if (!buf)
        return -ATOLL_ENOMEM;
    int rc = atoll_block_read(b->dev, first, buf, n);
    if (rc < 0) {
        atoll_free(buf);
        return rc;
    }
    *out = buf;
    *skip = (size_t)(off % b->ss);
    return 0;
}

static int blk_read(void *st, const atoll_store_id *id, uint8_t **obj,
                    size_t *len)
{
    struct blk *b = st;
    struct store_record r;
    struct store_idmap_slot *s = store_idmap_get(&b->staged, id);
    uint8_t *buf = NULL;
    if (s) {
        ATOLL_ASSERT(s->val + s->len <= b->txn_len);
        store_record_parse(b->txn + s->val, b->txn_len - s->val, &r, NULL);
    } else {
        int rc = store_cache_get(&b->cache, id, obj, len);
        if (rc != -ATOLL_ENOENT)
            return rc;
        s = store_idmap_get(&b->index, id);
        if (!s)
            return -ATOLL_ENOENT;
        ATOLL_ASSERT(s->val + s->len <= b->sb.log_end);
        size_t skip;
        rc = read_log(b, s->val, s->len, &buf, &skip);
        if (rc < 0)
            return rc;
        rc = store_record_parse(buf + skip, s->len, &r, NULL);
        if (rc < 0 || r.type != REC_OBJECT || memcmp(r.id.b, id->b, 32)) {
            atoll_free(buf);
            return -ATOLL_ECORRUPT;
        }
        /* The CRC guards against damage; the id against a record that is
         * intact but not the one the index meant. */
        atoll_store_id check;
        store_obj_hash(r.obj, r.objlen, &check);
        if (memcmp(check.b, id->b, 32)) {
            atoll_free(buf);
            return -ATOLL_ECORRUPT;
        }
        store_cache_put(&b->cache, id, r.obj, r.objlen);
    }
    uint8_t *p = atoll_malloc(r.objlen);
    if (p)
        memcpy(p, r.obj, r.objlen);
    atoll_free(buf);
    if (!p)
        return -ATOLL_ENOMEM;
    *obj = p;
    *len = r.objlen;
    return 0;
}

static int blk_has(void *st, const atoll_store_id *id)
{
    struct blk *b = st;
    return store_idmap_get(&b->index, id) || store_idmap_get(&b->staged, id);
}

static int blk_write(void *st, const atoll_store_id *id, const void *obj,
                     size_t len)
{
    struct blk *b = st;
    if (b->flags & ATOLL_STORE_READONLY)
        return -ATOLL_EPERM;
    if (blk_has(b, id))
        return 0;
    if (len > (1u << 29))
        return -ATOLL_EMSGSIZE;
    int rc = txn_reserve(b, STORE_REC_HDR + 32 + len);
    if (rc < 0)
        return rc;
    size_t off = b->txn_len;
    size_t n = store_record_put(b->txn + off, REC_OBJECT, id->b, 32, obj, len);
    rc = store_idmap_put(&b->staged, id, off, (uint32_t)n);
    if (rc < 0)
        return rc;
    b->txn_len += n;
    b->txn_records++;
    return 0;
}

static struct blk_ref *find_ref(struct blk *b, const char *name, size_t nl,
                                size_t *pos)
{
    size_t lo = 0, hi = b->nrefs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(b->refs[mid].name, name, nl);
        if (c == 0 && b->refs[mid].name[nl])
            c = 1;
        if (c == 0)
            return &b->refs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return NULL;
}

/* Apply one ref change in memory.  A new ref takes its name from
 * *spare when that is set (made before a commit point, so that
 * publishing the commit cannot fail), else allocates it.  0 or
 * -ATOLL_ENOMEM. */
static int apply_ref(struct blk *b, const char *name, size_t nl,
                     const atoll_store_id *id, char **spare)
{
    size_t pos = 0;
    struct blk_ref *r = find_ref(b, name, nl, &pos);
    if (r && id) {
        r->id = *id;
    } else if (r) {
        atoll_free(r->name);
        size_t k = (size_t)(r - b->refs);
        memmove(r, r + 1, (b->nrefs - k - 1) * sizeof *r);
        b->nrefs--;
    } else if (id) {
        void *nr = atoll_realloc(b->refs, (b->nrefs + 1) * sizeof *b->refs);
        if (!nr)
            return -ATOLL_ENOMEM;
        b->refs = nr;
        char *s = spare && *spare ? *spare : atoll_malloc(nl + 1);
        if (!s)
            return -ATOLL_ENOMEM;
        if (spare)
            *spare = NULL;
        memcpy(s, name, nl);
        s[nl] = 0;
        memmove(&b->refs[pos + 1], &b->refs[pos],
                (b->nrefs - pos) * sizeof *b->refs);
        b->refs[pos].name = s;
        b->refs[pos].id = *id;
        b->nrefs++;
    }
    return 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        atoll_free(names[i]);
    atoll_free(names);
}

static int blk_ref_get(void *st, const char *name, atoll_store_id *id)
{
    struct blk_ref *r = find_ref(st, name, strlen(name), NULL);
    if (!r)
        return -ATOLL_ENOENT;
    *id = r->id;
    return 0;
}

static int blk_ref_list(void *st,
                        int (*fn)(const char *, const atoll_store_id *, void *),
                        void *arg)
{
    struct blk *b = st;
    for (size_t i = 0; i < b->nrefs; i++) {
        int rc = fn(b->refs[i].name, &b->refs[i].id, arg);
        if (rc)
            return rc;
    }
    return (int)b->nrefs;
}

static void blk_abort(void *st)
{
    txn_clear(st);
}

/* A device error: ENOSPC and EBUSY promise nothing changed; anything else
 * leaves the device in an unknown state. */
static int dev_error(struct blk *b, int rc)
{
    if (rc != -ATOLL_ENOSPC && rc != -ATOLL_EBUSY)
        b->failed = true;
    txn_clear(b);
    return rc;
}

static int blk_commit(void *st, const struct atoll_store_ref_update *ups,
                      size_t n)
{
    struct blk *b = st;
    if (b->flags & ATOLL_STORE_READONLY) {
        txn_clear(b);
        return -ATOLL_EPERM;
    }
    if (b->failed) {
        txn_clear(b);
        return -ATOLL_EIO;
    }
    static const uint8_t zero[32];
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(ups[i].name);
        uint8_t len2[2] = {(uint8_t)nl, (uint8_t)(nl >> 8)};
        uint8_t head[34];
        memcpy(head, ups[i].id ? ups[i].id->b : zero, 32);
        memcpy(head + 32, len2, 2);
        int rc = txn_reserve(b, STORE_REC_HDR + 34 + nl);
        if (rc < 0) {
            txn_clear(b);
            return rc;
        }
        b->txn_len += store_record_put(b->txn + b->txn_len, REC_REF, head, 34,
                                       ups[i].name, nl);
        b->txn_records++;
    }
    /* Pad to a whole sector with a pad record (so every byte of the log
     * is covered by a checksum): the next commit starts on a fresh
     * sector.  Too little room for a header: pad into one more sector. */
    size_t rem = (b->ss - b->txn_len % b->ss) % b->ss;
    if (rem && rem < STORE_REC_HDR)
        rem += b->ss;
    int rc = txn_reserve(b, rem);
    if (rc < 0) {
        txn_clear(b);
        return rc;
    }
    if (rem) {
        uint8_t *pad = b->txn + b->txn_len;
        memset(pad + STORE_REC_HDR, 0, rem - STORE_REC_HDR);
        /* The payload is the zeroes already in place (put moves it onto
         * itself). */
        store_record_put(pad, REC_PAD, NULL, 0, pad + STORE_REC_HDR,
                         rem - STORE_REC_HDR);
    }
    b->txn_len += rem;
    ATOLL_ASSERT(b->txn_len % b->ss == 0 && b->txn_len <= b->txn_cap);

    /* Everything publishing needs, before the commit point: room for the
     * refs and the index, and the names of new refs.  Once the
     * superblock is written the commit is durable, and the in-memory
     * view must follow it without a chance of failing. */
    void *nr = atoll_realloc(b->refs, (b->nrefs + n + 1) * sizeof *b->refs);
    if (nr)
        b->refs = nr;
    char **names = nr ? atoll_calloc(n + 1, sizeof *names) : NULL;
    if (!names ||
        store_idmap_reserve(&b->index, b->index.n + b->staged.n) < 0) {
        atoll_free(names);
        txn_clear(b);
        return -ATOLL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(ups[i].name);
        if (!ups[i].id || find_ref(b, ups[i].name, nl, NULL))
            continue;
        if (!(names[i] = atoll_malloc(nl + 1))) {
            free_names(names, n);
            txn_clear(b);
            return -ATOLL_ENOMEM;
        }
    }

    uint64_t sectors = b->txn_len / b->ss;
    uint64_t at = LOG_FIRST_SECTOR + b->sb.log_end / b->ss;
    if (at + sectors > b->nsect) {
        free_names(names, n);
        txn_clear(b);
        return -ATOLL_ENOSPC;
    }
    for (uint64_t k = 0; k < sectors; k += WRITE_CHUNK) {
        size_t cnt =
            sectors - k < WRITE_CHUNK ? (size_t)(sectors - k) : WRITE_CHUNK;
        rc = atoll_block_write(b->dev, at + k, b->txn + k * b->ss, cnt);
        if (rc < 0) {
            free_names(names, n);
            return dev_error(b, rc);
        }
    }
    b->flushes++;
    rc = atoll_block_flush(b->dev);
    if (rc < 0) {
        free_names(names, n);
        return dev_error(b, rc);
    }

    struct store_sb nsb = b->sb;
    nsb.version = 1;
    nsb.sector_size = b->ss;
    nsb.generation++;
    nsb.log_end += b->txn_len;
    nsb.records += b->txn_records;
    uint8_t *sec = atoll_calloc(1, b->ss);
    if (!sec) {
        free_names(names, n);
        txn_clear(b);
        return -ATOLL_ENOMEM;
    }
    store_sb_encode(&nsb, sec, b->ss);
    rc = atoll_block_write(b->dev, nsb.generation & 1, sec, 1);
    atoll_free(sec);
    if (rc == 0) {
        b->flushes++;
        rc = atoll_block_flush(b->dev);
    }
    if (rc < 0) {
        /* Even ENOSPC/EBUSY here: the log is ahead of the superblock,
         * which is safe, but stop rather than reason about it further. */
        b->failed = true;
        free_names(names, n);
        txn_clear(b);
        return rc;
    }

    /* Durable: publish in memory. */
    ATOLL_ASSERT(nsb.generation == b->sb.generation + 1 &&
                 nsb.log_end == b->sb.log_end + b->txn_len);
    for (size_t i = 0; i < b->staged.cap; i++) {
        struct store_idmap_slot *s = &b->staged.slots[i];
        ATOLL_ASSERT(!s->used || s->val + s->len <= b->txn_len);
        /* Reserved above: cannot fail. */
        if (!s->used)
            continue;
        if (store_idmap_put(&b->index, &s->id, b->sb.log_end + s->val, s->len) <
            0)
            ATOLL_ASSERT(!"index room was reserved");
        /* Durable now, so it may be cached (the next commit reads the
         * trees this one wrote). */
        store_cache_put(&b->cache, &s->id, b->txn + s->val + STORE_REC_HDR + 32,
                        s->len - STORE_REC_HDR - 32);
    }
    for (size_t i = 0; i < n; i++)
        if (apply_ref(b, ups[i].name, strlen(ups[i].name), ups[i].id,
                      &names[i]) < 0)
            ATOLL_ASSERT(!"ref room and names were reserved");
    free_names(names, n); /* the ones a duplicate update left unused */
    b->sb = nsb;
    txn_clear(b);
    log_check(b);
    return 0;
}

static void blk_free(struct blk *b)
{
    store_idmap_free(&b->index);
    store_idmap_free(&b->staged);
    store_cache_free(&b->cache);
    for (size_t i = 0; i < b->nrefs; i++)
        atoll_free(b->refs[i].name);
    atoll_free(b->refs);
    atoll_free(b->txn);
    atoll_free(b);
}

static void blk_close(void *st)
{
    blk_free(st);
}

static const struct atoll_store_backend_ops blk_ops = {
    .read = blk_read,
    .has = blk_has,
    .write = blk_write,
    .ref_get = blk_ref_get,
    .ref_list = blk_ref_list,
    .commit = blk_commit,
    .abort = blk_abort,
    .close = blk_close,
};

#define WHY(...)                                                               \
    do {                                                                       \
        if (why && whylen)                                                     \
            snprintf(why, whylen, __VA_ARGS__);                                \
    } while (0)

/* Replay the log [0, log_end): rebuild the index and the refs. */
static int replay(struct blk *b, char *why, size_t whylen)
{
    uint64_t end = b->sb.log_end, pos = 0;
    uint8_t *win = NULL;
    uint64_t win_off = 0;
    size_t win_len = 0;
    int rc = 0;
    while (pos < end) {
        size_t need = STORE_REC_HDR;
        struct store_record r;
        int pr;
        for (;;) {
            if (pos < win_off || pos + need > win_off + win_len) {
                /* (Re)load a window starting at pos's sector. */
                if (pos + need > end) {
                    WHY("log record at byte %llu runs past the end of the "
                        "log (%llu)",
                        (unsigned long long)pos, (unsigned long long)end);
                    rc = -ATOLL_ECORRUPT;
                    goto out;
                }
                uint64_t start = pos - pos % b->ss;
                size_t want = SCAN_WINDOW;
                if (need + (pos - start) > want)
                    want = need + (size_t)(pos - start);
                if (start + want > end)
                    want = (size_t)(end - start);
                size_t n = (want + b->ss - 1) / b->ss;
                uint8_t *nw = atoll_realloc(win, n * b->ss);
                if (!nw) {
                    rc = -ATOLL_ENOMEM;
                    goto out;
                }
                win = nw;
                rc = atoll_block_read(b->dev, LOG_FIRST_SECTOR + start / b->ss,
                                      win, n);
                if (rc < 0) {
                    WHY("reading the log at byte %llu: %s",
                        (unsigned long long)start, atoll_strerror(rc));
                    goto out;
                }
                win_off = start;
                win_len = want;
            }
            pr = store_record_parse(win + (pos - win_off),
                                    win_len - (size_t)(pos - win_off), &r,
                                    &need);
            if (pr != -ATOLL_EAGAIN)
                break;
        }
        if (pr < 0) {
            WHY("log record at byte %llu: %s", (unsigned long long)pos,
                pr == -ATOLL_ECORRUPT ? "checksum mismatch or bad header"
                                      : "malformed payload");
            rc = -ATOLL_ECORRUPT;
            goto out;
        }
        if (r.type == REC_OBJECT) {
            rc = store_idmap_put(&b->index, &r.id, pos, (uint32_t)pr);
        } else if (r.type == REC_REF) {
            rc =
                apply_ref(b, r.name, r.namelen, r.deleted ? NULL : &r.id, NULL);
        }
        if (rc < 0)
            goto out;
        pos += (uint64_t)pr;
    }
    /* Every ref must name an object the log holds. */
    for (size_t i = 0; i < b->nrefs; i++)
        if (!store_idmap_get(&b->index, &b->refs[i].id)) {
            WHY("ref '%s' names an object missing from the log",
                b->refs[i].name);
            rc = -ATOLL_ECORRUPT;
            goto out;
        }
out:
    atoll_free(win);
    return rc;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int atoll_store_block_backend(struct atoll_block *dev, unsigned flags,
                              struct atoll_store_backend **out, char *why,
                              size_t whylen)
{
    struct atoll_block_info info;
    atoll_block_info(dev, &info);
    if (info.sector_size < 512 || info.sectors < LOG_FIRST_SECTOR + 1) {
        WHY("device too small or sector size unusable");
        return -ATOLL_EINVAL;
    }
    if (info.read_only)
        flags |= ATOLL_STORE_READONLY;
    struct blk *b = atoll_calloc(1, sizeof *b);
    uint8_t *sec = atoll_malloc(2 * (size_t)info.sector_size);
    if (!b || !sec) {
        atoll_free(b);
        atoll_free(sec);
        return -ATOLL_ENOMEM;
    }
    b->be.ops = &blk_ops;
    b->be.state = b;
    b->dev = dev;
    b->ss = info.sector_size;
    b->nsect = info.sectors;
    b->flags = flags;
    store_cache_init(&b->cache, ATOLL_STORE_CACHE_BYTES);

    int rc = atoll_block_read(dev, 0, sec, 2);
    if (rc < 0) {
        WHY("reading the superblocks: %s", atoll_strerror(rc));
        goto fail;
    }
    struct store_sb sb[2];
    int st[2];
    uint64_t log_cap = (b->nsect - LOG_FIRST_SECTOR) * b->ss;
    for (int i = 0; i < 2; i++) {
        st[i] = store_sb_decode(sec + (size_t)i * b->ss, b->ss, &sb[i]);
        if (st[i] == 0 &&
            (sb[i].sector_size != b->ss || sb[i].log_end > log_cap ||
             sb[i].log_end % b->ss || (sb[i].generation & 1) != (uint64_t)i))
            st[i] = -ATOLL_ECORRUPT;
    }
    if (st[0] == -ATOLL_ENOENT && st[1] == -ATOLL_ENOENT) {
        /* Blank, except perhaps the first bytes of a torn first
         * superblock write (a prefix of the magic). */
        size_t k = 0;
        while (k < 8 && sec[b->ss + k] == (uint8_t)STORE_SB_MAGIC[k])
            k++;
        b->recovered = k > 0;
        if (!all_zero(sec, b->ss) || !all_zero(sec + b->ss + k, b->ss - k)) {
            WHY("not a store: no superblock and the device is not blank");
            rc = -ATOLL_EINVAL;
            goto fail;
        }
        /* Blank: generation 0, empty log; formatted by the first commit. */
    } else if (st[0] == -ATOLL_ENOENT && st[1] == -ATOLL_ECORRUPT) {
        /* The very first superblock write (generation 1, slot 1) was torn:
         * nothing was ever committed.  Start blank. */
        b->recovered = true;
    } else if (st[0] < 0 && st[1] < 0) {
        WHY("both superblocks are damaged (checksum mismatch)");
        rc = -ATOLL_ECORRUPT;
        goto fail;
    } else {
        int best = st[0] < 0                             ? 1
                   : st[1] < 0                           ? 0
                   : sb[0].generation > sb[1].generation ? 0
                                                         : 1;
        b->sb = sb[best];
        /* The other slot damaged: a superblock write torn by a crash (the
         * normal case after power loss) or corruption; either way the
         * older valid one is the last complete commit. */
        b->recovered = st[1 - best] == -ATOLL_ECORRUPT;
    }
    atoll_free(sec);
    sec = NULL;
    rc = replay(b, why, whylen);
    if (rc < 0)
        goto fail;
    log_check(b);
    *out = &b->be;
    return 0;
fail:
    atoll_free(sec);
    blk_free(b);
    return rc;
}

bool atoll_store_block_recovered(struct atoll_store_backend *be)
{
    return be->ops == &blk_ops && ((struct blk *)be->state)->recovered;
}

int atoll_store_block_usage(struct atoll_store_backend *be,
                            struct atoll_store_block_usage *out)
{
    if (be->ops != &blk_ops)
        return -ATOLL_EINVAL;
    struct blk *b = be->state;
    out->log_bytes = b->sb.log_end;
    out->capacity_bytes = (b->nsect - LOG_FIRST_SECTOR) * b->ss;
    out->generation = b->sb.generation;
    out->records = b->sb.records;
    out->cache_bytes = b->cache.bytes;
    out->cache_limit = b->cache.limit;
    out->cache_objects = b->cache.n;
    out->cache_hits = b->cache.hits;
    out->cache_misses = b->cache.misses;
    out->flushes = b->flushes;
    return 0;
}

int atoll_store_block_cache(struct atoll_store_backend *be, size_t bytes)
{
    if (be->ops != &blk_ops)
        return -ATOLL_EINVAL;
    store_cache_set_limit(&((struct blk *)be->state)->cache, bytes);
    return 0;
}
