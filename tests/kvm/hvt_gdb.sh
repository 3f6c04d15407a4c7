#!/usr/bin/env bash
# tests/kvm/hvt_gdb.sh - gdb on a KVM guest through atoll-hvt's stub
# (--gdb[=PORT], tender/hvt/gdb_kvm.c; docs/debugging.md).
#
# Anywhere: the option's parsing (bad ports refused with a message and
# status 113; atoll-spt refuses --gdb, since gdb debugs its guest
# natively).  Where /dev/kvm exists, gdb -batch connects to
# 127.0.0.1:PORT before the guest's first instruction and, on
# examples/hello: breaks in app_main and prints the backtrace, reads a
# variable, steps one instruction, stops at a hardware breakpoint, sees
# the guest exit with its status, detaches and lets it finish; on
# tests/kvm/apps/crash: sees a NULL read as SIGSEGV at app_main, and
# interrupts a spinning guest with ^C.  Garbage on the port does not stop
# the guest.  Elsewhere those skip with the reason on the line.
TENDERS=${TENDERS:-hvt} # the stub is atoll-hvt's
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/common-apps.bash"
suite "$TENDER-gdb-stub"

if [ ! -x "$HVT" ] || [ ! -x "$ROOT/bin/atoll-spt" ] || [ ! -f "$G/hello.elf" ]; then
    fail "preflight" "build first: make BUILD=... bin/$TN bin/atoll-spt hvt-guests"
    exit 1
fi

# ---- the option, without KVM: parsing comes before /dev/kvm ----------------
for bad in --gdb=0 --gdb=65536 --gdb=abc --gdb= --gdb=-1 "--gdb=12 "; do
    expect_status "$bad is refused with a message" $ST_TENDER \
        "bad --gdb '$bad': expected --gdb or --gdb=PORT, PORT in 1..65535" \
        "$HVT" "$bad" "$G/hello.elf"
done
expect_status "atoll-spt refuses --gdb and says why" $ST_TENDER \
    "--gdb is atoll-hvt's: under atoll-spt the guest is part of the tender's process" \
    "$ROOT/bin/atoll-spt" --gdb "$G/hello.elf"

# ---- with KVM ------------------------------------------------------------
hvt_preflight # skips the rest without /dev/kvm
if ! command -v gdb >/dev/null; then
    fail "gdb is installed" "scripts/install-deps.sh installs it"
    exit 1
fi
if ! build_app "$ROOT/examples/hello" hvt; then
    fail "examples/hello builds for hvt"
    exit 1
fi
HELLO=$APP/_build/hello
if ! build_app "$ROOT/tests/kvm/apps/crash" hvt; then
    fail "the crash application builds for hvt"
    exit 1
fi
CRASH=$APP/_build/crash
PORT=$((20000 + $$ % 20000))
TLOG=$SCRATCH/tender.log
GLOG=$SCRATCH/gdb.log

# start_tender IMG GUEST-ARGS...: atoll-hvt --gdb=PORT in the background
# (pid in $TP, output in $TLOG), once it waits for gdb.
start_tender() {
    local img=$1
    shift
    timeout 120 "$HVT" --gdb=$PORT "$img" -- -- "$@" >"$TLOG" 2>&1 &
    TP=$!
    wait_line "$TLOG" "waiting for gdb on 127.0.0.1:$PORT" 20
}
# end_tender: waits for the tender; its status in $TST.
end_tender() {
    wait "$TP"
    TST=$?
}
# gdb_batch IMG CMD...: gdb -batch connected to the stub, running CMDs;
# its output in $GLOG.
gdb_batch() {
    local img=$1 ex=() c
    shift
    for c in "$@"; do ex+=(-ex "$c"); done
    timeout 90 gdb -batch -nx -ex "target remote 127.0.0.1:$PORT" \
        "${ex[@]}" "$img" >"$GLOG" 2>&1
}
# has FILE REGEX...: every REGEX matches a line of FILE; else shows FILE.
has() {
    local f=$1 p
    shift
    for p in "$@"; do
        if ! grep -Eq -- "$p" "$f"; then
            echo "no line matching /$p/ in $f:"
            cat "$f"
            return 1
        fi
    done
}

bt_at_app_main() {
    start_tender "$HELLO" --count=2 || return 1
    gdb_batch "$HELLO" 'break app_main' continue bt 'print app->args.count' \
        kill
    end_tender
    has "$GLOG" '^Breakpoint 1, app_main \(app=' '^#0 +app_main \(app=' \
        '^#1 .* in fiber_entry ' '^\$1 = 2$' &&
        [ "$TST" -eq 137 ] && ! grep -q 'Hello World' "$TLOG"
}
t "break app_main, bt, a variable (and kill: nothing printed, status 137)" \
    bt_at_app_main

stepi_moves() {
    start_tender "$HELLO" --count=1 || return 1
    gdb_batch "$HELLO" 'break app_main' continue 'printf "pc1 %lx\n", $pc' \
        stepi 'printf "pc2 %lx\n", $pc' kill
    end_tender
    local a b
    a=$(sed -n 's/^pc1 //p' "$GLOG")
    b=$(sed -n 's/^pc2 //p' "$GLOG")
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || {
        cat "$GLOG"
        return 1
    }
}
t "stepi runs one instruction: the pc moves" stepi_moves

