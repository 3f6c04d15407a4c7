#!/usr/bin/env bash
# tests/kvm/crash.sh - a real unikernel (tests/kvm/apps/crash) crashing on
# target hvt: CPU exceptions and stack overflows (boot-time main fiber and
# a spawned fiber, each into its guard page) are reported by the tender
# with status 114, the vector, the registers and a named backtrace; a
# heap exhausted, a failed assert() and the like end in the runtime's
# panic, status 70, with the message.  See docs/hvt.md.
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/common-apps.bash"
suite "$TENDER-crash"
hvt_preflight

if ! build_app "$ROOT/tests/kvm/apps/crash" hvt; then
    fail "the crash application builds for hvt"
    exit 1
fi
IMG=$APP/_build/crash
run() { "$HVT" "$@" "$IMG" -- -- --what="$WHAT"; }
crash() { # WHAT STATUS PATTERN [TENDER-ARGS...]
    WHAT=$1
    local st=$2 pat=$3; shift 3
    expect_status "$WHAT: status $st and /$pat/" "$st" "$pat" run "$@"
}
crash none 0 '^survived$'
crash null $ST_CRASH 'guest crashed: CPU exception 14 \(page fault, error code 0x4\).*cr2=0 '
crash null $ST_CRASH "^$TN: page fault: read of 0, the page is not mapped"
crash null $ST_CRASH "^$TN:   #0 +0x[0-9a-f]+ app_main\\+0x"
crash null $ST_CRASH "^$TN: rax=[0-9a-f]{16} rbx="
crash div0 $ST_CRASH 'guest crashed: CPU exception 0 \(divide error\)'
crash div0 $ST_CRASH "^$TN:   #0 +0x[0-9a-f]+ app_main\\+0x"
crash stack $ST_CRASH "stack overflow: a fiber's stack ran into its guard page"
crash stack $ST_CRASH "^$TN:   #1 +0x[0-9a-f]+ recurse\\+0x"
crash fiber-stack $ST_CRASH "stack overflow: a fiber's stack ran into its guard page"
crash oom 70 '^atoll: panic: out of memory after [0-9]+ KiB'
crash oom 70 '^atoll: panic: out of memory' --mem=64
crash assert 70 'assertion failed: zero == 1'

# Output still in the console area when the guest stops comes out first,
# whole and in order: 3000 lines (~30 KiB, more than the 16 KiB area
# holds, so some leave through console writes) then the end.
lines_then() { # WHAT PATTERN-OF-THE-END
    WHAT=$1
    "$HVT" "$IMG" -- -- --what="$WHAT" --lines=3000 >"$LOG" 2>&1
    awk -v pat="$2" '
        /^line [0-9]+$/ { if ($2 != n + 1) exit 1; n++; next }
        $0 ~ pat { end = (n == 3000); exit }
        END { exit !end }' "$LOG"
}
t "3000 lines, then survived: every line, in order, before the end" \
    lines_then none '^survived$'
t "3000 lines, then a crash: every line, in order, before the report" \
    lines_then null 'guest crashed: CPU exception 14'
# A guest that prints, then computes without ever exiting: its line waits
# in the console area, and stopping the tender (SIGTERM) still writes it.
spin_stopped() {
    "$HVT" "$IMG" -- -- --what=spin >"$LOG" 2>&1 &
    local pid=$!
    sleep 1 # the guest is long past its print (a boot takes ~2 ms)
    kill -TERM $pid
    wait $pid
    local st=$?
    echo "status $st" >>"$LOG"
    [ $st -eq $((128 + 15)) ] && grep -qx spinning "$LOG"
}
t "a spinning guest stopped by SIGTERM: its output still comes out" \
    spin_stopped

# --dumpcore=DIR: a crash leaves an ELF core that gdb opens with the image
# (bt shows the faulting fiber's frames by name); a clean end leaves none.
CORES=$SCRATCH/cores
core_bt() { # WHAT FRAME-PATTERN...
    local what=$1; shift
    rm -rf "$CORES" && mkdir -p "$CORES"
    "$HVT" --dumpcore="$CORES" "$IMG" -- -- --what="$what" >"$LOG" 2>&1
    local st=$?
    local core
    core=$(ls "$CORES"/core.crash.* 2>/dev/null | head -n 1)
    [ "$st" -eq $ST_CRASH ] && [ -n "$core" ] &&
        grep -q "core dumped: $core" "$LOG" || return 1
    (cd "$APP" && timeout 60 gdb -batch -nx -ex bt "$IMG" "$core") >"$LOG" 2>&1
    for pat in "$@"; do grep -Eq -- "$pat" "$LOG" || return 1; done
}
t "--dumpcore: a NULL read's core shows app_main and fiber_entry in gdb" \
    core_bt null '^#0 +app_main \(' '^#1 .* in fiber_entry '
t "--dumpcore: a fiber's stack overflow shows its recursion in gdb" \
    core_bt fiber-stack '^#0 .* recurse ' '^#1 .* recurse '
no_core() {
    rm -rf "$CORES" && mkdir -p "$CORES"
    "$HVT" --dumpcore="$CORES" "$IMG" -- -- --what=none >"$LOG" 2>&1 &&
        [ -z "$(ls -A "$CORES")" ]
}
t "--dumpcore: a guest that ends normally leaves no core file" no_core
expect_status "--dumpcore of a missing folder is a tender error" $ST_TENDER \
    'dumpcore=/nonexistent/x' "$HVT" --dumpcore=/nonexistent/x "$IMG"
