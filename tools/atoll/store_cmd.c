/*
 * tools/atoll/store_cmd.c - `atoll store log|ls|cat|branches IMAGE ...`,
 * `atoll store export IMAGE DIR`, and the two that write: `atoll store
 * import IMAGE DIR` (a folder as one commit: a deploy) and `atoll store
 * revert IMAGE COMMIT` (a branch back to a commit's tree: a rollback).
 *
 * The image is opened read-only through the same block backend the
 * unikernel uses (lib/store compiled for the host), so the tool verifies
 * every checksum exactly as a boot would and reports damage the same way.
 *
 * Export writes a git repository (DIR/.git, sha256 object format) holding
 * every object reachable from the store's branches as a loose object and
 * one ref per branch.  The store's objects are already in git's format
 * with git's ids, so export only compresses and files them: zlib streams
 * made of stored deflate blocks, valid for any inflater, so the tool needs
 * no compression library.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/store/store_int.h"
#include "atoll/error.h"
#include "atoll/store.h"
#include "store_cmd.h"
#include "store_host.h"
#include "util.h"

const char store_cmd_help[] =
    "Inspect a versioned store on a disk image, read-only:\n"
    "  atoll store branches IMAGE          branches and their heads\n"
    "  atoll store log IMAGE [REV] [KEY]   history (of KEY: commits that\n"
    "                                      changed it), newest first\n"
    "  atoll store ls IMAGE [PATH] [--rev=REV]   entries of a folder\n"
    "  atoll store cat IMAGE KEY [--rev=REV]     a value, as stored\n"
    "  atoll store export IMAGE DIR        write a git repository (sha256\n"
    "                                      object format) in DIR/.git\n"
    "Change a store (the only commands that write the image):\n"
    "  atoll store import IMAGE DIR [--branch=B] [--message=M] [--size=MiB]\n"
    "      one commit on B (default main) whose tree is DIR's files: keys\n"
    "      DIR lacks are removed.  Creates IMAGE (--size, default 64 MiB)\n"
    "      if it does not exist.  A website deploy (docs/http.md).\n"
    "  atoll store revert IMAGE COMMIT [--branch=B]\n"
    "      a new commit on B with COMMIT's tree, history kept: a rollback.\n"
    "REV is a branch (default main) or a commit id (or unique prefix).\n"
    "Damage is reported and the command fails; it is never followed.\n";

/* ---- zlib with stored blocks -------------------------------------------- */

