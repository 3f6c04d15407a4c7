/*
 * tools/atoll/main.c - the `atoll` command: new, configure, build, run,
 * package, clean, store, trace, help.
 *
 * The tool is to Atoll what `mirage` is to MirageOS: it reads an
 * application's manifest, generates the wiring that picks an
 * implementation for each interface (gen.c), and compiles and links the
 * application with the libraries of one target (build.c).  It works on the
 * current folder, or on DIR with the global option -C DIR.
 *
 * Exit statuses: 0 success, 1 the command failed (bad manifest, compiler
 * error), 2 bad command line; `atoll run` exits with the unikernel's status.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "gen.h"
#include "manifest.h"
#include "package.h"
#include "run.h"
#include "store_cmd.h"
#include "targets.h"
#include "trace_cmd.h"
#include "util.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis;
    const char *help;
    void (*help_more)(void); /* prints what follows help (from a table) */
};

static const struct command *find_command(const char *name);
static void print_usage(FILE *f);

/* ---- atoll new ---------------------------------------------------------- */

/* An application name from a folder name: a C identifier. */
static char *name_from_dir(const char *dir)
{
    char *base = path_basename(dir);
    struct sbuf b = {0};
    if (base[0] >= '0' && base[0] <= '9')
        sb_puts(&b, "app_");
    for (const char *c = base; *c && b.len < MF_NAME_MAX; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_';
        sb_putn(&b, ok ? c : "_", 1);
    }
    free(base);
    if (!b.p || !is_identifier(b.p, MF_NAME_MAX) || is_c_keyword(b.p)) {
        sb_free(&b);
        return xstrdup("app");
    }
    return b.p;
}

static bool dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

static int cmd_new(int argc, char **argv)
{
    if (argc != 2) {
        errf("usage: atoll new DIR");
        return EXIT_USAGE;
    }
    const char *dir = argv[1];
    if (!*dir) {
        errf("new: empty folder name");
        return EXIT_USAGE;
    }
    if (path_exists(dir)) {
        if (!is_dir(dir)) {
            errf("new: %s exists and is not a folder", dir);
            return EXIT_FAIL;
        }
        if (!dir_is_empty(dir)) {
            errf("new: %s already exists and is not empty", dir);
            return EXIT_FAIL;
        }
    } else if (mkdir(dir, 0777) != 0) {
        errf("new: cannot create %s: %s", dir, strerror(errno));
        return EXIT_FAIL;
    }
    char *name = name_from_dir(dir);
    char *manifest = xasprintf(
        "# atoll.manifest - what the unikernel '%s' is made of and needs.\n"
        "# Reference: docs/manifest.md in Atoll.  After editing, run\n"
        "# 'atoll configure -t unix' (or -t sim) again.\n"
        "\n"
        "name    %s\n"
        "main    app_main         # the entry point, in main.c\n"
        "\n"
        "# Devices: KIND NAME [IMPL]; attach them at run time with\n"
        "# --net:NAME=TAP or --block:NAME=FILE.\n"
        "# device  net   service\n"
        "# device  block disk\n"
        "\n"
        "# Arguments: NAME TYPE DEFAULT \"HELP\"; pass them after '--' as\n"
        "# --NAME=VALUE.\n"
        "# arg     count int    1   \"How many times to greet\"\n",
        name, name);
    char *mainc = xasprintf(
        "/*\n"
        " * main.c - %s, an Atoll unikernel: prints a greeting and exits.\n"
        " *\n"
        " * struct app (from the generated _build/atoll_app.h) holds the\n"
        " * console, clocks and random source, one handle per device "
        "declared\n"
        " * in atoll.manifest, and the values of its arguments.\n"
        " */\n"
        "#include \"atoll_app.h\"\n"
        "\n"
        "int app_main(struct app *app)\n"
        "{\n"
        "    atoll_console_printf(app->console, \"Hello from %s!\\n\");\n"
        "    return 0;\n"
        "}\n",
        name, name);
    char *mpath = xasprintf("%s/%s", dir, MF_FILE);
    char *cpath = xasprintf("%s/main.c", dir);
    int rc = write_file_if_changed(mpath, manifest, strlen(manifest));
    if (rc == 0)
        rc = write_file_if_changed(cpath, mainc, strlen(mainc));
    if (rc == 0)
        fprintf(stderr,
                "atoll: created %s (application '%s').  Next:\n"
                "  cd %s && atoll configure -t unix && atoll run\n",
                dir, name, dir);
    free(mpath);
    free(cpath);
    free(manifest);
    free(mainc);
    free(name);
    return rc == 0 ? 0 : EXIT_FAIL;
}

