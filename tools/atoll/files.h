/*
 * tools/atoll/files.h - baking host files into a unikernel.
 *
 * A device whose implementation is built from files (kinds.h:
 * mf_impl_files_type; today kv_ro's "baked") names a host folder with a
 * manifest line `files NAME DIR`.  files_gen walks that folder and writes
 * _build/atoll_files_NAME.c: every file's bytes as a C array, its SHA-256,
 * and a table of all files and directories sorted in the key order of
 * atoll/kv_ro.h, defining `const TYPE atoll_files_NAME`.  The generated
 * wiring passes &atoll_files_NAME to the constructor and `atoll build`
 * compiles the file with the application.
 *
 * What a folder may hold (checked, each problem reported as
 * MANIFEST:LINE: ...): regular files and directories only (no symbolic
 * links, devices, sockets or fifos); names from the POSIX portable file
 * name set (letters, digits, '.', '_', '-'; not starting with '-'), at
 * most FILES_NAME_MAX bytes per component and ATOLL_KV_RO_KEY_MAX per
 * path; at most FILES_COUNT_MAX entries and FILES_BYTES_MAX bytes in all,
 * so the generated C stays a size compilers handle in seconds.
 */
#ifndef ATOLL_TOOL_FILES_H
#define ATOLL_TOOL_FILES_H

#include <stdint.h>

#include "manifest.h"
#include "util.h"

#define FILES_BYTES_MAX (16u << 20) /* bytes of all files of one device */
#define FILES_COUNT_MAX 10000       /* files and directories per device */
#define FILES_NAME_MAX  255         /* bytes of one path component */

/* Write _build/atoll_files_NAME.c (into `dir`) for every device built from
 * files; only files whose text changed are rewritten.  0, or -1 after
 * printing every problem. */
int files_gen(const struct manifest *m, const char *dir);

/* Add the generated files to a compiler command line. */
void files_sources(const struct manifest *m, struct argv_list *av);

/* Newest modification time of the generated files (0 if none). */
int64_t files_newest(const struct manifest *m);

#endif
