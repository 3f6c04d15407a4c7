# tests/leftovers.bash - finding the processes a test left running.
# Sourced by tests/run.sh.
#
# Every test (a C test binary or a shell test) runs with
# ATOLL_TEST_TOKEN=<token> in its environment, a token unique to this
# run of tests/run.sh and this test.  Processes inherit the environment
# through fork and exec, into network namespaces (ip netns exec) and
# daemons alike, so once the test has ended, any process whose
# environment still holds the token is one the test started and did not
# stop: a server orphaned when its namespace was deleted, a guest, a
# capture.  leftovers_check reports each as a [FAIL] line (so the run
# fails), then stops it by its process id.

# leftovers_pids TOKEN: the processes whose environment holds the token.
leftovers_pids() {
    grep -lzxF "ATOLL_TEST_TOKEN=$1" /proc/[0-9]*/environ 2>/dev/null |
        cut -d/ -f3
}

# leftovers_check TOKEN NAME: report and stop what test NAME left behind.
# A process that is still exiting gets a second to go.
leftovers_check() {
    local pids p cmd n=0
    pids=$(leftovers_pids "$1")
    [ -z "$pids" ] && return 0
    sleep 1
    pids=$(leftovers_pids "$1")
    for p in $pids; do
        cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-100)
        printf '[FAIL] leftovers  %2d  %s left process %s running: %s\n' \
            "$n" "$2" "$p" "$cmd"
        n=$((n + 1))
        kill "$p" 2>/dev/null
    done
    [ -z "$pids" ] && return 0
    sleep 1
    for p in $(leftovers_pids "$1"); do kill -9 "$p" 2>/dev/null; done
    return 1
}
