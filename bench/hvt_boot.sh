#!/usr/bin/env bash
# bench/hvt_boot.sh - the numbers of the hvt image's two tenders, run by
# `make bench` (mk/hvt.mk: bench-hvt):
#   - spawn-to-exit wall time of examples/hello --count=1 (no sleeps) as a
#     unix process, under atoll-spt (the sandbox) and under atoll-hvt
#     (KVM), in the same run, median of $RUNS each (timed by spawn_time,
#     see below), and the ratios (goals: spt <= 1.3x the process; hvt <=
#     3x, <= 3 ms), with /bin/true as the spawn floor;
#   - the peer to beat on the sandbox: Solo5's own spt tender running its
#     hello test (built outside the tree, see docs/spt.md; $SOLO5_DIR),
#     timed the same way;
#   - one hypercall round trip (tests/kvm/guests/calls.c): a function
#     call into atoll-spt, a VM exit under atoll-hvt;
#   - the size of the hello image, stripped and as built (goal <= 64 KiB);
#   - the smallest --mem hello boots in (goal <= 2 MiB; the tender's
#     minimum is 2);
#   - the VM exits hello makes (ATOLL_HVT_STATS=1).
# Without /dev/kvm the hvt rows say "not measured: no /dev/kvm".
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
RUNS=${RUNS:-40}
SPAWN_TIME=${SPAWN_TIME:-$ROOT/$BUILD/rel/bench-hvt/spawn_time}
export ATOLL_BUILD=$BUILD
ATOLL=$ROOT/bin/atoll
HVT=$ROOT/bin/atoll-hvt
SPT=$ROOT/bin/atoll-spt
SOLO5_DIR=${SOLO5_DIR:-/work/peers/solo5}
GUESTS=$ROOT/$BUILD/kvm/guests
KVM=no
[ -c /dev/kvm ] && [ -w /dev/kvm ] && KVM=yes
NO_KVM="not measured: no /dev/kvm"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

mk() { # TARGET -> $W/hello-TARGET/_build/hello
    local d=$W/hello-$1
    cp -r "$ROOT/examples/hello" "$d" && rm -rf "$d/_build" &&
        "$ATOLL" -C "$d" configure -t "$1" >/dev/null 2>&1 &&
        "$ATOLL" -C "$d" build >/dev/null 2>&1 || {
        echo "hvt_boot: cannot build hello for $1"; exit 1; }
}
mk unix
mk hvt
UNIX_BIN=$W/hello-unix/_build/hello
HVT_IMG=$W/hello-hvt/_build/hello

# Timing: spawn_time (bench/hvt_tools/spawn_time.c) spawns each command
# RUNS times and times spawn-to-exit with CLOCK_MONOTONIC, no shell in
# between (timing with `date` added ~2 ms to both sides and flattered the
# ratio).  /bin/true gives the floor: the cost of spawning any program.
if [ ! -x "$SPAWN_TIME" ]; then
    echo "hvt_boot: no $SPAWN_TIME (run through make bench-hvt)"; exit 1
fi
# time_ms NAME CMD...: sets NAME_med, NAME_min, NAME_max (ms).
time_ms() {
    local name=$1 out
    shift
    out=$("$SPAWN_TIME" "$RUNS" "$@") || {
        echo "hvt_boot: '$*' failed"; exit 1; }
    read -r "${name}_med" "${name}_min" "${name}_max" <<<"$out"
}
time_ms true /bin/true
time_ms unix "$UNIX_BIN" -- --count=1
time_ms spt "$SPT" "$HVT_IMG" -- -- --count=1
[ $KVM = yes ] && time_ms hvt "$HVT" "$HVT_IMG" -- -- --count=1
SOLO5_SPT=$SOLO5_DIR/tenders/spt/solo5-spt
SOLO5_HELLO=$SOLO5_DIR/tests/test_hello/test_hello.spt
solo5=no
if [ -x "$SOLO5_SPT" ] && [ -f "$SOLO5_HELLO" ]; then
    solo5=yes
    time_ms solo5 "$SOLO5_SPT" "$SOLO5_HELLO" Hello_Solo5
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v c="$1" 'BEGIN {print (c ? "met" : "NOT met")}'; }
echo "hello --count=1 spawn-to-exit, median (min..max) of $RUNS runs:"
echo "  unix process $unix_med ms ($unix_min..$unix_max)"
echo "  spt          $spt_med ms ($spt_min..$spt_max)"
if [ $KVM = yes ]; then
    echo "  hvt          $hvt_med ms ($hvt_min..$hvt_max)"
