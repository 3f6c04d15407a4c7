/*
 * tools/atoll/build.h - from a configured application folder to a
 * unikernel: where Atoll's libraries are, what `atoll configure` recorded
 * (_build/config), and compiling + linking (`atoll build`).
 */
#ifndef ATOLL_TOOL_BUILD_H
#define ATOLL_TOOL_BUILD_H

#include <stdbool.h>

#include "manifest.h"
#include "targets.h"

#define BUILD_DIR   "_build"
#define CONFIG_FILE "_build/config"
/* $CFLAGS and $LDFLAGS of the last build (a change means a new build). */
#define FLAGS_FILE "_build/flags"

/* What `atoll configure` recorded. */
struct config {
    const struct target *target; /* a row of targets.c */
    bool sanitize;               /* link the ASan/UBSan libraries (build/san) */
    size_t nimpls;               /* --impl overrides, in order */
    char *impl_dev[ATOLL_DEVICES_MAX];
    char *impl_name[ATOLL_DEVICES_MAX];
};

/* Atoll's root folder: $ATOLL_ROOT, else two levels above the running
 * executable (ROOT/bin/atoll).  NULL after printing why. */
const char *atoll_root(void);

/* Atoll's build folder: ROOT/$ATOLL_BUILD (default ROOT/build; an
 * absolute path taken as is).  A new string. */
char *atoll_builddir(const char *root);

/* The folder holding libatoll.a etc.: atoll_builddir plus /VARIANT: "rel"
 * or "san" for the targets that build a Linux process, the platform's
 * name for a freestanding image ("hvt").  A new string. */
char *atoll_libdir(const char *root, const char *variant);

int config_write(const struct config *c);
/* 0, or -1 after printing why (e.g. "run 'atoll configure' first"). */
int config_read(struct config *c);
void config_free(struct config *c);

/* Load the manifest and apply the configuration's --impl overrides.
 * 0 or -1 (messages printed). */
int load_configured(const struct config *c, struct manifest *m);

/*
 * Regenerate the wiring if needed, then compile and link _build/NAME when
 * it is older than any of its inputs (or `force`).  Prints the compiler
 * command if it fails.  0 or -1.  *binary receives "_build/NAME" (new
 * string) on success when binary is not NULL.
 */
int build_app(bool force, char **binary);

#endif
