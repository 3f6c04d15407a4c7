#!/usr/bin/env bash
# bench/hvt_boot.sh - the hvt target's numbers (issue 3), run by
# `make bench` (mk/hvt.mk: bench-hvt):
#   - boot-to-exit wall time of examples/hello --count=1 (no sleeps) under
#     atoll-hvt and as a unix process, in the same run, median of $RUNS
#     each, and their ratio (goal: hvt <= 3x the process, <= 3 ms);
#   - the size of the hello image, stripped and as built (goal <= 64 KiB);
#   - the smallest --mem hello boots in (goal <= 2 MiB; the tender's
#     minimum is 2);
#   - the VM exits hello makes (ATOLL_HVT_STATS=1).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
RUNS=${RUNS:-30}
export ATOLL_BUILD=$BUILD
ATOLL=$ROOT/bin/atoll
HVT=$ROOT/bin/atoll-hvt
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

# median_ms CMD...: median wall time of RUNS runs, in ms (3 decimals).
median_ms() {
    local i t0 t1
    for ((i = 0; i < RUNS; i++)); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "hvt_boot: '$*' failed" >&2; exit 1; }
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
    done | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}

# Interleave warm-up runs, then measure both in the same run.
"$UNIX_BIN" -- --count=1 >/dev/null; "$HVT" "$HVT_IMG" -- -- --count=1 >/dev/null
unix_ms=$(median_ms "$UNIX_BIN" -- --count=1)
hvt_ms=$(median_ms "$HVT" "$HVT_IMG" -- -- --count=1)
ratio=$(awk -v a="$hvt_ms" -v b="$unix_ms" 'BEGIN {printf "%.2f", a / b}')
echo "hello boot-to-exit, median of $RUNS: hvt $hvt_ms ms, unix process $unix_ms ms, ratio hvt/unix ${ratio}x (goal <= 3x, <= 3 ms)"

cp "$HVT_IMG" "$W/stripped" && strip "$W/stripped"
size_full=$(stat -c %s "$HVT_IMG")
size_strip=$(stat -c %s "$W/stripped")
loaded=$(size "$HVT_IMG" | awk 'NR==2 {print $1 + $2}')
echo "hello image: $((size_strip / 1024)) KiB stripped ($size_strip bytes), $((size_full / 1024)) KiB with debug info; $((loaded / 1024)) KiB loaded text+data (goal <= 64 KiB)"

min=""
for m in 2 3 4 6 8 16; do
    if "$HVT" --mem=$m "$HVT_IMG" -- -- --count=1 >/dev/null 2>&1; then
        min=$m; break; fi
done
echo "smallest --mem hello runs in: ${min:-none of 2..16} MiB (goal <= 2 MiB)"

exits=$(ATOLL_HVT_STATS=1 "$HVT" "$HVT_IMG" -- -- --count=1 2>&1 >/dev/null |
    sed -nE 's/.* after ([0-9]+) VM exits.*/\1/p')
echo "VM exits of hello --count=1: $exits"
