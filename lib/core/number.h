/*
 * lib/core/number.h - the one reader of integer arguments.
 *
 * NAME
 *     core_parse_int
 * DESCRIPTION
 *     Reads `s` whole as an integer: decimal with an optional sign, or
 *     hexadecimal after 0x (0X).  The unikernel's command line
 *     (lib/core/boot.c) and the tool checking a manifest's defaults
 *     (tools/atoll/manifest.c, which compiles this file for the host) read
 *     the same syntax, so a default the tool accepts is one the unikernel
 *     reads.
 * RETURN VALUE
 *     0 with *out set; -ATOLL_EINVAL (not a number: empty, a stray
 *     character) or -ATOLL_ERANGE (does not fit in int64_t), *out left
 *     alone.
 */
#ifndef ATOLL_CORE_NUMBER_H
#define ATOLL_CORE_NUMBER_H

#include <stdint.h>

int core_parse_int(const char *s, int64_t *out);

#endif
