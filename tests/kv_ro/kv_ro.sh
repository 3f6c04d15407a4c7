#!/usr/bin/env bash
# tests/kv_ro/kv_ro.sh - the read-only key-value stores end to end:
#
#   - baking: an application with a `files` folder (binary files with NULs,
#     empty files, nested and empty folders) is configured, built and run
#     on unix and sim; what it reads (tests/kv_ro/dump.c) matches the host
#     folder byte for byte (sizes and SHA-256 against sha256sum);
#   - the same application configured with --impl files=tar reads the same
#     entries from `tar` archives (ustar, gnu and pax formats) attached
#     with --block:files=FILE;
#   - the manifest's errors (missing folder, unportable names, symbolic
#     links, too much data, baked without a files line) name FILE:LINE;
#   - hostile archives make the unikernel exit with a clear error;
#   - examples/kv_ro prints its secret baked and from a tar, on unix,
#     sim, spt and (with /dev/kvm) hvt;
#   - the tar parser under libFuzzer (tests/fuzz/kv_ro_tar_fuzz.c).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-kvro.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-20000}
suite kv_ro

# check NAME CMD...: passes when CMD (a shell function) succeeds.
check() {
    local name=$1; shift
    if "$@" >>"$LOG" 2>&1; then ok "$name"; else fail "$name"; fi
    : >"$LOG"
}

# ---- the test tree ----------------------------------------------------------
tree=$TMP/app/data
mkdir -p "$tree/nested/deeper/deepest" "$tree/empty-dir" "$tree/docs"
printf 'hunter2\n' >"$tree/secret.txt"
: >"$tree/empty"
: >"$tree/nested/also-empty"
head -c 70000 /dev/urandom >"$tree/nested/deeper/random.bin"
printf 'a\0b\0\0c\0' >"$tree/nested/nuls.bin"
printf '"quotes" \\ and ??/ trigraphs */ /* and\ttabs\n' >"$tree/docs/c-hostile.txt"
printf 'bottom' >"$tree/nested/deeper/deepest/x"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256))*4)' \
    >"$tree/all-bytes"

# What the unikernel must print for the folder, sorted.
expected() { # DIR
    (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort | while read -r p; do
        if [ -d "$p" ]; then echo "d $p"
        else
            h=$(sha256sum <"$p" | cut -d' ' -f1)
            echo "f $p $(stat -c %s "$p") $h $h"
        fi
    done) | sort
}
expected "$tree" >"$TMP/expected"

app=$TMP/app
cp "$ROOT/tests/kv_ro/dump.c" "$app/"
cat >"$app/atoll.manifest" <<'EOF'
name   dump
device kv_ro files baked
files  files data
EOF

# run_dump TARGET [CONFIGURE-ARGS...] -- [RUN-ARGS...]: configure, build and
# run; the output (sorted) in $TMP/got.
run_dump() {
    local target=$1; shift
    local conf=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do conf+=("$1"); shift; done
    shift
    "$ATOLL" -C "$app" configure -t "$target" "${conf[@]}" &&
        "$ATOLL" -C "$app" build && "$app/_build/dump" "$@" >"$TMP/out" &&
        sort "$TMP/out" >"$TMP/got"
}

same() { diff "$TMP/expected" "$TMP/got"; }

for target in unix sim; do
    t "baked: configure, build and run ($target)" run_dump $target --
    check "baked: every file and folder, byte for byte ($target)" same
done
check "baked: the generated table holds every file and folder" \
    grep -q "const struct atoll_kv_ro_files atoll_files_files = {\"files\", files, $(wc -l <"$TMP/expected")}" \
    "$app/_build/atoll_files_files.c"

# Changing a file rebuilds with the new content.
printf 'hunter3\n' >"$tree/secret.txt"
expected "$tree" >"$TMP/expected"
t "baked: an edited file is rebuilt" run_dump sim --
check "baked: the rebuilt unikernel has the new content" same

# ---- the same application over tar ------------------------------------------
for format in ustar gnu pax; do
    tar -C "$tree" --format=$format -cf "$TMP/$format.tar" . 2>>"$LOG"
done
for target in unix sim; do
    for format in ustar gnu pax; do
        t "tar ($format): run with --block:files= ($target)" \
            run_dump $target --impl files=tar -- --block:files="$TMP/$format.tar"
        check "tar ($format): the same entries as baked ($target)" same
    done
done
# A tar of a folder with names GNU tar must write as 'L' members.
long=$(printf 'n%.0s' $(seq 1 150))
mkdir -p "$TMP/long/$long"
printf 'deep' >"$TMP/long/$long/$long"
tar -C "$TMP/long" -cf "$TMP/long.tar" .
expected "$TMP/long" >"$TMP/expected"
t "tar: 300-byte names in GNU 'L' members" \
    run_dump sim --impl files=tar -- --block:files="$TMP/long.tar"
check "tar: long names read back" same

# ---- hostile archives at run time -------------------------------------------
cp "$TMP/gnu.tar" "$TMP/bad.tar"
printf 'X' | dd of="$TMP/bad.tar" bs=1 seek=10 conv=notrunc 2>/dev/null
expect_fail "a corrupted archive stops the unikernel with the reason" \
    "device 'files': tar header at byte 0: bad checksum" \
    "$app/_build/dump" --block:files="$TMP/bad.tar"
head -c 8192 /dev/urandom >"$TMP/random.tar"
expect_fail "random bytes are refused" "tar header at byte 0" \
    "$app/_build/dump" --block:files="$TMP/random.tar"
