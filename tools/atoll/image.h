/*
 * tools/atoll/image.h - building a freestanding image (targets whose
 * build is TARGET_IMAGE, see targets.h; their libraries are in
 * atoll_libdir(root, PLATFORM)): the compile and link flags every such
 * image gets.  The
 * flags depend on the platform only, never on the tender that will run the
 * image, so targets that share a platform (hvt and spt) build the very
 * same bytes.
 */
#ifndef ATOLL_TOOL_IMAGE_H
#define ATOLL_TOOL_IMAGE_H

#include "util.h"

/* Pushes the freestanding compile flags for compiler `cc` (its own include
 * directory for stddef.h & co, lib/libc for the rest), and maps the
 * current folder (the application's) to "." in the debug information, so
 * the image does not depend on where the folder is. */
void image_compile_flags(struct argv_list *av, const char *cc,
                         const char *root);

/* Pushes the link flags (static, no libc, the link script `ld`). */
void image_link_flags(struct argv_list *av, const char *ld);

#endif
