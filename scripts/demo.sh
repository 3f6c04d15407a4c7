#!/usr/bin/env bash
# scripts/demo.sh - what `make demo` shows (after `make deps` and `make
# all`): the main job, examples/website, serving a page over HTTP and
# HTTPS from the freestanding image, sandboxed by atoll-spt (or on KVM by
# atoll-hvt where /dev/kvm is there), behind a tap device in a network
# namespace this script creates and removes; then its boot time, image
# size and memory in use.
#
# Without root (namespaces and taps need it) or /dev/net/tun it runs
# examples/hello instead and says what the full demo needs.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ATOLL=$ROOT/bin/atoll
export ATOLL_BUILD=${BUILD:-build}

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip curl openssl; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    "$ATOLL" -C "$ROOT/examples/hello" configure -t unix &&
        "$ATOLL" -C "$ROOT/examples/hello" build &&
        "$ATOLL" -C "$ROOT/examples/hello" run
    echo
    echo "That was examples/hello.  The full demo serves examples/website over"
    echo "HTTP and HTTPS from a sandboxed unikernel behind a tap device; it"
    echo "needs:$missing (run 'sudo make demo')."
    exit 0
fi

TMP=$(mktemp -d /tmp/atoll-demo.XXXXXX)
NS=atoll-demo-$$
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "demo: $*"; [ -f "$TMP/uk.log" ] && sed 's/^/  | /' "$TMP/uk.log"; exit 1; }

if [ -c /dev/kvm ] && [ -w /dev/kvm ]; then target=hvt; tender=$ROOT/bin/atoll-hvt
else target=spt; tender=$ROOT/bin/atoll-spt; fi

echo "== building examples/website for target $target"
app=$TMP/website
mkdir -p "$app"
cp -r "$ROOT/examples/website/atoll.manifest" "$ROOT/examples/website"/*.c \
    "$ROOT/examples/website/site" "$ROOT/examples/website/certs" "$app/"
# A throwaway certificate for the demo (never one from the repository).
(cd "$app/certs" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout server.key -out server.pem -days 1 -subj /CN=demo.test \
    -addext subjectAltName=DNS:demo.test,IP:198.18.0.2) >/dev/null 2>&1 ||
    fail "openssl could not make a certificate"
"$ATOLL" -C "$app" configure -t $target >/dev/null && "$ATOLL" -C "$app" build ||
    fail "build failed"
image=$app/_build/website

ip netns add "$NS" && ip -n "$NS" link set lo up &&
    ip -n "$NS" tuntap add dev tap0 mode tap &&
    ip -n "$NS" addr add 198.18.0.1/24 dev tap0 &&
    ip -n "$NS" link set tap0 up || fail "namespace setup failed"

echo "== starting it: $(basename "$tender") --net:net=tap0 website -- -- --ipv4=198.18.0.2/24 --https_port=443"
t0=$(date +%s%N)
ip netns exec "$NS" "$tender" --net:net=tap0 "$image" -- -- --ipv4=198.18.0.2/24 \
    --https_port=443 --stats_every=1 >"$TMP/uk.log" 2>&1 &
PID=$!
up=
for _ in $(seq 500); do
    if ip netns exec "$NS" curl -s -o /dev/null --max-time 1 http://198.18.0.2/; then
        up=$(date +%s%N)
        break
    fi
    sleep 0.01
done
[ -n "$up" ] || fail "the website did not answer"

echo
echo "== curl http://198.18.0.2/"
ip netns exec "$NS" curl -s -i http://198.18.0.2/ | sed -n '1,8p'
echo "   ..."
echo
echo "== curl https://demo.test/ (TLS, checked against the demo certificate)"
ip netns exec "$NS" curl -s -i --cacert "$app/certs/server.pem" \
    --resolve demo.test:443:198.18.0.2 https://demo.test/hello.txt ||
    fail "HTTPS failed"
echo
sleep 1.2
mem=$(grep 'memory in use' "$TMP/uk.log" | tail -n 1 | sed 's/^website: //')
echo "== the unikernel"
printf '  %-26s %s ms (start of the tender to the first HTTP answer)\n' \
    "boot time:" "$(((up - t0) / 1000000))"
printf '  %-26s %s KiB (%s)\n' "image size:" "$(($(stat -c %s "$image") / 1024))" \
    "$(file -b "$image" 2>/dev/null | cut -d, -f1-2 || echo ELF)"
printf '  %-26s %s\n' "memory:" "${mem:-not reported}"
printf '  %-26s %s\n' "its log:" ""
grep -v 'memory in use' "$TMP/uk.log" | sed 's/^/    | /'
