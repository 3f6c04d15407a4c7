/*
 * tools/atoll/build.c - locating Atoll, the recorded configuration, and
 * compiling + linking a unikernel (see build.h).
 *
 * A unikernel is linked as
 *
 *     cc ... app sources _build/atoll_app.c  start_T.o
 *            -Wl,--start-group libatoll.a libatoll_T.a -Wl,--end-group -lm
 *
 * The two libraries are a link group because the dependencies go both
 * ways: the runtime (libatoll.a) calls the platform's plat_* functions, and
 * the platform calls back into the runtime (trace export, error names).
 * An application that sets tunables in CFLAGS links libraries built for
 * them (tune.h).
 */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "gen.h"
#include "image.h"
#include "tune.h"
#include "util.h"

const char *atoll_root(void)
{
    static char *root;
    if (root)
        return root;
    const char *env = getenv("ATOLL_ROOT");
    if (env && *env) {
        root = xstrdup(env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) {
            errf("cannot find the atoll executable (%s); set ATOLL_ROOT",
                 strerror(errno));
            return NULL;
        }
        exe[n] = 0;
        /* ROOT/bin/atoll -> ROOT */
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash) {
                errf("cannot find Atoll's root above %s; set ATOLL_ROOT", exe);
                return NULL;
            }
            *slash = 0;
        }
        root = xstrdup(exe[0] ? exe : "/");
    }
    char *probe = xasprintf("%s/include/atoll/app.h", root);
    bool ok = is_regular(probe);
    free(probe);
    if (!ok) {
        errf("%s does not look like Atoll's root (no include/atoll/app.h); "
             "set ATOLL_ROOT",
             root);
        free(root);
        root = NULL;
    }
    return root;
}

char *atoll_builddir(const char *root)
{
    const char *b = getenv("ATOLL_BUILD");
    if (!b || !*b)
        return xasprintf("%s/build", root);
    if (b[0] == '/')
        return xstrdup(b);
    return xasprintf("%s/%s", root, b);
}

char *atoll_libdir(const char *root, const char *variant)
{
    char *b = atoll_builddir(root);
    char *dir = xasprintf("%s/%s", b, variant);
    free(b);
    return dir;
}

int config_write(const struct config *c)
{
    struct sbuf b = {0};
    sb_puts(&b, "# _build/config - written by `atoll configure`; do not "
                "edit, configure again.\n");
    sb_printf(&b, "target %s\nsanitize %s\n", c->target->name,
              c->sanitize ? "yes" : "no");
    for (size_t i = 0; i < c->nimpls; i++)
        sb_printf(&b, "impl %s %s\n", c->impl_dev[i], c->impl_name[i]);
    int rc = write_file_if_changed(CONFIG_FILE, b.p, b.len);
    sb_free(&b);
    return rc;
}

int config_read(struct config *c)
{
    memset(c, 0, sizeof *c);
    char *text;
    size_t len;
    if (read_whole_file(CONFIG_FILE, 65536, &text, &len) != 0) {
        if (errno == ENOENT)
            errf("not configured: run 'atoll configure -t %s' first",
                 targets_bar());
        else
            errf("cannot read %s: %s", CONFIG_FILE, strerror(errno));
        return -1;
    }
    bool bad = false;
    for (char *line = strtok(text, "\n"); line && !bad;
         line = strtok(NULL, "\n")) {
        char key[32], a[128], b2[128];
        if (line[0] == '#')
            continue;
        int n = sscanf(line, "%31s %127s %127s", key, a, b2);
        if (n == 2 && !strcmp(key, "target") && target_find(a)) {
            c->target = target_find(a);
        } else if (n == 2 && !strcmp(key, "sanitize")) {
            c->sanitize = !strcmp(a, "yes");
        } else if (n == 3 && !strcmp(key, "impl") &&
                   c->nimpls < ATOLL_DEVICES_MAX) {
            c->impl_dev[c->nimpls] = xstrdup(a);
            c->impl_name[c->nimpls++] = xstrdup(b2);
        } else {
            bad = true;
        }
    }
    free(text);
    if (bad || !c->target) {
        errf("%s is damaged: run 'atoll configure' again", CONFIG_FILE);
        config_free(c);
        return -1;
    }
    return 0;
}

void config_free(struct config *c)
{
    for (size_t i = 0; i < c->nimpls; i++) {
        free(c->impl_dev[i]);
        free(c->impl_name[i]);
    }
    memset(c, 0, sizeof *c);
}

int load_configured(const struct config *c, struct manifest *m)
{
    if (manifest_load(MF_FILE, m) != 0)
        return -1;
    for (size_t i = 0; i < c->nimpls; i++)
        if (manifest_set_impl(m, c->impl_dev[i], c->impl_name[i]) != 0) {
            manifest_free(m);
            return -1;
        }
    return 0;
}

/* Newest modification time among `path` and the running maximum. */
static void newest(int64_t *max, const char *path)
{
    int64_t t = mtime_ns(path);
    if (t > *max)
        *max = t;
}

static bool ends_with_h(const char *s)
{
    size_t n = strlen(s);
    return n > 2 && s[n - 2] == '.' && s[n - 1] == 'h';
}

/* The newest input the unikernel depends on: the manifest and
 * configuration, the generated wiring, the sources, any header next to
 * them, and Atoll's libraries. */
