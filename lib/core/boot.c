/*
 * lib/core/boot.c - the life of a unikernel: command line, runtime set-up,
 * the "main" fiber, exit status (atoll_boot, see include/atoll/app.h).
 *
 * The platform's entry point hands us argc/argv.  The command line reads
 *
 *     UNIKERNEL [RUNTIME-OPTIONS] [--net:NAME=SPEC]... [--block:NAME=SPEC]...
 *               [-- APP-ARGS]
 *
 * Everything is checked against the application's description (the
 * generated `atoll_app`) before the runtime starts, so a typo is a usage
 * message and exit status 64, never a half-started unikernel.  The command
 * line is untrusted input: every word is bounded and checked, and nothing
 * here allocates (the heap does not exist yet), so no input can crash it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/app.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/log.h"
#include "atoll/netif.h"
#include "atoll/tunables.h"
#include "number.h"
#include "platform.h"
#include "runtime.h"
#include "trace_int.h"

/* Arguments an application may declare (the atoll tool allows 64). */
#define BOOT_ARGS_MAX 128

/* Largest --mem= accepted (MiB): keeps mem_bytes far from overflow. */
#define BOOT_MEM_MAX_MIB (1024 * 1024)

/* Console output before and after the runtime exists: format on the stack
 * (lines are cut at the buffer size) and hand to the platform. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    plat_console_write(line, len);
}

static const char *kind_name(enum atoll_dev_kind kind)
{
    return kind == ATOLL_DEV_NET     ? "net"
           : kind == ATOLL_DEV_BLOCK ? "block"
                                     : "built-in";
}

/* ---- values (integers: number.h) -------------------------------------- */

static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -ATOLL_EINVAL;
}

/* ---- help -------------------------------------------------------------- */

static const char *arg_type_name(enum atoll_arg_type t)
{
    return t == ATOLL_ARG_INT ? "INT" : t == ATOLL_ARG_BOOL ? "BOOL" : "STRING";
}

static void print_help(const char *prog)
{
    const struct atoll_app_desc *app = &atoll_app;
    say("usage: %s [RUNTIME-OPTIONS] [--net:NAME=SPEC]... "
        "[--block:NAME=SPEC]...\n"
        "          [-- APP-ARGS]\n\n"
        "%s: an Atoll unikernel (%s target).\n",
        prog, app->name, plat_name);

    say("\ndevices:\n");
    if (app->ndevices == 0)
        say("  (none)\n");
    for (size_t i = 0; i < app->ndevices; i++) {
        const struct atoll_device_decl *d = &app->devices[i];
        char impl[48];
        snprintf(impl, sizeof impl, "(%s)", d->impl);
        if (d->attach)
            say("  %-5s  %-16s  %-10s  attach with --%s:%s=SPEC\n",
                kind_name(d->kind), d->name, impl, kind_name(d->kind), d->name);
        else
            say("  %-5s  %-16s  %-10s  test double; attaching is optional\n",
                kind_name(d->kind), d->name, impl);
    }

    say("\nruntime options:\n"
        "  --help                this text\n"
        "  --mem=MiB             memory of the unikernel (default %d, at "
        "least %d)\n"
        "  --trace=FILE          write the scheduler trace to FILE at exit\n"
        "                        (Chrome trace-event JSON, for Perfetto)\n"
        "  --trace-size=N        trace ring size in records (default %d)\n"
        "  --log=SPEC            log levels: LEVEL or SOURCE:LEVEL, comma-\n"
        "                        separated (quiet, error, warn, info, "
        "debug)\n"
        "  --faults:NAME=SPEC    faults of a 'faulty' net device or stack:\n"
        "                        loss=P,dup=P,reorder=P,corrupt=P[,seed=N]\n",
        ATOLL_DEFAULT_MEM_MIB, ATOLL_MIN_MEM_MIB, ATOLL_TRACE_RECORDS_DEFAULT);
    const char *ph = plat_options_help();
    if (ph && *ph)
        say("\n%s options:\n%s", plat_name, ph);

    say("\napplication arguments (after --):\n");
    if (app->nargs == 0)
        say("  (none)\n");
    for (size_t i = 0; i < app->nargs; i++) {
        const struct atoll_arg_decl *a = &app->args[i];
        char flag[96];
        if (a->type == ATOLL_ARG_BOOL)
            snprintf(flag, sizeof flag, "--[no-]%s", a->name);
        else
            snprintf(flag, sizeof flag, "--%s=%s", a->name,
                     arg_type_name(a->type));
        const char *help = a->help && *a->help ? a->help : NULL;
        say("  %-20s  %s%s", flag, help ? help : "", help ? " " : "");
        if (a->def)
            say("(default: %s)\n",
                a->type == ATOLL_ARG_STRING && !*a->def ? "\"\"" : a->def);
        else
            say("(required)\n");
    }
}

