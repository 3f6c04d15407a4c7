/*
 * tender/common/options.c - the command line both tenders take:
 *
 *     TENDER [--mem=MiB] [--net:NAME=TAP]... [--block:NAME=FILE]...
 *            [--dumpcore=DIR] [--trace=FILE] [--gdb[=PORT]] KERNEL
 *            [-- ARGS...]
 *
 * --trace=FILE is the tender's (it names the files: tender/common/trace.c)
 * and is passed on to the guest's runtime as its own --trace=FILE, in
 * front of ARGS, so that the guest writes its trace at exit and answers
 * SIGUSR1.  --gdb[=PORT] (default 1234) is atoll-hvt's gdb stub
 * (tender/hvt/gdb_kvm.c); atoll-spt refuses it, since gdb debugs its
 * guest natively.
 * One parser, so that atoll-hvt and atoll-spt cannot drift apart: the
 * same image runs under either with the same line.  Errors exit with
 * ATOLL_HVT_EXIT_TENDER and say what was expected.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tender.h"

static void usage(void)
{
    hvt_die(ATOLL_HVT_EXIT_TENDER,
            "usage: %s [--mem=MiB] [--net:NAME=TAP]... "
            "[--block:NAME=FILE]... [--dumpcore=DIR] [--trace=FILE] "
            "[--gdb[=PORT]] KERNEL [-- ARGS...]",
            hvt_progname);
}

/* "--net:NAME=HOST": splits in place into the attachment. */
static void parse_attach(char *arg, uint32_t kind, struct hvt_attach *a)
{
    char *name = strchr(arg, ':') + 1;
    char *eq = strchr(name, '=');
    if (eq == NULL || eq == name || eq[1] == '\0')
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "bad device option '%s': expected --%s:NAME=%s", arg,
                kind == ATOLL_HVT_DEV_NET ? "net" : "block",
                kind == ATOLL_HVT_DEV_NET ? "TAP" : "FILE");
    *eq = '\0';
    a->kind = kind;
    a->name = name;
    a->host = eq + 1;
}

/* --gdb or --gdb=PORT: a TCP port, 1..65535. */
static unsigned parse_gdb(const char *a)
{
    if (a[5] == '\0')
        return 1234; /* gdb's and QEMU's usual port */
    char *end;
    errno = 0;
    unsigned long v = strtoul(a + 6, &end, 10);
    if (a[5] != '=' || errno || end == a + 6 || *end != '\0' || a[6] == '-' ||
        a[6] == '+' || v < 1 || v > 65535)
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "bad --gdb '%s': expected --gdb or --gdb=PORT, PORT in "
                "1..65535",
                a);
    return (unsigned)v;
}

void hvt_options_parse(int argc, char **argv, struct hvt_options *o)
{
    memset(o, 0, sizeof *o);
    o->mem_mib = 8;
    char *trace_arg = NULL;
    int i;
    for (i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strncmp(a, "--mem=", 6) == 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(a + 6, &end, 10);
            if (errno || end == a + 6 || *end != '\0' ||
                v < ATOLL_HVT_MEM_MIN_MIB || v > ATOLL_HVT_MEM_MAX_MIB)
                hvt_die(ATOLL_HVT_EXIT_TENDER,
                        "bad --mem '%s': expected MiB in %d..%d", a + 6,
                        ATOLL_HVT_MEM_MIN_MIB, ATOLL_HVT_MEM_MAX_MIB);
            o->mem_mib = v;
        } else if (strncmp(a, "--net:", 6) == 0 ||
                   strncmp(a, "--block:", 8) == 0) {
            if (o->natt == ATOLL_HVT_MAX_DEVICES)
                hvt_die(ATOLL_HVT_EXIT_TENDER, "too many devices (max %d)",
                        ATOLL_HVT_MAX_DEVICES);
            parse_attach(a,
                         a[2] == 'n' ? ATOLL_HVT_DEV_NET : ATOLL_HVT_DEV_BLOCK,
                         &o->att[o->natt++]);
        } else if (strncmp(a, "--dumpcore=", 11) == 0 && a[11] != '\0') {
            o->dumpcore = a + 11;
        } else if (strncmp(a, "--trace=", 8) == 0 && a[8] != '\0') {
            o->trace = a + 8;
            trace_arg = a;
        } else if (strncmp(a, "--gdb", 5) == 0 &&
                   (a[5] == '\0' || a[5] == '=')) {
            o->gdb_port = parse_gdb(a);
        } else if (strcmp(a, "--x-seccomp-selftest") == 0) {
            o->selftest = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
        } else if (a[0] == '-' && a[1] != '\0') {
            hvt_msg("unknown option '%s'", a);
            usage();
        } else if (o->kernel == NULL) {
            o->kernel = a;
        } else {
            hvt_msg("unexpected argument '%s' (guest arguments go after "
                    "'--')",
                    a);
            usage();
        }
    }
    if (o->kernel == NULL)
        usage();
    o->guest_argc = argc - i;
    o->guest_argv = argv + i;
    if (trace_arg) {
        /* The guest's runtime gets the same "--trace=FILE" first. */
        char **v = calloc((size_t)o->guest_argc + 2, sizeof *v);
        if (v == NULL)
            hvt_die(ATOLL_HVT_EXIT_TENDER, "out of memory");
        v[0] = trace_arg;
        memcpy(v + 1, o->guest_argv, (size_t)o->guest_argc * sizeof *v);
        o->guest_argv = v;
        o->guest_argc++;
    }
}