static int64_t newest_input(char **sources, char *const libs[])
{
    int64_t max = 0;
    newest(&max, MF_FILE);
    newest(&max, CONFIG_FILE);
    newest(&max, FLAGS_FILE);
    newest(&max, BUILD_DIR "/atoll_app.h");
    newest(&max, BUILD_DIR "/atoll_app.c");
    for (size_t i = 0; sources[i]; i++)
        newest(&max, sources[i]);
    for (size_t i = 0; libs[i]; i++)
        newest(&max, libs[i]);
    DIR *d = opendir(".");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.' && ends_with_h(e->d_name))
                newest(&max, e->d_name);
        closedir(d);
    }
    return max;
}

int build_app(bool force, char **binary)
{
    struct config c;
    struct manifest m;
    char **sources = NULL;
    char *libdir = NULL, *out = NULL;
    char *libs[6] = {0};
    int nlibs = 3;
    struct argv_list av = {0};
    int rc = -1;

    if (config_read(&c) != 0)
        return -1;
    if (load_configured(&c, &m) != 0) {
        config_free(&c);
        return -1;
    }
    const struct target *t = c.target;
    bool image = t->build == TARGET_IMAGE;
    if (gen_write(&m, t->name, BUILD_DIR) != 0)
        goto done;
    if (manifest_sources(&m, &sources) < 0)
        goto done;
    const char *root = atoll_root();
    if (!root)
        goto done;
    if (c.sanitize && !t->sanitize) {
        errf("target %s has no sanitizers: configure without --sanitize",
             t->name);
        goto done;
    }
    /* An image: freestanding libraries in BUILD/PLATFORM, a link script,
     * and the device manifest as an ELF note (the row's gen_note). */
    if (image && t->gen_note && t->gen_note(&m) != 0)
        goto done;
    const char *variant = image ? t->platform : c.sanitize ? "san" : "rel";
    /* Tunables in CFLAGS: the libraries built for them (tune.h). */
    char *tuned;
    if (tune_libdir(root, t, variant, &tuned) != 0)
        goto done;
    libdir = tuned ? xasprintf("%s/%s", tuned, variant)
                   : atoll_libdir(root, variant);
    free(tuned);
    libs[0] = xasprintf("%s/start_%s.o", libdir, t->platform);
    libs[1] = xasprintf("%s/libatoll_%s.a", libdir, t->platform);
    libs[2] = xasprintf("%s/libatoll.a", libdir);
    if (image) {
        libs[3] = xasprintf("%s/%s.ld", libdir, t->platform);
        nlibs = 4;
        if (t->gen_note)
            libs[nlibs++] = xstrdup(t->note_file);
    }
    for (int i = 0; i < nlibs; i++)
        if (!is_regular(libs[i])) {
            errf("Atoll's libraries for target '%s' are missing (no %s): "
                 "run 'make' in %s first",
                 t->name, libs[i], root);
            goto done;
        }

    /* The flags the last build used: a change (a tunable above all)
     * makes the unikernel older than its inputs. */
    const char *cflags = getenv("CFLAGS"), *ldflags = getenv("LDFLAGS");
    char *flags = xasprintf("CFLAGS=%s\nLDFLAGS=%s\n", cflags ? cflags : "",
                            ldflags ? ldflags : "");
    int wrote = write_file_if_changed(FLAGS_FILE, flags, strlen(flags));
    free(flags);
    if (wrote != 0)
        goto done;

    out = xasprintf("%s/%s", BUILD_DIR, m.name);
    int64_t have = mtime_ns(out);
    int64_t need = newest_input(sources, libs);
    if (files_newest(&m) > need)
        need = files_newest(&m); /* baked files changed */
    if (!force && have >= 0 && have >= need) {
        rc = 0;
        goto done;
    }

    const char *cc = getenv("CC");
    av_push_words(&av, cc && *cc ? cc : "cc");
    av_push_words(&av, "-std=gnu11 -g -O2 -Wall -Wextra");
    if (image)
        image_compile_flags(&av, cc && *cc ? cc : "cc", root);
    if (c.sanitize)
        av_push_words(&av, "-fsanitize=address,undefined "
                           "-fno-omit-frame-pointer");
    char *inc = xasprintf("%s/include", root);
    av_push(&av, "-I");
    av_push(&av, inc);
    free(inc);
    av_push(&av, "-I");
    av_push(&av, BUILD_DIR);
    if (cflags)
        av_push_words(&av, cflags);
    for (size_t i = 0; sources[i]; i++)
        av_push(&av, sources[i]);
    av_push(&av, BUILD_DIR "/atoll_app.c");
    files_sources(&m, &av);
    if (image && t->gen_note)
        av_push(&av, t->note_file);
    av_push(&av, libs[0]);
    av_push(&av, "-Wl,--start-group");
    av_push(&av, libs[2]);
    av_push(&av, libs[1]);
    av_push(&av, "-Wl,--end-group");
    if (ldflags)
        av_push_words(&av, ldflags);
    if (image) {
        image_link_flags(&av, libs[3]);
        av_push_words(&av, "-lgcc -o");
    } else {
        av_push_words(&av, "-lm -lpthread -o");
    }
    av_push(&av, out);

    fprintf(stderr, "atoll: building %s (target %s%s)\n", out, t->name,
            c.sanitize ? ", sanitizers" : "");
    int st = run_command(av.v);
    if (st != 0) {
        char *line = command_line(av.v);
        if (st > 0)
            errf("build failed (compiler exit status %d); the command "
                 "was:\n  %s",
                 st, line);
        else
            errf("build failed; the command was:\n  %s", line);
        free(line);
        goto done;
    }
    rc = 0;
done:
    if (rc == 0 && binary && out) {
        *binary = out;
        out = NULL;
    }
    free(out);
    for (int i = 0; i < 6; i++)
        free(libs[i]);
    free(libdir);
    av_free(&av);
    manifest_sources_free(sources);
    manifest_free(&m);
    config_free(&c);
    return rc;
}