/* ---- atoll configure ---------------------------------------------------- */

/* Option OPT given as "OPT VALUE", "OPT=VALUE" (long options) or
 * "-tVALUE" (short).  Returns the value and advances *i, or NULL if
 * argv[*i] is not OPT. */
static const char *option_value(int argc, char **argv, int *i, const char *opt,
                                bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(opt);
    if (strncmp(a, opt, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] && opt[1] != '-')
        return a + n; /* -tunix */
    if (a[n])
        return NULL; /* --implx: another option */
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int cmd_configure(int argc, char **argv)
{
    struct config c = {0};
    struct manifest m;
    int rc = EXIT_USAGE;
    const char *target = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = option_value(argc, argv, &i, "-t", &missing)) ||
            (v = option_value(argc, argv, &i, "--target", &missing))) {
            target = v;
        } else if ((v = option_value(argc, argv, &i, "--impl", &missing))) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1]) {
                errf("configure: --impl wants NAME=IMPL, got '%s'", v);
                goto out;
            }
            if (c.nimpls == ATOLL_DEVICES_MAX) {
                errf("configure: too many --impl options");
                goto out;
            }
            char *dev = xstrndup(v, (size_t)(eq - v));
            if (!is_identifier(dev, MF_NAME_MAX) ||
                !is_identifier(eq + 1, MF_NAME_MAX)) {
                errf("configure: --impl %s: NAME and IMPL must be "
                     "identifiers",
                     v);
                free(dev);
                goto out;
            }
            c.impl_dev[c.nimpls] = dev;
            c.impl_name[c.nimpls++] = xstrdup(eq + 1);
        } else if (!strcmp(argv[i], "--sanitize")) {
            c.sanitize = true;
        } else if (missing) {
            errf("configure: %s needs a value", argv[i]);
            goto out;
        } else {
            errf("configure: unknown option '%s' (see 'atoll help "
                 "configure')",
                 argv[i]);
            goto out;
        }
    }
    c.target = target ? target_find(target) : target_default();
    if (!c.target) {
        errf("unknown target '%s' (expected %s)", target, targets_text());
        goto out;
    }
    if (c.sanitize && !c.target->sanitize) {
        errf("configure: target %s has no sanitizers: configure without "
             "--sanitize",
             c.target->name);
        goto out;
    }

    rc = EXIT_FAIL;
    if (manifest_load(MF_FILE, &m) != 0)
        goto out;
    for (size_t i = 0; i < c.nimpls; i++)
        if (manifest_set_impl(&m, c.impl_dev[i], c.impl_name[i]) != 0) {
            rc = EXIT_USAGE;
            goto out_m;
        }
    char **sources;
    if (manifest_sources(&m, &sources) < 0)
        goto out_m;
    manifest_sources_free(sources);
    if (mkdir(BUILD_DIR, 0777) != 0 && errno != EEXIST) {
        errf("cannot create %s: %s", BUILD_DIR, strerror(errno));
        goto out_m;
    }
    if (config_write(&c) != 0 || gen_write(&m, c.target->name, BUILD_DIR) != 0)
        goto out_m;
    fprintf(stderr, "atoll: configured '%s' for target %s%s", m.name,
            c.target->name, c.sanitize ? " (sanitizers)" : "");
    for (size_t i = 0; i < m.ndevices; i++)
        fprintf(stderr, "%s %s %s (%s)",
                i ? "," : "; devices:", m.devices[i].kind->name,
                m.devices[i].name, m.devices[i].impl);
    fprintf(stderr, "\n");
    rc = 0;
out_m:
    manifest_free(&m);
out:
    config_free(&c);
    return rc;
}

/* ---- atoll build / run / clean ------------------------------------------ */

static int cmd_build(int argc, char **argv)
{
    bool force = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force")) {
            force = true;
        } else {
            errf("build: unknown option '%s' (see 'atoll help build')",
                 argv[i]);
            return EXIT_USAGE;
        }
    }
    char *bin = NULL;
    if (build_app(force, &bin) != 0)
        return EXIT_FAIL;
    fprintf(stderr, "atoll: %s is up to date\n", bin);
    free(bin);
    return 0;
}

