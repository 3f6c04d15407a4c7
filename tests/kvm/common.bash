# tests/kvm/common.bash - shared by the tests/kvm/*.sh scripts (not a test
# itself: tests/run.sh runs only *.sh).  Sources tests/lib.sh and adds what
# the hvt-image tests need: which tender runs the images, where the test
# guests are, and the tender's reserved exit statuses (expect_status
# is tests/lib.sh's).
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