/* ---- parsing ----------------------------------------------------------- */

struct boot {
    struct atoll_runtime_opts opts;
    const char *trace_path;
    bool attached[ATOLL_DEVICES_MAX];
    struct atoll_arg_value values[BOOT_ARGS_MAX];
    bool given[BOOT_ARGS_MAX];
};

/* "service, disk" of the declared devices of `kind`. */
static void declared_list(enum atoll_dev_kind kind, char *out, size_t len)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < atoll_app.ndevices && n < len; i++) {
        const struct atoll_device_decl *d = &atoll_app.devices[i];
        if (d->kind != kind)
            continue;
        int w = snprintf(out + n, len - n, "%s%s", n ? ", " : "", d->name);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    if (!out[0])
        snprintf(out, len, "none");
}

/* --net:NAME=SPEC / --block:NAME=SPEC. */
static int device_option(struct boot *b, enum atoll_dev_kind kind,
                         const char *rest)
{
    const char *eq = strchr(rest, '=');
    size_t nlen = eq ? (size_t)(eq - rest) : strlen(rest);
    char name[64];
    if (nlen >= sizeof name) {
        say("atoll: --%s:%.20s...: device name too long\n", kind_name(kind),
            rest);
        return -1;
    }
    memcpy(name, rest, nlen);
    name[nlen] = 0;
    size_t idx = atoll_app.ndevices;
    for (size_t i = 0; i < atoll_app.ndevices; i++)
        if (atoll_app.devices[i].kind == kind &&
            !strcmp(atoll_app.devices[i].name, name))
            idx = i;
    if (idx == atoll_app.ndevices || idx >= ATOLL_DEVICES_MAX) {
        char list[256];
        declared_list(kind, list, sizeof list);
        say("atoll: --%s:%s: the application declares no %s device '%s' "
            "(declared: %s)\n",
            kind_name(kind), name, kind_name(kind), name, list);
        return -1;
    }
    if (!eq || !eq[1]) {
        say("atoll: --%s:%s: missing '=SPEC' (e.g. --%s:%s=%s)\n",
            kind_name(kind), name, kind_name(kind), name,
            kind == ATOLL_DEV_NET ? "tap0" : "disk.img");
        return -1;
    }
    if (b->attached[idx]) {
        say("atoll: --%s:%s: attached twice\n", kind_name(kind), name);
        return -1;
    }
    char err[256] = "";
    int rc = kind == ATOLL_DEV_NET
                 ? plat_net_attach(name, eq + 1, err, sizeof err)
                 : plat_block_attach(name, eq + 1, err, sizeof err);
    if (rc < 0) {
        say("atoll: --%s:%s: %s\n", kind_name(kind), name,
            err[0] ? err : atoll_strerror(rc));
        return -1;
    }
    b->attached[idx] = true;
    return 0;
}