int zlib_stored(const void *data, size_t len, unsigned char **out,
                size_t *outlen)
{
    size_t blocks = len / 65535 + 1;
    unsigned char *o = malloc(2 + blocks * 5 + len + 4), *q = o;
    if (!o)
        return -1;
    *q++ = 0x78; /* deflate, 32 KiB window */
    *q++ = 0x01; /* no dictionary, lowest level; 0x7801 % 31 == 0 */
    const unsigned char *p = data;
    size_t left = len;
    do {
        size_t n = left < 65535 ? left : 65535;
        *q++ = left == n ? 1 : 0; /* BFINAL, BTYPE 00 (stored) */
        *q++ = (unsigned char)n;
        *q++ = (unsigned char)(n >> 8);
        *q++ = (unsigned char)~n;
        *q++ = (unsigned char)(~n >> 8);
        memcpy(q, p, n);
        q += n;
        p += n;
        left -= n;
    } while (left);
    /* Adler-32 of the uncompressed data, big-endian. */
    uint32_t a = 1, b = 0;
    p = data;
    for (size_t i = 0; i < len; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    uint32_t ad = b << 16 | a;
    *q++ = (unsigned char)(ad >> 24);
    *q++ = (unsigned char)(ad >> 16);
    *q++ = (unsigned char)(ad >> 8);
    *q++ = (unsigned char)ad;
    *out = o;
    *outlen = (size_t)(q - o);
    return 0;
}

/* ---- opening
 * ----------------------------------------------------------------- */

struct opened {
    struct atoll_block *dev;
    struct atoll_store *s;
};

/* Open the store on IMAGE: read-only, or (import, revert) for writing,
 * with the host's clock for commit times. */
static atoll_time_t host_now(void *state)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (atoll_time_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static const struct atoll_wclock_ops host_clock_ops = {host_now};
static struct atoll_wclock host_clock = {&host_clock_ops, NULL};

static int open_store(const char *path, bool rw, struct opened *o)
{
    char err[256];
    o->dev = rw ? image_open_rw(path, err, sizeof err)
                : image_open(path, err, sizeof err);
    if (!o->dev) {
        errf("%s", err);
        return -1;
    }
    struct atoll_store_backend *be;
    int rc = atoll_store_block_backend(o->dev, rw ? 0 : ATOLL_STORE_READONLY,
                                       &be, err, sizeof err);
    if (rc < 0) {
        errf("%s: %s: %s", path, atoll_strerror(rc), err);
        image_close(o->dev);
        return -1;
    }
    if (atoll_store_block_recovered(be))
        fprintf(stderr,
                "atoll: %s: note: the newer superblock is damaged (a torn "
                "write at a crash, or corruption); showing the previous "
                "commit point\n",
                path);
    struct atoll_store_opts so = {"atoll store <atoll@localhost>", &host_clock};
    rc = atoll_store_open(be, rw ? &so : NULL, &o->s);
    if (rc < 0) {
        be->ops->close(be->state);
        image_close(o->dev);
        errf("%s: %s", path, atoll_strerror(rc));
        return -1;
    }
    return 0;
}

static int open_image(const char *path, struct opened *o)
{
    return open_store(path, false, o);
}

static void close_image(struct opened *o)
{
    atoll_store_close(o->s);
    image_close(o->dev);
}

static int fail(const char *what, int rc)
{
    errf("%s: %s", what, atoll_strerror(rc));
    return EXIT_FAIL;
}

/* ---- branches, log, ls, cat -------------------------------------------------
 */

static int print_branch(const char *name, const atoll_store_id *id, void *arg)
{
    char hex[65];
    atoll_store_id_hex(id, hex);
    printf("%s %s\n", hex, name);
    return 0;
}

static int print_commit(const struct atoll_store_commit *c, void *arg)
{
    char hex[65];
    atoll_store_id_hex(&c->id, hex);
    printf("commit %s\n", hex);
    if (c->nparents > 1) {
        printf("Merge:");
        for (size_t i = 0; i < c->nparents; i++) {
            atoll_store_id_hex(&c->parents[i], hex);
            printf(" %.12s", hex);
        }
        printf("\n");
    }
    time_t t = (time_t)c->time;
    struct tm tm;
    char date[64];
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S +0000", &tm);
    printf("Author: %s\nDate:   %s\n\n", c->author, date);
    const char *m = c->message;
    while (*m) {
        const char *nl = strchr(m, '\n');
        size_t n = nl ? (size_t)(nl - m) : strlen(m);
        printf("    %.*s\n", (int)n, m);
        m += n + (nl ? 1 : 0);
    }
    printf("\n");
    return 0;
}

static int print_entry(const char *name, bool dir, void *arg)
{
    printf("%s%s\n", name, dir ? "/" : "");
    return 0;
}

/* Split positional arguments and a --rev=REV option. */
/* Options of the writing commands. */
static const char *opt_branch = "main", *opt_message, *opt_size;

static int args(int argc, char **argv, const char **pos, int max,
                const char **rev)
{
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--rev=", 6)) {
            *rev = argv[i] + 6;
        } else if (!strncmp(argv[i], "--branch=", 9)) {
            opt_branch = argv[i] + 9;
        } else if (!strncmp(argv[i], "--message=", 10)) {
            opt_message = argv[i] + 10;
        } else if (!strncmp(argv[i], "--size=", 7)) {
            opt_size = argv[i] + 7;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            errf("store: unknown option '%s' (see 'atoll help store')",
                 argv[i]);
            return -1;
        } else if (n < max) {
            pos[n++] = argv[i];
        } else {
            errf("store: too many arguments (see 'atoll help store')");
            return -1;
        }
    }
    return n;
}

/* ---- export
 * ----------------------------------------------------------------------- */

