/*
 * tools/atoll/hvt.h - what the tool does differently for target hvt (a
 * unikernel run as a KVM guest by bin/atoll-hvt, see docs/hvt.md):
 * generating the image's device manifest note, the freestanding compile
 * and link flags, where the hvt libraries are, and starting the tender.
 * build.c and main.c call these when the configured target is "hvt".
 */
#ifndef ATOLL_TOOL_HVT_H
#define ATOLL_TOOL_HVT_H

#include "manifest.h"
#include "util.h"

/* The generated note source, compiled into every hvt image. */
#define HVT_NOTE_FILE "_build/atoll_hvt_note.c"

/* Writes HVT_NOTE_FILE: ATOLL_HVT_MANIFEST(...) listing every device that
 * needs a host resource (--net: / --block:), in manifest order.  0, or -1
 * after printing why (e.g. a name too long for the hvt manifest). */
int hvt_gen_note(const struct manifest *m);

/* Directory of the freestanding libraries: BUILD/hvt beside BUILD/rel
 * (ATOLL_BUILD is honoured as for the other targets).  Caller frees. */
char *hvt_libdir(const char *root);

/* Pushes the freestanding compile flags for compiler `cc` (its own
 * include directory for stddef.h & co, lib/libc for the rest). */
void hvt_compile_flags(struct argv_list *av, const char *cc, const char *root);

/* Pushes the link flags (static, no libc, the hvt link script `ld`). */
void hvt_link_flags(struct argv_list *av, const char *ld);

/*
 * Replaces the tool with `atoll-hvt [--mem=N] [--net:..]... [--block:..]...
 * IMAGE -- ARGS...`: the tender's options are taken out of the run
 * arguments, everything else goes to the guest unchanged.  Returns only on
 * failure (message printed).
 */
int hvt_exec(const char *root, const char *image, int argc, char **argv);

#endif