tar -C "$tree/nested/deeper" -cf - random.bin | head -c 20480 >"$TMP/cut.tar"
expect_fail "an archive cut short is refused" "past the end of the device" \
    "$app/_build/dump" --block:files="$TMP/cut.tar"
expect_fail "tar needs its block device attached" \
    "block device 'files' is not attached" "$app/_build/dump"

# ---- manifest and folder errors ---------------------------------------------
err_app() { # MANIFEST-TEXT: a fresh app folder with that manifest
    rm -rf "$TMP/err"
    mkdir -p "$TMP/err/data"
    cp "$ROOT/tests/kv_ro/dump.c" "$TMP/err/"
    printf '%s\n' "$1" >"$TMP/err/atoll.manifest"
}
err_app $'name dump\ndevice kv_ro files baked\nfiles files ./nope'
expect_fail "a missing folder is an error at its line" \
    "^atoll.manifest:3: files files ./nope: no such folder$" \
    "$ATOLL" -C "$TMP/err" configure
err_app $'name dump\ndevice kv_ro files baked'
expect_fail "baked without a files line says what to add" \
    "^atoll.manifest:2: kv_ro device 'files' .* add a line 'files files DIR'" \
    "$ATOLL" -C "$TMP/err" configure
err_app $'name dump\nfiles files data\ndevice kv_ro files baked'
expect_fail "a files line before its device is refused" \
    "^atoll.manifest:2: files: no device 'files' declared above this line" \
    "$ATOLL" -C "$TMP/err" configure
err_app $'name dump\ndevice kv_ro files baked\nfiles files data'
touch "$TMP/err/data/bad name.txt"
expect_fail "an unportable file name is refused" \
    "^atoll.manifest:3: files files data: 'bad name.txt': not a portable file name" \
    "$ATOLL" -C "$TMP/err" configure
rm "$TMP/err/data/bad name.txt"
ln -s /etc/passwd "$TMP/err/data/link"
expect_fail "a symbolic link is refused" \
    "^atoll.manifest:3: files files data: 'link' is a symbolic link" \
    "$ATOLL" -C "$TMP/err" configure
rm "$TMP/err/data/link"
truncate -s 17M "$TMP/err/data/huge"
expect_fail "more than 16 MiB in all is refused" \
    "^atoll.manifest:3: files files data: more than 16 MiB of files in all" \
    "$ATOLL" -C "$TMP/err" configure
rm "$TMP/err/data/huge"
t "the same folder, fixed, configures" "$ATOLL" -C "$TMP/err" configure
t "a files line is fine for a device configured as tar" \
    "$ATOLL" -C "$TMP/err" configure --impl files=tar

# ---- examples/kv_ro ---------------------------------------------------------
ex=$TMP/example
cp -r "$ROOT/examples/kv_ro" "$ex"
rm -rf "$ex/_build"
tar -C "$ex/data" -cf "$TMP/secrets.tar" .
SECRET='^kv_ro: the secret is: correct horse battery staple$'
for target in unix sim; do
    expect_out "examples/kv_ro prints the baked secret ($target)" "$SECRET" \
        bash -c "'$ATOLL' -C '$ex' configure -t $target && '$ATOLL' -C '$ex' run"
    expect_out "examples/kv_ro prints the secret from a tar ($target)" "$SECRET" \
        bash -c "'$ATOLL' -C '$ex' configure -t $target --impl secrets=tar &&
                 '$ATOLL' -C '$ex' run --block:secrets='$TMP/secrets.tar'"
done

# ---- the same image under both tenders: spt anywhere, hvt with KVM -----------
for target in spt hvt; do
    if [ $target = hvt ] && ! have_kvm; then
        skip_no_kvm "examples/kv_ro on hvt"
        continue
    fi
    expect_out "examples/kv_ro prints the baked secret ($target)" "$SECRET" \
        bash -c "'$ATOLL' -C '$ex' configure -t $target && '$ATOLL' -C '$ex' run"
    expect_out "examples/kv_ro prints the secret from a tar ($target)" "$SECRET" \
        bash -c "'$ATOLL' -C '$ex' configure -t $target --impl secrets=tar &&
                 '$ATOLL' -C '$ex' run --block:secrets='$TMP/secrets.tar'"
done

# ---- the tar parser under libFuzzer -----------------------------------------
cd "$ROOT"
mkdir -p "$TMP/corpus"
. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
fuzz_runtime "$TMP" && built=1 || built=0
if [ $built = 1 ] && fuzz_link "$TMP" tests/fuzz/kv_ro_tar_fuzz.c "$TMP/fuzz"; then
    ok "the tar fuzz target builds with libFuzzer"
else
    fail "the tar fuzz target builds with libFuzzer"
fi
: >"$LOG"
# Seeds: real archives of every format, so mutations start deep inside.
cp "$TMP"/ustar.tar "$TMP"/gnu.tar "$TMP"/pax.tar "$TMP"/long.tar "$TMP/corpus/"
if [ -x "$TMP/fuzz" ] && "$TMP/fuzz" -seed=1 -runs="$RUNS" -max_len=16384 \
    -timeout=10 "$TMP/corpus" >"$LOG" 2>&1; then
    ok "kv_ro tar: $(fuzz_report "$LOG"), no crash, leak or sanitizer report"
else
    fail "kv_ro tar: fuzzing found a problem (see log)"
fi
