#!/usr/bin/env bash
# tests/http/demo.sh - `make demo` (scripts/demo.sh) does what the README
# says: examples/website, sandboxed behind a tap in a namespace the demo
# makes, answers curl over HTTP and over HTTPS (verified against the
# demo's certificate); the boot time, image size and memory in use are
# printed as numbers; and the demo's namespace is gone afterwards.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
suite demo
OUT=$(mktemp)
trap 'rm -f "$OUT" "$LOG"' EXIT

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip curl openssl; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    skip "make demo serves examples/website" "needs:$missing"
    exit 0
fi

BUILD=${BUILD:-build} timeout 300 bash "$ROOT/scripts/demo.sh" >"$OUT" 2>&1 &
pid=$!
wait $pid
rc=$?
# has PATTERN: the demo printed a line matching PATTERN (grep -E); on a
# miss the whole output goes to the log.
has() { grep -Eq -- "$1" "$OUT" || { cat "$OUT"; return 1; }; }
t "the demo exits 0" bash -c "[ $rc = 0 ] || { cat '$OUT'; exit 1; }"
t "HTTP: the page, 200 with its 612 bytes" has '^Content-Length: 612'
t "HTTPS: hello.txt verified by curl, 200" has '^Hello from Atoll\.'
t "boot time is printed in ms" has 'boot time: +[0-9]+ ms'
t "image size is printed in KiB" has 'image size: +[0-9]+ KiB'
t "memory in use is printed" has 'memory: +memory in use [0-9]+ KiB'
t "the unikernel logged each request" has '"GET /hello.txt HTTP/1.1" 200 18'
t "the demo's namespace is removed" \
    bash -c "! ip netns list | grep -qw 'atoll-demo-$pid'"
