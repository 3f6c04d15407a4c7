/*
 * lib/store/kv_ro.c - the parts of the read-only key-value stores that do
 * not depend on where values live (see kv_ro_int.h): key rules, the key
 * order, lookups and directory listings over a sorted index, and the
 * interface's helpers (close, read_all).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "kv_ro_int.h"

/* INT_MAX without <limits.h>, which freestanding targets lack. */
#define KV_INT_MAX __INT_MAX__

int atoll_kv_ro_check_key(const char *key, bool allow_root)
{
    if (!key)
        return -ATOLL_EINVAL;
    size_t len = strnlen(key, ATOLL_KV_RO_KEY_MAX + 1);
    if (len == 0)
        return allow_root ? 0 : -ATOLL_EINVAL;
    if (len > ATOLL_KV_RO_KEY_MAX)
        return -ATOLL_EINVAL;
    /* Walk the components: none empty, none "." or "..". */
    const char *c = key;
    for (;;) {
        const char *end = strchr(c, '/');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        if (n == 0 || (n == 1 && c[0] == '.') ||
            (n == 2 && c[0] == '.' && c[1] == '.'))
            return -ATOLL_EINVAL;
        if (!end)
            return 0;
        c = end + 1;
    }
}

/* '/' sorts right after the end of a string, before every other byte. */
static int rank(unsigned char c)
{
    return c == 0 ? 0 : c == '/' ? 1 : c + 1;
}

int atoll_kv_ro_cmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    while (*x && *x == *y)
        x++, y++;
    return rank(*x) - rank(*y);
}

int kv_ro_entry_cmp(const void *a, const void *b)
{
    const struct kv_ro_entry *x = a, *y = b;
    int c = atoll_kv_ro_cmp(x->name, y->name);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* First index whose name is >= key. */
static size_t lower_bound(const struct kv_ro_entry *e, size_t n,
                          const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (atoll_kv_ro_cmp(e[mid].name, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* True if `name` lies under directory `dir` (dir of length len, not
 * root). */
static bool under(const char *name, const char *dir, size_t len)
{
    return !strncmp(name, dir, len) && name[len] == '/';
}

int kv_ro_lookup(const struct kv_ro_entry *e, size_t n, const char *key,
                 size_t *idx)
{
    int rc = atoll_kv_ro_check_key(key, true);
    if (rc < 0)
        return rc;
    *idx = n;
    if (!*key)
        return ATOLL_KV_RO_DIR;
    size_t i = lower_bound(e, n, key);
    if (i < n && !strcmp(e[i].name, key)) {
        *idx = i;
        return e[i].dir ? ATOLL_KV_RO_DIR : ATOLL_KV_RO_VALUE;
    }
    /* Not an entry itself: a directory if something lies under it, which
     * would sort right here. */
    if (i < n && under(e[i].name, key, strlen(key)))
        return ATOLL_KV_RO_DIR;
    return -ATOLL_ENOENT;
}

int kv_ro_value(const struct kv_ro_entry *e, size_t n, const char *key,
                const struct kv_ro_entry **out)
{
    size_t i;
    int rc = kv_ro_lookup(e, n, key, &i);
    if (rc < 0)
        return rc;
    if (rc != ATOLL_KV_RO_VALUE || !*key)
        return -ATOLL_EINVAL;
    *out = &e[i];
    return 0;
}

int kv_ro_list_index(const struct kv_ro_entry *e, size_t n, const char *dir,
                     atoll_kv_ro_list_fn fn, void *arg)
{
    size_t i;
    int rc = kv_ro_lookup(e, n, dir, &i);
    if (rc < 0)
        return rc;
    if (rc != ATOLL_KV_RO_DIR)
        return -ATOLL_EINVAL;
    size_t dlen = strlen(dir);
    size_t skip = dlen ? dlen + 1 : 0; /* "dir/" before a child's name */
    i = dlen ? lower_bound(e, n, dir) : 0;
    char name[ATOLL_KV_RO_KEY_MAX + 1];
    const char *prev = NULL;
    size_t prev_len = 0;
    int count = 0;
    for (; i < n; i++) {
        if (dlen && !strcmp(e[i].name, dir))
            continue; /* the directory's own entry */
        if (dlen && !under(e[i].name, dir, dlen))
            break; /* past the directory's contiguous run */
        const char *child = e[i].name + skip;
        const char *slash = strchr(child, '/');
        size_t clen = slash ? (size_t)(slash - child) : strlen(child);
        /* Everything under one child follows it, so a repeat of the
         * previous child's name is that child again. */
        if (prev && clen == prev_len && !memcmp(child, prev, clen))
            continue;
        prev = child;
        prev_len = clen;
        memcpy(name, child, clen);
        name[clen] = 0;
        enum atoll_kv_ro_kind kind =
            slash || e[i].dir ? ATOLL_KV_RO_DIR : ATOLL_KV_RO_VALUE;
        int r = fn(arg, name, kind);
        if (r)
            return r;
        if (count < KV_INT_MAX)
            count++;
    }
    return count;
}

int kv_ro_index_finish(struct kv_ro_entry *e, size_t *n,
                       void (*drop)(const struct kv_ro_entry *),
                       const char **bad)
{
    size_t out = 0;
    for (size_t i = 0; i < *n; i++) {
        /* Ties are in archive order: keep the last of a run. */
        if (i + 1 < *n && !strcmp(e[i].name, e[i + 1].name)) {
            if (drop)
                drop(&e[i]);
            continue;
        }
        e[out++] = e[i];
    }
    *n = out;
    for (size_t i = 0; i + 1 < out; i++)
        if (!e[i].dir && under(e[i + 1].name, e[i].name, strlen(e[i].name))) {
            *bad = e[i].name;
            return -ATOLL_EBADMSG;
        }
    return 0;
}

size_t kv_ro_span(uint64_t size, uint64_t offset, size_t len)
{
    if (offset >= size)
        return 0;
    uint64_t left = size - offset;
    if (len > KV_INT_MAX)
        len = KV_INT_MAX;
    return left < len ? (size_t)left : len;
}

void atoll_kv_ro_close(struct atoll_kv_ro *kv)
{
    if (kv)
        kv->ops->close(kv->state);
}

int atoll_kv_ro_read_all(struct atoll_kv_ro *kv, const char *key, void **value,
                         size_t *len)
{
    uint64_t size;
    int rc = atoll_kv_ro_size(kv, key, &size);
    if (rc < 0)
        return rc;
    if (size >= SIZE_MAX)
        return -ATOLL_EOVERFLOW;
    uint8_t *buf = atoll_malloc((size_t)size + 1);
    if (!buf)
        return -ATOLL_ENOMEM;
    uint64_t got = 0;
    while (got < size) {
        rc = atoll_kv_ro_get(kv, key, got, buf + got, (size_t)(size - got));
        if (rc <= 0) {
            atoll_free(buf);
            return rc < 0 ? rc : -ATOLL_EIO; /* shrank under us */
        }
        got += (uint64_t)rc;
    }
    buf[size] = 0;
    *value = buf;
    *len = (size_t)size;
    return 0;
}
