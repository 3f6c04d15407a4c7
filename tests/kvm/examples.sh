#!/usr/bin/env bash
# tests/kvm/examples.sh - every example, and a fresh `atoll new`
# application, builds for target hvt, boots under the tender (atoll run
# --tender=spt or hvt) and prints exactly what it prints as a unix process
# (clock lines compared without their times).  Also `atoll run --mem=N`
# reaches the tender.
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/common-apps.bash"
suite "$TENDER-examples"
hvt_preflight

DISK=$SCRATCH/disk.img
# run_both NAME SRC FILTER ARGS...: output on unix and on hvt must match.
run_both() {
    local name=$1 src=$2 filter=$3; shift 3
    local out_unix=$SCRATCH/$name.unix out_hvt=$SCRATCH/$name.hvt
    if ! build_app "$src" unix; then fail "$name: builds for unix"; return; fi
    truncate -s 0 "$DISK"; truncate -s 1M "$DISK"
    (cd "$APP" && "$ATOLL" run "$@") 2>&1 | $filter >"$out_unix"
    local st_unix=${PIPESTATUS[0]}
    if ! build_app "$src" "$TENDER"; then fail "$name: builds for $TENDER"; return; fi
    ok "$name: builds for $TENDER"
    truncate -s 0 "$DISK"; truncate -s 1M "$DISK"
    (cd "$APP" && "$ATOLL" run "$@") 2>&1 | $filter >"$out_hvt"
    local st_hvt=${PIPESTATUS[0]}
    cp "$out_hvt" "$LOG"
    if [ "$st_hvt" -ne "$st_unix" ]; then
        fail "$name: same status on $TENDER" "$TENDER $st_hvt, unix $st_unix"
    elif ! diff -u "$out_unix" "$out_hvt" >"$LOG"; then
        fail "$name: same output on $TENDER as on unix"
    elif [ ! -s "$out_hvt" ]; then
        fail "$name: prints something"
    else
        ok "$name: same output and status on $TENDER as on unix"
    fi
}
quiet() { grep -v '^atoll: '; }
no_times() { grep -v '^atoll: ' | sed -E 's/[0-9]+/N/g'; }

E=$ROOT/examples
run_both hello "$E/hello" quiet -- --count=2
run_both clock "$E/clock" no_times -- --ticks=2
run_both fibers "$E/fibers" quiet
run_both block "$E/block" quiet --block:disk="$DISK" -- --max=64
# The runtime's clocks on hvt (read from the TSC, or with
# ATOLL_HVT_NO_TSC=1 from the clock hypercalls): ticks one second apart by
# the uptime, and the wall clock within 2 s of the host's.
clock_check() { # LABEL ENV...
    local label=$1; shift
    build_app "$E/clock" "$TENDER" || { fail "clock ($label): builds"; return; }
    local host out
    host=$(date -u +%s)
    out=$(cd "$APP" && env "$@" "$ATOLL" run -- --ticks=2 2>&1)
    echo "$out" >"$LOG"
    python3 - "$host" "$out" >>"$LOG" 2>&1 <<'PY'
import re, sys, calendar, time
host = int(sys.argv[1])
ticks = re.findall(r"time will be (\d+):(\d+):(\d+) UTC, \w+ (\d+) (\w+) (\d+) \(uptime ([0-9.]+) s\)", sys.argv[2])
assert len(ticks) == 2, "two ticks"
up = [float(t[6]) for t in ticks]
assert up[0] < 0.1 and 0.99 <= up[1] - up[0] <= 1.1, "uptimes %s" % up
h, m, sec, d, mon, y = ticks[0][:6]
wall = calendar.timegm(time.strptime("%s %s %s %s:%s:%s" % (d, mon, y, h, m, sec), "%d %B %Y %H:%M:%S"))
assert abs(wall - host) <= 2, "guest wall %d, host %d" % (wall, host)
PY
    t "clock ($label): ticks 1 s apart, wall clock within 2 s of the host's" \
        test $? -eq 0
}
# (atoll-spt always reads them with hypercalls: function calls there)
[ "$TENDER" = hvt ] && clock_check "TSC" ATOLL_HVT_X=1
clock_check "clock hypercalls" ATOLL_HVT_NO_TSC=1

