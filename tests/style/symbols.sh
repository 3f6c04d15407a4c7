#!/usr/bin/env bash
# tests/style/symbols.sh - every global symbol of Atoll's libraries is in
# the project's namespace (docs/architecture.md, "Names"): `atoll_`, or a
# name the toolchain looks up (main, ENTRY(), lib/libc's in the
# freestanding libraries).  nm lists the global symbols each library and
# start object defines; any other name fails the check and is printed.
# Then the point of it: an object that defines every internal name the
# sources use (tcp_output, br_sha256_init, ...) links beside the
# libraries without a clash.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
TMP=$(mktemp -d /tmp/atoll-symbols.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
suite symbols

# check NAME [--freestanding] FILE...: FILE's global symbols are ours.
check() {
    local name=$1
    shift
    t "$name: every global symbol is atoll_ or the toolchain's" \
        bash -c 'out=$(bash scripts/symbols.sh foreign "$@") || exit 1
                 [ -z "$out" ] && exit 0
                 echo "outside the namespace ($(wc -l <<<"$out")):"
                 echo "$out"; exit 1' - "$@"
}

missing=""
for v in rel san; do
    for f in libatoll.a libatoll_unix.a libatoll_sim.a start_unix.o start_sim.o; do
        [ -f "$BUILD/$v/$f" ] || missing="$missing $BUILD/$v/$f"
    done
done
for f in hvt/libatoll.a hvt/libatoll_hvt.a hvt/start_hvt.o \
    virtio/libatoll.a virtio/libatoll_virtio.a virtio/start_virtio.o; do
    [ -f "$BUILD/$f" ] || missing="$missing $BUILD/$f"
done
if [ -n "$missing" ]; then
    fail "the libraries are built" "missing:$missing (make)"
    exit 0
fi

# The check sees a foreign name where there is one: the objects as
# compiled, before the build renames their symbols.
t "the check finds tcp_output in lib/net/tcp_out.o as compiled" \
    bash -c "bash scripts/symbols.sh foreign '$BUILD/rel/lib/net/tcp_out.o' |
             grep -x tcp_output"

for v in rel san; do
    for f in libatoll.a libatoll_unix.a libatoll_sim.a start_unix.o start_sim.o; do
        check "$v/$f" "$BUILD/$v/$f"
    done
done
for f in hvt/libatoll.a hvt/libatoll_hvt.a hvt/start_hvt.o \
    virtio/libatoll.a virtio/libatoll_virtio.a virtio/start_virtio.o; do
    check "$f" --freestanding "$BUILD/$f"
done

# Every internal name of the rel variant, defined once more by an object
# of someone else's; a relocatable link of it with every member of the
# libraries (--whole-archive) fails on any name defined twice.
sed 's/ .*//' "$BUILD/rel/symbols.map" >"$TMP/names"
awk '{ printf "char %s;\n", $1 }' "$TMP/names" >"$TMP/theirs.c"
t "the internal names ($(wc -l <"$TMP/names"), BearSSL's br_ too) are the sources'" \
    bash -c "grep -qx tcp_output '$TMP/names' && grep -q '^br_' '$TMP/names'"
for p in unix sim; do
    t "an object defining all of them links beside libatoll.a and libatoll_$p.a" \
        bash -c "cc -c -fno-common -w '$TMP/theirs.c' -o '$TMP/theirs.o' &&
                 ld -r -o '$TMP/all.o' '$TMP/theirs.o' --whole-archive \
                    '$BUILD/rel/libatoll.a' '$BUILD/rel/libatoll_$p.a' \
                    '$BUILD/rel/start_$p.o'"
done
