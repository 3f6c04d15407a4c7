#!/usr/bin/env bash
# tests/debug/dumpcore.sh - --dumpcore=DIR on target unix: a unikernel that
# crashes (tests/kvm/apps/crash: a NULL read, a division by zero, a
# fiber's stack overflow) writes an ELF core file that gdb opens with the
# executable, and `bt` (gdb -batch) shows the faulting fiber's frames by
# name; a clean exit, or a crash without the option, writes none; a
# missing folder is refused before the unikernel runs.  (spt and hvt:
# tests/kvm/crash.sh.)
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-dumpcore.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT

suite dumpcore-unix

APP=$TMP/crash
mkdir -p "$APP"
cp "$ROOT/tests/kvm/apps/crash/atoll.manifest" "$ROOT/tests/kvm/apps/crash/main.c" "$APP/"
if "$ATOLL" -C "$APP" configure -t unix >"$LOG" 2>&1 && "$ATOLL" -C "$APP" build >>"$LOG" 2>&1; then
    ok "the crash application builds for unix"
else
    fail "the crash application builds for unix"
    exit 0
fi
K=$APP/_build/crash
CORES=$TMP/cores

# core_bt WHAT MESSAGE FRAME-PATTERN...: crashing the way WHAT says, with
# --dumpcore, exits 70 with MESSAGE and names the core file; gdb -batch bt
# on it shows every FRAME-PATTERN.
core_bt() {
    local what=$1 msg=$2; shift 2
    rm -rf "$CORES" && mkdir -p "$CORES"
    (cd "$TMP" && "$K" --dumpcore=cores -- --what="$what") >"$LOG" 2>&1
    local st=$? core
    core=$(ls "$CORES"/core.crash.* 2>/dev/null | head -n 1)
    if [ "$st" -ne 70 ] || [ -z "$core" ] || ! grep -Eq -- "$msg" "$LOG" ||
        ! grep -q "^atoll: core dumped: cores/${core##*/}$" "$LOG"; then
        echo "status $st, core '${core:-none}'"
        return 1
    fi
    (cd "$APP" && timeout 120 gdb -batch -nx -ex bt "$K" "$core") >>"$LOG" 2>&1
    for pat in "$@"; do
        grep -Eq -- "$pat" "$LOG" || { echo "no /$pat/ in the backtrace"; return 1; }
    done
}
t "a NULL read: the core's backtrace is app_main, then fiber_entry" \
    core_bt null '^atoll: segmentation fault at 0x0+$' \
    '^#0 +app_main \(app=.*main\.c:[0-9]+' '^#1 .* in fiber_entry '
t "a division by zero: the core's backtrace starts in app_main" \
    core_bt div0 '^atoll: arithmetic exception at 0x' \
    '^#0 .*app_main \(' '^#1 .* in fiber_entry '
t "a fiber's stack overflow: the core's backtrace is its recursion" \
    core_bt fiber-stack '^atoll: stack overflow in fiber deep$' \
    '^#0 +recurse \(n=' '^#1 +recurse \(n='

clean_exit_no_core() {
    rm -rf "$CORES" && mkdir -p "$CORES"
    "$K" --dumpcore="$CORES" -- --what=none >"$LOG" 2>&1 &&
        grep -q '^survived$' "$LOG" && [ -z "$(ls -A "$CORES")" ]
}
t "a unikernel that ends normally leaves no core file" clean_exit_no_core
no_option_no_core() {
    mkdir -p "$TMP/plain"
    (cd "$TMP/plain" && "$K" -- --what=null) >"$LOG" 2>&1
    local st=$?
    [ $st -eq 70 ] && ! grep -q "core dumped" "$LOG" && [ -z "$(ls -A "$TMP/plain")" ]
}
t "without --dumpcore a crash writes no core file" no_option_no_core
expect_fail "--dumpcore of a missing folder is refused before the run" \
    '^atoll: --dumpcore=/nonexistent/x: No such file or directory$' \
    "$K" --dumpcore=/nonexistent/x -- --what=null
expect_fail "--dumpcore without a folder is refused" \
    'missing folder \(--dumpcore=DIR\)' "$K" --dumpcore= -- --what=none
