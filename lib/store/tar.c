/*
 * lib/store/tar.c - the "tar" read-only key-value store: a POSIX ustar
 * archive (as GNU tar writes it) on a block device (atoll/kv_ro.h).
 *
 * Format (POSIX.1-2017, pax: "ustar Interchange Format"; GNU tar's manual,
 * "Basic Tar Format"): the archive is a sequence of 512-byte blocks.  Each
 * member is a header block followed by its data, padded to a whole block;
 * the archive ends with zero blocks.  A header holds NUL- or
 * space-terminated text fields: name[100] mode[8] uid[8] gid[8] size[12]
 * mtime[12] chksum[8] typeflag[1] linkname[100] magic[6] version[2]
 * uname[32] gname[32] devmajor[8] devminor[8] prefix[155].  POSIX ustar
 * ("ustar\0" "00") splits long names into prefix "/" name; GNU tar
 * ("ustar " " \0") keeps other data where prefix would be and instead
 * writes an 'L' member whose data is the next member's name.  pax
 * archives write an 'x' member of "LEN key=value\n" records; its path and
 * size override the next header's.  GNU tar writes sizes of 8 GiB and
 * more in base-256 (high bit of the first byte set).
 *
 * The archive is hostile input: every field is parsed within its bounds,
 * no field is assumed to be terminated, every size is checked against the
 * device before it is used, and the index is bounded by
 * ATOLL_KV_RO_TAR_ENTRIES_MAX and ATOLL_KV_RO_TAR_NAMES_MAX.  Open walks
 * the headers once and keeps only the index; values are read from the
 * device when asked for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/sha256.h"
#include "kv_ro_int.h"

ATOLL_LOG_SOURCE(log_kv, "kv_ro");

#define BLK          512
#define PAX_MAX      65536 /* largest pax header we read */
#define READ_SECTORS 64    /* sectors per direct read into a caller buffer */

struct tar {
    struct atoll_kv_ro kv;
    struct atoll_block *blk;
    uint32_t ssize;     /* sector size */
    uint64_t dev_bytes; /* device size in bytes */
    uint8_t *sector;    /* one-sector cache */
    uint64_t cached;    /* which sector it holds */
    bool valid;
    struct kv_ro_entry *e;
    size_t n, cap;
    size_t name_bytes;
};

/* Header field offsets and sizes. */
enum {
    H_NAME = 0,
    H_SIZE = 124,
    H_CHKSUM = 148,
    H_TYPE = 156,
    H_MAGIC = 257,
    H_VERSION = 263,
    H_PREFIX = 345,
};

/* Copy [off, off+len) of the device (checked by the caller to lie within
 * it) into buf, whole aligned sectors straight into buf, the rest through
 * the one-sector cache. */
static int tar_read(struct tar *t, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t sec = off / t->ssize;
        size_t within = (size_t)(off % t->ssize);
        if (within == 0 && len >= t->ssize) {
            size_t n = len / t->ssize;
            if (n > READ_SECTORS)
                n = READ_SECTORS;
            int rc = atoll_block_read(t->blk, sec, p, n);
            if (rc < 0)
                return rc;
            n *= t->ssize;
            p += n, off += n, len -= n;
            continue;
        }
        if (!t->valid || t->cached != sec) {
            t->valid = false;
            int rc = atoll_block_read(t->blk, sec, t->sector, 1);
            if (rc < 0)
                return rc;
            t->cached = sec;
            t->valid = true;
        }
        size_t n = t->ssize - within;
        if (n > len)
            n = len;
        memcpy(p, t->sector + within, n);
        p += n, off += n, len -= n;
    }
    return 0;
}

/* ---- the interface ------------------------------------------------------ */

static int tar_get(void *state, const char *key, uint64_t offset, void *buf,
                   size_t len)
{
    struct tar *t = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(t->e, t->n, key, &e);
    if (rc < 0)
        return rc;
    size_t n = kv_ro_span(e->size, offset, len);
    if (n && (rc = tar_read(t, e->where + offset, buf, n)) < 0)
        return rc;
    return (int)n;
}

static int tar_size(void *state, const char *key, uint64_t *out)
{
    struct tar *t = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(t->e, t->n, key, &e);
    if (rc < 0)
        return rc;
    *out = e->size;
    return 0;
}

