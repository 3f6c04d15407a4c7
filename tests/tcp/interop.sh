#!/usr/bin/env bash
# tests/tcp/interop.sh - TCP against the Linux kernel's stack, once per
# target (suite tcp-interop for unix, tcp-interop-hvt for hvt, where the
# unikernels are KVM guests under bin/atoll-hvt): examples/echo on a tap
# device with Linux connecting to it (20 MB through socat each way,
# verified by checksum; Linux closes first), and examples/fetch connecting
# from the unikernel to Linux servers (Linux closes first; the unikernel
# closes first), a connect to a closed port answered with RST on both
# sides, and a tshark capture showing window scaling, SACK and timestamps
# negotiated with Linux.
#
# Everything happens in a network namespace this test creates (one per
# target) and always deletes: the kernel side of tap0 there is
# 198.18.0.1/24 (echo runs as 198.18.0.2), of tap1 198.18.1.1/24 (fetch
# runs as 198.18.1.2).  No traffic leaves the namespace.  How each target
# builds and starts is in tests/net/targets.bash; INTEROP_TARGETS="unix"
# (say) runs fewer.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-tcpinterop.XXXXXX)
NSES=""
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip socat tshark sha256sum; do
    command -v $c >/dev/null || missing="$missing $c"
done
setup() { ns_setup tap0=198.18.0.1/24 tap1=198.18.1.1/24; }
up() { wait_echo "$W/echo.log"; }

echo_small() {
    local got
    got=$(echo "hello tcp" | nsx timeout 10 socat -T 5 - TCP:198.18.0.2:7)
    [ "$got" = "hello tcp" ] || { echo "got '$got'"; return 1; }
}

echo_big() { # 20 MB to the unikernel and back; Linux closes first
    local t0
    t0=$(date +%s%N)
    head -c $((20 * 1024 * 1024)) /dev/urandom >"$W/in"
    nsx timeout 120 socat -T 20 -b 65536 - TCP:198.18.0.2:7 \
        <"$W/in" >"$W/out" || return 1
    [ "$(sha256sum <"$W/in")" = "$(sha256sum <"$W/out")" ] ||
        { ls -l "$W/in" "$W/out"; return 1; }
    echo "took $((($(date +%s%N) - t0) / 1000000)) ms" >&2
}

refused_linux() { # nothing listens on port 9: RST, Linux sees refused
    local out
    out=$(echo x | nsx timeout 5 socat -T 2 - TCP:198.18.0.2:9 2>&1)
    echo "$out"
    echo "$out" | grep -qi "refused"
}

alive() { kill -0 "$EPID"; }

# ---- the unikernel as client ------------------------------------------------
fetch() { # ARGS...: run fetch as 198.18.1.2 on tap1
    uk_cmd "$TARGET" "$W/fetch/_build/fetch" net tap1 \
        --ipv4=198.18.1.2/24 --host=198.18.1.1 "$@"
    nsx timeout 30 "${UK[@]}"
}

fetch_linux_closes() {
    printf 'HTTP/1.0 200 OK\r\n\r\nanswer from linux\n' >"$W/resp"
    nsx timeout 20 socat -T 10 TCP-LISTEN:8080,bind=198.18.1.1,reuseaddr \
        SYSTEM:"head -n 1 >$W/req; cat $W/resp" &
    local spid=$!
    wait_listen 8080 || return 1
    local out
    out=$(fetch --port=8080 --request="GET /hello HTTP/1.0")
    wait $spid
    echo "$out"
    echo "$out" | grep -q "answer from linux" &&
        grep -q "GET /hello HTTP/1.0" "$W/req"
}

fetch_uk_closes() { # the server answers only after the unikernel's FIN
    nsx timeout 20 socat -T 10 TCP-LISTEN:8081,bind=198.18.1.1,reuseaddr \
        SYSTEM:"cat >$W/req2; echo got-your-fin" &
    local spid=$!
    wait_listen 8081 || return 1
    local out
    out=$(fetch --port=8081 --request=bye --half_close)
    wait $spid
    echo "$out"
    echo "$out" | grep -q "got-your-fin" && grep -qx "bye" "$W/req2"
}

fetch_refused() {
    local out
    out=$(fetch --port=8099 --request=x 2>&1)
    echo "$out"
    echo "$out" | grep -qi "refused"
}