stepi_first() {
    start_tender "$HELLO" --count=1 || return 1
    gdb_batch "$HELLO" 'printf "pc1 %lx\n", $pc' stepi stepi \
        'printf "pc2 %lx\n", $pc' continue
    end_tender
    local a b
    a=$(sed -n 's/^pc1 //p' "$GLOG")
    b=$(sed -n 's/^pc2 //p' "$GLOG")
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] && has "$GLOG" 'exited normally' &&
        [ "$TST" -eq 0 ] || {
        cat "$GLOG"
        return 1
    }
}
t "stepi twice from the first instruction, then continue to the end" stepi_first

hbreak_hits() {
    start_tender "$HELLO" --count=1 || return 1
    gdb_batch "$HELLO" 'hbreak atoll_console_printf' continue bt kill
    end_tender
    has "$GLOG" '^Hardware assisted breakpoint 1 at ' \
        '^#0 +(0x[0-9a-f]+ in )?atoll_console_printf ' '^#1 .* in app_main '
}
# A KVM that ignores KVM_SET_GUEST_DEBUG (kvm-pvm) loads no debug register
# for the guest: the tender says so at the start and refuses hbreak, and
# gdb says it cannot insert it.  There the case itself skips.
hbreak_refused() {
    start_tender "$HELLO" --count=1 || return 1
    gdb_batch "$HELLO" 'hbreak atoll_console_printf' continue kill
    end_tender
    has "$GLOG" 'Could not insert hardware breakpoint' &&
        has "$TLOG" 'hardware breakpoints are refused'
}
if grep -q 'ignores KVM_SET_GUEST_DEBUG' "$TLOG"; then
    t "this KVM ignores KVM_SET_GUEST_DEBUG: hbreak is refused, and gdb says so" \
        hbreak_refused
    skip_kvm_no_hwbp "a hardware breakpoint (hbreak) stops in atoll_console_printf"
else
    t "a hardware breakpoint (hbreak) stops in atoll_console_printf" hbreak_hits
fi

runs_to_exit() {
    start_tender "$HELLO" --count=2 || return 1
    gdb_batch "$HELLO" continue
    end_tender
    has "$GLOG" 'exited normally' && [ "$TST" -eq 0 ] &&
        [ "$(grep -c '^Hello World!$' "$TLOG")" -eq 2 ]
}
t "continue: the guest runs to its end, gdb sees it exit, status 0" runs_to_exit

detach_runs_on() {
    start_tender "$HELLO" --count=2 || return 1
    gdb_batch "$HELLO" 'break app_main' continue detach
    end_tender
    has "$GLOG" '^Breakpoint 1, app_main' && has "$TLOG" 'gdb detached' &&
        [ "$TST" -eq 0 ] && [ "$(grep -c '^Hello World!$' "$TLOG")" -eq 2 ]
}
t "detach: breakpoints lifted, the guest finishes undebugged" detach_runs_on

crash_seen() {
    start_tender "$CRASH" --what=null || return 1
    gdb_batch "$CRASH" continue bt continue
    end_tender
    has "$GLOG" 'received signal SIGSEGV' '^#0 +app_main \(app=' \
        'terminated with signal SIGSEGV' &&
        has "$TLOG" 'guest crashed: CPU exception 14' && [ "$TST" -eq $ST_CRASH ]
}
t "a NULL read stops gdb with SIGSEGV in app_main; then status 114" crash_seen

interrupt() {
    start_tender "$CRASH" --what=spin || return 1
    timeout 90 gdb -batch -nx -ex "target remote 127.0.0.1:$PORT" \
        -ex continue -ex bt -ex kill "$CRASH" >"$GLOG" 2>&1 &
    local gp=$!
    # "spinning" reaches the log only at the guest's next exit (the
    # console area is written out at exits, per line only to a terminal),
    # and a spinning guest makes none: give it two seconds to get there.
    wait_line "$TLOG" 'gdb connected' 20 || return 1
    sleep 2
    # SIGINT to gdb itself, once: through `timeout` it would arrive twice
    # (timeout passes it on to the child and to its process group), and a
    # second ^C makes gdb give up on the target.
    local g
    g=$(pgrep -P $gp -x gdb) || return 1
    kill -INT "$g"
    wait $gp
    end_tender
    has "$GLOG" 'received signal SIGINT' '^#0 .*app_main \(app='
}
t "^C (SIGINT to gdb) stops a spinning guest in app_main" interrupt

junk_harmless() {
    start_tender "$HELLO" --count=1 || return 1
    exec 7<>/dev/tcp/127.0.0.1/$PORT || return 1
    printf '$m0,ffffffffffff#00$g#67\003$Z0,0,1#ff$M1,99999:00#ab+++$qXfer:#' >&7
    head -c 300 /dev/urandom >&7
    exec 7>&-
    end_tender
    has "$TLOG" 'Hello World!' 'gdb detached' && [ "$TST" -eq 0 ]
}
t "garbage on the port, then a closed connection: the guest runs to its end" \
    junk_harmless