/* A runtime option (before "--"): ours, or the platform's. */
static int runtime_option(struct boot *b, const char *arg)
{
    const char *body = arg + 2;
    if (!strncmp(body, "net:", 4))
        return device_option(b, ATOLL_DEV_NET, body + 4);
    if (!strncmp(body, "block:", 6))
        return device_option(b, ATOLL_DEV_BLOCK, body + 6);
    if (!strncmp(body, "faults:", 7)) {
        /* --faults:NAME=SPEC: recorded for the faulty netif constructor
         * (lib/dev/netif_faulty.c), which looks it up by device name. */
        const char *rest = body + 7, *eq = strchr(rest, '=');
        char name[64], err[200] = "";
        size_t nlen = eq ? (size_t)(eq - rest) : 0;
        if (!eq || nlen == 0 || nlen >= sizeof name) {
            say("atoll: --faults: expected --faults:NAME=SPEC\n");
            return -1;
        }
        memcpy(name, rest, nlen);
        name[nlen] = 0;
        if (atoll_netif_faults_set(name, eq + 1, err, sizeof err) < 0) {
            say("atoll: --faults:%s: %s\n", name, err);
            return -1;
        }
        return 0;
    }

    const char *eq = strchr(body, '=');
    size_t klen = eq ? (size_t)(eq - body) : strlen(body);
    char key[64];
    if (klen >= sizeof key) {
        say("atoll: unknown runtime option '--%.40s...' (see --help)\n", body);
        return -1;
    }
    memcpy(key, body, klen);
    key[klen] = 0;
    const char *value = eq ? eq + 1 : NULL;

    if (!strcmp(key, "mem")) {
        int64_t mib;
        if (!value || core_parse_int(value, &mib) < 0 ||
            mib < ATOLL_MIN_MEM_MIB || mib > BOOT_MEM_MAX_MIB) {
            say("atoll: --mem: '%s' is not a memory size in MiB from %d to "
                "%d\n",
                value ? value : "", ATOLL_MIN_MEM_MIB, BOOT_MEM_MAX_MIB);
            return -1;
        }
        b->opts.mem_bytes = (size_t)mib << 20;
        return 0;
    }
    if (!strcmp(key, "trace")) {
        if (!value || !*value) {
            say("atoll: --trace: missing file name (--trace=FILE)\n");
            return -1;
        }
        b->trace_path = value;
        return 0;
    }
    if (!strcmp(key, "trace-size")) {
        int64_t n;
        if (!value || core_parse_int(value, &n) < 0 || n < 1 ||
            n > (int64_t)1 << 32) {
            say("atoll: --trace-size: '%s' is not a record count from 1 to "
                "2^32\n",
                value ? value : "");
            return -1;
        }
        b->opts.trace_records = (size_t)n;
        return 0;
    }
    if (!strcmp(key, "log")) {
        char err[200] = "";
        if (!value || atoll_log_configure(value, err, sizeof err) < 0) {
            say("atoll: --log: %s\n",
                !value   ? "missing SPEC (e.g. --log=debug or --log=tcp:debug)"
                : err[0] ? err
                         : "bad SPEC");
            return -1;
        }
        b->opts.log_spec = value;
        return 0;
    }

    char err[256] = "";
    int rc = plat_option(key, value, err, sizeof err);
    if (rc == -ATOLL_ENOENT) {
        say("atoll: unknown runtime option '--%s' (see --help)\n", key);
        return -1;
    }
    if (rc < 0) {
        say("atoll: %s\n", err[0] ? err : atoll_strerror(rc));
        return -1;
    }
    return 0;
}

/* Set argument `i` from text; 0 or -1 after a message naming it. */
static int set_arg(struct boot *b, size_t i, const char *text)
{
    const struct atoll_arg_decl *a = &atoll_app.args[i];
    struct atoll_arg_value *v = &b->values[i];
    switch (a->type) {
    case ATOLL_ARG_INT: {
        int rc = core_parse_int(text, &v->i);
        if (rc == -ATOLL_ERANGE) {
            say("atoll: --%s: '%s' is out of range for a 64-bit integer\n",
                a->name, text);
            return -1;
        }
        if (rc < 0) {
            say("atoll: --%s: '%s' is not an integer\n", a->name, text);
            return -1;
        }
        return 0;
    }
    case ATOLL_ARG_BOOL:
        if (parse_bool(text, &v->b) < 0) {
            say("atoll: --%s: '%s' is not a boolean (true or false)\n", a->name,
                text);
            return -1;
        }
        return 0;
    case ATOLL_ARG_STRING:
        v->s = text;
        return 0;
    }
    say("atoll: --%s: argument of unknown type\n", a->name);
    return -1;
}

static size_t find_arg(const char *name, size_t len)
{
    for (size_t i = 0; i < atoll_app.nargs; i++)
        if (strlen(atoll_app.args[i].name) == len &&
            !strncmp(atoll_app.args[i].name, name, len))
            return i;
    return atoll_app.nargs;
}

/* An application argument (after "--"). */
static int app_argument(struct boot *b, const char *arg)
{
    if (strncmp(arg, "--", 2) || !arg[2]) {
        say("atoll: unexpected application argument '%s' (expected "
            "--NAME=VALUE; see --help)\n",
            arg);
        return -1;
    }
    const char *body = arg + 2;
    const char *eq = strchr(body, '=');
    size_t len = eq ? (size_t)(eq - body) : strlen(body);
    size_t i = find_arg(body, len);
    if (i < atoll_app.nargs) {
        const struct atoll_arg_decl *a = &atoll_app.args[i];
        b->given[i] = true;
        if (eq)
            return set_arg(b, i, eq + 1);
        if (a->type == ATOLL_ARG_BOOL) {
            b->values[i].b = true;
            return 0;
        }
        say("atoll: --%s: missing value (--%s=%s)\n", a->name, a->name,
            arg_type_name(a->type));
        return -1;
    }
    /* --no-NAME for a bool. */
    if (!eq && !strncmp(body, "no-", 3)) {
        i = find_arg(body + 3, len - 3);
        if (i < atoll_app.nargs && atoll_app.args[i].type == ATOLL_ARG_BOOL) {
            b->given[i] = true;
            b->values[i].b = false;
            return 0;
        }
    }
    say("atoll: unknown application argument '--%.*s' (see --help)\n",
        (int)(len > 64 ? 64 : len), body);
    return -1;
}