static int mkdirs(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        errf("%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int put_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        errf("%s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

struct exporter {
    struct atoll_store *s;
    const char *git;
    struct store_idmap done;
    size_t objects;
    int err;
};

/* Write one object as a loose object; 1 if newly written. */
static int export_object(struct exporter *x, const atoll_store_id *id,
                         uint8_t **raw, size_t *rawlen)
{
    struct atoll_store_backend *be = atoll_store_backend_of(x->s);
    int rc = be->ops->read(be->state, id, raw, rawlen);
    if (rc < 0) {
        char hex[65];
        atoll_store_id_hex(id, hex);
        errf("object %s: %s", hex, atoll_strerror(rc));
        return -1;
    }
    char hex[65], path[4096];
    atoll_store_id_hex(id, hex);
    snprintf(path, sizeof path, "%s/objects/%.2s", x->git, hex);
    if (mkdirs(path) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/objects/%.2s/%s", x->git, hex, hex + 2);
    unsigned char *z;
    size_t zl;
    if (zlib_stored(*raw, *rawlen, &z, &zl) < 0) {
        errf("out of memory");
        return -1;
    }
    rc = put_file(path, z, zl);
    free(z);
    x->objects++;
    return rc;
}

static int export_walk(struct exporter *x, const atoll_store_id *id)
{
    if (store_idmap_get(&x->done, id))
        return 0;
    if (store_idmap_put(&x->done, id, 0, 0) < 0)
        return -1;
    uint8_t *raw;
    size_t len;
    if (export_object(x, id, &raw, &len) < 0)
        return -1;
    enum store_obj_type t;
    const uint8_t *p;
    size_t pl;
    int rc = store_obj_parse(raw, len, &t, &p, &pl);
    if (rc == 0 && t == OBJ_TREE) {
        struct store_tree tr;
        rc = store_tree_decode(p, pl, &tr);
        for (size_t i = 0; rc == 0 && i < tr.n; i++)
            rc = export_walk(x, &tr.e[i].id);
        if (rc == 0)
            store_tree_free(&tr);
    } else if (rc == 0 && t == OBJ_COMMIT) {
        struct store_commit c;
        rc = store_commit_decode(p, pl, &c);
        if (rc == 0)
            rc = export_walk(x, &c.tree);
        for (size_t i = 0; rc == 0 && i < c.nparents; i++)
            rc = export_walk(x, &c.parents[i]);
        if (rc == 0)
            store_commit_free(&c);
    }
    free(raw);
    if (rc > 0)
        rc = 0;
    if (rc < 0 && rc != -1) {
        char hex[65];
        atoll_store_id_hex(id, hex);
        errf("object %s: %s", hex, atoll_strerror(rc));
        rc = -1;
    }
    return rc;
}

static int export_ref(const char *name, const atoll_store_id *id, void *arg)
{
    struct exporter *x = arg;
    if (export_walk(x, id) < 0)
        return -1;
    char path[4096], hex[66];
    /* Folders of a ref name ("team/alice") become folders under heads/. */
    snprintf(path, sizeof path, "%s/refs/heads/%s", x->git, name);
    for (char *p = path + strlen(x->git) + 12; *p; p++)
        if (*p == '/') {
            *p = 0;
            int rc = mkdirs(path);
            *p = '/';
            if (rc < 0)
                return -1;
        }
    atoll_store_id_hex(id, hex);
    strcat(hex, "\n");
    return put_file(path, hex, strlen(hex)) < 0 ? -1 : 0;
}

static int first_branch(const char *name, const atoll_store_id *id, void *arg)
{
    snprintf(arg, 256, "%s", name);
    return 1;
}

static int store_export(struct atoll_store *s, const char *dir)
{
    char git[4096], path[4200];
    snprintf(git, sizeof git, "%s/.git", dir);
    struct stat st;
    if (stat(git, &st) == 0) {
        errf("export: %s already exists", git);
        return EXIT_FAIL;
    }
    if (mkdirs(dir) < 0 || mkdirs(git) < 0)
        return EXIT_FAIL;
    static const char *subdirs[] = {"objects", "refs", "refs/heads",
                                    "refs/tags"};
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", git, subdirs[i]);
        if (mkdirs(path) < 0)
            return EXIT_FAIL;
    }
    static const char config[] = "[core]\n"
                                 "\trepositoryformatversion = 1\n"
                                 "\tfilemode = true\n"
                                 "\tbare = false\n"
                                 "[extensions]\n"
                                 "\tobjectformat = sha256\n";
    snprintf(path, sizeof path, "%s/config", git);
    if (put_file(path, config, strlen(config)) < 0)
        return EXIT_FAIL;
    atoll_store_id id;
    char head[256] = "main", text[300];
    if (atoll_store_head(s, "main", &id) < 0)
        atoll_store_branches(s, first_branch, head);
    snprintf(text, sizeof text, "ref: refs/heads/%s\n", head);
    snprintf(path, sizeof path, "%s/HEAD", git);
    if (put_file(path, text, strlen(text)) < 0)
        return EXIT_FAIL;
    struct exporter x = {.s = s, .git = git};
    int n = atoll_store_branches(s, export_ref, &x);
    store_idmap_free(&x.done);
    if (n < 0)
        return EXIT_FAIL;
    printf("exported %d branch%s, %zu objects to %s\n", n, n == 1 ? "" : "es",
           x.objects, git);
    return 0;
}

/* ---- dispatch
 * -------------------------------------------------------------------- */

/* ---- import and revert ------------------------------------------------ */

/* Open IMAGE for writing, creating a blank one of --size MiB if absent. */
static int open_image_rw(const char *path, struct opened *o)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        char *end;
        unsigned long mib = strtoul(opt_size ? opt_size : "64", &end, 10);
        if (*end || mib < 1 || mib > (1ul << 20)) {
            errf("store: bad --size '%s' (MiB, 1 or more)", opt_size);
            return -1;
        }
        FILE *f = fopen(path, "wx");
        if (!f || ftruncate(fileno(f), (off_t)(mib << 20)) != 0) {
            errf("%s: %s", path, strerror(errno));
            if (f)
                fclose(f);
            return -1;
        }
        fclose(f);
    }
    return open_store(path, true, o);
}

