#!/usr/bin/env bash
# tests/run.sh - runs every test and prints the closing count.
#
# Runs, in order: the C unit and sim tests (optimised build, then under
# AddressSanitizer + UndefinedBehaviorSanitizer), the unix-platform tests,
# then every shell test in tests/*/*.sh (tool, examples, ...).  Counts the
# [OK]/[FAIL]/[SKIP] lines of all of them and ends with
#
#     N passed, N failed[, N skipped]
#
# On CI (CI=true) only one skip is allowed: a test that needs /dev/kvm on a
# host without it, whose line ends with "(no /dev/kvm on this host)"
# (skip_no_kvm in tests/lib.sh), or, for the test of gdb's hardware
# breakpoints on a KVM, "(no /dev/kvm with hardware breakpoints on this
# host: it ignores KVM_SET_GUEST_DEBUG)" (skip_kvm_no_hwbp).  Any other
# skip counts as a failure.
# ATOLL_TEST_ONLY=unit runs only the C binaries.
#
# A test must stop every process it started: one still running when the
# test has ended is a [FAIL] line of its own (tests/leftovers.bash), and
# is stopped.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
status=0
. tests/leftovers.bash
TOKEN=atoll-test-$$-$RANDOM
runs=0

run() { # LABEL CMD...
    local label=$1
    echo "== $label"
    shift
    runs=$((runs + 1))
    ATOLL_TEST_TOKEN=$TOKEN-$runs "$@" 2>&1 | tee -a "$OUT"
    local st=${PIPESTATUS[0]}
    [ "$st" -ne 0 ] && status=1
    leftovers_check "$TOKEN-$runs" "$label" | tee -a "$OUT"
    return 0
}

for variant in rel san; do
    for bin in $(find "$BUILD/$variant/tests" -type f -perm -u+x 2>/dev/null | sort); do
        run "$variant: ${bin#$BUILD/$variant/}" "$bin"
    done
done

if [ "${ATOLL_TEST_ONLY:-}" != unit ]; then
    for script in $(ls tests/*/*.sh 2>/dev/null | sort); do
        run "$script" env ROOT="$ROOT" BUILD="$BUILD" bash "$script"
    done
fi

passed=$(grep -c '^\[OK\]' "$OUT")
failed=$(grep -c '^\[FAIL\]' "$OUT")
skipped=$(grep -c '^\[SKIP\]' "$OUT")
echo
if [ "$failed" -gt 0 ]; then
    echo "Failures:"
    grep '^\[FAIL\]' "$OUT"
fi
if [ "${CI:-}" = true ]; then
    kvm_re='^\[SKIP\].*\(no /dev/kvm( with hardware breakpoints)? on this host(: it ignores KVM_SET_GUEST_DEBUG)?\)$'
    bad=$(grep '^\[SKIP\]' "$OUT" | grep -Evc "$kvm_re")
    if [ "$bad" -gt 0 ]; then
        echo "CI: $bad skipped test(s) count as failures here (only a test"
        echo "that needs /dev/kvm, on a host without it, may skip):"
        grep '^\[SKIP\]' "$OUT" | grep -Ev "$kvm_re"
        failed=$((failed + bad))
        skipped=$((skipped - bad))
    fi
fi
if [ "$passed" -eq 0 ]; then
    echo "no test ran"
    status=1
fi
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
