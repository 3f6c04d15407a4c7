/*
 * examples/kv_ro/main.c - prints a secret from the read-only key-value
 * store `secrets`: first everything the store holds (the listing walks
 * directories with atoll_kv_ro_list), then the value of --key with its
 * size and SHA-256.
 *
 * This code does not know where the store lives.  Built as the manifest
 * says, the values are the files of data/ baked into the image; configured
 * with --impl secrets=tar, they come from a tar archive on the block
 * device attached with --block:secrets=FILE.  The output is the same.
 */
#include <string.h>

#include <atoll/kv_ro.h>

#include "atoll_app.h"

#define DEPTH_MAX 8

struct walk {
    struct app *app;
    char path[ATOLL_KV_RO_KEY_MAX + 1]; /* the directory being listed */
    int depth;
    int err;
};

static void list_dir(struct walk *w);

/* One entry of a directory: print it, and descend into directories. */
static int entry(void *arg, const char *name, enum atoll_kv_ro_kind kind)
{
    struct walk *w = arg;
    size_t len = strlen(w->path);
    size_t nlen = strlen(name);
    if (len + 1 + nlen > ATOLL_KV_RO_KEY_MAX)
        return -ATOLL_E2BIG; /* cannot happen: keys are bounded */
    char *end = w->path + len;
    if (len)
        *end++ = '/';
    memcpy(end, name, nlen + 1);
    if (kind == ATOLL_KV_RO_DIR) {
        atoll_console_printf(w->app->console, "  %s/\n", w->path);
        if (w->depth < DEPTH_MAX) {
            w->depth++;
            list_dir(w);
            w->depth--;
        }
    } else {
        uint64_t size = 0;
        atoll_kv_ro_size(w->app->secrets, w->path, &size);
        atoll_console_printf(w->app->console, "  %s (%llu bytes)\n", w->path,
                             (unsigned long long)size);
    }
    w->path[len] = 0;
    return w->err;
}

static void list_dir(struct walk *w)
{
    int rc = atoll_kv_ro_list(w->app->secrets, w->path, entry, w);
    if (rc < 0 && !w->err)
        w->err = rc;
}

int app_main(struct app *app)
{
    struct walk w = {.app = app};
    atoll_console_printf(app->console, "kv_ro: the store holds\n");
    list_dir(&w);
    if (w.err < 0) {
        atoll_console_printf(app->console, "kv_ro: cannot list: %s\n",
                             atoll_strerror(w.err));
        return 1;
    }

    const char *key = app->args.key;
    void *value;
    size_t len;
    uint8_t digest[ATOLL_KV_RO_DIGEST_LEN];
    int rc = atoll_kv_ro_read_all(app->secrets, key, &value, &len);
    if (rc == 0)
        rc = atoll_kv_ro_digest(app->secrets, key, digest);
    if (rc < 0) {
        atoll_console_printf(app->console, "kv_ro: cannot read '%s': %s\n", key,
                             atoll_strerror(rc));
        return 1;
    }
    char hex[2 * ATOLL_KV_RO_DIGEST_LEN + 1];
    for (int i = 0; i < ATOLL_KV_RO_DIGEST_LEN; i++) {
        hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
    hex[sizeof hex - 1] = 0;
    atoll_console_printf(app->console, "kv_ro: %s is %zu bytes, sha256 %s\n",
                         key, len, hex);
    atoll_console_printf(
        app->console, "kv_ro: the secret is: %.*s\n",
        (int)(len && ((char *)value)[len - 1] == '\n' ? len - 1 : len),
        (char *)value);
    atoll_free(value);
    return 0;
}
