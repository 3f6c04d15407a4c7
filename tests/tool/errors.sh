#!/usr/bin/env bash
# tests/tool/errors.sh - bad input to the tool and to unikernels: every
# mistake is a clear message naming the problem (manifests: file:line) and
# a non-zero exit status below 128 (no crash).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-errors.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT

suite tool-errors

# --- manifests ------------------------------------------------------------
# bad_manifest NAME PATTERN TEXT: configure fails on a manifest holding TEXT
# and says PATTERN.
n=0
bad_manifest() {
    n=$((n + 1))
    local dir=$TMP/m$n
    mkdir -p "$dir"
    printf '%s\n' "$3" >"$dir/atoll.manifest"
    echo 'int app_main(void *a) { return 0; }' >"$dir/main.c"
    expect_fail "manifest: $1" "$2" "$ATOLL" -C "$dir" configure -t unix
}

bad_manifest "unknown device kind" \
    "^atoll.manifest:3: unknown device kind 'nett' \(expected net, block, stack, kv_ro or dns\)$" \
    "name app
# comment
device nett service"
bad_manifest "duplicate device" \
    "^atoll.manifest:3: duplicate device 'disk' \(first declared on line 2\)$" \
    "name app
device block disk
device net disk"
bad_manifest "device name not an identifier" \
    "^atoll.manifest:2: bad device name 'my-disk': names must be C identifiers" \
    "name app
device block my-disk"
bad_manifest "app name not an identifier" \
    "^atoll.manifest:1: bad application name '9lives'" "name 9lives"
bad_manifest "name that is a C keyword" \
    "^atoll.manifest:2: bad argument name 'int': it is a C keyword" \
    "name app
arg int int 1 \"x\""
bad_manifest "reserved device name" \
    "^atoll.manifest:2: device name 'console' is reserved" \
    "name app
device net console"
bad_manifest "unterminated quote" \
    "^atoll.manifest:2: unterminated string" \
    "name app
arg who string World \"Whom to greet"
bad_manifest "unknown escape" "^atoll.manifest:2: unknown escape '\\\\q'" \
    "name app
arg who string World \"a\\q\""
bad_manifest "bad int default" \
    "^atoll.manifest:2: bad default for int argument 'count': 'four' is not an integer$" \
    "name app
arg count int four \"How many\""
bad_manifest "int default out of range" \
    "^atoll.manifest:2: bad default for int argument 'n': '99999999999999999999' is not an integer" \
    "name app
arg n int 99999999999999999999"
bad_manifest "bad bool default" \
    "^atoll.manifest:2: bad default for bool argument 'loud': 'maybe' \(expected true or false\)$" \
    "name app
arg loud bool maybe"
bad_manifest "unknown arg type" \
    "^atoll.manifest:2: unknown argument type 'float' \(expected int, string or bool\)$" \
    "name app
arg x float 1.0"
bad_manifest "duplicate argument" \
    "^atoll.manifest:3: duplicate argument 'x' \(first declared on line 2\)$" \
    "name app
arg x int 1
arg x string a"
bad_manifest "unknown key" \
    "^atoll.manifest:2: unknown key 'colour' \(expected name, main, sources, device, files or arg\)$" \
    "name app
colour blue"
bad_manifest "missing name line" "^atoll.manifest:[0-9]+: missing 'name' line" \
    "device net service"
bad_manifest "duplicate name line" \
    "^atoll.manifest:2: duplicate 'name' line \(first on line 1\)$" \
    "name app
name other"
bad_manifest "unknown implementation" \
    "^atoll.manifest:2: unknown block implementation 'fancy' \(expected default, full or busy\)$" \
    "name app
device block disk fancy"
bad_manifest "net impl of a block kind" \
    "^atoll.manifest:2: unknown net implementation 'full' \(expected default, flood or faulty\)$" \
    "name app
device net service full"
bad_manifest "too many words" "^atoll.manifest:2: expected 'device KIND NAME \[IMPL\]'$" \
    "name app
device net service default extra"
bad_manifest "missing source file" \
    "^atoll.manifest:2: source file 'nope.c' does not exist$" \
    "name app
sources nope.c"
bad_manifest "line too long" "^atoll.manifest:2: line too long" \
    "name app
# $(head -c 3000 /dev/zero | tr '\0' x)"
bad_manifest "every error is reported" "^atoll.manifest:4: unknown key" \
    "name app
device nett a
arg x float 1
frob"

mkdir "$TMP/none"
expect_fail "missing manifest" "no atoll.manifest here" \
    "$ATOLL" -C "$TMP/none" configure -t unix
printf 'name app\0\n' >"$TMP/m1/atoll.manifest"
expect_fail "manifest: NUL byte" "^atoll.manifest:1: NUL byte" \
    "$ATOLL" -C "$TMP/m1" configure

# --- command line of the tool ---------------------------------------------
ok_app=$TMP/okapp
"$ATOLL" new "$ok_app" >/dev/null 2>&1
cat >"$ok_app/atoll.manifest" <<'MF'
name    okapp
device  net   service
device  block disk
arg     count int    4      "How many"
arg     who   string World  "Whom"
MF
expect_status "unknown target" 2 "unknown target 'vax' \(expected unix, sim, hvt, spt or virtio\)" \
    "$ATOLL" -C "$ok_app" configure -t vax
expect_status "unknown command" 2 "unknown command 'frobnicate'" \
    "$ATOLL" frobnicate