static int tar_list(void *state, const char *dir, atoll_kv_ro_list_fn fn,
                    void *arg)
{
    struct tar *t = state;
    return kv_ro_list_index(t->e, t->n, dir, fn, arg);
}

static int tar_digest(void *state, const char *key,
                      uint8_t out[ATOLL_KV_RO_DIGEST_LEN])
{
    struct tar *t = state;
    const struct kv_ro_entry *e;
    int rc = kv_ro_value(t->e, t->n, key, &e);
    if (rc < 0)
        return rc;
    struct atoll_sha256 c;
    uint8_t chunk[4096];
    atoll_sha256_init(&c);
    for (uint64_t done = 0; done < e->size;) {
        size_t n = kv_ro_span(e->size, done, sizeof chunk);
        if ((rc = tar_read(t, e->where + done, chunk, n)) < 0)
            return rc;
        atoll_sha256_update(&c, chunk, n);
        done += n;
    }
    atoll_sha256_final(&c, out);
    return 0;
}

static void tar_close(void *state)
{
    struct tar *t = state;
    for (size_t i = 0; i < t->n; i++)
        atoll_free((char *)t->e[i].name);
    atoll_free(t->e);
    atoll_free(t->sector);
    atoll_free(t);
}

static const struct atoll_kv_ro_ops tar_ops = {
    .get = tar_get,
    .size = tar_size,
    .list = tar_list,
    .digest = tar_digest,
    .close = tar_close,
};

/* ---- parsing ------------------------------------------------------------ */

struct parse {
    struct tar *t;
    char *err;
    size_t errlen;
    uint64_t pos; /* byte offset of the header being parsed */
    /* From an 'L' or 'x' member, for the next header. */
    char long_name[ATOLL_KV_RO_KEY_MAX + 2]; /* room for read_data's NUL */
    bool have_long_name;
    uint64_t pax_size;
    bool have_pax_size;
};

