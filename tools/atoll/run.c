/*
 * tools/atoll/run.c - starting a built unikernel (see run.h).
 */
#include "run.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The options every tender takes for itself (the rest is the guest's).
 * --trace=FILE and --dumpcore=DIR name host files, which only the tender
 * may write (it hands --trace on to the guest itself); --gdb[=PORT] is
 * atoll-hvt's gdb stub (atoll-spt refuses it and says why). */
static bool tender_option(const char *a)
{
    return !strncmp(a, "--mem=", 6) || !strncmp(a, "--net:", 6) ||
           !strncmp(a, "--block:", 8) || !strncmp(a, "--trace=", 8) ||
           !strncmp(a, "--dumpcore=", 11) || !strcmp(a, "--gdb") ||
           !strncmp(a, "--gdb=", 6);
}

/* Replaces the tool with argv[0]; returns only if that failed. */
static void exec_argv(char **argv)
{
    fflush(stdout);
    fflush(stderr);
    execv(argv[0], argv);
}

/* The host device the tender of `t` needs is missing or closed to us:
 * says so, and how to run the same image without it.  The tender would
 * fail too, but could not tell the user about the other tender. */
static bool device_missing(const struct target *t)
{
    if (!t->needs_dev || access(t->needs_dev, R_OK | W_OK) == 0)
        return false;
    struct sbuf b = {0};
    if (errno == ENOENT)
        sb_printf(&b, "no %s on this host", t->needs_dev);
    else
        sb_printf(&b, "cannot use %s on this host (%s)", t->needs_dev,
                  strerror(errno));
    sb_printf(&b, ": target %s needs %s", t->name, t->needs_what);
    const struct target *alt = target_without_dev(t);
    if (alt)
        sb_printf(&b,
                  "; run this image %s with 'atoll run --tender=%s ...' or "
                  "'atoll configure -t %s'",
                  alt->manner, alt->name, alt->name);
    errf("%s", b.p);
    sb_free(&b);
    return true;
}

int run_exec(const struct target *t, const char *root, const char *bin,
             int argc, char **argv)
{
    char **av = xmalloc(((size_t)argc + 4) * sizeof *av);
    int n = 0;
    if (!t->tender) {
        av[n++] = (char *)bin;
        for (int i = 1; i < argc; i++)
            av[n++] = argv[i];
        av[n] = NULL;
        exec_argv(av);
        errf("run: cannot execute %s: %s", bin, strerror(errno));
        free(av);
        return EXIT_FAIL;
    }
    if (device_missing(t)) {
        free(av);
        return t->tender_error;
    }
    char *tender = xasprintf("%s/bin/%s", root, t->tender);
    av[n++] = tender;
    /* The tender's own options first, in the order given... */
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (tender_option(argv[i]))
            av[n++] = argv[i];
    av[n++] = (char *)bin;
    av[n++] = "--";
    /* ...then everything else for the guest, unchanged. */
    bool app = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            app = true;
        if (app || !tender_option(argv[i]))
            av[n++] = argv[i];
    }
    av[n] = NULL;
    exec_argv(av);
    errf("run: cannot execute %s: %s (build it with 'make' in %s)", tender,
         strerror(errno), root);
    free(av);
    free(tender);
    return EXIT_FAIL;
}
