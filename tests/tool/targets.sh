#!/usr/bin/env bash
# tests/tool/targets.sh - the tool's targets as one table
# (tools/atoll/targets.c): the help texts and the "unknown target" message
# list the same rows, every row configures and builds, targets hvt and spt
# build the very same image, and `atoll run` starts an image under the
# right tender (--tender=, and what it says on a host without /dev/kvm).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
case $ATOLL_BUILD in /*) ABS_BUILD=$ATOLL_BUILD ;; *) ABS_BUILD=$ROOT/$ATOLL_BUILD ;; esac
TMP=$(mktemp -d /tmp/atoll-targets.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
ST_TENDER=113 # the tenders' own error status (platform/hvt/abi.h)

suite tool-targets

# hello APP: a copy of examples/hello in $TMP/APP (its name stays hello).
hello() {
    mkdir -p "$TMP/$1" &&
        cp "$ROOT/examples/hello/atoll.manifest" "$ROOT/examples/hello"/*.c \
            "$TMP/$1/"
}

# --- the table drives the help and the messages ---------------------------
"$ATOLL" -C "$TMP" configure -t vax >"$LOG" 2>&1
names=$(sed -n "s/.*unknown target 'vax' (expected \(.*\))$/\1/p" "$LOG" |
    sed 's/ or /, /; s/,//g')
if [ -n "$names" ]; then ok "unknown target lists the targets ($names)"
else fail "unknown target lists the targets" "no list in the message"; fi
expect_out "the table has unix, sim, hvt, spt and virtio" \
    "^unix sim hvt spt virtio\$" \
    echo "$names"
list=${names// /, }
expect_out "help names every target" \
    "^targets: ${list%, *} or ${list##*, } " "$ATOLL" help
"$ATOLL" help configure >"$TMP/help-configure" 2>&1
for tg in $names; do
    t "help configure describes $tg" \
        grep -Eq "^  $tg +[a-z].{10,}" "$TMP/help-configure"
done
expect_out "help configure: spt is hvt's image, sandboxed" \
    "^  spt +hvt's image, run by bin/atoll-spt as a sandboxed process" \
    cat "$TMP/help-configure"
expect_out "help run documents --tender" "run \[--tender=T\]" "$ATOLL" help run
expect_out "help run lists the tender of hvt" "^  hvt +bin/atoll-hvt, needs /dev/kvm\$" \
    "$ATOLL" help run
expect_out "help run lists the tender of spt" "^  spt +bin/atoll-spt\$" \
    "$ATOLL" help run
expect_out "help run says virtio runs under QEMU" \
    "^  virtio +qemu-system-x86_64 " "$ATOLL" help run

# --- every row configures and builds --------------------------------------
for tg in $names; do
    hello "all-$tg"
    expect_out "configure -t $tg" "configured 'hello' for target $tg\$" \
        "$ATOLL" -C "$TMP/all-$tg" configure -t "$tg"
    t "configure records target $tg" grep -qx "target $tg" "$TMP/all-$tg/_build/config"
    t "build for $tg" "$ATOLL" -C "$TMP/all-$tg" build
done
expect_status "spt has no sanitizers" 2 "target spt has no sanitizers" \
    "$ATOLL" -C "$TMP/all-spt" configure -t spt --sanitize

# --- hvt and spt: one image -----------------------------------------------
# Two folders at different paths, one per target: the images are the same
# bytes (no path, no target name inside).
hello one-hvt && hello other-folder-spt
"$ATOLL" -C "$TMP/one-hvt" configure -t hvt >"$LOG" 2>&1 &&
    "$ATOLL" -C "$TMP/one-hvt" build >>"$LOG" 2>&1 &&
    "$ATOLL" -C "$TMP/other-folder-spt" configure -t spt >>"$LOG" 2>&1 &&
    "$ATOLL" -C "$TMP/other-folder-spt" build >>"$LOG" 2>&1 ||
    fail "build hello for hvt and spt"
t "the spt image is the hvt image, byte for byte" \
    cmp "$TMP/one-hvt/_build/hello" "$TMP/other-folder-spt/_build/hello"
expect_out "the image carries the device manifest note" "^ +ATOLL +0x" \
    readelf -n "$TMP/one-hvt/_build/hello"

# --- atoll run: which tender ------------------------------------------------
hello unixapp
"$ATOLL" -C "$TMP/unixapp" configure -t unix >/dev/null 2>&1
expect_status "--tender=bogus is refused" 2 \
    "run: unknown tender 'bogus' \(expected hvt or spt\)" \
    "$ATOLL" -C "$TMP/one-hvt" run --tender=bogus
expect_status "--tender without a name is refused" 2 "--tender wants a name" \
    "$ATOLL" -C "$TMP/one-hvt" run --tender
expect_status "--tender=unix is no tender" 2 "unknown tender 'unix'" \
    "$ATOLL" -C "$TMP/one-hvt" run --tender=unix
expect_status "--tender on a unix application is refused" 2 \
    "configured for target unix, which runs without a tender" \
    "$ATOLL" -C "$TMP/unixapp" run --tender=spt

# A root whose bin/ holds a fake tender that prints the command line it
# got and exits 7; the rest of it is the real Atoll.
FAKE=$TMP/fakeroot
mkdir -p "$FAKE/bin"
for d in include lib platform; do ln -s "$ROOT/$d" "$FAKE/$d"; done
for tender in atoll-hvt atoll-spt; do
    printf '#!/bin/sh\necho "%s: $*"\nexit 7\n' "$tender" >"$FAKE/bin/$tender"
    chmod +x "$FAKE/bin/$tender"
done
fake_run() { # APP ARGS...: atoll run in $TMP/APP with the fake root
    local app=$1
    shift
    ATOLL_ROOT=$FAKE ATOLL_BUILD=$ABS_BUILD "$ATOLL" -C "$TMP/$app" run "$@"
}
expect_status "--tender=spt runs the hvt image under bin/atoll-spt" 7 \
    "^atoll-spt: --mem=8 --net:a=tap0 _build/hello -- --seed=3 -- --mem=9\$" \
    fake_run one-hvt --tender=spt --mem=8 --seed=3 --net:a=tap0 -- --mem=9
expect_status "--gdb and --gdb=PORT go to the tender, not the guest" 7 \
    "^atoll-spt: --gdb --gdb=1235 _build/hello -- --seed=3 -- --gdb\$" \
    fake_run one-hvt --tender=spt --gdb --seed=3 --gdb=1235 -- --gdb
expect_status "target spt runs under bin/atoll-spt" 7 \
    "^atoll-spt: _build/hello -- -- --count=2\$" \
    fake_run other-folder-spt -- --count=2

# Without /dev/kvm, running a target-hvt image says so and how to run it
# sandboxed, with the tender-error status.  With KVM, the hvt tender gets
# the image.
if [ ! -e /dev/kvm ]; then
    msg="no /dev/kvm on this host: target hvt needs KVM; run this image"
    msg="$msg sandboxed with 'atoll run --tender=spt \.\.\.' or 'atoll configure -t spt'"
    expect_status "run of an hvt image without /dev/kvm says how to run it" \
        $ST_TENDER "^atoll: $msg\$" "$ATOLL" -C "$TMP/one-hvt" run
    expect_status "so does --tender=hvt without /dev/kvm" $ST_TENDER \
        "^atoll: $msg\$" "$ATOLL" -C "$TMP/other-folder-spt" run --tender=hvt
    fake_run one-hvt >"$LOG" 2>&1
    st=$?
    if [ $st -eq $ST_TENDER ] && ! grep -q '^atoll-hvt:' "$LOG"; then
        ok "without /dev/kvm the hvt tender is not started"
    else fail "without /dev/kvm the hvt tender is not started" "status $st"; fi
elif ! have_kvm; then
    expect_status "run of an hvt image with a closed /dev/kvm says so" \
        $ST_TENDER "cannot use /dev/kvm on this host \(.*\): target hvt needs KVM; .*--tender=spt" \
        "$ATOLL" -C "$TMP/one-hvt" run
else
    expect_status "target hvt runs under bin/atoll-hvt" 7 \
        "^atoll-hvt: --mem=8 _build/hello -- --seed=3\$" \
        fake_run one-hvt --mem=8 --seed=3
fi
