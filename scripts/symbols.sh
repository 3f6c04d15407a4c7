#!/usr/bin/env bash
# scripts/symbols.sh - the global names Atoll's libraries may carry
# (docs/architecture.md, "Names").
#
#   symbols.sh map     [--freestanding] FILE...
#   symbols.sh foreign [--freestanding] FILE...
#
# FILEs are objects and archives.  `foreign` prints each global symbol
# they define that is outside the project's namespace; `map` prints, for
# each, the line "NAME atoll__NAME", the map `objcopy --redefine-syms`
# takes: the Makefile puts every object of a library through it (and the
# objects of the tests and benchmarks that call internal functions), so
# the sources keep their short internal names (tcp_output, net_eth_input,
# BearSSL's br_*) and the libraries export none of them.
#
# The namespace: names starting with `atoll_` (the public interface, and
# `atoll__` for the internal names the map made); `main`, and the entry
# points the linker scripts name (ENTRY() in platform/*/*.ld), which the
# toolchain looks for by name.  --freestanding (the hvt and virtio
# libraries, which bring their own C library, lib/libc): also the names
# lib/libc's headers declare for applications (the C standard's, and
# panic; not libc_sys.h, the seam to the platform) and names starting
# with `__`, the implementation's (__stack_chk_fail, __assert_fail).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mode=${1:-}
shift || true
freestanding=0
if [ "${1:-}" = --freestanding ]; then
    freestanding=1
    shift
fi
case $mode in
map | foreign) ;;
*)
    echo "usage: symbols.sh map|foreign [--freestanding] FILE..." >&2
    exit 2
    ;;
esac

# The names that keep their spelling, one a line.
allowed() {
    echo main
    sed -n 's/^ENTRY(\([A-Za-z_][A-Za-z0-9_]*\)).*/\1/p' "$ROOT"/platform/*/*.ld
    if [ "$freestanding" = 1 ]; then
        # Declared functions (NAME followed by '(') and extern variables.
        for h in "$ROOT"/lib/libc/include/*.h; do
            [ "$(basename "$h")" = libc_sys.h ] && continue
            sed -e 's|/\*.*\*/||g' -e '/^ *\*/d' -e '/^\/\*/d' "$h" |
                grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(|extern [^;(]*[[:space:]*]([A-Za-z_][A-Za-z0-9_]*);' |
                sed -E 's/[[:space:]]*\($//; s/.*[[:space:]*]([A-Za-z_][A-Za-z0-9_]*);$/\1/'
        done
    fi
}

# nm prints "VALUE TYPE NAME" for a defined symbol; -g: global ones only.
names=$(nm -g --defined-only "$@" | awk 'NF == 3 { print $3 }' |
    sort -u)
foreign=$(grep -v -e '^atoll_' -e '^$' <<<"$names" |
    if [ "$freestanding" = 1 ]; then grep -v '^__'; else cat; fi |
    grep -vxFf <(allowed | sort -u) || true)
[ -n "$foreign" ] || exit 0
if [ "$mode" = map ]; then
    sed 's/.*/& atoll__&/' <<<"$foreign"
else
    echo "$foreign"
fi
