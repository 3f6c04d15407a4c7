/*
 * atoll/app.h - the application model: what the generated wiring provides
 * and what the runtime does with it at boot.
 *
 * DESCRIPTION
 *     An application is a folder with C sources and a manifest
 *     (atoll.manifest) that names the devices it needs and its runtime
 *     arguments.  `atoll configure` turns the manifest into two generated
 *     files in the folder's _build/:
 *
 *       atoll_app.h  struct app: one typed handle per declared device (plus
 *                    console, clocks and random, which every unikernel
 *                    has) and a struct of typed argument values; and the
 *                    prototype of the application's entry point,
 *                    int app_main(struct app *app);
 *       atoll_app.c  the wiring: a description of the declared devices and
 *                    arguments (struct atoll_app_desc atoll_app) and a start
 *                    function that constructs the implementation chosen for
 *                    each device and calls the entry point.
 *
 *     This is the C counterpart of MirageOS's functor application: the
 *     application is written against interfaces only, and which
 *     implementation backs each one is decided when it is built.
 *
 *     The platform's entry point calls atoll_boot(), which parses the
 *     command line
 *
 *         unikernel [RUNTIME-OPTIONS] [--net:NAME=SPEC]...
 * [--block:NAME=SPEC]...
 *                   [-- APP-ARGS]
 *
 *     sets up memory, logging, the trace and the scheduler, runs the start
 *     function in a fiber called "main", and returns the exit status: the
 *     entry point's return value, or a status from atoll/fiber.h.
 */
#ifndef ATOLL_APP_H
#define ATOLL_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a device is attached on the command line: --net:NAME=, --block:NAME=,
 * or not at all (a device built from nothing but the image, such as files
 * baked in at build time). */
enum atoll_dev_kind {
    ATOLL_DEV_NONE = 0,
    ATOLL_DEV_NET = 1,
    ATOLL_DEV_BLOCK = 2
};

struct atoll_device_decl {
    enum atoll_dev_kind kind;
    const char *name; /* as in the manifest and on the command line */
    const char *impl; /* implementation chosen: "default", "flood", ... */
    bool attach;      /* the implementation needs a host resource: boot
                         refuses to start when it is not attached */
};

enum atoll_arg_type { ATOLL_ARG_INT = 1, ATOLL_ARG_STRING, ATOLL_ARG_BOOL };

struct atoll_arg_decl {
    const char *name; /* --NAME=VALUE after "--" */
    enum atoll_arg_type type;
    const char *def; /* default value as text; NULL = required */
    const char *help;
};

/* A parsed argument value; which member is valid follows the type. */
struct atoll_arg_value {
    int64_t i;
    const char *s;
    bool b;
};

struct atoll_app_desc {
    const char *name;
    const struct atoll_device_decl *devices;
    size_t ndevices;
    const struct atoll_arg_decl *args;
    size_t nargs;
    /* Runs in the "main" fiber; `values` has one entry per declared arg,
     * in order.  Returns the exit status. */
    int (*start)(const struct atoll_arg_value *values);
};

/* Provided by the generated atoll_app.c. */
extern const struct atoll_app_desc atoll_app;

/* The whole life of a unikernel (see above).  Returns the exit status. */
int atoll_boot(int argc, char **argv);

/* Used by the generated start function when a device constructor fails:
 * prints "atoll: cannot open KIND device 'NAME': MESSAGE" and returns
 * ATOLL_EXIT_NODEV. */
int atoll_boot_device_error(enum atoll_dev_kind kind, const char *name,
                            int err);

#endif