/* The tender `name` (of --tender=NAME) for an application configured
 * for `t`, or NULL after printing why not. */
static const struct target *run_tender(const struct target *t, const char *name)
{
    const struct target *r = target_tender(t, name);
    if (r)
        return r;
    r = target_find(name);
    if (!r || !r->tender)
        errf("run: unknown tender '%s' (expected %s)", name, tenders_text());
    else if (!t->tender)
        errf("run: --tender=%s: this application is configured for target "
             "%s, which runs without a tender (configure -t %s to build an "
             "image)",
             name, t->name, name);
    else
        errf("run: tender %s cannot run the image of target %s", name, t->name);
    return NULL;
}

static int cmd_run(int argc, char **argv)
{
    /* --tender=NAME, first: run the image under another tender than the
     * configured target's (hvt's image under atoll-spt, say). */
    const char *tender = NULL;
    if (argc > 1 && !strncmp(argv[1], "--tender", 8)) {
        if (argv[1][8] != '=' || !argv[1][9]) {
            errf("run: --tender wants a name: --tender=T, T being %s",
                 tenders_text());
            return EXIT_USAGE;
        }
        tender = argv[1] + 9;
        argc--;
        argv++;
    }
    struct config c;
    if (config_read(&c) != 0)
        return EXIT_FAIL;
    const struct target *t = c.target;
    if (tender && !(t = run_tender(t, tender))) {
        config_free(&c);
        return EXIT_USAGE;
    }
    const char *root = atoll_root();
    char *bin = NULL;
    if (!root || build_app(false, &bin) != 0) {
        config_free(&c);
        return EXIT_FAIL;
    }
    int rc;
    if (t->run) {
        /* A runner of the tool's own (QEMU): it checks the attachments
         * against the manifest and waits for the machine. */
        struct manifest m;
        rc = EXIT_FAIL;
        if (load_configured(&c, &m) == 0) {
            rc = t->run(t, root, bin, &m, argc, argv);
            manifest_free(&m);
        }
    } else {
        /* The unikernel (or its tender) replaces the tool, so its exit
         * status (and any signal) is what the caller sees. */
        rc = run_exec(t, root, bin, argc, argv);
    }
    config_free(&c);
    free(bin);
    return rc;
}

static int cmd_clean(int argc, char **argv)
{
    if (argc != 1) {
        errf("usage: atoll clean");
        return EXIT_USAGE;
    }
    /* Only where a manifest says this is an application folder: never
     * remove someone else's _build. */
    if (!is_regular(MF_FILE)) {
        errf("clean: no %s here; not removing anything", MF_FILE);
        return EXIT_FAIL;
    }
    return remove_tree(BUILD_DIR) == 0 ? 0 : EXIT_FAIL;
}

/* ---- atoll help --------------------------------------------------------- */

static int cmd_help(int argc, char **argv)
{
    if (argc == 1) {
        print_usage(stdout);
        return 0;
    }
    if (argc > 2) {
        errf("usage: atoll help [COMMAND]");
        return EXIT_USAGE;
    }
    const struct command *c = find_command(argv[1]);
    if (!c) {
        errf("help: unknown command '%s' (see 'atoll help')", argv[1]);
        return EXIT_USAGE;
    }
    printf("usage: atoll [-C DIR] %s\n\n%s", c->synopsis, c->help);
    if (c->help_more)
        c->help_more();
    return 0;
}

static void configure_help_more(void)
{
    targets_help(false);
}

static void run_help_more(void)
{
    targets_help(true);
}

