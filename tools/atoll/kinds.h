/*
 * tools/atoll/kinds.h - the device kinds a manifest may declare.
 *
 * One row per kind says everything the tool needs to wire a device of that
 * kind into a unikernel: the manifest word, the C type of the handle in
 * struct app, the constructor family, the known implementations (and which
 * of them need a host resource attached on the command line), and the
 * runtime arguments every device of the kind brings along.  Adding a kind
 * (a network stack, a key-value store...) is adding a row in kinds.c; the
 * parser (manifest.c) and the generator (gen.c) read only this table.
 *
 * The generated code constructs a device with
 *
 *     CTOR IMPL (NAME, &app.NAME)                  kinds without args
 *     CTOR IMPL (NAME, values + K, &app.NAME)      kinds with args
 *
 * e.g. atoll_netif_open_default("service", &app.service), where values + K
 * are the device's own argument values in the order of the kind's args.
 */
#ifndef ATOLL_TOOL_KINDS_H
#define ATOLL_TOOL_KINDS_H

#include <stdbool.h>

#include "atoll/app.h"

struct mf_impl {
    const char *name;
    bool attach; /* needs --net:NAME= / --block:NAME= at run time */
};

/* An argument every device of a kind brings.  It is named NAME on the
 * unikernel's command line when the manifest declares one device of the
 * kind, and DEVICE-NAME when it declares several. */
struct mf_kind_arg {
    const char *name; /* may contain '-'; the C member uses '_' */
    enum atoll_arg_type type;
    const char *def; /* NULL = required */
    const char *help;
};

struct mf_kind {
    const char *name;            /* manifest word: "net" */
    enum atoll_dev_kind attach;  /* --net: or --block: attaches it */
    const char *ctype;           /* handle type: "struct atoll_netif" */
    const char *ctor;            /* constructor prefix: "atoll_netif_open_" */
    const struct mf_impl *impls; /* [0] is the default; {NULL} ends */
    const struct mf_kind_arg *args; /* NULL or {NULL}-terminated */
};

/*
 * app->random, which every unikernel has: not a device kind (it is never
 * declared or attached), but its implementations are chosen the same way,
 * with `atoll configure --impl random=IMPL`.  The generated code calls
 * CTOR IMPL ("random", [values + K,] &app.random) for every IMPL but
 * "default", which stays atoll_random_platform().  The list implementation
 * brings the argument RANDOM_LIST_ARG (its bytes in hex).
 */
extern const struct mf_kind mf_random_kind;
#define MF_RANDOM_LIST_ARG "random-list"

/* The kind called `name`, or NULL. */
const struct mf_kind *mf_kind_find(const char *name);

/* "net, block or stack": every kind, for messages. */
const char *mf_kinds_text(void);

/* The implementation `impl` of `kind`, or NULL. */
const struct mf_impl *mf_kind_impl(const struct mf_kind *kind,
                                   const char *impl);

/* "default or flood": the kind's implementations, for messages. */
const char *mf_impls_text(const struct mf_kind *kind);

/* Number of args the kind brings (0 if none). */
int mf_kind_nargs(const struct mf_kind *kind);

/*
 * Implementations built from host files: the manifest's `files NAME DIR`
 * line names a folder that `atoll build` turns into
 * _build/atoll_files_NAME.c (tools/atoll/files.c), which defines
 * `const TYPE atoll_files_NAME`.  The wiring then calls
 *
 *     CTOR IMPL (NAME, &atoll_files_NAME, &app.NAME)
 *
 * Returns TYPE (e.g. "struct atoll_kv_ro_files") for such an
 * implementation, NULL for every other.
 */
const char *mf_impl_files_type(const struct mf_kind *kind, const char *impl);

#endif