static int fail(struct parse *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Say what is wrong and where; returns `code` (negative). */
static int fail(struct parse *p, int code, const char *fmt, ...)
{
    if (p->errlen) {
        int n =
            snprintf(p->err, p->errlen,
                     "tar header at byte %llu: ", (unsigned long long)p->pos);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

/* A numeric header field: octal digits, optionally led by blanks and
 * ended by blanks or NULs (anything else is an error), or GNU base-256
 * (first byte 0x80, the rest big-endian).  Values must fit in 63 bits. */
static int parse_num(const uint8_t *f, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (f[0] & 0x80) {
        if (f[0] != 0x80)
            return -1; /* negative (0xff) or bits we cannot hold */
        for (size_t i = 1; i < len; i++) {
            if (v >> 55)
                return -1;
            v = v << 8 | f[i];
        }
        *out = v;
        return v >> 63 ? -1 : 0;
    }
    size_t i = 0;
    while (i < len && f[i] == ' ')
        i++;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60)
            return -1;
        v = v << 3 | (uint64_t)(f[i] - '0');
    }
    for (; i < len; i++)
        if (f[i] != ' ' && f[i] != 0)
            return -1;
    *out = v;
    return 0;
}

/* Verify the header checksum: the sum of all 512 bytes with the chksum
 * field counted as blanks.  POSIX sums unsigned bytes; some old tars
 * summed signed ones, which GNU tar also accepts. */
static bool checksum_ok(const uint8_t *h)
{
    uint64_t stored;
    if (parse_num(h + H_CHKSUM, 8, &stored) < 0)
        return false;
    long usum = 0, ssum = 0;
    for (int i = 0; i < BLK; i++) {
        uint8_t c = i >= H_CHKSUM && i < H_CHKSUM + 8 ? ' ' : h[i];
        usum += c;
        ssum += (signed char)c;
    }
    return (long)stored == usum || (long)stored == ssum;
}

static bool all_zero(const uint8_t *h)
{
    for (int i = 0; i < BLK; i++)
        if (h[i])
            return false;
    return true;
}

/*
 * Turn an archive name into a key in place: drop leading '/', "."
 * components and repeated or trailing '/'.  Returns 1 (a key), 0 (nothing
 * left: the archive's root, skipped) or -1 (a ".." component: refused, as
 * it names something outside the archive).
 */
static int normalize(char *name)
{
    char *w = name;
    const char *r = name;
    while (*r) {
        while (*r == '/')
            r++;
        const char *end = strchr(r, '/');
        size_t n = end ? (size_t)(end - r) : strlen(r);
        if (n == 0)
            break;
        if (n == 2 && r[0] == '.' && r[1] == '.')
            return -1;
        if (!(n == 1 && r[0] == '.')) {
            if (w != name)
                *w++ = '/';
            memmove(w, r, n);
            w += n;
        }
        r += n;
    }
    *w = 0;
    return w != name;
}

/* Bytes of a field up to its first NUL (or all of it). */
static size_t field_len(const uint8_t *f, size_t len)
{
    const uint8_t *z = memchr(f, 0, len);
    return z ? (size_t)(z - f) : len;
}

static int add_entry(struct parse *p, const char *name, uint64_t where,
                     uint64_t size, bool dir)
{
    struct tar *t = p->t;
    size_t len = strlen(name);
    if (t->n == ATOLL_KV_RO_TAR_ENTRIES_MAX)
        return fail(p, -ATOLL_E2BIG, "more than %d entries",
                    ATOLL_KV_RO_TAR_ENTRIES_MAX);
    if (t->name_bytes + len + 1 > ATOLL_KV_RO_TAR_NAMES_MAX)
        return fail(p, -ATOLL_E2BIG, "names exceed %u bytes in total",
                    (unsigned)ATOLL_KV_RO_TAR_NAMES_MAX);
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        if (cap > ATOLL_KV_RO_TAR_ENTRIES_MAX)
            cap = ATOLL_KV_RO_TAR_ENTRIES_MAX;
        struct kv_ro_entry *e = atoll_realloc(t->e, cap * sizeof *e);
        if (!e)
            return fail(p, -ATOLL_ENOMEM, "out of memory for the index");
        t->e = e;
        t->cap = cap;
    }
    char *copy = atoll_malloc(len + 1);
    if (!copy)
        return fail(p, -ATOLL_ENOMEM, "out of memory for the index");
    memcpy(copy, name, len + 1);
    t->name_bytes += len + 1;
    t->e[t->n] = (struct kv_ro_entry){.name = copy,
                                      .size = dir ? 0 : size,
                                      .where = where,
                                      .seq = (uint32_t)t->n,
                                      .dir = dir};
    t->n++;
    return 0;
}

/* Read a member's data (size bytes at p->pos + BLK, checked to fit) into
 * a buffer of cap bytes (size < cap), NUL-terminated. */
static int read_data(struct parse *p, uint64_t size, char *buf)
{
    int rc = tar_read(p->t, p->pos + BLK, buf, (size_t)size);
    if (rc < 0)
        return fail(p, rc, "cannot read the device: %s", atoll_strerror(rc));
    buf[size] = 0;
    return 0;
}

/* An 'x' member: "LEN key=value\n" records; path and size are kept for
 * the next header, other keys ignored. */
static int parse_pax(struct parse *p, uint64_t size)
{
    if (size >= PAX_MAX)
        return fail(p, -ATOLL_E2BIG, "pax header of %llu bytes (at most %d)",
                    (unsigned long long)size, PAX_MAX - 1);
    char *buf = atoll_malloc((size_t)size + 1);
    if (!buf)
        return fail(p, -ATOLL_ENOMEM, "out of memory for a pax header");
    int rc = read_data(p, size, buf);
    size_t at = 0;
    while (rc == 0 && at < size) {
        /* LEN counts the whole record, itself and the newline included. */
        size_t len = 0, i = at;
        while (i < size && buf[i] >= '0' && buf[i] <= '9' && len < PAX_MAX)
            len = len * 10 + (size_t)(buf[i++] - '0');
        if (i == at || i >= size || buf[i] != ' ' || len > size - at ||
            len < i - at + 2 || buf[at + len - 1] != '\n') {
            rc = fail(p, -ATOLL_EBADMSG, "malformed pax record at offset %zu",
                      at);
            break;
        }
        char *kv = buf + i + 1, *end = buf + at + len - 1;
        *end = 0;
        char *eq = memchr(kv, '=', (size_t)(end - kv));
        if (!eq) {
            rc = fail(p, -ATOLL_EBADMSG, "pax record without '='");
            break;
        }
        *eq = 0;
        const char *val = eq + 1;
        size_t vlen = (size_t)(end - val);
        if (!strcmp(kv, "path")) {
            if (vlen > ATOLL_KV_RO_KEY_MAX || memchr(val, 0, vlen)) {
                rc = fail(p, -ATOLL_EBADMSG,
                          "pax path longer than %d bytes or with a NUL",
                          ATOLL_KV_RO_KEY_MAX);
                break;
            }
            memcpy(p->long_name, val, vlen + 1);
            p->have_long_name = true;
        } else if (!strcmp(kv, "size")) {
            uint64_t v = 0;
            const char *c = val;
            for (; *c >= '0' && *c <= '9' && !(v >> 59); c++)
                v = v * 10 + (uint64_t)(*c - '0');
            if (c == val || *c) {
                rc = fail(p, -ATOLL_EBADMSG, "bad pax size");
                break;
            }
            p->pax_size = v;
            p->have_pax_size = true;
        }
        at += len;
    }
    atoll_free(buf);
    return rc;
}

