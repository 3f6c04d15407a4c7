#!/usr/bin/env bash
# bench/net_bench.sh - the network benchmarks of `make bench` (mk/netbench.mk
# builds the pieces and runs this): Atoll's TCP against real peers, in one
# run, printed as ratios next to their goals.
#
#   1. bulk TCP throughput, both directions, one connection, $SECS s each:
#        atoll  the unikernel (bench/apps/netbench, unix target) on a tap
#        lwIP   Debian's liblwip-dev in bench/net_tools/lwip_sink.c, on a tap
#        Linux  the kernel's own stack at the other end of a veth pair
#      The Linux-side program (bench/net_tools/peer.c) is the same for all
#      three; it writes (or reads) for $SECS s and counts bytes per second
#      (a writer stops the clock when the receiver has read everything and
#      closed).  Goals (issue 4): atoll >= 2x lwIP and >= 0.5x Linux/veth.
#        hvt    the same unikernel built for target hvt, a KVM guest run by
#               bin/atoll-hvt on a tap; goal (issue 4) >= 0.5x the unix
#               target.  Measured when /dev/kvm is writable (tests/net/
#               targets.bash builds and starts it, as the interop tests do).
#        spt    the same hvt image run by bin/atoll-spt, the sandboxed
#               process (docs/spt.md); goal (issue 10) >= 0.9x the unix
#               target, both ways and in round trips.  Needs no KVM.
#      IPv6: the same unikernel and run also answers on 2001:db8:10::2
#        (tap0), and a second Linux server on 2001:db8:13::2 (the veth);
#        bulk both ways over IPv6 against the IPv4 rows of the same stack
#        (goal, issue 12: >= 0.95x) and against Linux over the veth on
#        IPv6.  The spt guest answers on 2001:db8:16::2 (tap5) too: its
#        IPv6 rows against its IPv4 ones (the tender's offload frames,
#        ATOLL_HVT_NET_TSO6, for both families).
#   2. 1-byte request/response: round trips per second (µs each), Nagle
#      off on both ends, against the same servers (hvt included).
#   3. memory per idle connection: $CONNS (10,000) connections held open.
#      Atoll: the unikernel holds them in its default 32 MiB heap, watched
#      by one poller (no fiber each); the allocator's in-use bytes
#      (atoll_mem_stats, read through the unikernel's stats port) before
#      and after, divided by $CONNS.
#      Linux: the unikernel opens $CONNS connections to a Linux server that
#      accepts and holds them; the kernel's slab memory (sum of
#      active_objs * objsize over /proc/slabinfo) before and after, divided
#      by $CONNS: the server's sockets, their files, inodes and dentries.
#      (Machine-wide, so other activity adds noise.)
#
# Every run happens in network namespaces this script creates and always
# deletes, on 198.18.0.0/15: tap0 198.18.10.1 <-> atoll 198.18.10.2,
# (and 2001:db8:10::1 <-> 2001:db8:10::2 over IPv6),
# tap1 198.18.11.1 <-> atoll (idle client) 198.18.11.2, tap2 198.18.12.1 <->
# lwIP 198.18.12.2, veth 198.18.13.1 <-> 198.18.13.2 (namespace 2; and
# 2001:db8:13::1 <-> 2001:db8:13::2), tap3
# 198.18.14.1 <-> atoll on hvt 198.18.14.2, tap4 198.18.15.1 <-> atoll
# without the tap's offloads (--net-offload=off) 198.18.15.2, tap5
# 198.18.16.1 <-> atoll on spt 198.18.16.2.  The Linux
# client always runs in namespace 1.
#
# The ceiling of the "no offload" column: bench/net_tools/tap_blast on
# tap6 (198.18.17.2 -> 198.18.17.1) writes prebuilt 1514-byte UDP frames,
# one per write and nothing else, to a Linux reader; best of $ROUNDS.
#
# The unix and hvt rows use TCP segmentation and receive offload through
# the tap (docs/net.md); lwIP as Debian ships it uses none.  The "no
# offload" column is the same unikernel with the offloads off: every
# frame crosses the tap on its own, as lwIP's do.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ABS_BUILD=$BUILD ;; *) ABS_BUILD=$ROOT/$BUILD ;; esac
TOOLS=${NETBENCH_DIR:-$ABS_BUILD/netbench}
ATOLL=$ROOT/bin/atoll
SECS=${NETBENCH_SECS:-2}
CONNS=${NETBENCH_CONNS:-10000}

