#!/usr/bin/env bash
# tests/examples/examples.sh - builds every example with the atoll tool for
# the unix AND the sim target, runs it and checks what it prints: hello's
# four greetings a second apart (virtual seconds on sim), the speaking
# clock, the fibers tutorial's order and trace, the block device check,
# and that a sim run replays byte for byte.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-examples.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT

suite examples

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# prepare EXAMPLE TARGET [CONFIGURE-ARGS...]: a private copy of the example
# (so nothing is written into the source tree), configured and built.
# Prints the unikernel's path.
prepare() {
    local ex=$1 target=$2; shift 2
    local dir=$TMP/$ex-$target${1:+-alt}
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$ROOT/examples/$ex/atoll.manifest" "$ROOT/examples/$ex"/*.[ch] "$dir/"
    "$ATOLL" -C "$dir" configure -t "$target" "$@" >>"$LOG" 2>&1 &&
        "$ATOLL" -C "$dir" build >>"$LOG" 2>&1 &&
        echo "$dir/_build/$ex"
}

# check NAME CMD...: passes when CMD (a shell function) succeeds; its
# diagnostics go to $LOG.
check() {
    local name=$1; shift
    if "$@" >>"$LOG" 2>&1; then ok "$name"; else fail "$name"; fi
    : >"$LOG"
}

# ---- hello ------------------------------------------------------------------
hello_lines() { # OUTPUT-FILE: exactly four lines, each "Hello World!"
    [ "$(grep -cx 'Hello World!' "$1")" = 4 ] && [ "$(wc -l <"$1")" = 4 ] ||
        { cat "$1"; return 1; }
}
for target in unix sim; do
    k=$(prepare hello $target) || { fail "build hello ($target)"; continue; }
    ok "build hello ($target)"
    t0=$(now_ms)
    "$k" >"$TMP/hello.$target" 2>&1
    st=$?
    t1=$(now_ms)
    check "hello exits 0 ($target)" test $st -eq 0
    check "hello prints exactly four 'Hello World!' lines ($target)" \
        hello_lines "$TMP/hello.$target"
    if [ $target = unix ]; then
        check "hello on unix takes >= 3 s (took $((t1 - t0)) ms)" \
            test $((t1 - t0)) -ge 3000
    else
        check "hello on sim runs in virtual time (took $((t1 - t0)) ms)" \
            test $((t1 - t0)) -lt 2000
    fi
done
k=$TMP/hello-sim/_build/hello
"$k" -- --count=2 >"$TMP/hello.2" 2>&1
check "hello --count=2 greets twice" test "$(grep -cx 'Hello World!' "$TMP/hello.2")" = 2

# ---- clock ------------------------------------------------------------------
TICK='^At the tone the time will be [0-2][0-9]:[0-5][0-9]:[0-5][0-9] UTC, [A-Z][a-z]+day [1-9][0-9]? [A-Z][a-z]+ [0-9]{4} \(uptime [0-9]+\.[0-9]{3} s\)$'
ticks_ok() { # FILE N
    [ "$(grep -Ec "$TICK" "$1")" = "$2" ] && [ "$(wc -l <"$1")" = "$2" ] ||
        { cat "$1"; return 1; }
}
k=$(prepare clock unix) && ok "build clock (unix)" || fail "build clock (unix)"
"$k" -- --ticks=2 >"$TMP/clock.unix" 2>&1
check "clock prints 2 ticks (unix)" ticks_ok "$TMP/clock.unix" 2
check "clock's ticks are a second apart (unix)" \
    grep -Eq 'uptime 1\.0[0-9]{2} s' "$TMP/clock.unix"
k=$(prepare clock sim) && ok "build clock (sim)" || fail "build clock (sim)"
"$k" -- --ticks=5 >"$TMP/clock.sim" 2>&1
check "clock prints 5 ticks (sim)" ticks_ok "$TMP/clock.sim" 5
check "clock on sim starts at the sim epoch, 2000-01-01" \
    grep -q 'UTC, Saturday 1 January 2000 (uptime 0.000 s)' "$TMP/clock.sim"
check "clock on sim ticks in virtual seconds" \
    grep -qx 'At the tone the time will be 00:00:04 UTC, Saturday 1 January 2000 (uptime 4.000 s)' \
    "$TMP/clock.sim"
