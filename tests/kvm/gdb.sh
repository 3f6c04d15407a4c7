#!/usr/bin/env bash
# tests/kvm/gdb.sh - gdb on a sandboxed unikernel, with its symbols: under
# atoll-spt the guest is part of the tender's process, loaded at the
# addresses it was linked for, so gdb debugs it as it debugs any program
# once the image's symbols are added (docs/spt.md).  The break in
# spt_launch waits until the image is in memory; then app_main gets a
# breakpoint and the backtrace shows the guest's frames by name.
TENDERS=${TENDERS:-spt} # a KVM guest is not a process gdb can attach to
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/common-apps.bash"
suite "$TENDER-gdb"
hvt_preflight

if ! command -v gdb >/dev/null; then
    fail "gdb is installed" "scripts/install-deps.sh installs it"
    exit 1
fi
if ! build_app "$ROOT/examples/hello" hvt; then
    fail "examples/hello builds for hvt"
    exit 1
fi
IMG=$APP/_build/hello
gdb_bt() {
    timeout 60 gdb -batch -nx -ex 'break spt_launch' -ex run \
        -ex "add-symbol-file $IMG" -ex 'break app_main' -ex continue \
        -ex bt -ex kill --args "$HVT" "$IMG" -- -- --count=1 >"$LOG" 2>&1
    grep -Eq '^Breakpoint 2, app_main \(' "$LOG" &&
        grep -Eq '^#0 +app_main \(app=' "$LOG" &&
        grep -Eq '^#1 .* in fiber_entry ' "$LOG"
}
t "gdb -batch breaks in app_main and prints the guest's backtrace" gdb_bt