echo "== network benchmarks (bench/net_bench.sh)"
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
command -v ip >/dev/null || missing="$missing ip"
[ -x "$TOOLS/peer" ] || missing="$missing $TOOLS/peer"
if [ -n "$missing" ]; then
    echo "network benchmarks skipped: need$missing"
    exit 0
fi

TMP=$(mktemp -d /tmp/atoll-netbench.XXXXXX)
NS1=atoll-nb1-$$
NS2=atoll-nb2-$$
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    ip netns del "$NS1" 2>/dev/null
    ip netns del "$NS2" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Run in a namespace.  Background processes are started with `ip netns
# exec` directly, never through these functions, so that $! is the process
# itself (ip netns exec execs it) and cleanup can end it by its id.
n1() { ip netns exec "$NS1" "$@"; }
n2() { ip netns exec "$NS2" "$@"; }
die() { echo "net_bench: $*" >&2; exit 1; }

# ---- the network --------------------------------------------------------
ip netns add "$NS1" && ip netns add "$NS2" || die "cannot create namespaces"
ip -n "$NS1" link set lo up
ip -n "$NS2" link set lo up
for i in 0 1 2 3 4 5 6; do # tap3 (hvt) gets 198.18.14.1: 198.18.13.0/24 is the veth's
    net=$((10 + i)) && [ $i -ge 3 ] && net=$((11 + i))
    ip -n "$NS1" tuntap add dev tap$i mode tap &&
        ip -n "$NS1" addr add 198.18.$net.1/24 dev tap$i &&
        ip -n "$NS1" link set tap$i up || die "cannot create tap$i"
done
ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2" &&
    ip -n "$NS1" addr add 198.18.13.1/24 dev veth1 &&
    ip -n "$NS2" addr add 198.18.13.2/24 dev veth2 &&
    ip -n "$NS1" link set veth1 up && ip -n "$NS2" link set veth2 up ||
    die "cannot create the veth pair"
ip -n "$NS1" addr add 2001:db8:10::1/64 dev tap0 nodad &&
    ip -n "$NS1" addr add 2001:db8:16::1/64 dev tap5 nodad &&
    ip -n "$NS1" addr add 2001:db8:13::1/64 dev veth1 nodad &&
    ip -n "$NS2" addr add 2001:db8:13::2/64 dev veth2 nodad ||
    die "cannot give the tap and the veth IPv6 addresses"