expect_status "no command" 2 "usage: atoll" "$ATOLL"
expect_status "unknown configure option" 2 "unknown option '--turbo'" \
    "$ATOLL" -C "$ok_app" configure --turbo
expect_status "unknown --impl" 2 \
    "--impl disk=fancy: unknown block implementation 'fancy' \(expected default, full or busy\)" \
    "$ATOLL" -C "$ok_app" configure --impl disk=fancy
expect_status "--impl of an undeclared device" 2 "declares no device 'floppy'" \
    "$ATOLL" -C "$ok_app" configure --impl floppy=full
expect_status "--impl without =" 2 "--impl wants NAME=IMPL" \
    "$ATOLL" -C "$ok_app" configure --impl disk
expect_status "help for an unknown command" 2 "unknown command 'nope'" \
    "$ATOLL" help nope
expect_status "-C of a missing folder" 2 "-C $TMP/missing" \
    "$ATOLL" -C "$TMP/missing" build
expect_status "build before configure" 1 "run 'atoll configure" \
    "$ATOLL" -C "$ok_app" build
"$ATOLL" -C "$ok_app" configure -t unix >/dev/null 2>&1
expect_status "missing libraries" 1 "run 'make' in .* first" \
    env ATOLL_BUILD="$TMP/nolibs" "$ATOLL" -C "$ok_app" build
echo 'int app_main(struct app *app) { return syntax error; }' >"$TMP/broken.c"
cp -r "$ok_app" "$TMP/broken"
cp "$TMP/broken.c" "$TMP/broken/main.c"
expect_status "compiler error shows the command" 1 \
    "build failed .*the command was:" "$ATOLL" -C "$TMP/broken" build

# --- unikernel command lines (unix and sim) -------------------------------
disk=$TMP/disk.img
head -c 1048576 /dev/zero >"$disk"
for target in unix sim; do
    app=$TMP/rt_$target
    cp -r "$ok_app" "$app"
    rm -rf "$app/_build"
    if ! "$ATOLL" -C "$app" configure -t $target >"$LOG" 2>&1 ||
        ! "$ATOLL" -C "$app" build >"$LOG" 2>&1; then
        fail "build the runtime-error app ($target)"
        continue
    fi
    ok "build the runtime-error app ($target)"
    k="$app/_build/okapp"
    if [ $target = unix ]; then net=atoll-none0; else net=wire0; fi
    blk=$disk
    expect_status "unknown runtime option ($target)" 64 \
        "^atoll: unknown runtime option '--frob' \(see --help\)$" "$k" --frob
    expect_status "unknown runtime option with value ($target)" 64 \
        "unknown runtime option '--frob'" "$k" --frob=1
    expect_status "stray word before -- ($target)" 64 "unexpected argument 'extra'" \
        "$k" extra
    expect_status "missing app-arg value ($target)" 64 \
        "^atoll: --count: missing value" "$k" -- --count
    expect_status "bad integer ($target)" 64 \
        "^atoll: --count: 'abc' is not an integer$" "$k" -- --count=abc
    expect_status "integer out of range ($target)" 64 \
        "--count: '99999999999999999999' is out of range" \
        "$k" -- --count=99999999999999999999
    expect_status "unknown app argument ($target)" 64 \
        "^atoll: unknown application argument '--x' \(see --help\)$" \
        "$k" -- --x=1
    expect_status "--no- on a non-bool ($target)" 64 \
        "unknown application argument '--no-count'" "$k" -- --no-count
    expect_status "undeclared --net device ($target)" 64 \
        "^atoll: --net:foo: the application declares no net device 'foo' \(declared: service\)$" \
        "$k" --net:foo=x
    expect_status "--block with a net device's name ($target)" 64 \
        "declares no block device 'service' \(declared: disk\)" \
        "$k" --block:service=x
    expect_status "--net without =SPEC ($target)" 64 "--net:service: missing '=SPEC'" \
        "$k" --net:service
    expect_status "device not attached ($target)" 64 \
        "^atoll: net device 'service' is not attached \(give --net:service=...\)$" \
        "$k" --block:disk="$blk"
    expect_status "--mem too small ($target)" 64 "--mem: '1' is not a memory size" \
        "$k" --mem=1 --net:service=$net --block:disk="$blk"
    expect_status "--mem not a number ($target)" 64 "--mem: 'lots'" \
        "$k" --mem=lots --net:service=$net --block:disk="$blk"
    expect_status "bad --log ($target)" 64 "^atoll: --log:" \
        "$k" --log=chatty --net:service=$net --block:disk="$blk"
    expect_status "--help ($target)" 0 "usage: " "$k" --help
done

# Host resources that are missing: exit 65 (ATOLL_EXIT_NODEV).
k=$TMP/rt_unix/_build/okapp
expect_status "missing tap device (unix)" 65 "does not exist" \
    "$k" --net:service=atoll-none0 --block:disk="$disk"
if [ -x "$k" ] && ip link show atoll-none0 >/dev/null 2>&1; then
    fail "a missing tap device is not created" "atoll-none0 exists now"
    ip link del atoll-none0 2>/dev/null
else
    ok "a missing tap device is not created"
fi
# A disk-only variant: the net device backed by the flood double.
for target in unix sim; do
    app=$TMP/rt_$target
    "$ATOLL" -C "$app" configure -t $target --impl service=flood >"$LOG" 2>&1
    "$ATOLL" -C "$app" build >"$LOG" 2>&1
    expect_status "missing disk file ($target)" 65 \
        "cannot open block device 'disk'" \
        "$app/_build/okapp" --block:disk="$TMP/no-such-disk.img"
done