struct import {
    struct atoll_store_batch *b;
    char **keys; /* every key imported, to remove the others */
    size_t n, cap;
    int status;
};

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under host folder `dir` (key prefix `key`). */
static void import_dir(struct import *im, const char *dir, const char *key)
{
    DIR *d = opendir(dir);
    if (!d) {
        errf("%s: %s", dir, strerror(errno));
        im->status = EXIT_FAIL;
        return;
    }
    struct dirent *e;
    while (im->status == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        char *k = *key ? xasprintf("%s/%s", key, e->d_name)
                       : xasprintf("%s", e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            errf("%s: %s", path, strerror(errno));
            im->status = EXIT_FAIL;
        } else if (S_ISDIR(st.st_mode)) {
            import_dir(im, path, k);
        } else if (S_ISREG(st.st_mode)) {
            char *data;
            size_t len;
            if (read_whole_file(path, (size_t)1 << 30, &data, &len) != 0) {
                errf("%s: %s", path, strerror(errno));
                im->status = EXIT_FAIL;
            } else {
                int rc = atoll_store_batch_set(im->b, k, data, len);
                free(data);
                if (rc < 0) {
                    errf("%s: %s", k, atoll_strerror(rc));
                    im->status = EXIT_FAIL;
                } else {
                    if (im->n == im->cap) {
                        im->cap = im->cap ? 2 * im->cap : 64;
                        im->keys =
                            realloc(im->keys, im->cap * sizeof *im->keys);
                        if (!im->keys) {
                            errf("out of memory");
                            exit(EXIT_FAIL);
                        }
                    }
                    im->keys[im->n++] = k;
                    k = NULL;
                }
            }
        }
        free(k);
        free(path);
    }
    closedir(d);
}

struct stale {
    struct import *im;
    struct atoll_store *s;
    char prefix[4096];
};

/* Remove the branch's keys that the folder does not have. */
static int remove_stale(const char *name, bool dir, void *arg)
{
    struct stale *st = arg;
    size_t pl = strlen(st->prefix);
    if (pl + strlen(name) + 2 > sizeof st->prefix)
        return -ATOLL_E2BIG;
    snprintf(st->prefix + pl, sizeof st->prefix - pl, "%s%s", pl ? "/" : "",
             name);
    int rc = 0;
    if (dir) {
        rc = atoll_store_list(st->s, opt_branch, st->prefix, remove_stale, st);
        rc = rc < 0 ? rc : 0;
    } else {
        char *key = st->prefix;
        if (!bsearch(&key, st->im->keys, st->im->n, sizeof *st->im->keys,
                     by_str))
            rc = atoll_store_batch_remove(st->im->b, st->prefix);
    }
    st->prefix[pl] = 0;
    return rc;
}