/* One header at p->pos.  Returns the bytes of data that follow it (to
 * skip; at most the device size), END_OF_ARCHIVE, or an error. */
#define END_OF_ARCHIVE ((int64_t)1 << 62)
static int64_t parse_header(struct parse *p, const uint8_t *h)
{
    struct tar *t = p->t;
    if (all_zero(h))
        return END_OF_ARCHIVE;
    if (!checksum_ok(h))
        return fail(p, -ATOLL_EBADMSG,
                    "bad checksum (corrupted, or not a "
                    "tar archive)");
    bool posix =
        !memcmp(h + H_MAGIC, "ustar\0", 6) && !memcmp(h + H_VERSION, "00", 2);
    bool gnu =
        !memcmp(h + H_MAGIC, "ustar ", 6) && !memcmp(h + H_VERSION, " \0", 2);
    if (!posix && !gnu)
        return fail(p, -ATOLL_EBADMSG,
                    "no ustar magic (not a POSIX or GNU "
                    "tar archive)");
    uint64_t size;
    if (parse_num(h + H_SIZE, 12, &size) < 0)
        return fail(p, -ATOLL_EBADMSG, "bad size field");
    char type = (char)h[H_TYPE];
    /* Types 1-6 (links, devices, directories, fifos) store no data. */
    bool has_data = !(type >= '1' && type <= '6');
    if (type == '0' || type == '\0' || type == '7') {
        if (p->have_pax_size)
            size = p->pax_size;
    }
    uint64_t room = t->dev_bytes - p->pos - BLK;
    if (has_data && size > room)
        return fail(p, -ATOLL_EBADMSG,
                    "member of %llu bytes runs past the end of the device "
                    "(%llu bytes left)",
                    (unsigned long long)size, (unsigned long long)room);
    uint64_t skip = has_data ? size : 0;
    int rc;

    switch (type) {
    case 'L': /* GNU long name: the data is the next member's name */
        if (size == 0 || size > ATOLL_KV_RO_KEY_MAX + 1)
            return fail(p, -ATOLL_EBADMSG,
                        "GNU long name of %llu bytes (at most %d)",
                        (unsigned long long)size, ATOLL_KV_RO_KEY_MAX);
        if ((rc = read_data(p, size, p->long_name)) < 0)
            return rc;
        if (strlen(p->long_name) > ATOLL_KV_RO_KEY_MAX)
            return fail(p, -ATOLL_EBADMSG,
                        "GNU long name longer than %d "
                        "bytes",
                        ATOLL_KV_RO_KEY_MAX);
        p->have_long_name = true;
        return (int64_t)skip;
    case 'x':
        if ((rc = parse_pax(p, size)) < 0)
            return rc;
        return (int64_t)skip;
    case 'K': /* GNU long link name; 'g' pax global header: not used */
    case 'g':
        return (int64_t)skip;
    default:
        break;
    }

    /* A member: its name from 'L'/'x', else prefix "/" name. */
    char name[ATOLL_KV_RO_KEY_MAX + 1];
    if (p->have_long_name) {
        memcpy(name, p->long_name, sizeof name); /* NUL within: checked */
    } else {
        size_t nl = field_len(h + H_NAME, 100);
        size_t pl = posix ? field_len(h + H_PREFIX, 155) : 0;
        size_t at = 0;
        if (pl) {
            memcpy(name, h + H_PREFIX, pl);
            name[pl] = '/';
            at = pl + 1;
        }
        memcpy(name + at, h + H_NAME, nl);
        name[at + nl] = 0;
    }
    p->have_long_name = p->have_pax_size = false;

    bool value = type == '0' || type == '\0' || type == '7';
    bool dir = type == '5';
    if (!value && !dir)
        return (int64_t)skip; /* links, devices, fifos, vendor types */
    size_t raw = strlen(name);
    if (value && raw && name[raw - 1] == '/')
        value = false, dir = true; /* old tars mark directories so */
    int k = normalize(name);
    if (k < 0)
        return fail(p, -ATOLL_EBADMSG, "name '%s' has a '..' component", name);
    if (k == 0)
        return (int64_t)skip; /* "./": the root */
    if ((rc = add_entry(p, name, p->pos + BLK, size, dir)) < 0)
        return rc;
    return (int64_t)skip;
}

