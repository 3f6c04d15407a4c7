# tests/lib.sh - the shell side of the test harness, sourced by tests/*/*.sh.
#
# Prints the same lines as the C harness ([OK]/[FAIL]/[SKIP] suite N name),
# which tests/run.sh counts.  Usage:
#
#     . tests/lib.sh
#     suite tool
#     t "new creates a manifest"  test -f "$dir/atoll.manifest"
#     expect_fail "unknown target is refused" "unknown target 'vax'" \
#         bin/atoll configure -t vax
#
# A test's command output goes to $LOG (shown when it fails).
#
# A test stops every process it starts (tests/run.sh fails the run over
# any left running): start servers with bg_start and end with
# bg_stop_all (in the script's cleanup trap).

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ATOLL=${ATOLL:-$ROOT/bin/atoll}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
_suite=""
_index=0

suite() { _suite=$1; _index=0; }

_report() { # STATUS NAME
    printf '[%s]%*s %-12s %2d  %s\n' "$1" $((5 - ${#1})) "" "$_suite" \
        "$_index" "$2"
    _index=$((_index + 1))
}

_show_log() { sed 's/^/       | /' "$LOG" | tail -n 30; }

ok() { _report OK "$1"; }
fail() { _report FAIL "$1"; [ -n "${2:-}" ] && echo "       $2"; _show_log; }
skip() { _report SKIP "$1"; echo "       skipped: $2"; }
# skip_no_kvm NAME: the one skip CI allows (tests/run.sh): a test that needs
# /dev/kvm on a host without it.  The reason is on the line itself.
NO_KVM_REASON='(no /dev/kvm on this host)'
skip_no_kvm() { _report SKIP "$1 $NO_KVM_REASON"; }
# skip_kvm_no_hwbp NAME: the same for a test of gdb's hardware breakpoints
# on a host whose /dev/kvm takes KVM_SET_GUEST_DEBUG and ignores it
# (kvm-pvm): no debug register reaches the guest there, so for that test
# it is as good as no /dev/kvm.  atoll-hvt says so when gdb attaches
# (tender/hvt/gdb_kvm.c).
NO_KVM_HWBP_REASON="(no /dev/kvm with hardware breakpoints on this host: it ignores KVM_SET_GUEST_DEBUG)"
skip_kvm_no_hwbp() { _report SKIP "$1 $NO_KVM_HWBP_REASON"; }
# have_kvm: /dev/kvm exists and this user may open it.
have_kvm() { [ -c /dev/kvm ] && [ -w /dev/kvm ]; }

# bg_start CMD...: run CMD in the background as the leader of a process
# group of its own (setsid), and remember it; bg_stop_all stops each such
# group - the command and whatever it started, e.g. the children a
# forking server made for its connections - and waits for it.  Give
# CMD as a program, not a shell function (`ip netns exec NS prog`, not a
# wrapper around it): a function would run in a subshell whose process
# is not the server's.
BG_PIDS=""
bg_start() {
    setsid "$@" &
    BG_PIDS="$BG_PIDS $!"
}
bg_stop_all() {
    local p i
    for p in $BG_PIDS; do
        kill -TERM -- "-$p" 2>/dev/null
        wait "$p" 2>/dev/null
        # A member still running 2 s after TERM (it handles or blocks
        # it) gets KILL, so nothing of the group is left behind; zombies
        # waiting to be reaped do not count.
        for ((i = 0; i < 40; i++)); do
            ps -o stat= -g "$p" 2>/dev/null | grep -q '^[^Z]' || break
            sleep 0.05
        done
        kill -KILL -- "-$p" 2>/dev/null
    done
    BG_PIDS=""
}

# wait_line FILE REGEX SECONDS: until a line of FILE (a program's log,
# still being written) matches REGEX; else prints FILE and fails.
wait_line() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "no line matching /$2/ in $1 after $3 s:"
    cat "$1" 2>/dev/null
    return 1
}

# t NAME CMD...: passes when CMD exits 0.
t() {
    local name=$1; shift
    if "$@" >"$LOG" 2>&1; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# expect_fail NAME PATTERN CMD...: passes when CMD exits non-zero, without a
# crash (status < 128), and its output contains PATTERN (grep -E).
expect_fail() {
    local name=$1 pat=$2; shift 2
    "$@" >"$LOG" 2>&1
    local st=$?
    if [ $st -eq 0 ]; then fail "$name" "expected failure, got exit 0"
    elif [ $st -ge 128 ]; then fail "$name" "crashed with status $st"
    elif ! grep -Eq -- "$pat" "$LOG"; then fail "$name" "output lacks /$pat/"
    else ok "$name"; fi
}

# expect_status NAME STATUS PATTERN CMD...: passes when CMD exits with
# exactly STATUS and its output contains PATTERN (grep -E; "" = any).
expect_status() {
    local name=$1 want=$2 pat=$3; shift 3
    "$@" >"$LOG" 2>&1
    local st=$?
    if [ "$st" -ne "$want" ]; then fail "$name" "exit status $st, expected $want"
    elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$LOG"; then
        fail "$name" "output lacks /$pat/"
    else ok "$name"; fi
}

# expect_out NAME PATTERN CMD...: passes when CMD exits 0 and its output
# contains PATTERN (grep -E).
expect_out() {
    local name=$1 pat=$2; shift 2
    if ! "$@" >"$LOG" 2>&1; then fail "$name" "command failed: $*"
    elif ! grep -Eq -- "$pat" "$LOG"; then fail "$name" "output lacks /$pat/"
    else ok "$name"; fi
}
