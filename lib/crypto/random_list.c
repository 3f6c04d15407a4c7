/*
 * lib/crypto/random_list.c - the test double "a random generator that
 * reads from a list": fill hands out the list's bytes in order and starts
 * over at the end.  Deterministic tests use it to make "random" choices
 * (ids, ports, sequence numbers) known in advance.
 *
 * Built by atoll_random_list_create (C) or, in an application configured
 * with --impl random=list, from the argument --random-list=HEX.
 */
#include "atoll/app.h"
#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/random.h"

#include <string.h>

struct list_random {
    struct atoll_random dev;
    size_t len, pos;
    uint8_t bytes[];
};

static int list_fill(void *state, void *buf, size_t len, atoll_time_t deadline)
{
    (void)deadline;
    struct list_random *l = state;
    uint8_t *p = buf;
    while (len > 0) {
        size_t n = l->len - l->pos < len ? l->len - l->pos : len;
        memcpy(p, l->bytes + l->pos, n);
        p += n;
        len -= n;
        l->pos = (l->pos + n) % l->len;
    }
    return 0;
}

static const struct atoll_random_ops list_ops = {list_fill};

struct atoll_random *atoll_random_list_create(const void *bytes, size_t len)
{
    if (len == 0 || len > SIZE_MAX / 2)
        return NULL;
    struct list_random *l = atoll_malloc(sizeof *l + len);
    if (!l)
        return NULL;
    l->dev.ops = &list_ops;
    l->dev.state = l;
    l->len = len;
    l->pos = 0;
    memcpy(l->bytes, bytes, len);
    return &l->dev;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ':' || c == ',';
}

int atoll_random_open_list(const char *name,
                           const struct atoll_arg_value *values,
                           struct atoll_random **out)
{
    (void)name;
    const char *s = values[0].s ? values[0].s : "";
    size_t cap = strlen(s) / 2;
    if (cap == 0)
        return -ATOLL_EINVAL;
    uint8_t *tmp = atoll_malloc(cap);
    if (!tmp)
        return -ATOLL_ENOMEM;
    size_t n = 0;
    int err = 0;
    for (const char *c = s; *c;) {
        if (is_sep(*c)) {
            c++;
            continue;
        }
        int hi = hexval(c[0]), lo = hi < 0 ? -1 : hexval(c[1]);
        if (lo < 0) {
            err = -ATOLL_EINVAL; /* not hex, or an odd digit out */
            break;
        }
        tmp[n++] = (uint8_t)(hi << 4 | lo);
        c += 2;
    }
    if (!err && n == 0)
        err = -ATOLL_EINVAL;
    if (!err) {
        *out = atoll_random_list_create(tmp, n);
        if (!*out)
            err = -ATOLL_ENOMEM;
    }
    atoll_free(tmp);
    return err;
}
