/*
 * tools/atoll/run.h - `atoll run` once the unikernel is built: how the
 * target's row (targets.h) says to start it.
 *
 * A Linux process replaces the tool, with the run arguments unchanged.  An
 * image is started by its tender, ROOT/bin/TENDER, as
 *
 *     TENDER [--mem=N] [--net:..]... [--block:..]... IMAGE -- ARGS...
 *
 * the tender's own options taken out of the run arguments in the order
 * given, everything else going to the guest unchanged (so the guest sees
 * what a unix process gets).  Either way the caller then sees the
 * unikernel's exit status (or the tender's: 112 bad image, 113 tender
 * error, 114 guest crash; docs/hvt.md).
 */
#ifndef ATOLL_TOOL_RUN_H
#define ATOLL_TOOL_RUN_H

#include "targets.h"

/*
 * Replaces the tool with `bin` run as target `t` says; argv[1..argc-1] are
 * the run arguments.  Returns only on failure, with the exit status for
 * the tool, after printing why: t's tender_error when the tender needs a
 * host device this host lacks (naming a row that does without), else
 * EXIT_FAIL.
 */
int run_exec(const struct target *t, const char *root, const char *bin,
             int argc, char **argv);

#endif