# ---- what was negotiated ------------------------------------------------------------
options() {
    # Every SYN and SYN-ACK to or from the unikernel carries window
    # scale, SACK-permitted and timestamps.
    tshark -r "$W/syn.pcap" -Y "tcp.flags.syn==1 && (ip.addr==198.18.0.2 || ip.addr==198.18.1.2)" \
        -T fields -e ip.src -e tcp.flags.ack -e tcp.options.wscale.shift \
        -e tcp.options.sack_perm -e tcp.options.timestamp.tsval \
        >"$W/opts" 2>/dev/null
    cat "$W/opts"
    local n
    n=$(wc -l <"$W/opts")
    [ "$n" -ge 4 ] || return 1
    # every line: 5 non-empty fields
    ! awk -F'\t' 'NF < 5 || $3 == "" || $4 == "" || $5 == "" {bad=1} END {exit !bad}' "$W/opts" &&
        grep -q "^198.18.0.2" "$W/opts" && grep -q "^198.18.0.1" "$W/opts" &&
        grep -q "^198.18.1.2" "$W/opts" && grep -q "^198.18.1.1" "$W/opts"
}

run_target() { # TARGET: every check, on its own namespace
    TARGET=$1
    NS=atoll-n2-$TARGET-$$
    W=$TMP/$TARGET
    mkdir -p "$W"
    NSES="$NSES $NS"
    t "a namespace with tap devices at 198.18.0.1/24 and 198.18.1.1/24" setup

    t "examples/echo builds for $TARGET" \
        uk_build "$TARGET" "$ROOT/examples/echo" "$W/echo"
    t "examples/fetch builds for $TARGET" \
        uk_build "$TARGET" "$ROOT/examples/fetch" "$W/fetch"

    # A capture of the handshakes, for the option check at the end.  (Not
    # through the function nsx: a backgrounded function is a subshell, and
    # $! would be that shell, not the process to stop.)
    ip netns exec "$NS" tshark -q -i tap0 -i tap1 \
        -f "tcp[tcpflags] & tcp-syn != 0" -w "$W/syn.pcap" \
        >/dev/null 2>"$W/tshark.log" &
    local tpid=$!
    PIDS="$PIDS $tpid"

    uk_cmd "$TARGET" "$W/echo/_build/echo" service tap0 --ipv4=198.18.0.2/24
    ip netns exec "$NS" "${UK[@]}" >"$W/echo.log" 2>&1 &
    EPID=$!
    PIDS="$PIDS $EPID"
    t "the echo unikernel starts on the tap device" up
    t "tshark captures on the tap devices" wait_capture "$W/tshark.log"

    t "Linux connects to the unikernel: TCP echo of a line" echo_small
    local b a
    read -r -a b <<<"$(tap_stats)"
    t "20 MB echoed through socat both ways, checksum verified" echo_big
    read -r -a a <<<"$(tap_stats)"
    t "the unikernel's frames were segmentation offload frames (average > 1514 bytes)" \
        frame_sizes "${b[0]}" "${b[1]}" "${a[0]}" "${a[1]}"
    t "Linux's frames reached the unikernel as offload frames (average > 1514 bytes)" \
        frame_sizes "${b[2]}" "${b[3]}" "${a[2]}" "${a[3]}"
    t "Linux connecting to a closed port of the unikernel gets RST" \
        refused_linux
    t "the echo unikernel is still running" alive

    t "the unikernel connects to a Linux server (fetch vs socat), Linux closes first" \
        fetch_linux_closes
    t "the unikernel closes first (half-close), then reads Linux's answer" \
        fetch_uk_closes
    t "the unikernel connecting to a closed Linux port gets RST (refused)" \
        fetch_refused

    sleep 1
    # tshark finishes the capture file on SIGTERM (SIGINT would not do:
    # a background job of a script starts with SIGINT ignored).
    kill "$tpid" "$EPID" 2>/dev/null
    wait "$tpid" "$EPID" 2>/dev/null
    PIDS=""
    t "tshark: window scaling, SACK and timestamps negotiated with Linux" options
    ip netns del "$NS" 2>/dev/null
}

for target in $INTEROP_TARGETS; do
    if [ "$target" = unix ]; then suite tcp-interop; else suite "tcp-interop-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "TCP interop with Linux ($target)" "$m"
        continue
    fi
    run_target "$target"
done
