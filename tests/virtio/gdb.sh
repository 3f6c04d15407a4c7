#!/usr/bin/env bash
# tests/virtio/gdb.sh - `atoll run --gdb` on a virtio image: QEMU starts
# with its gdb stub and the machine stopped, `atoll run` prints the gdb
# command that attaches, and a gdb -batch session with that command
# breaks in app_main and prints a backtrace through the fiber entry, on
# q35 and on microvm (TCG).
. "$(dirname "$0")/common.bash"
suite virtio-gdb
virtio_preflight
if ! command -v gdb >/dev/null; then
    fail "gdb is installed" "scripts/install-deps.sh installs it"
    exit 1
fi
if ! build_app "$ROOT/examples/hello" virtio; then
    fail "examples/hello builds for virtio"
    exit 1
fi
IMG=$APP/_build/hello

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
listening() { [ -n "$(ss -Hltn "sport = :$1")" ]; }

for m in $MACHINES; do
    port=$(free_port)
    OUT=$SCRATCH/run.$m
    vrun "$m" --gdb="$port" -- --count=1 >"$OUT" 2>&1 &
    pid=$!
    for _ in $(seq 200); do listening "$port" && break; sleep 0.05; done
    cp "$OUT" "$LOG"
    t "atoll run --gdb prints the command that attaches ($m)" \
        grep -q "gdb -ex 'target remote 127.0.0.1:$port' .*_build/hello" "$OUT"
    # The command it printed, in batch mode, with a breakpoint and a
    # backtrace.
    cmd=$(sed -n "s/^  \(gdb -ex 'target remote 127.0.0.1:[0-9]*'\) .*/\1/p" "$OUT")
    session() {
        eval "timeout 120 $cmd -batch -nx -ex 'break app_main' -ex continue \
            -ex bt -ex kill '$IMG'" >"$SCRATCH/gdb.$m" 2>&1
        cp "$SCRATCH/gdb.$m" "$LOG"
        grep -Eq '^Breakpoint 1, app_main \(app=' "$LOG" &&
            grep -Eq '^#0 +app_main \(app=' "$LOG" &&
            grep -Eq '^#1 .* in fiber_entry ' "$LOG"
    }
    t "gdb -batch breaks in app_main and prints the backtrace ($m)" session
    wait "$pid" 2>/dev/null
    t "the machine is gone after gdb's kill ($m)" eval '! listening "$port"'
done
