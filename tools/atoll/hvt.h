/*
 * tools/atoll/hvt.h - what the tool knows of platform hvt's ABI
 * (platform/hvt/abi.h, docs/hvt.md): the device manifest an hvt image
 * carries as an ELF note, which its tender (bin/atoll-hvt on KVM,
 * bin/atoll-spt sandboxed) reads to attach exactly those devices.  The
 * target table (targets.c) names hvt_gen_note in the rows that build this
 * image.
 */
#ifndef ATOLL_TOOL_HVT_H
#define ATOLL_TOOL_HVT_H

#include "manifest.h"

/* The generated note source, compiled into every hvt image. */
#define HVT_NOTE_FILE "_build/atoll_hvt_note.c"

/* Writes HVT_NOTE_FILE: ATOLL_HVT_MANIFEST(...) listing every device that
 * needs a host resource (--net: / --block:), in manifest order.  0, or -1
 * after printing why (e.g. a name too long for the hvt manifest). */
int hvt_gen_note(const struct manifest *m);

#endif
