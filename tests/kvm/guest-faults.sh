#!/usr/bin/env bash
# tests/kvm/guest-faults.sh - a misbehaving guest cannot hurt the host:
# every hypercall given an out-of-range pointer or length is stopped with
# the crash status and a message naming the call; CPU faults (NULL, W^X,
# read-only data, NX data, page tables, divide by zero, stack overflow into
# the guard page) end as reported guest crashes.
. "$(dirname "$0")/common.bash"
suite "$TENDER-guest"
hvt_preflight

for c in console-outside console-huge console-page0 console-pagetables \
    console-guard arg-outside arg-end arg-readonly wclock-null wait-text \
    wait-txlist wait-txframe wait-rxlist-text wait-rxcount clocksync-readonly \
    packed-text packed-huge wait-rxp-list wait-rxp-count \
    devinfo-outside netwrite-array netwrite-count netwrite-frame \
    netread-text netread-len blockread-huge blockread-text \
    blockread-bootinfo blockwrite-outside exit-outside exit-status \
    unknown-call; do
    expect_status "bad hypercall stopped: $c" $ST_CRASH \
        "^$TN: guest crashed: bad hypercall" \
        "$HVT" "$G/badptr.elf" -- "$c"
done
# Touching the hypercall page other than with the 8-byte store: a bad
# hypercall for atoll-hvt; under atoll-spt hypercalls are calls, and the
# page is simply not mapped (a page fault).
for c in slot-read slot-unaligned; do
    if [ "$TENDER" = hvt ]; then pat="^$TN: guest crashed: bad hypercall"
    else pat="^$TN: guest crashed: CPU exception 14 \\(page fault.*cr2=0x10000000"; fi
    expect_status "hypercall page misused: $c" $ST_CRASH "$pat" \
        "$HVT" "$G/badptr.elf" -- "$c"
done
expect_status "a console area claiming more than it holds stops the guest" \
    $ST_CRASH "^$TN: guest crashed: bad console area" \
    "$HVT" "$G/badptr.elf" -- console-area-len
expect_status "a good hypercall after the bad-pointer runs still works" 0 \
    '^Hello from hvt$' "$HVT" "$G/hello.elf"

fault() { # CASE PATTERN
    expect_status "guest fault reported: $1" $ST_CRASH \
        "^$TN: guest crashed: CPU exception .*$2" \
        "$HVT" "$G/fault.elf" -- "$1"
}
fault null-read '14 \(page fault.*cr2=0 '
fault write-text 'cr2=0x100'
fault write-rodata 'cr2=0x101'
fault write-bootinfo 'cr2=0x10000 '
# executing a no-execute page faults on the instruction fetch: cr2 == rip
fault exec-data 'rip=(0x[0-9a-f]+) .*cr2=\1 '
fault read-pagetables 'cr2=0x20000 '
fault div0 '0 \(divide error\) at rip=0x100'
# 8 MiB: the guard page is 0x7df000..0x7e0000 (below the 128 KiB stack).
fault stack-overflow 'cr2=0x7df'
expect_status "boot stack overflow named as one" $ST_CRASH \
    "^$TN: stack overflow: the boot stack ran into its guard page" \
    "$HVT" "$G/fault.elf" -- stack-overflow
