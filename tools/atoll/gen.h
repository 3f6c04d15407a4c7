/*
 * tools/atoll/gen.h - code generation: from a parsed manifest to the
 * application's wiring, _build/atoll_app.h and _build/atoll_app.c.
 *
 * atoll_app.h declares struct app (the platform console, clocks and random
 * source, one typed handle per declared device, and a struct of typed
 * argument values) and the entry point.  atoll_app.c holds the tables the
 * runtime reads at boot (struct atoll_app_desc atoll_app, see
 * include/atoll/app.h) and the start function that constructs each device
 * with the implementation chosen at configure time and calls the entry
 * point.  This is where "which implementation backs each interface" is
 * decided: --impl disk=full changes one constructor call here.
 */
#ifndef ATOLL_TOOL_GEN_H
#define ATOLL_TOOL_GEN_H

#include "manifest.h"
#include "util.h"

/* Append the text of the two generated files to `out`. */
void gen_app_h(const struct manifest *m, const char *target, struct sbuf *out);
void gen_app_c(const struct manifest *m, const char *target, struct sbuf *out);

/* Write both into directory `dir` (only files whose text changed are
 * rewritten).  0 or -1 (message printed). */
int gen_write(const struct manifest *m, const char *target, const char *dir);

#endif