static const struct command commands[] = {
    {"new", cmd_new, "new DIR",
     "Create DIR (which must not exist or be empty) with an atoll.manifest\n"
     "and a main.c that prints \"Hello from NAME!\", NAME being DIR's last\n"
     "component made into a C identifier.\n",
     NULL},
    {"configure", cmd_configure,
     "configure [-t TARGET] [--impl NAME=IMPL]... [--sanitize]",
     "Read atoll.manifest, check it, and generate the wiring in _build/\n"
     "(atoll_app.h: struct app; atoll_app.c: devices, arguments, start).\n"
     "Records the choices in _build/config for build and run.\n"
     "\n"
     "  -t, --target T     build for target T (see below)\n"
     "  --impl NAME=IMPL   back device NAME with implementation IMPL\n"
     "                     instead of the manifest's (net: default, flood;\n"
     "                     block: default, full, busy)\n"
     "  --sanitize         link the AddressSanitizer/UBSan build of Atoll\n"
     "\n"
     "Environment: ATOLL_ROOT (Atoll's folder, default: above bin/atoll),\n"
     "ATOLL_BUILD (its build folder, relative to the root or absolute;\n"
     "default build).\n"
     "\n"
     "Targets:\n",
     configure_help_more},
    {"build", cmd_build, "build [-f|--force]",
     "Compile and link the configured application into _build/NAME if\n"
     "any input changed (the manifest, sources, headers, Atoll's\n"
     "libraries).  Uses $CC (default cc) and appends $CFLAGS and "
     "$LDFLAGS.\n"
     "  -f, --force   rebuild even if up to date\n",
     NULL},
    {"run", cmd_run, "run [--tender=T] [ARGS...]",
     "Build if needed, then run _build/NAME with ARGS and exit with its\n"
     "status.  ARGS read: [RUNTIME-OPTIONS] [--net:NAME=SPEC]...\n"
     "[--block:NAME=SPEC]... [-- APP-ARGS]; 'atoll run --help' lists\n"
     "them for this application.\n"
     "\n"
     "A freestanding image runs under its target's tender, a program in\n"
     "Atoll's bin/ that takes --mem=MiB, --net:, --block:, --trace=FILE,\n"
     "--dumpcore=DIR and --gdb[=PORT] (hvt: gdb's remote stub, the guest\n"
     "stopped until gdb attaches; docs/debugging.md) for itself and\n"
     "hands the rest to the guest; it exits with the guest's status, or\n"
     "112 (bad image), 113 (tender error) or 114 (guest crash).  When the\n"
     "tender needs a device this host lacks, run says so, names a tender\n"
     "that does without, and exits with 113.\n"
     "\n"
     "A virtio image runs under qemu-system-x86_64, started and waited\n"
     "for by run: --machine=q35|microvm (default q35), --accel=kvm|tcg\n"
     "(default kvm where /dev/kvm opens), --gdb[=PORT] (QEMU's gdb stub,\n"
     "the machine stopped until gdb attaches), --mem=MiB, --net:NAME=TAP,\n"
     "--block:NAME=FILE; docs/virtio.md.\n"
     "\n"
     "  --tender=T   (first) run the image under tender T instead, without\n"
     "               configuring again: every tender below runs the same\n"
     "               image\n"
     "\n"
     "Tenders:\n",
     run_help_more},
    {"package", cmd_package,
     "package [-o DIR] [--tag=TAG] [--mem=MiB] [-- APP-ARGS...]",
     package_cmd_help, NULL},
    {"clean", cmd_clean, "clean", "Remove _build/.\n", NULL},
    {"store", cmd_store, "store log|ls|cat|branches|export IMAGE ...",
     store_cmd_help, NULL},
    {"trace", cmd_trace, "trace view|summary TRACE.json", trace_cmd_help, NULL},
    {"help", cmd_help, "help [COMMAND]", "Show help for COMMAND.\n", NULL},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void print_usage(FILE *f)
{
    fprintf(f, "usage: atoll [-C DIR] COMMAND [ARGS...]\n\n"
               "Builds Atoll unikernels from an application folder "
               "(atoll.manifest + C).\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %s\n", commands[i].synopsis);
    fprintf(f,
            "\n  -C DIR   work in DIR instead of the current folder\n"
            "\ntargets: %s ('atoll help configure')\n"
            "'atoll help COMMAND' tells more.\n",
            targets_text());
}

int main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_usage(stdout);
            return 0;
        }
        if (!strncmp(a, "-C", 2)) {
            const char *dir = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!dir) {
                errf("-C needs a folder");
                return EXIT_USAGE;
            }
            if (chdir(dir) != 0) {
                errf("-C %s: %s", dir, strerror(errno));
                return EXIT_USAGE;
            }
            i++;
            continue;
        }
        errf("unknown option '%s' (see 'atoll help')", a);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const struct command *c = find_command(argv[i]);
    if (!c) {
        errf("unknown command '%s' (see 'atoll help')", argv[i]);
        return EXIT_USAGE;
    }
    return c->fn(argc - i, argv + i);
}
