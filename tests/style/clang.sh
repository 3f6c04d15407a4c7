#!/usr/bin/env bash
# tests/style/clang.sh - every C file builds with clang as well as gcc
# (the README names both): `make compile-check` with CC=clang into a
# scratch build tree - the libraries of every target in both variants, the
# freestanding hvt runtime and test guests, the tool's and the tender's
# objects, the test programs and the benchmarks, all with -Werror.  bin/
# is left alone, so the rest of the run keeps the gcc-built tools.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
suite clang
SCRATCH=$(mktemp -d /tmp/atoll-clang.XXXXXX)
trap 'rm -rf "$SCRATCH" "$LOG"' EXIT
if ! command -v clang >/dev/null; then
    skip "every file builds with clang -Werror" "no clang"
else
    t "every file builds with clang -Werror" \
        make -j2 --no-print-directory BUILD="$SCRATCH" CC=clang compile-check
fi
