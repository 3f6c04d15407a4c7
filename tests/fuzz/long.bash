#!/usr/bin/env bash
# tests/fuzz/long.bash - `make fuzz-long`: every libFuzzer target
# (tests/fuzz/targets.bash) until it has run FUZZ_RUNS inputs (default the
# goal, 10 million) or for FUZZ_SECONDS seconds, whichever comes first,
# FUZZ_JOBS at a time (default: one per CPU), from the same seeds as the
# short runs in `make test`.  FUZZ_RUNS=0 runs each for the whole time.
# Stopping at the goal is what makes the run affordable: the fast targets
# reach ten million in a minute or two, and their share of the time goes
# to the slow ones.  Prints a line per target - executions, executions per
# second, edges of the code reached - and whether it made the goal, and the
# CPU time each used with the executions per CPU second, which say more
# than the wall clock on a shared machine.
# Fails on a crash, a leak, a sanitizer report or a timeout; the input
# that did it is kept and its path printed.
#
# Not a test (tests/run.sh runs only *.sh): it takes as long as it is
# told to.  FUZZ_OUT=DIR keeps the logs and corpora in DIR; FUZZ_ONLY="A B"
# runs only those targets.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
SECS=${FUZZ_SECONDS:-900}
JOBS=${FUZZ_JOBS:-$(nproc)}
GOAL=10000000
RUNS=${FUZZ_RUNS:-$GOAL}
# An input takes milliseconds; libFuzzer's timeout is wall-clock time, and
# a fuzzer starved on a loaded machine lost more than ten seconds on
# inputs that take 0.1 s when run again (net_icmpv6, net_nd, load 58).
TIMEOUT=${FUZZ_TIMEOUT:-60}
OUT=${FUZZ_OUT:-$(mktemp -d /tmp/atoll-fuzzlong.XXXXXX)}
mkdir -p "$OUT"
LOG=$OUT/build.log
. tests/fuzz/runtime.bash
. tests/fuzz/targets.bash
if [ -n "${FUZZ_ONLY:-}" ]; then
    for t in $FUZZ_ONLY; do
        grep -qw -- "$t" <<<"$FUZZ_TARGETS" || {
            echo "fuzz-long: no target '$t' (there are: $FUZZ_TARGETS)" >&2
            exit 2
        }
    done
    FUZZ_TARGETS=$FUZZ_ONLY
fi

echo "fuzz-long: building every target (clang, ASan + UBSan, libFuzzer)"
if ! fuzz_runtime "$OUT"; then
    tail -n 30 "$LOG"
    exit 1
fi
for t in $FUZZ_TARGETS; do
    fuzz_build "$OUT" "$t" || { tail -n 30 "$LOG"; exit 1; }
done

run_one() { # NAME: run it, leave NAME.log, .rc and .cpu in $OUT
    local t=$1 TIMEFORMAT='%U %S'
    mkdir -p "$OUT/crash_$t"
    fuzz_seeds "$t" "$OUT/corpus_$t"
    # The CPU time too: on a busy machine the wall clock says little.
    { time "$OUT/$t" -seed=1 -max_total_time="$SECS" -runs="$((RUNS ? RUNS : -1))" \
        -max_len="$(fuzz_max_len "$t")" -timeout="$TIMEOUT" -print_final_stats=1 \
        -artifact_prefix="$OUT/crash_$t/" "$OUT/corpus_$t" \
        >"$OUT/$t.log" 2>&1; } 2>"$OUT/$t.cpu"
    echo $? >"$OUT/$t.rc"
}

n=$(wc -w <<<"$FUZZ_TARGETS")
echo "fuzz-long: $n targets, each until $RUNS inputs or $SECS s," \
    "$JOBS at a time (at most $(((n + JOBS - 1) / JOBS * SECS / 60)) min)"
# JOBS lanes, each running its share of the targets one after the other.
for ((lane = 0; lane < JOBS; lane++)); do
    (
        i=0
        for t in $FUZZ_TARGETS; do
            [ $((i % JOBS)) = $lane ] && run_one "$t"
            i=$((i + 1))
        done
    ) &
done
wait

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; } # NAME LOG
status=0
printf '\n%-16s %12s %9s %9s %10s %6s  %s\n' target executions exec/s \
    "CPU s" "exec/CPU-s" edges result
for t in $FUZZ_TARGETS; do
    lg=$OUT/$t.log
    execs=$(stat number_of_executed_units "$lg")
    rate=$(stat average_exec_per_sec "$lg")
    # shellcheck disable=SC2046 # user and system seconds, added
    cpu=$(printf '%.0f' $(awk '{ print $1 + $2 }' "$OUT/$t.cpu" 2>/dev/null))
    cpurate=$([ "${cpu:-0}" -gt 0 ] && echo $((${execs:-0} / cpu)))
    edges=$(fuzz_report "$lg" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    if [ "$(cat "$OUT/$t.rc")" != 0 ]; then
        result="FAILED: $(grep -m1 -E 'ERROR|Test unit written' "$lg")"
        result="$result (log $lg)"
        status=1
    elif [ "${execs:-0}" -ge $GOAL ]; then
        result="ok, no crash"
    else
        result="ok, no crash; below the goal of $GOAL executions"
    fi
    printf '%-16s %12s %9s %9s %10s %6s  %s\n' "$t" "${execs:-?}" \
        "${rate:-?}" "${cpu:-?}" "${cpurate:-?}" "${edges:-?}" "$result"
done
if [ $status = 0 ] && [ -z "${FUZZ_OUT:-}" ]; then
    rm -rf "$OUT"
else
    echo "logs, corpora and crashing inputs: $OUT"
fi
exit $status