# --help reaches the guest's runtime (it names the target).
build_app "$E/hello" "$TENDER"
expect_status "atoll run --help is the unikernel's help" 0 \
    'an Atoll unikernel \(hvt target\)' bash -c "cd '$APP' && '$ATOLL' run --help"

# A fresh application from `atoll new`.
rm -rf "$SCRATCH/fresh"
"$ATOLL" new "$SCRATCH/fresh" >"$LOG" 2>&1
run_both "atoll new" "$SCRATCH/fresh" quiet

# --mem goes to the tender: too little memory is the tender's error.
build_app "$E/hello" "$TENDER"
expect_status "atoll run --mem=1 is refused by the tender" $ST_TENDER \
    "bad --mem '1'" bash -c "cd '$APP' && '$ATOLL' run --mem=1"
expect_status "atoll run --mem=2 boots hello in 2 MiB" 0 '^Hello World!$' \
    bash -c "cd '$APP' && '$ATOLL' run --mem=2 -- --count=1"
# What a boot costs, by the tender's own count (ATOLL_HVT_STATS=1): hello
# makes 1 VM exit, the exit call: its line rides on it from the console
# area, and its main fiber runs on the stack the tender made with its
# guard page (no guard call); no translation flush (docs/hvt.md); of its
# heap only a handful of pages are touched (each is a shadow-paging fault
# on PVM; the image and stacks are mapped up front and not counted).
# VM exits are atoll-hvt's alone.
if [ "$TENDER" = hvt ]; then
boot_costs() {
    (cd "$APP" && ATOLL_HVT_STATS=1 "$ATOLL" run -- --count=1) >"$LOG" 2>&1 ||
        return 1
    grep -qx 'Hello World!' "$LOG" && grep -q 'after 1 VM exits' "$LOG" &&
        grep -Eq ', 0 flushes ' "$LOG" &&
        awk '/heap pages the guest touched:/ {n = $7}
             END {exit !(n != "" && n + 0 <= 8)}' "$LOG"
}
t "hello: 1 VM exit, no translation flush, <= 8 heap pages touched" \
    boot_costs
# With a terminal as its output (script(1) makes one) the tender asks for
# each line at once: one more exit, a console write.
tty_lines() {
    script -qec "cd '$APP' && ATOLL_HVT_STATS=1 '$ATOLL' run -- --count=1" \
        /dev/null >"$LOG" 2>&1 || return 1
    grep -q 'Hello World!' "$LOG" && grep -q 'after 2 VM exits' "$LOG" &&
        grep -q ' 1:1 ' "$LOG"
}
t "on a terminal each line goes out at once (a console write exit)" tty_lines
fi
# A net device declared but not attached: the tender names it.
cat >"$SCRATCH/netapp.manifest" <<'M'
name    netapp
device  net service
M
rm -rf "$SCRATCH/netapp"; mkdir -p "$SCRATCH/netapp"
cp "$SCRATCH/netapp.manifest" "$SCRATCH/netapp/atoll.manifest"
printf '#include "atoll_app.h"\nint app_main(struct app *app) { return 0; }\n' \
    >"$SCRATCH/netapp/main.c"
if build_app "$SCRATCH/netapp" "$TENDER"; then
    expect_status "a declared device left unattached is refused" $ST_TENDER \
        "declared net device 'service' is not attached" \
        bash -c "cd '$APP' && '$ATOLL' run"
    expect_status "an attached device the image does not declare is refused" \
        $ST_TENDER "'disk' is attached but the image does not declare it" \
        bash -c "cd '$APP' && '$ATOLL' run --net:service=atolltest0 --block:disk=$DISK"
else
    fail "net application builds for hvt"
fi