/* A duplicate name that a later member replaces. */
static void drop_name(const struct kv_ro_entry *e)
{
    atoll_free((char *)e->name);
}

int atoll_kv_ro_open_tar_block(struct atoll_block *blk,
                               struct atoll_kv_ro **out, char *err,
                               size_t errlen)
{
    if (errlen)
        err[0] = 0;
    struct atoll_block_info info;
    atoll_block_info(blk, &info);
    if (info.sector_size < BLK ||
        info.sectors > UINT64_MAX / info.sector_size) {
        if (errlen)
            snprintf(err, errlen, "unusable block device geometry");
        return -ATOLL_EINVAL;
    }
    struct tar *t = atoll_calloc(1, sizeof *t);
    struct parse *p = atoll_calloc(1, sizeof *p);
    int rc = -ATOLL_ENOMEM;
    if (!t || !p || !(t->sector = atoll_malloc(info.sector_size))) {
        if (errlen)
            snprintf(err, errlen, "out of memory");
        goto out;
    }
    t->blk = blk;
    t->ssize = info.sector_size;
    t->dev_bytes = info.sectors * info.sector_size;
    *p = (struct parse){.t = t, .err = err, .errlen = errlen};

    uint8_t h[BLK];
    while (p->pos + BLK <= t->dev_bytes) {
        if ((rc = tar_read(t, p->pos, h, BLK)) < 0) {
            fail(p, rc, "cannot read the device: %s", atoll_strerror(rc));
            goto out;
        }
        int64_t skip = parse_header(p, h);
        if (skip < 0) {
            rc = (int)skip;
            goto out;
        }
        if (skip == END_OF_ARCHIVE)
            break;
        /* Checked against the device size: no overflow. */
        p->pos += BLK + ((uint64_t)skip + BLK - 1) / BLK * BLK;
    }
    /* The end of the device ends the archive too (some writers omit the
     * zero blocks); a member cut short was refused above. */
    if (t->n)
        qsort(t->e, t->n, sizeof *t->e, kv_ro_entry_cmp);
    const char *bad = NULL;
    rc = kv_ro_index_finish(t->e, &t->n, drop_name, &bad);
    if (rc < 0 && errlen)
        snprintf(err, errlen, "'%s' is both a file and a directory", bad);
out:
    if (rc == 0) {
        t->kv.ops = &tar_ops;
        t->kv.state = t;
        *out = &t->kv;
    } else if (t) {
        tar_close(t);
    }
    atoll_free(p);
    return rc;
}

int atoll_kv_ro_open_tar(const char *name, struct atoll_kv_ro **out)
{
    struct atoll_block *blk;
    int rc = atoll_block_open_default(name, &blk);
    if (rc < 0)
        return rc;
    char err[256];
    rc = atoll_kv_ro_open_tar_block(blk, out, err, sizeof err);
    if (rc < 0)
        ATOLL_ERROR(&log_kv, "device '%s': %s", name,
                    err[0] ? err : atoll_strerror(rc));
    return rc;
}
