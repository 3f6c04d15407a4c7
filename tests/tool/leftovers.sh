#!/usr/bin/env bash
# tests/tool/leftovers.sh - the check that fails `make test` over a
# process a test left running (tests/leftovers.bash, used by
# tests/run.sh), and the helpers that let a test stop what it started
# (bg_start, bg_stop_all in tests/lib.sh).  The processes here are
# sleeps marked with a token of this test's own, so the check of the
# run around it never sees them.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/leftovers.bash"
TOK=atoll-leftovers-selftest-$$-$RANDOM
cleanup() {
    bg_stop_all
    for p in $(leftovers_pids "$TOK"); do kill -9 "$p" 2>/dev/null; done
    rm -f "$LOG"
}
trap cleanup EXIT

suite leftovers

# gone PID...: within five seconds (a loaded machine is slow to run the
# dying), none of the processes runs (a zombie waiting for whoever reaps
# orphans counts as gone).
gone() {
    local i p left
    for ((i = 0; i < 50; i++)); do
        left=0
        for p in "$@"; do
            grep -qs '^State:[[:space:]]*[^Z]' "/proc/$p/status" && left=1
        done
        [ "$left" = 0 ] && return 0
        sleep 0.1
    done
    return 1
}

# Nothing left: no report, success.
out=$(leftovers_check "$TOK" clean-test)
t "a test that left nothing passes" test -z "$out"

# A child still running, and a daemon that outlived its parent (the
# parent exits at once, as a server in a deleted namespace would be
# orphaned): both are found through the token, reported and stopped.
ATOLL_TEST_TOKEN=$TOK sleep 60 &
child=$!
ATOLL_TEST_TOKEN=$TOK bash -c 'setsid sleep 61 </dev/null >/dev/null 2>&1 &'
sleep 0.2
daemon=$(pgrep -f '^sleep 61$' | while read -r p; do
    grep -qzxF "ATOLL_TEST_TOKEN=$TOK" "/proc/$p/environ" && echo "$p"
done)
out=$(leftovers_check "$TOK" dirty-test)
rc=$?
echo "$out" >"$LOG"
t "leftovers are found by their token" test -n "$daemon"
t "the check fails a test that left processes" test "$rc" -ne 0
t "each leftover is a failure line naming the test and the command" \
    test "$(grep -c '^\[FAIL\] leftovers .* dirty-test left process [0-9]* running: sleep 6[01]' <<<"$out")" -eq 2
wait "$child" 2>/dev/null
t "the leftovers are stopped" gone "$child" "${daemon:-0}"
t "a process without the token is left alone" \
    bash -c "sleep 30 & p=\$!; out=\$(. '$ROOT/tests/leftovers.bash';
        leftovers_check '$TOK' other); kill -0 \$p && kill \$p && [ -z \"\$out\" ]"

# bg_start runs a server in a process group of its own; bg_stop_all
# stops the server and what it forked (here a "connection" child).
bg_start bash -c 'sleep 62 & sleep 63'
server=${BG_PIDS##* }
sleep 0.2
conn=$(pgrep -s "$server" -f '^sleep 62$')
t "bg_start: the server and its child run in its own session" \
    bash -c "[ -n '$conn' ] && [ \"\$(ps -o sid= -p $server | tr -d ' ')\" = $server ]"
bg_stop_all
t "bg_stop_all stops the server and its children" gone "$server" "${conn:-0}"
t "bg_stop_all forgets what it stopped" test -z "$BG_PIDS"
