/*
 * tools/atoll/tune.h - tunables given to `atoll build` reach the libraries.
 *
 * NAME
 *     tune_libdir
 * DESCRIPTION
 *     A tunable (a macro the tunables headers define only when it is not
 *     defined already: include/atoll/tunables.h, net_tunables.h,
 *     platform/P/tunables.h) sizes structures and limits inside the
 *     libraries as well as in the application.  An application compiled
 *     with CFLAGS=-DATOLL_NET_FRAME_MAX=9018 and linked with libraries
 *     built for 1518 would silently disagree with them.  So tune_libdir
 *     reads $CFLAGS; when it sets or unsets (-D, -U) any tunable, Atoll's
 *     libraries for the target are built once more with exactly those
 *     words, with make in ROOT, into the application's
 *     _build/libs-HASH/ (HASH: of the words, so each configuration is
 *     built once and kept).  make rebuilds what changed on later builds.
 *     BearSSL, compiled without the tunables, is the stock build's.
 *     A -D or -U of a name that starts with ATOLL_ but is no tunable is
 *     refused: a misspelt tunable would otherwise change nothing.  Other
 *     -D and -U words are the application's own and reach only its
 *     sources.
 * RETURN VALUE
 *     0 with *libdir NULL: no tunable in CFLAGS, link the stock libraries.
 *     0 with *libdir a new string: the folder holding the libraries built
 *     for the tunables (VARIANT below it, as atoll_libdir).
 *     -1 after printing why (a word refused, the build of the libraries
 *     failed: the compiler's complaint is shown, e.g. a static assertion
 *     a value breaks).
 */
#ifndef ATOLL_TOOL_TUNE_H
#define ATOLL_TOOL_TUNE_H

#include "targets.h"

/* variant: "rel", "san" or the image's platform ("hvt"). */
int tune_libdir(const char *root, const struct target *t, const char *variant,
                char **libdir);

#endif
