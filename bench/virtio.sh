#!/usr/bin/env bash
# bench/virtio.sh - the numbers of the virtio target (docs/virtio.md), run
# by `make bench` (mk/virtio.mk: bench-virtio), all in one run:
#   1. boot-to-exit of examples/hello --count=1 (no sleeps) under QEMU,
#      q35 and microvm, with the accelerator `atoll run` picks (TCG where
#      there is no /dev/kvm, as here): through `atoll run` (what a user
#      types) and as the bare QEMU command `atoll run` starts; beside the
#      same program as a unix process and under atoll-spt, and beside the
#      peer: Solo5's virtio target booting its tests/test_hello under the
#      same QEMU, same machine, same flags (but its own exit port, and on
#      microvm QEMU's option ROMs, which its multiboot image needs).
#      Median (min..max) of $RUNS runs each, timed by spawn_time
#      (bench/hvt_tools/spawn_time.c), and the ratio Atoll/Solo5;
#   2. the hello image's size, stripped (goal <= 128 KiB), and Solo5's;
#   3. bulk TCP throughput over virtio-net, one connection, $SECS s each
#      way, against Linux's stack (bench/net_tools/peer.c on a tap in a
#      namespace this script makes): bench/apps/netbench under QEMU (q35,
#      microvm) beside the same program as a unix process on a tap, and
#      the ratio virtio/unix.  No goal: under TCG every guest instruction
#      is emulated, so the number says what TCG costs, not what a KVM
#      guest would do.
# Solo5 is built outside the tree (docs/spt.md; $SOLO5_DIR): without it
# its rows say "not measured" and why.  Addresses in 198.18.0.0/15; the
# namespace is removed at the end.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ABS_BUILD=$BUILD ;; *) ABS_BUILD=$ROOT/$BUILD ;; esac
RUNS=${RUNS:-10}
SECS=${NETBENCH_SECS:-2}
ROUNDS=${NETBENCH_ROUNDS:-2}
SPAWN_TIME=${SPAWN_TIME:-$ABS_BUILD/rel/bench-hvt/spawn_time}
PEER=${PEER:-$ABS_BUILD/netbench/peer}
SOLO5_DIR=${SOLO5_DIR:-/work/peers/solo5}
SOLO5_HELLO=$SOLO5_DIR/tests/test_hello/test_hello.virtio
export ATOLL_BUILD=$ABS_BUILD
ATOLL=$ROOT/bin/atoll
QEMU=${ATOLL_QEMU:-qemu-system-x86_64}
W=$(mktemp -d /tmp/atoll-vbench.XXXXXX)
NS=atoll-vbench-$$
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "virtio bench: $*" >&2; exit 1; }

command -v "$QEMU" >/dev/null || die "no $QEMU (scripts/install-deps.sh)"
QEMU_PATH=$(command -v "$QEMU") # spawn_time does not search PATH
[ -x "$SPAWN_TIME" ] || die "no $SPAWN_TIME (run through make bench-virtio)"

mk() { # APP-DIR TARGET -> $W/NAME-TARGET/_build/NAME
    local d=$W/$(basename "$1")-$2
    cp -r "$1" "$d" && rm -rf "$d/_build" &&
        "$ATOLL" -C "$d" configure -t "$2" >"$W/build.log" 2>&1 &&
        "$ATOLL" -C "$d" build >>"$W/build.log" 2>&1 ||
        { cat "$W/build.log"; die "cannot build $1 for $2"; }
}
mk "$ROOT/examples/hello" unix
mk "$ROOT/examples/hello" hvt
mk "$ROOT/examples/hello" virtio
HELLO=$W/hello-virtio/_build/hello

