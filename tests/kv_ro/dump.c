/*
 * tests/kv_ro/dump.c - the test application of tests/kv_ro/kv_ro.sh: walks
 * the read-only store `files` and prints one line per entry,
 *
 *     d PATH                      a directory
 *     f PATH SIZE SHA256 SHA256   a value: its size, the SHA-256 of the
 *                                 bytes read (in 1000-byte pieces with
 *                                 get), and the store's own digest
 *
 * so the script can compare them with `find` and `sha256sum` on the host
 * folder, for the baked and the tar implementation alike.
 */
#include <string.h>

#include <atoll/kv_ro.h>
#include <atoll/sha256.h>

#include "atoll_app.h"

struct walk {
    struct app *app;
    char path[ATOLL_KV_RO_KEY_MAX + 1];
    int err;
};

static void hex(const uint8_t *d, char *out)
{
    for (int i = 0; i < 32; i++) {
        out[2 * i] = "0123456789abcdef"[d[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
    }
    out[64] = 0;
}

static int value(struct walk *w)
{
    struct atoll_kv_ro *kv = w->app->files;
    uint64_t size;
    uint8_t mine[32], theirs[32], buf[1000];
    struct atoll_sha256 c;
    int rc = atoll_kv_ro_size(kv, w->path, &size);
    if (rc < 0)
        return rc;
    atoll_sha256_init(&c);
    uint64_t off = 0;
    for (;;) {
        rc = atoll_kv_ro_get(kv, w->path, off, buf, sizeof buf);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        atoll_sha256_update(&c, buf, (size_t)rc);
        off += (uint64_t)rc;
    }
    atoll_sha256_final(&c, mine);
    if (off != size)
        return -ATOLL_EIO;
    if ((rc = atoll_kv_ro_digest(kv, w->path, theirs)) < 0)
        return rc;
    char a[65], b[65];
    hex(mine, a);
    hex(theirs, b);
    atoll_console_printf(w->app->console, "f %s %llu %s %s\n", w->path,
                         (unsigned long long)size, a, b);
    return 0;
}

static int entry(void *arg, const char *name, enum atoll_kv_ro_kind kind)
{
    struct walk *w = arg;
    size_t len = strlen(w->path);
    char *end = w->path + len;
    if (len)
        *end++ = '/';
    strcpy(end, name);
    int rc;
    if (kind == ATOLL_KV_RO_DIR) {
        atoll_console_printf(w->app->console, "d %s\n", w->path);
        rc = atoll_kv_ro_list(w->app->files, w->path, entry, w);
        rc = rc < 0 ? rc : 0;
    } else {
        rc = value(w);
    }
    w->path[len] = 0;
    return rc;
}

int app_main(struct app *app)
{
    struct walk w = {.app = app};
    int rc = atoll_kv_ro_list(app->files, "", entry, &w);
    if (rc < 0) {
        atoll_console_printf(app->console, "dump: %s\n", atoll_strerror(rc));
        return 1;
    }
    return 0;
}
