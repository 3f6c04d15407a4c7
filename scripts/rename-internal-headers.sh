#!/usr/bin/env bash
# scripts/rename-internal-headers.sh - gives every internal header the one
# suffix `_int.h` (a header shared by the files of one folder only; the
# public ones are include/atoll/*.h): the _impl.h and bare int.h spellings
# become _int.h, and so do the #include lines, path comments and header
# guards that name them.
#
# Idempotent: a header already renamed is left alone, and the includes are
# rewritten wherever they still use an old name, so a branch that added
# one after the rename can run it again.  Run from anywhere in the tree;
# it touches only files git tracks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# old path -> new path
renames=(
    lib/core/sched_impl.h lib/core/sched_int.h
    lib/core/trace_impl.h lib/core/trace_int.h
    lib/net/stack_impl.h lib/net/stack_int.h
    lib/store/store_impl.h lib/store/store_int.h
    lib/store/kv_ro_impl.h lib/store/kv_ro_int.h
    platform/hvt/hvtint.h platform/hvt/hvt_int.h
    platform/sim/simint.h platform/sim/sim_int.h
    platform/unix/unixint.h platform/unix/unix_int.h
    platform/virtio/vint.h platform/virtio/virtio_int.h
)

for ((i = 0; i < ${#renames[@]}; i += 2)); do
    if [ -f "${renames[i]}" ]; then git mv "${renames[i]}" "${renames[i + 1]}"; fi
done
files=$(git ls-files '*.c' '*.h' '*.S' '*.md' '*.mk' '*.sh' '*.bash' Makefile)
touched=""
for ((i = 0; i < ${#renames[@]}; i += 2)); do
    ob=$(basename "${renames[i]}" .h) nb=$(basename "${renames[i + 1]}" .h)
    og=$(tr '[:lower:]' '[:upper:]' <<<"$ob") ng=$(tr '[:lower:]' '[:upper:]' <<<"$nb")
    # The name as a whole word (vint.h is no part of another name), and
    # the guard ATOLL_..._<OLD>_H.
    # shellcheck disable=SC2086
    hits=$(grep -lE "(^|[^A-Za-z0-9_])$ob\.h|_${og}_H\b" $files || true)
    for f in $hits; do
        sed -i -E -e "s/(^|[^A-Za-z0-9_])$ob\.h/\1$nb.h/g" \
            -e "s/_${og}_H\b/_${ng}_H/g" "$f"
        case $f in *.c | *.h) touched="$touched $f" ;; esac
    done
done
# A longer name may push a comment past the line or an include out of
# order: the touched C files formatted again (.clang-format).
# shellcheck disable=SC2086
[ -z "$touched" ] || clang-format -i $touched
