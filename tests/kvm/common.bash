# tests/kvm/common.bash - shared by the tests/kvm/*.sh scripts (not a test
# itself: tests/run.sh runs only *.sh).  Sources tests/lib.sh and adds what
# the KVM tests need: where the tender and the test guests are, and
# expect_status for checking the tender's exact exit status.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
HVT=${HVT:-$ROOT/bin/atoll-hvt}
G=$BUILD/kvm/guests

# Reserved statuses (platform/hvt/abi.h, docs/hvt.md).
ST_BAD_IMAGE=112
ST_TENDER=113
ST_CRASH=114

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

# The tests cannot run without the tender, the guests and KVM.  A missing
# tender or guest is a failure (the build makes them everywhere); a host
# without /dev/kvm skips the suite with the one reason CI accepts.
hvt_preflight() {
    if [ ! -x "$HVT" ] || [ ! -f "$G/hello.elf" ]; then
        fail "preflight" "build first: make BUILD=... bin/atoll-hvt hvt-guests"
        exit 1
    fi
    if ! have_kvm; then
        skip_no_kvm "preflight: the $_suite tests run atoll-hvt"
        exit 0
    fi
}
