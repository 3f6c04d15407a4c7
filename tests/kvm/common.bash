# tests/kvm/common.bash - shared by the tests/kvm/*.sh scripts (not a test
# itself: tests/run.sh runs only *.sh).  Sources tests/lib.sh and adds what
# the hvt-image tests need: which tender runs the images, where the test
# guests are, and expect_status for checking the tender's exact exit
# status.
#
# The same images run under two tenders: atoll-spt (a sandboxed process,
# any Linux host) and atoll-hvt (KVM).  Each script runs once per tender
# in $TENDERS: sourcing this file without TENDER set runs the script again
# with TENDER=spt, then TENDER=hvt, and exits with their combined status.
# Inside a run, $HVT is the tender under test, $TN its name in messages
# ("atoll-spt"), and suites are named after it (spt-boot, hvt-boot).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
if [ -z "${TENDER:-}" ]; then
    rm -f "$LOG"
    _st=0
    for _t in ${TENDERS:-spt hvt}; do
        TENDER=$_t bash "$0" "$@" || _st=1
    done
    exit $_st
fi
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
TN=atoll-$TENDER
HVT=$ROOT/bin/$TN
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

# The tests cannot run without the tender and the guests, and atoll-hvt
# not without KVM.  A missing tender or guest is a failure (the build
# makes them everywhere); a host without /dev/kvm skips the hvt run with
# the one reason CI accepts.  atoll-spt needs nothing more.
hvt_preflight() {
    if [ ! -x "$HVT" ] || [ ! -f "$G/hello.elf" ]; then
        fail "preflight" "build first: make BUILD=... bin/$TN hvt-guests"
        exit 1
    fi
    if [ "$TENDER" = hvt ] && ! have_kvm; then
        skip_no_kvm "preflight: the $_suite tests run atoll-hvt"
        exit 0
    fi
}
