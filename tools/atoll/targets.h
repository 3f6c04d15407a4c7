/*
 * tools/atoll/targets.h - the targets `atoll configure -t` accepts.
 *
 * One row per target says everything the tool needs to build and run a
 * unikernel for it: its name, a line for the help, how it is built (a host
 * process, or a freestanding image with its device manifest as a note),
 * which of Atoll's libraries it links, whether the sanitizers are allowed,
 * and how it runs (the binary itself, or a tender from Atoll's bin/).
 * Adding a platform is one folder (platform/P), one mk file (mk/P.mk) and
 * one row in targets.c; configure, build, run, the help texts and the
 * error messages read only this table, and no other file compares target
 * names.
 *
 * A row may also run its unikernel itself (virtio: `atoll run` starts
 * QEMU and turns its status into the guest's).
 *
 * Several rows may share a platform: target spt builds exactly the image
 * target hvt builds (same libraries, flags and link) and only runs it
 * under another tender.  Such rows are the choices of `atoll run
 * --tender=NAME`.
 */
#ifndef ATOLL_TOOL_TARGETS_H
#define ATOLL_TOOL_TARGETS_H

#include <stdbool.h>

#include "manifest.h"

enum target_build {
    /* A Linux program: libc, linked with ROOT/BUILD/rel (or san)/
     * start_P.o libatoll_P.a libatoll.a, -lm -lpthread. */
    TARGET_PROCESS,
    /* A freestanding static ELF image: no libc, compiled with the
     * freestanding flags (image.h) and linked with ROOT/BUILD/P/start_P.o
     * libatoll_P.a libatoll.a and the link script P.ld, plus the device
     * manifest note the row's gen_note writes. */
    TARGET_IMAGE,
};

/* What `atoll package` makes of the target's unikernel (package.h). */
enum target_package {
    PACKAGE_NONE,  /* a Linux program: nothing */
    PACKAGE_SPT,   /* a plain OCI image, run by atoll-spt */
    PACKAGE_URUNC, /* an OCI image for urunc, run by QEMU */
};

struct target {
    const char *name; /* -t NAME */
    const char *help; /* one line (for `atoll help configure`) */
    enum target_build build;
    const char *platform; /* P above: the libraries it links */
    bool sanitize;        /* --sanitize allowed (ROOT/BUILD/san) */
    /* TARGET_IMAGE: writes note_file, the image's device manifest as a C
     * source compiled into it.  0, or -1 after printing why.  NULL for an
     * image that carries no note (virtio: QEMU reads none). */
    int (*gen_note)(const struct manifest *m);
    const char *note_file;
    /* NULL: `atoll run` executes the unikernel itself.  Else the program
     * in ROOT/bin that runs it: `TENDER [--mem=..] [--net:..]...
     * [--block:..]... IMAGE -- ARGS...` (run.h). */
    const char *tender;
    int tender_error; /* the tender's exit status for its own errors */
    /* A host device the tender cannot work without ("/dev/kvm"), what it
     * provides ("KVM"), or NULLs.  `atoll run` checks it before starting
     * the tender and names another row of the same platform without one. */
    const char *needs_dev, *needs_what;
    /* How a row without needs_dev runs the image, for that message:
     * "sandboxed". */
    const char *manner;
    /* Or a runner of its own, in the tool (target virtio: QEMU, qemu.h),
     * given the manifest; returns the tool's status.  `runs_with` names
     * what it starts, for the help. */
    int (*run)(const struct target *t, const char *root, const char *bin,
               const struct manifest *m, int argc, char **argv);
    const char *runs_with;
    enum target_package package;
};

/* The target called `name`, or NULL. */
const struct target *target_find(const char *name);

/* The default target of `atoll configure` (the first row). */
const struct target *target_default(void);

/* "unix, sim, hvt or spt": every target, for messages. */
const char *targets_text(void);

/* "unix|sim|hvt|spt": every target, for usage lines. */
const char *targets_bar(void);

/* Prints one line per target on stdout, "  NAME  HELP"; or, with
 * `tenders`, one per row with a tender, "  NAME  bin/TENDER[, needs
 * DEV]". */
void targets_help(bool tenders);

/*
 * The tender row `name` may use to run an image built for `t`: a row with
 * a tender and the same platform and build.  NULL if there is none.
 */
const struct target *target_tender(const struct target *t, const char *name);

/* "hvt or spt": the tenders (rows with one), for messages. */
const char *tenders_text(void);

/* A row that runs `t`'s images without needing any host device, or NULL. */
const struct target *target_without_dev(const struct target *t);

#endif
