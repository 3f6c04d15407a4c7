# tests/fw/topo.bash - the namespace topology of the firewall's tests
# (tests/fw/interop.sh, tests/fw/appliance.sh; not a test itself): a
# client namespace $NC (198.18.1.2/24, its default route the firewall's
# 198.18.1.1) and a server namespace $NSV (198.18.2.9/24), each joined by
# a bridge to one tap device (tap0 inside, tap1 outside) of the
# firewall's namespace $NS.
#
#   need            prints what this machine lacks for the tests (empty:
#                   nothing), given the extra commands as arguments
#   topology        makes the three namespaces
#   wait_port NS PORT   until a TCP socket listens on PORT in NS (10 s)
#   fw_cleanup      the EXIT trap of a script that starts its processes
#                   with bg_start and lists its namespaces in $NSES
#   fw_each_target SUITE WHAT MISSING TARGETS...   for each target, the
#                   suite SUITE (SUITE-TARGET but for unix) and
#                   run_target TARGET, or a skip of WHAT when MISSING
#                   (or the target's own needs) is not empty

need() { # EXTRA-COMMANDS...
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip ping curl socat python3 "$@"; do
        command -v $c >/dev/null || m="$m $c"
    done
    echo "$m"
}

topology() {
    ip netns add "$NS" && ip netns add "$NC" && ip netns add "$NSV" || return 1
    local n
    for n in "$NS" "$NC" "$NSV"; do ip -n "$n" link set lo up || return 1; done
    for n in 0 1; do
        ip -n "$NS" tuntap add dev tap$n mode tap &&
            ip -n "$NS" link add br$n type bridge &&
            ip -n "$NS" link set tap$n master br$n &&
            ip -n "$NS" link set tap$n up &&
            ip -n "$NS" link set br$n up || return 1
    done
    ip -n "$NS" link add v0 type veth peer name eth0 netns "$NC" &&
        ip -n "$NS" link add v1 type veth peer name eth0 netns "$NSV" &&
        ip -n "$NS" link set v0 master br0 && ip -n "$NS" link set v0 up &&
        ip -n "$NS" link set v1 master br1 && ip -n "$NS" link set v1 up &&
        ip -n "$NC" addr add 198.18.1.2/24 dev eth0 &&
        ip -n "$NC" link set eth0 up &&
        ip -n "$NC" route add default via 198.18.1.1 &&
        ip -n "$NSV" addr add 198.18.2.9/24 dev eth0 &&
        ip -n "$NSV" link set eth0 up
}

wait_port() { # NS PORT
    for _ in $(seq 100); do
        [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
        sleep 0.1
    done
    echo "nothing listens on port $2 in $1"
    return 1
}


fw_cleanup() {
    bg_stop_all
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}

fw_each_target() { # SUITE WHAT MISSING TARGETS...
    local name=$1 what=$2 missing=$3 target m
    shift 3
    for target in "$@"; do
        if [ "$target" = unix ]; then suite "$name"; else suite "$name-$target"; fi
        m="$missing$(target_missing "$target")"
        if [ -n "$m" ]; then
            skip_target "$what ($target)" "$m"
            continue
        fi
        run_target "$target"
    done
}