# ---- 1. boot to exit ---------------------------------------------------------
ACCEL=tcg
[ -c /dev/kvm ] && [ -w /dev/kvm ] && ACCEL=kvm
time_ms() { # NAME [--status=N] CMD...: sets NAME_med, NAME_min, NAME_max (ms)
    local name=$1 out
    shift
    out=$("$SPAWN_TIME" "${@:1:1}" "$RUNS" "${@:2}" 2>/dev/null) ||
        { echo "  ($name: '$*' failed)"; return 1; }
    read -r "${name}_med" "${name}_min" "${name}_max" <<<"$out"
}
# The bare QEMU command of `atoll run` (tools/atoll/qemu.c, shown by
# ATOLL_QEMU_SHOW=1), for one machine.  A guest that exits 0 ends QEMU
# with 2 * (0 + 1) + 1 = 3 (docs/virtio.md, Exit).
qemu_cmd() { # MACHINE -> the words, one a line
    ATOLL_QEMU_SHOW=1 "$ATOLL" -C "$W/hello-virtio" run --machine="$1" \
        -- --count=1 2>&1 >/dev/null |
        sed -n "s/^atoll: \($QEMU .*\)$/\1/p" | tr ' ' '\n' | tr -d "'"
}
# The same flags around Solo5's image: its exit port is 0x501 (status
# 83 for success), the command line its test expects.
solo5_cmd() { # MACHINE-FLAG
    echo "$QEMU_PATH -M $1 -accel $ACCEL -cpu $([ $ACCEL = kvm ] && echo host || echo max)" \
        "-m 32 -nodefaults -no-user-config -display none -no-reboot -serial stdio" \
        "-device isa-debug-exit,iobase=0x501 -kernel $SOLO5_HELLO -append Hello_Solo5"
}
SOLO5=no
[ -f "$SOLO5_HELLO" ] && SOLO5=yes
time_ms unix --status=0 "$W/hello-unix/_build/hello" -- --count=1
time_ms spt --status=0 "$ROOT/bin/atoll-spt" "$W/hello-hvt/_build/hello" -- -- --count=1
for m in q35 microvm; do
    mapfile -t q < <(qemu_cmd $m)
    [ ${#q[@]} -gt 5 ] || die "no QEMU command from atoll run --machine=$m"
    # The argument words: `-append` takes one ("-- --count=1").
    args=("${q[@]}")
    n=${#args[@]}
    args=("${args[@]:0:n-2}" "-- --count=1")
    args=("${args[@]/#_build\/hello/$HELLO}") # run from here, not the app
    args[0]=$QEMU_PATH
    time_ms "qemu_$m" --status=3 "${args[@]}"
    time_ms "run_$m" --status=0 "$ATOLL" -C "$W/hello-virtio" run --machine=$m -- --count=1
done
if [ $SOLO5 = yes ]; then
    read -r -a s <<<"$(solo5_cmd q35)"
    time_ms solo5_q35 --status=83 "${s[@]}"
    read -r -a s <<<"$(solo5_cmd microvm,pit=on,rtc=on,isa-serial=on)"
    time_ms solo5_microvm --status=83 "${s[@]}"
fi
v() { # NAME: "median ms (min..max)" of time_ms NAME
    local med=${1}_med min=${1}_min max=${1}_max
    echo "${!med:--} ms (${!min:--}..${!max:--})"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-";
    else printf "%.2f", a / b }'; }
echo "hello --count=1 spawn-to-exit, median (min..max) of $RUNS runs; QEMU with -accel $ACCEL:"
row() { printf '  %-34s %s\n' "$1" "$(v "$2")${3:+ $3}"; }
row "unix process" unix
row "spt (sandbox)" spt
for m in q35 microvm; do
    row "virtio $m, atoll run" "run_$m"
    row "virtio $m, bare QEMU" "qemu_$m"
    [ $SOLO5 = yes ] && row "Solo5 virtio $m, bare QEMU" "solo5_$m" "(the peer: its tests/test_hello)"
done
[ $SOLO5 = no ] && echo "  Solo5 virtio: not measured: no $SOLO5_HELLO (build Solo5 as docs/spt.md says)"
for m in q35 microvm; do
    a=$(eval echo "\${qemu_${m}_med:-}") s=$(eval echo "\${solo5_${m}_med:-}")
    echo "  ratio Atoll/Solo5 on $m (bare QEMU both): $(ratio "$a" "$s")x (lower is better; no goal set)"
done
echo "  ratio virtio q35/unix process: $(ratio "${qemu_q35_med:-}" "${unix_med:-}")x, microvm/unix $(ratio "${qemu_microvm_med:-}" "${unix_med:-}")x (no goal set: a whole machine under TCG)"

# ---- 2. image size -----------------------------------------------------------------
cp "$HELLO" "$W/stripped" && strip "$W/stripped"
size_strip=$(stat -c %s "$W/stripped")
size_full=$(stat -c %s "$HELLO")
loaded=$(size "$HELLO" | awk 'NR==2 {print $1 + $2}')
verdict=$([ "$size_strip" -le $((128 * 1024)) ] && echo met || echo "NOT met")
echo "hello image (virtio): $((size_strip / 1024)) KiB stripped ($size_strip bytes; goal <= 128 KiB: $verdict), $((size_full / 1024)) KiB with debug info, $((loaded / 1024)) KiB loaded text+data"
if [ $SOLO5 = yes ]; then
    cp "$SOLO5_HELLO" "$W/solo5" && strip "$W/solo5"
    s5=$(stat -c %s "$W/solo5")
    echo "  Solo5's test_hello.virtio: $((s5 / 1024)) KiB stripped ($s5 bytes); ratio Atoll/Solo5 $(ratio "$size_strip" "$s5")x"
fi

# ---- 3. TCP throughput over virtio-net ---------------------------------------------
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
[ -x "$PEER" ] || missing="$missing $PEER"
if [ -n "$missing" ]; then
    echo "TCP throughput over virtio-net: not measured: need$missing"
    exit 0
fi
mk "$ROOT/bench/apps/netbench" unix
mk "$ROOT/bench/apps/netbench" virtio
ip netns add "$NS" || die "cannot create namespace $NS"
ip -n "$NS" link set lo up
for i in 0 1 2; do
    ip -n "$NS" tuntap add dev tap$i mode tap &&
        ip -n "$NS" addr add 198.18.$((40 + i)).1/24 dev tap$i &&
        ip -n "$NS" link set tap$i up || die "cannot create tap$i"
done
wait_for() { # FILE PATTERN: until the line shows up (60 s: a TCG boot)
    for _ in $(seq 600); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$1" >&2
    return 1
}
ip netns exec "$NS" "$W/netbench-unix/_build/netbench" --net:net=tap0 -- \
    --ipv4=198.18.40.2/24 >"$W/unix.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$W/unix.log" "netbench: serving" || die "netbench (unix) did not start"
i=1
for m in q35 microvm; do
    # --mem: the runtime's default 32 MiB heap and room for the image.
    (cd "$W/netbench-virtio" && exec ip netns exec "$NS" "$ATOLL" run \
        --machine=$m --mem=64 --net:net=tap$i -- --ipv4=198.18.$((40 + i)).2/24) \
        >"$W/$m.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_for "$W/$m.log" "netbench: serving" || die "netbench ($m) did not start"
    i=$((i + 1))
done
declare -A BEST
keep() { # KEY VALUE: the higher
    [ -n "$2" ] || return 0
    BEST[$1]=$(awk -v a="${BEST[$1]:-}" -v b="$2" 'BEGIN {
        if (a == "") print b; else print (b > a ? b : a) }')
}
mbit() {
    ip netns exec "$NS" timeout $((SECS + 30)) "$PEER" "$1" "$2" "$3" "$SECS" |
        sed -n 's/.*mbit=\([0-9.]*\).*/\1/p'
}
for _ in $(seq "$ROUNDS"); do # interleaved: a busy moment hits every row
    for st in unix:198.18.40.2 q35:198.18.41.2 microvm:198.18.42.2; do
        keep "${st%%:*}-in" "$(mbit send "${st#*:}" 5001)"
        keep "${st%%:*}-out" "$(mbit recv "${st#*:}" 5002)"
    done
done
echo "TCP throughput, one connection, $SECS s, Mbit/s (best of $ROUNDS, interleaved), QEMU -accel $ACCEL:"
printf '  %-16s %10s %10s %10s | %-16s %s\n' direction unix/tap q35 microvm \
    "q35/unix" "microvm/unix (no goal under TCG)"
for dir in in out; do
    name="Linux -> stack"
    [ $dir = out ] && name="stack -> Linux"
    u=${BEST[unix-$dir]:--} q=${BEST[q35-$dir]:--} mv=${BEST[microvm-$dir]:--}
    printf '  %-16s %10s %10s %10s | %-16s %s\n' "$name" "$u" "$q" "$mv" \
        "$(ratio "$q" "$u")" "$(ratio "$mv" "$u")"
done
for p in $PIDS; do kill -0 "$p" 2>/dev/null || die "a server exited during the run (logs in $W)"; done
exit 0