/* The whole command line; 0, 1 (--help was printed) or -1 (error). */
static int parse_command_line(struct boot *b, int argc, char **argv)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : atoll_app.name;
    int i = 1;
    /* --help wins wherever it is among the runtime options, so that a
     * user who got an error can always ask for help. */
    for (int j = 1; j < argc && argv[j] && strcmp(argv[j], "--"); j++)
        if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
            print_help(prog);
            return 1;
        }
    for (; i < argc && argv[i]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (strncmp(a, "--", 2)) {
            say("atoll: unexpected argument '%s' (application arguments go "
                "after '--'; see --help)\n",
                a);
            return -1;
        }
        if (runtime_option(b, a) < 0)
            return -1;
    }
    for (; i < argc && argv[i]; i++) {
        if (!strcmp(argv[i], "--help") &&
            find_arg("help", 4) == atoll_app.nargs) {
            print_help(prog);
            return 1;
        }
        if (app_argument(b, argv[i]) < 0)
            return -1;
    }
    return 0;
}

/* Defaults for arguments not given, and the check for required ones. */
static int finish_args(struct boot *b)
{
    for (size_t i = 0; i < atoll_app.nargs; i++) {
        const struct atoll_arg_decl *a = &atoll_app.args[i];
        if (b->given[i])
            continue;
        if (!a->def) {
            say("atoll: missing required application argument --%s=%s (see "
                "--help)\n",
                a->name, arg_type_name(a->type));
            return -1;
        }
        if (set_arg(b, i, a->def) < 0) {
            say("atoll: (that is the default of --%s: rebuild the "
                "application)\n",
                a->name);
            return -1;
        }
    }
    return 0;
}

/* Devices whose implementation needs a host resource must have one. */
static int check_attached(const struct boot *b)
{
    for (size_t i = 0; i < atoll_app.ndevices; i++) {
        const struct atoll_device_decl *d = &atoll_app.devices[i];
        if (!d->attach || b->attached[i])
            continue;
        say("atoll: %s device '%s' is not attached (give --%s:%s=...)\n",
            kind_name(d->kind), d->name, kind_name(d->kind), d->name);
        return -1;
    }
    return 0;
}

/* ---- boot -------------------------------------------------------------- */

static int main_fiber(void *arg)
{
    return atoll_app.start(arg);
}

int atoll_boot(int argc, char **argv)
{
    static struct boot b;
    memset(&b, 0, sizeof b);

    if (atoll_app.nargs > BOOT_ARGS_MAX ||
        atoll_app.ndevices > ATOLL_DEVICES_MAX) {
        say("atoll: the application declares too many arguments or "
            "devices\n");
        return ATOLL_EXIT_USAGE;
    }
    int rc = parse_command_line(&b, argc, argv);
    if (rc > 0)
        return 0;
    if (rc < 0 || finish_args(&b) < 0 || check_attached(&b) < 0)
        return ATOLL_EXIT_USAGE;

    int err = atoll_runtime_init(&b.opts);
    if (err < 0) {
        say("atoll: cannot start the runtime: %s\n", atoll_strerror(err));
        return ATOLL_EXIT_USAGE;
    }
    core_trace_dump_path(b.trace_path);
    atoll_fiber *main_f;
    err = atoll_fiber_spawn(&main_f, "main", main_fiber, b.values, 0);
    if (err < 0) {
        say("atoll: cannot create the main fiber: %s\n", atoll_strerror(err));
        return ATOLL_EXIT_PANIC;
    }
    int status = atoll_sched_run(main_f);

    if (b.trace_path) {
        err = plat_trace_write(b.trace_path, 0);
        if (err < 0) {
            say("atoll: cannot write the trace to '%s': %s\n", b.trace_path,
                atoll_strerror(err));
            if (status == 0)
                status = 1;
        }
    }
    return status;
}

int atoll_boot_device_error(enum atoll_dev_kind kind, const char *name, int err)
{
    say("atoll: cannot open %s device '%s': %s\n", kind_name(kind), name,
        atoll_strerror(err));
    return ATOLL_EXIT_NODEV;
}