else
    echo "  hvt          $NO_KVM"
fi
if [ $solo5 = yes ]; then
    echo "  Solo5 spt    $solo5_med ms ($solo5_min..$solo5_max) (its tests/test_hello, the peer)"
else
    echo "  Solo5 spt    not measured: no $SOLO5_SPT (build it as docs/spt.md says)"
fi
echo "  /bin/true    $true_med ms ($true_min..$true_max) (spawn floor)"
r=$(ratio "$spt_med" "$unix_med")
echo "  ratio spt/unix ${r}x: goal <= 1.3x $(verdict "$(awk -v r="$r" 'BEGIN {print (r <= 1.3)}')")"
if [ $solo5 = yes ]; then
    r=$(ratio "$spt_med" "$solo5_med")
    echo "  ratio spt/Solo5 spt ${r}x: goal <= 1x $(verdict "$(awk -v r="$r" 'BEGIN {print (r <= 1)}')")"
fi
if [ $KVM = yes ]; then
    r=$(ratio "$hvt_med" "$unix_med")
    echo "  ratio hvt/unix ${r}x: goal <= 3x $(verdict "$(awk -v r="$r" 'BEGIN {print (r <= 3)}')"); hvt <= 3 ms $(verdict "$(awk -v a="$hvt_med" 'BEGIN {print (a <= 3)}')")"
else
    echo "  ratio hvt/unix $NO_KVM"
fi

# One hypercall round trip: the calls guest times N clock calls with the
# same call.
per_call() { # TENDER N
    "$1" "$GUESTS/calls.elf" -- "$2" 2>/dev/null |
        awk '/^calls/ {printf "%.1f", $4 / $2}'
}
echo "one hypercall round trip (a clock call, tests/kvm/guests/calls.c):"
echo "  spt  $(per_call "$SPT" 1000000) ns (a function call into the tender; 1000000 calls)"
if [ $KVM = yes ]; then
    echo "  hvt  $(per_call "$HVT" 2000) ns (a VM exit; 2000 calls)"
else
    echo "  hvt  $NO_KVM"
fi

cp "$HVT_IMG" "$W/stripped" && strip "$W/stripped"
size_full=$(stat -c %s "$HVT_IMG")
size_strip=$(stat -c %s "$W/stripped")
loaded=$(size "$HVT_IMG" | awk 'NR==2 {print $1 + $2}')
echo "hello image: $((size_strip / 1024)) KiB stripped ($size_strip bytes), $((size_full / 1024)) KiB with debug info; $((loaded / 1024)) KiB loaded text+data (goal <= 64 KiB)"

for t in spt hvt; do
    [ $t = hvt ] && [ $KVM = no ] && {
        echo "smallest --mem hello runs in (hvt): $NO_KVM"; continue; }
    min=""
    for m in 2 3 4 6 8 16; do
        if "$ROOT/bin/atoll-$t" --mem=$m "$HVT_IMG" -- -- --count=1 \
            >/dev/null 2>&1; then
            min=$m; break; fi
    done
    echo "smallest --mem hello runs in ($t): ${min:-none of 2..16} MiB (goal <= 2 MiB)"
done

if [ $KVM = yes ]; then
    exits=$(ATOLL_HVT_STATS=1 "$HVT" "$HVT_IMG" -- -- --count=1 2>&1 >/dev/null |
        sed -nE 's/.* after ([0-9]+) VM exits.*/\1/p')
    echo "VM exits of hello --count=1: $exits"
else
    echo "VM exits of hello --count=1: $NO_KVM"
fi