"$k" --sim-epoch=1795465865 -- --ticks=1 >"$TMP/clock.epoch" 2>&1
check "clock follows --sim-epoch (Monday 23 November 2026)" \
    grep -q '^At the tone the time will be 20:31:05 UTC, Monday 23 November 2026' \
    "$TMP/clock.epoch"

# ---- fibers -----------------------------------------------------------------
cat >"$TMP/fibers.want" <<'OUT'
heads 1
tails 1
heads 2
tails 2
heads 3
tails 3
joined heads (3) and tails (3)
timeout fired after 100 ms
notifier: ringing the bell
woken before the deadline
OUT
trace_names() { # TRACE-FILE NAME...: valid JSON that names every NAME
    python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
strings = set()
def walk(x):
    if isinstance(x, dict):
        for v in x.values(): walk(v)
    elif isinstance(x, list):
        for v in x: walk(v)
    elif isinstance(x, str):
        strings.add(x)
walk(doc)
missing = [n for n in sys.argv[2:] if n not in strings]
if missing:
    sys.exit("trace does not name: %s" % ", ".join(missing))
PY
}
for target in unix sim; do
    k=$(prepare fibers $target) || { fail "build fibers ($target)"; continue; }
    ok "build fibers ($target)"
    "$k" --trace="$TMP/fibers.$target.json" >"$TMP/fibers.$target" 2>&1
    st=$?
    check "fibers exits 0 ($target)" test $st -eq 0
    check "fibers prints the expected lines in order ($target)" \
        diff -u "$TMP/fibers.want" "$TMP/fibers.$target"
    check "fibers' trace is valid JSON ($target)" \
        python3 -m json.tool "$TMP/fibers.$target.json" /dev/null
    check "fibers' trace names heads, tails, main ($target)" \
        trace_names "$TMP/fibers.$target.json" heads tails main notifier
done

# ---- determinism on sim -----------------------------------------------------
k=$TMP/fibers-sim/_build/fibers
"$k" --seed=7 --trace="$TMP/r1.json" >"$TMP/r1.out" 2>&1
"$k" --seed=7 --trace="$TMP/r2.json" >"$TMP/r2.out" 2>&1
check "same seed, same output (sim)" cmp "$TMP/r1.out" "$TMP/r2.out"
check "same seed, same trace file (sim)" cmp "$TMP/r1.json" "$TMP/r2.json"
k=$TMP/clock-sim/_build/clock
"$k" --seed=3 -- --ticks=3 >"$TMP/c1.out" 2>&1
"$k" --seed=3 -- --ticks=3 >"$TMP/c2.out" 2>&1
check "same seed, same clock output (sim)" cmp "$TMP/c1.out" "$TMP/c2.out"

# ---- block ------------------------------------------------------------------
nonzero() { [ "$(tr -d '\0' <"$1" | wc -c)" -gt 0 ]; }
disk=$TMP/disk.img
head -c 1048576 /dev/zero >"$disk"
k=$(prepare block unix) && ok "build block (unix)" || fail "build block (unix)"
expect_out "block verifies a 1 MiB file (unix)" "^verified 2048 sectors$" \
    "$k" --block:disk="$disk"
expect_out "block prints the geometry (unix)" "2048 sectors of 512 bytes" \
    "$k" --block:disk="$disk"
check "block's writes reached the file (unix)" nonzero "$disk"
k=$(prepare block unix --impl disk=full) && ok "build block --impl disk=full (unix)" ||
    fail "build block --impl disk=full (unix)"
expect_fail "block on a full disk fails clearly (unix)" \
    "write of sectors 0\.\.15 failed: no space left on device" \
    "$k" --block:disk="$disk"

k=$(prepare block sim) && ok "build block (sim)" || fail "build block (sim)"
expect_out "block verifies mem:1M (sim)" "^verified 2048 sectors$" \
    "$k" --block:disk=mem:1M
k=$(prepare block sim --impl disk=full) && ok "build block --impl disk=full (sim)" ||
    fail "build block --impl disk=full (sim)"
expect_fail "block on a full disk fails clearly (sim)" "no space left on device" \
    "$k" --block:disk=mem:1M
k=$(prepare block sim --impl disk=busy) && ok "build block --impl disk=busy (sim)" ||
    fail "build block --impl disk=busy (sim)"
expect_fail "block on a busy disk fails clearly (sim)" "device or resource busy" \
    "$k" --block:disk=mem:1M
expect_fail "block without a disk is refused" \
    "block device 'disk' is not attached" "$TMP/block-sim/_build/block"
