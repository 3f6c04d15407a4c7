# tests/net/targets.bash - shared by the interop scripts (tests/net/interop.sh,
# tests/tcp/interop.sh; not a test itself: tests/run.sh runs only *.sh).
# They run the same checks once per target; this file knows how each target
# builds and starts a unikernel, so the scripts themselves stay
# target-neutral.
#
#   INTEROP_TARGETS   the targets to run, "unix spt hvt" unless set (spt:
#                     the hvt image under the sandboxed tender atoll-spt)
#   target_missing T  prints what target T needs and this machine lacks
#                     (empty: it can run)
#   uk_build T SRC DIR   copies example SRC (but its _build) into DIR, configures it for T
#                        and builds it (the image is DIR/_build/NAME)
#   nsx CMD...        runs CMD in the script's namespace $NS
#   ns_setup TAP=ADDR/PREFIX...   creates $NS (loopback up) with one tap
#                        device per argument, addressed and up
#   wait_echo LOG     until the echo example says it serves (5 s), else
#                        prints LOG and fails
#   wait_listen PORT  until a TCP socket listens on PORT in $NS (5 s)
#   wait_capture LOG  until the tshark writing LOG (its stderr) captures
#                        (10 s: tshark starts slowly on a busy machine)
#   tap_stats         tap0's packet and byte counters in $NS, host side
#   frame_sizes P0 B0 P1 B1   the frames between two tap_stats readings
#                        averaged more than 1514 bytes (offload frames)
#   uk_cmd T IMAGE NET TAP ARGS...   sets the array UK to the command that
#                        runs IMAGE with its net device NET on tap TAP and
#                        application arguments ARGS (callers run it with
#                        "ip netns exec", so it cannot be a shell function)
#
# unix: the image is a Linux program opening the tap itself.  hvt: the
# image is a KVM guest run by the tender bin/atoll-hvt, which opens the tap
# (--net:NAME=TAP) and hands everything after its "--" to the guest, which
# sees exactly what a unix image gets after its device options (so one more
# "--" before the application's arguments).  See docs/hvt.md.

INTEROP_TARGETS=${INTEROP_TARGETS:-unix spt hvt}
HVT=${HVT:-$ROOT/bin/atoll-hvt}
SPT=${SPT:-$ROOT/bin/atoll-spt}

target_missing() { # TARGET
    case $1 in
    unix) ;;
    hvt) [ -c /dev/kvm ] && [ -w /dev/kvm ] || echo " /dev/kvm" ;;
    spt) ;;
    *) echo " a known target ($1?)" ;;
    esac
}

uk_build() { # TARGET SRC DIR
    local t=$1 tender=
    case $t in hvt) tender=$HVT ;; spt) tender=$SPT ;; esac
    if [ -n "$tender" ] && [ ! -x "$tender" ]; then
        echo "no tender $tender: build first (make)"
        return 1
    fi
    # The whole folder (a manifest's `files` folders too), not its build.
    mkdir -p "$3" && (cd "$2" && tar --exclude=./_build -cf - .) |
        (cd "$3" && tar -xf -) &&
        "$ATOLL" -C "$3" configure -t "$t" && "$ATOLL" -C "$3" build
}

# shellcheck disable=SC2034 # UK is this function's result, used by callers
uk_cmd() { # TARGET IMAGE NET TAP ARGS...
    local target=$1 image=$2 net=$3 tap=$4
    shift 4
    case $target in
    unix) UK=("$image" --net:"$net=$tap" -- "$@") ;;
    hvt) UK=("$HVT" --net:"$net=$tap" "$image" -- -- "$@") ;;
    spt) UK=("$SPT" --net:"$net=$tap" "$image" -- -- "$@") ;;
    esac
}

# skip_target NAME MISSING: skips NAME for what is MISSING; a run that
# lacks only /dev/kvm says so in the form CI accepts (tests/run.sh).
skip_target() {
    if [ "$2" = " /dev/kvm" ]; then skip_no_kvm "$1"; else skip "$1" "needs:$2"; fi
}

nsx() { ip netns exec "$NS" "$@"; }

ns_setup() { # TAP=ADDR/PREFIX...
    ip netns add "$NS" && ip -n "$NS" link set lo up || return 1
    local spec
    for spec in "$@"; do
        ip -n "$NS" tuntap add dev "${spec%%=*}" mode tap &&
            ip -n "$NS" addr add "${spec#*=}" dev "${spec%%=*}" &&
            ip -n "$NS" link set "${spec%%=*}" up || return 1
    done
}

wait_echo() { wait_line "$1" "echo: port 7" 5; } # LOG

# uk_ipv6_iid LOG: the interface identifier (the last 64 bits, as
# "x:x:x:x") the stack makes from the MAC it logs (modified EUI-64, RFC
# 4291 appendix A): its link-local address is fe80::IID, its SLAAC ones
# PREFIX::IID.
uk_ipv6_iid() {
    local mac
    mac=$(sed -n 's/.*mac \([0-9a-f:]*\),.*/\1/p' "$1" | head -n 1)
    [ -n "$mac" ] || return 1
    IFS=: read -r a b c d e f <<<"$mac"
    printf '%x:%x:%x:%x\n' $(((0x$a ^ 2) << 8 | 0x$b)) \
        $((0x$c << 8 | 0xff)) $((0xfe << 8 | 0x$d)) $((0x$e << 8 | 0x$f))
}

wait_listen() { # PORT
    for _ in $(seq 100); do
        [ -n "$(ip netns exec "$NS" ss -Hltn "sport = :$1")" ] && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1"
    return 1
}

wait_capture() { wait_line "$1" "^Capturing on" 10; } # LOG

tap_stats() { # RX_PACKETS RX_BYTES TX_PACKETS TX_BYTES of tap0, host side
    local d=/sys/class/net/tap0/statistics
    ip netns exec "$NS" cat $d/rx_packets $d/rx_bytes $d/tx_packets \
        $d/tx_bytes | tr '\n' ' '
}

# Did a bulk transfer cross the tap in offload frames?  A unikernel that
# hands the tap TCP segmentation offload frames (up to 64 KiB, cut by the
# kernel; on hvt through the tender) makes the frames the host received
# (ACKs included) average more than a full 1514-byte frame, which no mix
# of MTU-sized frames can.  The other way, one that takes the kernel's
# offload frames whole (receive offload; on hvt the tender packs them
# into the guest's receive area) makes the host's sent frames do so.
# (tests/tcp/interop.sh for IPv4, tests/net/interop6.sh for IPv6.)
frame_sizes() { # PACKETS0 BYTES0 PACKETS1 BYTES1
    local n=$(($3 - $1)) b=$(($4 - $2)) avg
    [ "$n" -gt 0 ] || { echo "no frames"; return 1; }
    avg=$((b / n))
    echo "$n frames, $b bytes, $avg bytes on average" >&2
    [ "$avg" -gt 1514 ]
}
