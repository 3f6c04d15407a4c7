#!/usr/bin/env bash
# tests/virtio/examples.sh - the examples without devices, and a fresh
# `atoll new` application, built for target virtio and booted by QEMU
# (atoll run, TCG) on q35 and on microvm: each prints exactly what it
# prints as a unix process (clock lines compared without their numbers)
# and exits with the same status.  Also: the clocks (ticks a second apart
# by the uptime, the wall clock within 2 s of the host's), the guest's
# exit status reaching the caller, and a crash (a NULL dereference, a
# fiber's stack overflow into its guard page) reported with status 114.
. "$(dirname "$0")/common.bash"
suite virtio-examples
virtio_preflight

# run_both NAME SRC FILTER ARGS...: unix, then every machine: same output
# (through FILTER) and status.
run_both() {
    local name=$1 src=$2 filter=$3; shift 3
    if ! build_app "$src" unix; then fail "$name: builds for unix"; return; fi
    (cd "$APP" && "$ATOLL" run "$@") 2>&1 | $filter >"$SCRATCH/$name.unix"
    local st_unix=${PIPESTATUS[0]}
    if ! build_app "$src" virtio; then fail "$name: builds for virtio"; return; fi
    ok "$name: builds for virtio"
    for m in $MACHINES; do
        vrun "$m" "$@" 2>&1 | $filter >"$SCRATCH/$name.$m"
        local st=${PIPESTATUS[0]}
        cp "$SCRATCH/$name.$m" "$LOG"
        if [ "$st" -ne "$st_unix" ]; then
            fail "$name: same status on $m" "$m $st, unix $st_unix"
        elif ! diff -u "$SCRATCH/$name.unix" "$SCRATCH/$name.$m" >"$LOG"; then
            fail "$name: same output on $m as on unix"
        elif [ ! -s "$SCRATCH/$name.$m" ]; then
            fail "$name: prints something on $m"
        else
            ok "$name: same output and status on $m as on unix"
        fi
    done
}
quiet() { grep -v '^atoll: '; }
no_times() { grep -v '^atoll: ' | sed -E 's/[0-9]+/N/g'; }

E=$ROOT/examples
run_both hello "$E/hello" quiet -- --count=2
run_both clock "$E/clock" no_times -- --ticks=2
run_both fibers "$E/fibers" quiet
rm -rf "$SCRATCH/fresh"
"$ATOLL" new "$SCRATCH/fresh" >"$LOG" 2>&1
run_both "atoll new" "$SCRATCH/fresh" quiet

# The clocks: the TSC calibrated against the PIT for the uptime, the RTC
# for the wall clock.
# The wall clock is compared with the host's before and after the run
# (a boot under TCG on a busy host takes a while; the RTC has whole
# seconds), the uptime of the first tick allows for a slow boot, the
# second tick may be late but never early.
clock_check() { # MACHINE
    local before after out
    before=$(date -u +%s)
    out=$(vrun "$1" -- --ticks=2 2>&1)
    after=$(date -u +%s)
    echo "$out" >"$LOG"
    python3 - "$before" "$after" "$out" >>"$LOG" 2>&1 <<'PY'
import re, sys, calendar, time
before, after = int(sys.argv[1]), int(sys.argv[2])
ticks = re.findall(r"time will be (\d+):(\d+):(\d+) UTC, \w+ (\d+) (\w+) (\d+) \(uptime ([0-9.]+) s\)", sys.argv[3])
assert len(ticks) == 2, "two ticks"
up = [float(t[6]) for t in ticks]
# Never early (a timer that fires early means a wrong calibration);
# late by up to half a second (a loaded host delays a TCG guest's wakes).
assert up[0] < 1 and 0.99 <= up[1] - up[0] <= 1.5, "uptimes %s" % up
h, m, sec, d, mon, y = ticks[0][:6]
wall = calendar.timegm(time.strptime("%s %s %s %s:%s:%s" % (d, mon, y, h, m, sec), "%d %B %Y %H:%M:%S"))
assert before - 1 <= wall <= after + 1, "guest wall %d, host %d..%d" % (wall, before, after)
PY
}
build_app "$E/clock" virtio
for m in $MACHINES; do
    t "clock on $m: ticks >= 1 s apart (< 1.5), wall clock the host's (within 1 s)" \
        clock_check "$m"
done

build_app "$E/hello" virtio
expect_status "atoll run --help is the unikernel's help" 0 \
    'an Atoll unikernel \(virtio target\)' vrun q35 --help
expect_status "bad --machine is refused" 113 "bad --machine 'pc'" \
    vrun pc -- --count=1
expect_status "--mem=1 is refused" 113 "bad --mem '1'" \
    vrun q35 --mem=1 -- --count=1
expect_status "hello boots in --mem=4" 0 '^Hello World!$' \
    vrun microvm --mem=4 -- --count=1

# Exit statuses and crashes.
mkdir -p "$SCRATCH/crash"
cat >"$SCRATCH/crash/atoll.manifest" <<'M'
name crash
arg  how string status "status: return 42; null: read address 8; overflow: recurse"
M
cat >"$SCRATCH/crash/main.c" <<'C'
#include "atoll_app.h"
#include <string.h>
static int deep(int n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    return n ? deep(n - 1) + buf[0] : 0;
}
int app_main(struct app *app)
{
    if (!strcmp(app->args.how, "null"))
        return *(volatile int *)8;
    if (!strcmp(app->args.how, "overflow"))
        return deep(100000);
    return 42;
}
C
if build_app "$SCRATCH/crash" virtio; then
    for m in $MACHINES; do
        expect_status "the guest's status reaches the caller ($m)" 42 "" \
            vrun "$m"
        expect_status "a NULL dereference is a crash, 114 ($m)" 114 \
            'guest crash: page fault .* address 0x8$' vrun "$m" -- --how=null
    done
    expect_status "a fiber's stack overflow hits its guard page" 114 \
        'stack overflow in fiber main' vrun q35 -- --how=overflow
else
    fail "the crash application builds for virtio"
fi