static int store_import(struct atoll_store *s, const char *dir)
{
    struct import im = {0};
    int rc = atoll_store_batch_begin(s, opt_branch, &im.b);
    if (rc < 0)
        return fail(opt_branch, rc);
    import_dir(&im, dir, "");
    if (im.status == 0) {
        qsort(im.keys, im.n, sizeof *im.keys, by_str);
        struct stale st = {&im, s, ""};
        atoll_store_id head;
        if (atoll_store_resolve(s, opt_branch, &head) == 0) {
            rc = atoll_store_list(s, opt_branch, "", remove_stale, &st);
            if (rc < 0)
                im.status = fail("removing old keys", rc);
        }
    }
    if (im.status == 0) {
        char *msg = opt_message ? xasprintf("%s", opt_message)
                                : xasprintf("import %s", dir);
        atoll_store_id id;
        rc = atoll_store_batch_commit(im.b, msg, &id);
        free(msg);
        if (rc < 0) {
            im.status = fail("commit", rc);
        } else {
            char hex[ATOLL_STORE_HEX_LEN + 1];
            atoll_store_id_hex(&id, hex);
            printf("%s: %zu files\n", hex, im.n);
        }
    } else {
        atoll_store_batch_abort(im.b);
    }
    for (size_t i = 0; i < im.n; i++)
        free(im.keys[i]);
    free(im.keys);
    return im.status;
}

static int store_revert(struct atoll_store *s, const char *to)
{
    char *msg = opt_message ? xasprintf("%s", opt_message)
                            : xasprintf("revert to %s", to);
    atoll_store_id id;
    int rc = atoll_store_revert(s, opt_branch, to, msg, &id);
    free(msg);
    if (rc < 0)
        return fail(to, rc);
    char hex[ATOLL_STORE_HEX_LEN + 1];
    atoll_store_id_hex(&id, hex);
    printf("%s\n", hex);
    return 0;
}

int cmd_store(int argc, char **argv)
{
    if (argc < 3) {
        errf("usage: atoll store log|ls|cat|branches|export IMAGE ... (see "
             "'atoll help store')");
        return EXIT_USAGE;
    }
    const char *sub = argv[1], *image = argv[2], *rev = "main";
    const char *pos[2] = {NULL, NULL};
    int npos = args(argc - 3, argv + 3, pos, 2, &rev);
    if (npos < 0)
        return EXIT_USAGE;
    bool writes = !strcmp(sub, "import") || !strcmp(sub, "revert");
    bool known = !strcmp(sub, "log") || !strcmp(sub, "ls") ||
                 !strcmp(sub, "cat") || !strcmp(sub, "branches") ||
                 !strcmp(sub, "export") || writes;
    if (!known) {
        errf("store: unknown subcommand '%s' (see 'atoll help store')", sub);
        return EXIT_USAGE;
    }
    if ((!strcmp(sub, "cat") || !strcmp(sub, "export") || writes) && npos < 1) {
        errf("usage: atoll store %s IMAGE %s", sub,
             !strcmp(sub, "cat")      ? "KEY [--rev=REV]"
             : !strcmp(sub, "revert") ? "COMMIT [--branch=B]"
                                      : "DIR");
        return EXIT_USAGE;
    }
    struct opened o;
    if (writes) {
        if (open_image_rw(image, &o) < 0)
            return EXIT_FAIL;
        int st = !strcmp(sub, "import") ? store_import(o.s, pos[0])
                                        : store_revert(o.s, pos[0]);
        close_image(&o);
        return st;
    }
    if (open_image(image, &o) < 0)
        return EXIT_FAIL;
    int rc = 0, status = 0;
    if (!strcmp(sub, "branches")) {
        rc = atoll_store_branches(o.s, print_branch, NULL);
        if (rc < 0)
            status = fail("branches", rc);
    } else if (!strcmp(sub, "log")) {
        rc = atoll_store_log(o.s, pos[0] ? pos[0] : rev, pos[1], print_commit,
                             NULL);
        if (rc < 0)
            status = fail(pos[0] ? pos[0] : rev, rc);
    } else if (!strcmp(sub, "ls")) {
        rc =
            atoll_store_list(o.s, rev, pos[0] ? pos[0] : "", print_entry, NULL);
        if (rc < 0)
            status = fail(pos[0] ? pos[0] : "/", rc);
    } else if (!strcmp(sub, "cat")) {
        void *v;
        size_t n;
        rc = atoll_store_get(o.s, rev, pos[0], &v, &n);
        if (rc < 0) {
            status = fail(pos[0], rc);
        } else {
            fwrite(v, 1, n, stdout);
            free(v);
        }
    } else {
        status = store_export(o.s, pos[0]);
    }
    close_image(&o);
    return status;
}