# ---- the peers ----------------------------------------------------------
mkdir -p "$TMP/app"
cp "$ROOT/bench/apps/netbench/atoll.manifest" "$ROOT/bench/apps/netbench"/*.c \
    "$TMP/app/"
ATOLL_BUILD=$ABS_BUILD "$ATOLL" -C "$TMP/app" configure -t unix >"$TMP/build.log" 2>&1 &&
    ATOLL_BUILD=$ABS_BUILD "$ATOLL" -C "$TMP/app" build >>"$TMP/build.log" 2>&1 ||
    { cat "$TMP/build.log"; die "the netbench unikernel does not build"; }
UK_IMG=$TMP/app/_build/netbench

# The same application for target hvt (uk_build/uk_cmd: how the interop
# tests build and start a unikernel for either target).  Its absence
# (no KVM, no tender) leaves the hvt column "-" and says why.
# shellcheck source=tests/net/targets.bash
. "$ROOT/tests/net/targets.bash"
HAVE_HVT=0
HVT_WHY=$(target_missing hvt)
[ -x "$HVT" ] || HVT_WHY="$HVT_WHY $HVT"
[ -f "$ABS_BUILD/hvt/libatoll_hvt.a" ] || HVT_WHY="$HVT_WHY $ABS_BUILD/hvt (make hvt-libs)"
# The hvt image is built whenever the libraries are there: atoll-spt
# runs it without KVM.
HAVE_SPT=0
SPT_WHY=""
[ -x "$SPT" ] || SPT_WHY=" $SPT"
IMG_HVT=""
if [ -f "$ABS_BUILD/hvt/libatoll_hvt.a" ]; then
    if ATOLL_BUILD=$ABS_BUILD uk_build hvt "$ROOT/bench/apps/netbench" "$TMP/apphvt" \
        >"$TMP/build-hvt.log" 2>&1; then
        IMG_HVT=$TMP/apphvt/_build/netbench
    else
        cat "$TMP/build-hvt.log" >&2
        HVT_WHY="$HVT_WHY a build of bench/apps/netbench for hvt (it failed)"
        SPT_WHY="$SPT_WHY a build of bench/apps/netbench for hvt (it failed)"
    fi
else
    SPT_WHY="$SPT_WHY $ABS_BUILD/hvt (make hvt-libs)"
fi
[ -z "$HVT_WHY" ] && [ -n "$IMG_HVT" ] && HAVE_HVT=1
[ -z "$SPT_WHY" ] && [ -n "$IMG_HVT" ] && HAVE_SPT=1

wait_for() { # FILE PATTERN: until the line shows up (10 s)
    for _ in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$1" >&2
    return 1
}

ip netns exec "$NS1" "$UK_IMG" --net:net=tap0 -- --ipv4=198.18.10.2/24 \
    --ipv6=2001:db8:10::2/64 >"$TMP/uk.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TMP/uk.log" "netbench: serving" || die "the unikernel did not start"

ip netns exec "$NS1" "$UK_IMG" --net-offload=off --net:net=tap4 -- --ipv4=198.18.15.2/24 \
    >"$TMP/uk-nooff.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TMP/uk-nooff.log" "netbench: serving" || die "the unikernel without offload did not start"

ip netns exec "$NS2" "$TOOLS/peer" serve 198.18.13.2 >"$TMP/linux.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TMP/linux.log" serving || die "the Linux server did not start"
ip netns exec "$NS2" "$TOOLS/peer" serve 2001:db8:13::2 >"$TMP/linux6.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TMP/linux6.log" serving || die "the Linux server on IPv6 did not start"
# The unikernel's IPv6 address is usable once DAD is over (a second).
for _ in $(seq 50); do
    ip netns exec "$NS1" ping -6 -c 1 -W 1 2001:db8:10::2 >/dev/null 2>&1 && break
    sleep 0.1
done

if [ $HAVE_HVT = 1 ]; then
    # The guest gets the unix target's default heap (32 MiB) plus room for
    # the image and its stack: the tender's --mem sizes the whole guest.
    uk_cmd hvt "$IMG_HVT" net tap3 --ipv4=198.18.14.2/24
    UK_HVT=("${UK[0]}" --mem=48 "${UK[@]:1}")
    ip netns exec "$NS1" "${UK_HVT[@]}" >"$TMP/hvt.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_for "$TMP/hvt.log" "netbench: serving" ||
        { HAVE_HVT=0 HVT_WHY=" a running hvt guest (it did not start)"; }
fi

if [ $HAVE_SPT = 1 ]; then
    # The same image and --mem as on hvt, under the sandboxed tender.
    uk_cmd spt "$IMG_HVT" net tap5 --ipv4=198.18.16.2/24 \
        --ipv6=2001:db8:16::2/64
    UK_SPT=("${UK[0]}" --mem=48 "${UK[@]:1}")
    ip netns exec "$NS1" "${UK_SPT[@]}" >"$TMP/spt.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_for "$TMP/spt.log" "netbench: serving" ||
        { HAVE_SPT=0 SPT_WHY=" a running spt guest (it did not start)"; }
    for _ in $(seq 50); do # its IPv6 address, once DAD is over
        ip netns exec "$NS1" ping -6 -c 1 -W 1 2001:db8:16::2 >/dev/null 2>&1 && break
        sleep 0.1
    done
fi

HAVE_LWIP=0
if [ -x "$TOOLS/lwip_sink" ]; then
    ip netns exec "$NS1" "$TOOLS/lwip_sink" tap2 198.18.12.2 255.255.255.0 >"$TMP/lwip.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_for "$TMP/lwip.log" "lwip: serving" && HAVE_LWIP=1
fi
LWIP_VERSION=$(sed -n 's/.*(lwIP \(.*\))/\1/p' "$TMP/lwip.log" 2>/dev/null)

# ---- measuring ----------------------------------------------------------
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
# peer MODE ADDR PORT: one measurement, printed as its key=value line.
# The hvt rows get a tighter bound so they add at most ~40 s in all.
peer() {
    local bound=$((SECS + 30))
    [ "$2" = 198.18.14.2 ] && bound=$((SECS + 2))
    n1 timeout "$bound" "$TOOLS/peer" "$1" "$2" "$3" "$SECS"
}
# Best of $ROUNDS, the rounds interleaved (atoll, lwIP, Linux, atoll, ...)
# so that a busy moment on this shared machine hits every row alike.
ROUNDS=${NETBENCH_ROUNDS:-3}
declare -A BEST
keep() { # KEY VALUE higher|lower
    local old=${BEST[$1]:-}
    [ -n "$2" ] || return 0
    BEST[$1]=$(awk -v a="$old" -v b="$2" -v how="$3" 'BEGIN {
        if (a == "") print b; else if (how == "higher") print (b > a ? b : a);
        else print (b < a ? b : a) }')
}
best() { echo "${BEST[$1]:--}"; }
ratio() { # A B: A/B with two decimals, "-" when either is missing
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-";
        else printf "%.2f", a / b }'
}
verdict() { # RATIO GOAL
    awk -v r="$1" -v g="$2" 'BEGIN {
        if (r == "-") print "n/a"; else if (r + 0 >= g + 0) print "met"; else print "MISSED" }'
}

# Memory first, while the unikernel holds nothing else.
mem_atoll() {
    n1 timeout 60 "$TOOLS/peer" idle 198.18.10.2 5004 "$CONNS" 5005
}
slab_bytes() {
    awk 'NR > 2 { s += $2 * $4 } END { printf "%d", s }' /proc/slabinfo
}
mem_linux() {
    ip netns exec "$NS1" "$TOOLS/peer" serve-idle 198.18.11.1 5004 "$CONNS" >"$TMP/idle.log" 2>&1 &
    local spid=$!
    sleep 0.3
    local before after
    before=$(slab_bytes)
    ip netns exec "$NS1" "$UK_IMG" --net:net=tap1 -- --ipv4=198.18.11.2/24 --mode=idle-client \
        --host=198.18.11.1 --port=5004 --count="$CONNS" >"$TMP/ukc.log" 2>&1 &
    local cpid=$!
    if wait_for "$TMP/idle.log" "accepted=" && wait_for "$TMP/ukc.log" connected; then
        sleep 0.5
        after=$(slab_bytes)
        echo "conns=$CONNS before=$before after=$after per_conn=$(( (after - before) / CONNS ))"
    fi
    kill $cpid $spid 2>/dev/null
    wait $cpid $spid 2>/dev/null
}
MEM_UK=$(mem_atoll)
MEM_LX=$(mem_linux)

STACKS="uk:198.18.10.2 lx:198.18.13.2 no:198.18.15.2 u6:2001:db8:10::2 l6:2001:db8:13::2"
[ $HAVE_LWIP = 1 ] && STACKS="$STACKS lw:198.18.12.2"
[ $HAVE_HVT = 1 ] && STACKS="$STACKS hv:198.18.14.2"
[ $HAVE_SPT = 1 ] && STACKS="$STACKS sp:198.18.16.2 s6:2001:db8:16::2"
for _ in $(seq "$ROUNDS"); do
    [ -x "$TOOLS/tap_blast" ] && keep blast \
        "$(n1 timeout $((SECS + 10)) "$TOOLS/tap_blast" tap6 198.18.17.2 198.18.17.1 \
            5009 "$SECS" | field mbit)" higher
    for st in $STACKS; do
        k=${st%%:*} a=${st#*:} # the address may have colons: the key has none
        keep "$k-in" "$(peer send "$a" 5001 | field mbit)" higher  # Linux -> stack
        keep "$k-out" "$(peer recv "$a" 5002 | field mbit)" higher # stack -> Linux
    done
done
for _ in $(seq "$ROUNDS"); do
    for st in $STACKS; do
        case $st in u6:* | l6:* | s6:*) continue ;; esac # bulk only over IPv6
        keep "${st%%:*}-rr" "$(peer rr "${st#*:}" 5003 | field us)" lower
    done
done
UK_IN=$(best uk-in) UK_OUT=$(best uk-out) UK_RR=$(best uk-rr)
LX_IN=$(best lx-in) LX_OUT=$(best lx-out) LX_RR=$(best lx-rr)
LW_IN=$(best lw-in) LW_OUT=$(best lw-out) LW_RR=$(best lw-rr)
HVT_IN=$(best hv-in) HVT_OUT=$(best hv-out) HVT_RR=$(best hv-rr)
NO_IN=$(best no-in) NO_OUT=$(best no-out) BLAST=$(best blast)
SPT_IN=$(best sp-in) SPT_OUT=$(best sp-out) SPT_RR=$(best sp-rr)
S6_IN=$(best s6-in) S6_OUT=$(best s6-out)
U6_IN=$(best u6-in) U6_OUT=$(best u6-out) L6_IN=$(best l6-in) L6_OUT=$(best l6-out)

# ---- the table ------------------------------------------------------------
echo
echo "bulk TCP throughput, one connection, ${SECS} s, Mbit/s (best of $ROUNDS, interleaved)"
printf '  %-16s %10s %10s %10s %10s %10s | %-22s %-24s %-22s %s\n' direction atoll/tap \
    lwIP/tap Linux/veth hvt/tap no-offload "atoll/lwIP (goal >=2)" \
    "atoll/Linux (goal >=0.5)" "hvt/unix (goal >=0.5)" "no-offload/lwIP (goal >=2)"
for dir in in out; do
    if [ $dir = in ]; then a=$UK_IN l=$LW_IN x=$LX_IN h=$HVT_IN o=$NO_IN name="Linux -> stack"
    else a=$UK_OUT l=$LW_OUT x=$LX_OUT h=$HVT_OUT o=$NO_OUT name="stack -> Linux"; fi
    rl=$(ratio "$a" "$l") rx=$(ratio "$a" "$x") rh=$(ratio "$h" "$a")
    printf '  %-16s %10s %10s %10s %10s %10s | %-22s %-24s %-22s %s\n' "$name" "$a" "$l" \
        "$x" "$h" "$o" "$rl $(verdict "$rl" 2)" "$rx $(verdict "$rx" 0.5)" \
        "$rh $(verdict "$rh" 0.5)" "$(ratio "$o" "$l") $(verdict "$(ratio "$o" "$l")" 2)"
done
echo "  (no-offload: the unix unikernel with --net-offload=off: one tap read/write per frame, like lwIP)"
echo "  (ceiling of one tap write per frame on this host: tap_blast, prebuilt 1514-byte UDP frames"
echo "   and nothing else, $BLAST Mbit/s counted as 1448-byte segments = $(ratio "$BLAST" "$LW_OUT")x lwIP's"
echo "   sending; a TCP sender of such frames stays below it)"
if [ $HAVE_HVT = 1 ]; then
    echo "  (hvt: the same unikernel as a KVM guest, bin/atoll-hvt --mem=48, on tap3)"
else
    echo "  (hvt: not measured: need$HVT_WHY)"
fi
[ $HAVE_LWIP = 1 ] || echo "  (lwIP: not measured: liblwip-dev's sink did not build or start)"
[ -n "$LWIP_VERSION" ] && echo "  (lwIP $LWIP_VERSION as Debian ships it: TCP_WND 64 KiB, TCP_MSS 1460, raw API; our tap netif, see lwip_sink.c)"

echo
echo "bulk TCP over IPv6, Mbit/s (the same unikernel and run as atoll/tap above; best of $ROUNDS)"
printf '  %-16s %10s %10s %12s | %-26s %s\n' direction "atoll v6" "atoll v4" \
    "Linux v6/veth" "atoll v6/v4 (goal >=0.95)" "atoll v6/Linux v6"
for dir in in out; do
    if [ $dir = in ]; then a6=$U6_IN a4=$UK_IN x6=$L6_IN name="Linux -> stack"
    else a6=$U6_OUT a4=$UK_OUT x6=$L6_OUT name="stack -> Linux"; fi
    r64=$(ratio "$a6" "$a4")
    printf '  %-16s %10s %10s %12s | %-26s %s\n' "$name" "$a6" "$a4" "$x6" \
        "$r64 $(verdict "$r64" 0.95)" "$(ratio "$a6" "$x6")"
done

echo
echo "1-byte request/response, nodelay, µs per round trip (lower is better; best of $ROUNDS)"
printf '  %10s %10s %10s %10s | %-50s %s\n' atoll/tap lwIP/tap Linux/veth hvt/tap \
    "Linux/atoll round trips per second (no goal set)" "hvt/unix round trips per second"
printf '  %10s %10s %10s %10s | %-50s %s\n' "$UK_RR" "$LW_RR" "$LX_RR" "$HVT_RR" \
    "$(ratio "$LX_RR" "$UK_RR")" "$(ratio "$UK_RR" "$HVT_RR")"

echo
echo "the sandboxed tender (the hvt image under bin/atoll-spt --mem=48, on tap5) against the unix target"
if [ $HAVE_SPT = 1 ]; then
    printf '  %-34s %10s %10s | %s\n' measure spt/tap atoll/tap "spt/unix (goal >= 0.9)"
    ri=$(ratio "$SPT_IN" "$UK_IN") ro=$(ratio "$SPT_OUT" "$UK_OUT")
    rr=$(ratio "$UK_RR" "$SPT_RR")
    printf '  %-34s %10s %10s | %s\n' "Linux -> stack, Mbit/s" "$SPT_IN" "$UK_IN" "$ri $(verdict "$ri" 0.9)"
    printf '  %-34s %10s %10s | %s\n' "stack -> Linux, Mbit/s" "$SPT_OUT" "$UK_OUT" "$ro $(verdict "$ro" 0.9)"
    printf '  %-34s %10s %10s | %s\n' "1-byte round trip, us (rate ratio)" "$SPT_RR" "$UK_RR" "$rr $(verdict "$rr" 0.9)"
    printf '  %-34s %10s %10s | %s\n' "over IPv6, Mbit/s" "spt v6" "spt v4" "spt v6/v4 (goal >= 0.95)"
    ri=$(ratio "$S6_IN" "$SPT_IN") ro=$(ratio "$S6_OUT" "$SPT_OUT")
    printf '  %-34s %10s %10s | %s\n' "Linux -> stack" "$S6_IN" "$SPT_IN" "$ri $(verdict "$ri" 0.95)"
    printf '  %-34s %10s %10s | %s\n' "stack -> Linux" "$S6_OUT" "$SPT_OUT" "$ro $(verdict "$ro" 0.95)"
else
    echo "  (spt: not measured: need$SPT_WHY)"
fi

echo
echo "memory per idle connection ($CONNS connections held by the server)"
a_per=$(echo "$MEM_UK" | field per_conn)
l_per=$(echo "$MEM_LX" | field per_conn)
printf '  atoll : %6s bytes  (allocator in_use delta: %s)\n' "${a_per:--}" "${MEM_UK:-failed}"
printf '  Linux : %6s bytes  (kernel slab delta: %s)\n' "${l_per:--}" "${MEM_LX:-failed}"
printf '  atoll/Linux: %s (lower is better; no goal set)\n' "$(ratio "${a_per:--}" "${l_per:--}")"

alive() { kill -0 "$1" 2>/dev/null; }
for p in $PIDS; do alive "$p" || die "a peer exited during the run (logs in $TMP)"; done
[ "$UK_IN" != - ] && [ "$UK_OUT" != - ] && [ "$LX_IN" != - ] && [ "$LX_OUT" != - ] &&
    [ "$U6_IN" != - ] && [ "$U6_OUT" != - ] && [ "$L6_IN" != - ] && [ "$L6_OUT" != - ] ||
    die "a throughput measurement failed"
exit 0
