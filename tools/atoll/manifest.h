/*
 * tools/atoll/manifest.h - the parsed form of an application's
 * atoll.manifest (the format is documented in docs/manifest.md).
 *
 * The manifest says what an application is made of and what it needs: its
 * name, entry point, sources, devices (kind, name, implementation) and
 * typed runtime arguments.  gen.c turns it into the wiring code, build.c
 * into a compiler command.  Every problem is reported as
 * "FILE:LINE: problem" on stderr.
 */
#ifndef ATOLL_TOOL_MANIFEST_H
#define ATOLL_TOOL_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "atoll/app.h"
#include "atoll/tunables.h"
#include "kinds.h"

#define MF_FILE       "atoll.manifest"
#define MF_NAME_MAX   63      /* longest name (app, device, arg, entry) */
#define MF_LINE_MAX   1024    /* longest line, in bytes */
#define MF_FILE_MAX   1048576 /* largest manifest, in bytes */
#define MF_ARGS_MAX   64      /* arguments per application */
#define MF_SOURCE_MAX 256     /* source files per application */
#define MF_ERRORS_MAX 20      /* stop reporting after this many errors */

struct mf_device {
    const struct mf_kind *kind;
    char *name;
    char *impl; /* "default" unless the manifest or --impl says otherwise */
    int line;
    char *files;    /* `files NAME DIR`: the host folder, or NULL */
    int files_line; /* its line */
};

struct mf_arg {
    char *name;   /* on the command line; may contain '-' if brought by a
                     device (see kinds.h) */
    char *member; /* the C member of app->args (name with '-' -> '_') */
    int device;   /* index of the device that brings it, or -1 */
    enum atoll_arg_type type;
    char *def; /* default as text; NULL = required */
    char *help;
    int line;
};

struct manifest {
    char *path;  /* as given to manifest_load, for messages */
    char *name;  /* application name (a C identifier) */
    char *entry; /* entry point, default "app_main" */
    int name_line, entry_line;
    char *sources[MF_SOURCE_MAX]; /* as written; empty = every *.c */
    size_t nsources;
    struct mf_device devices[ATOLL_DEVICES_MAX];
    size_t ndevices;
    struct mf_arg args[MF_ARGS_MAX];
    size_t nargs;
    char *random_impl; /* app->random's (kinds.h); NULL = "default" */
};

/*
 * Parse `path`.  Source files named by a sources line must exist (relative
 * to the current directory, which is the application's folder).  Returns
 * 0, or -1 after printing every problem (up to MF_ERRORS_MAX).  On failure
 * the manifest is freed.
 */
int manifest_load(const char *path, struct manifest *m);
void manifest_free(struct manifest *m);

/* The source files to compile: those of the sources lines, or every
 * regular *.c file of the current directory (sorted) if there were none.
 * Returns the count (>= 1) and a NULL-terminated array in *out, or -1
 * after printing why (no sources at all). */
int manifest_sources(const struct manifest *m, char ***out);
void manifest_sources_free(char **list);

/* Override the implementation of device `name` (from --impl NAME=IMPL);
 * NAME "random" is app->random (kinds.h: mf_random_kind).  0, or -1 after
 * printing the problem. */
int manifest_set_impl(struct manifest *m, const char *name, const char *impl);

#endif
