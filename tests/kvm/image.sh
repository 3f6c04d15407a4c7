#!/usr/bin/env bash
# tests/kvm/image.sh - the tender refuses bad images and mismatched device
# attachments with a clear message and its reserved status, and survives
# a few hundred corrupted images without a crash of its own.
. "$(dirname "$0")/common.bash"
suite "$TENDER-image"
hvt_preflight
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "$LOG"' EXIT
MK="python3 $ROOT/tests/kvm/mkimage.py"

bad() { # KIND PATTERN [BASE]: make defect KIND of BASE and expect refusal
    local kind=$1 pat=$2 base=${3:-$G/hello.elf}
    $MK "$base" "$TMP/$kind.elf" "$kind"
    expect_status "refused: $kind" $ST_BAD_IMAGE "bad image: .*$pat" \
        "$HVT" "$TMP/$kind.elf"
}

bad not-elf 'not an ELF file'
bad truncated-header 'truncated ELF header'
bad truncated-phdrs 'program header table outside the file'
bad truncated-data 'data outside the file'
bad elf32 'not ELF64'
bad big-endian 'not little-endian'
bad machine 'wrong machine 183: not x86_64'
bad dyn 'not ET_EXEC'
bad phoff 'program header table outside the file'
bad wx 'both writable and executable \(W\+X\)'
bad outside 'is outside guest memory'
bad wrap 'is outside guest memory'
bad low "overlaps the tender's reserved low area"
bad overlap 'segments 0 and 1 overlap'
bad filesz 'file size .* > memory size'
bad entry 'entry point .* is not in an executable segment'
bad no-manifest 'no ATOLL manifest note'
bad manifest-version 'manifest for hvt ABI 99'
bad manifest-name 'invalid name' "$G/devices.elf"

# The same image fits in 8 MiB but not in 2 MiB (a 3 MiB bss).
$MK "$G/hello.elf" "$TMP/bigbss.elf" bigbss
expect_out "a 3 MiB bss runs in --mem=8" '^Hello from hvt$' \
    "$HVT" --mem=8 "$TMP/bigbss.elf"
expect_status "a 3 MiB bss is refused in --mem=2" $ST_BAD_IMAGE \
    'bad image: .*outside guest memory \(2 MiB' \
    "$HVT" --mem=2 "$TMP/bigbss.elf"

# Manifest against attachments.
expect_status "an undeclared device is refused" $ST_TENDER \
    "net device 'service' is attached but the image does not declare it" \
    "$HVT" --net:service=tap-undecl "$G/hello.elf"
expect_status "a declared block device must be attached" $ST_TENDER \
    "declared block device 'disk' is not attached: give --block:disk=FILE" \
    "$HVT" --net:service=tap-x "$G/devices.elf"
expect_status "a declared net device must be attached" $ST_TENDER \
    "declared net device 'service' is not attached: give --net:service=TAP" \
    "$HVT" --block:disk=/dev/null "$G/devices.elf"
expect_status "a device attached as the wrong kind is refused" $ST_TENDER \
    "device 'service' is declared as net but attached with --block:" \
    "$HVT" --block:service=/dev/null --block:disk=/dev/null "$G/devices.elf"
expect_status "a device attached twice is refused" $ST_TENDER \
    "device 'disk' is attached twice" \
    "$HVT" --net:service=t --block:disk=/dev/null --block:disk=/dev/null \
    "$G/devices.elf"
expect_status "a missing block file is a tender error" $ST_TENDER \
    "block device 'disk': cannot open '/nonexistent/disk'" \
    "$HVT" --net:service=t --block:disk=/nonexistent/disk "$G/devices.elf"

# Fuzz: corrupted and truncated copies of a good image.  Refusals, guest
# crashes and even successful runs are fine; a signal death (status >= 128,
# other than timeout's 124) of the tender is not.
N=300
$MK "$G/devices.elf" "$TMP" fuzz $N
deaths=0 refused=0
for f in "$TMP"/fuzz-*.elf; do
    timeout 5 "$HVT" --mem=4 "$f" >/dev/null 2>&1
    st=$?
    [ $st -eq $ST_BAD_IMAGE ] && refused=$((refused + 1))
    if [ $st -ge 128 ]; then
        deaths=$((deaths + 1))
        echo "signal death ($st) on $f" >>"$LOG.fuzz"
    fi
done
: >"$LOG"
[ -f "$LOG.fuzz" ] && cat "$LOG.fuzz" >"$LOG" && rm -f "$LOG.fuzz"
t "fuzz: $N corrupted images, no tender crash ($refused refused)" \
    test $deaths -eq 0
t "fuzz: most corrupted images are refused as bad images" \
    test $refused -ge $((N / 2))
