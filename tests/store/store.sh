#!/usr/bin/env bash
# tests/store/store.sh - the versioned store end to end: examples/notes on
# the unix target (a file) and the sim target (a copy of that file, and
# mem:), `atoll store log|ls|cat|branches`, `atoll store export` read back
# by real git (fsck, log, show, cat-file, hash-object), damage reported by
# the tool, and a short libFuzzer run over the record and object decoders.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
export ATOLL_ROOT=$ROOT
TMP=$(mktemp -d /tmp/atoll-store.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT

suite store

# prepare TARGET: a private copy of examples/notes, configured and built.
prepare() {
    local dir=$TMP/notes-$1
    mkdir -p "$dir"
    cp "$ROOT/examples/notes/atoll.manifest" "$ROOT/examples/notes"/*.c "$dir/"
    "$ATOLL" -C "$dir" configure -t "$1" >>"$LOG" 2>&1 &&
        "$ATOLL" -C "$dir" build >>"$LOG" 2>&1 && echo "$dir/_build/notes"
}

UNIX=$(prepare unix) && ok "notes builds (unix)" || fail "notes builds (unix)"
SIM=$(prepare sim) && ok "notes builds (sim)" || fail "notes builds (sim)"
IMG=$TMP/notes.img
truncate -s 1M "$IMG"

expect_out "boot 1 on a blank file commits" '^boot 1: commit [0-9a-f]{12}$' \
    "$UNIX" --block:disk="$IMG"
expect_out "boot 2 keeps boot 1's note" '  boot-1' \
    "$UNIX" --block:disk="$IMG" -- --note="second note"
expect_out "boot 3 prints three commits of history" 'boot 1: boot 1' \
    "$UNIX" --block:disk="$IMG"
first=$("$ATOLL" store log "$IMG" | awk '/^commit/ {c=$2} END {print c}')
expect_out "revert to boot 1's commit: the counter restarts" \
    '^boot 2: commit' "$UNIX" --block:disk="$IMG" -- --revert="${first:0:10}"
expect_out "the revert is a commit in the history" 'revert to' \
    "$UNIX" --block:disk="$IMG"
expect_fail "revert to an unknown commit fails clearly" \
    'notes: 00000000: no such entry' \
    "$UNIX" --block:disk="$IMG" -- --revert=00000000
cp "$IMG" "$TMP/saved.img"
expect_out "sim: boots from the unix image and continues" '^boot 4: commit' \
    "$SIM" --block:disk="$IMG"
expect_out "sim: a fresh mem: disk starts at boot 1" '^boot 1: commit' \
    "$SIM" --block:disk=mem:1M
t "sim: same seed, same run" bash -c \
    "cmp <('$SIM' --block:disk=mem:1M) <('$SIM' --block:disk=mem:1M)"
expect_fail "sim: an always-full disk says so" 'no space left on device' \
    "$SIM" --block:disk=mem:1M,full
expect_fail "sim: an always-busy disk says so" 'device or resource busy' \
    "$SIM" --block:disk=mem:1M,busy

# ---- the host tool -------------------------------------------------------------
expect_out "store branches lists main" '^[0-9a-f]{64} main$' \
    "$ATOLL" store branches "$IMG"
t "store log shows every commit, newest first" bash -c \
    "[ \$('$ATOLL' store log '$IMG' | grep -c '^commit') = 6 ] &&
     '$ATOLL' store log '$IMG' | grep -m1 -A4 '^commit' | grep -q 'boot 3: boot 3'"
expect_out "store log of one key" 'second note' \
    "$ATOLL" store log "$IMG" main notes/boot-2
expect_out "store ls lists a folder" '^boot-3$' "$ATOLL" store ls "$IMG" notes
expect_out "store cat prints a value" '^3$' "$ATOLL" store cat "$IMG" boots
expect_out "store cat at an old commit" '^1$' \
    "$ATOLL" store cat "$IMG" boots --rev="${first:0:12}"
expect_fail "store cat of a missing key" 'nope: no such entry' \
    "$ATOLL" store cat "$IMG" nope
yes store | head -c 4096 >"$TMP/junk.img"
expect_fail "store on a file that is not a store" 'not a store' \
    "$ATOLL" store log "$TMP/junk.img"

# Damage: a flipped byte in the log is reported, never followed.
cp "$TMP/saved.img" "$TMP/bad.img"
printf '\x5a' | dd of="$TMP/bad.img" bs=1 seek=1100 conv=notrunc 2>/dev/null
expect_fail "a damaged image is reported with the record" \
    'data corrupted.*log record at byte' "$ATOLL" store log "$TMP/bad.img"

# ---- export, read back by git ----------------------------------------------------
EXP=$TMP/export
expect_out "export writes a repository" 'exported 1 branch' \
    "$ATOLL" store export "$TMP/saved.img" "$EXP"
expect_fail "export refuses to overwrite" 'already exists' \
    "$ATOLL" store export "$TMP/saved.img" "$EXP"
t "git fsck --strict accepts the export" git -C "$EXP" fsck --strict
t "git says the repository is sha256" bash -c \
    "[ \$(git -C '$EXP' rev-parse --show-object-format) = sha256 ]"
t "git log shows the store's history" bash -c \
    "[ \$(git -C '$EXP' log --format=%s | wc -l) = 6 ] &&
     git -C '$EXP' log --format=%s | grep -qx 'boot 2: second note'"
t "git log ids equal the store's ids" bash -c \
    "diff <(git -C '$EXP' log --format=%H) \
          <('$ATOLL' store log '$TMP/saved.img' | awk '/^commit/ {print \$2}')"
expect_out "git show reads a commit and its diff" 'notes/boot-3' \
    git -C "$EXP" show --stat HEAD
t "git cat-file -p prints the store's values" bash -c \
    "[ \"\$(git -C '$EXP' cat-file -p HEAD~3:notes/boot-2)\" = 'second note' ]"
t "git hash-object of every blob equals the store's id" bash -c "
    cd '$EXP' && git ls-tree -r HEAD | while read -r mode type id path; do
        [ \"\$(git cat-file -p \$id | git hash-object --stdin)\" = \$id ] || exit 1
    done"
t "git's tree of the root lists folders and values" bash -c \
    "git -C '$EXP' cat-file -p HEAD^{tree} | grep -q '^040000 tree [0-9a-f]\{64\}	notes$'"
t "git hash-object -t commit of a commit equals its id" bash -c "
    cd '$EXP' && id=\$(git rev-parse HEAD) &&
    [ \"\$(git cat-file commit \$id | git hash-object -t commit --stdin)\" = \$id ]"

# ---- fuzzing the decoders ---------------------------------------------------------
. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
: >"$LOG"
if (cd "$ROOT" && fuzz_build "$TMP" store_decoders); then
    ok "the decoders' fuzz target builds with libFuzzer"
    mkdir -p "$TMP/corpus"
    # Seeds: real records and objects from the image.
    head -c 4096 "$TMP/saved.img" | tail -c 3072 >"$TMP/corpus/log"
    git -C "$EXP" cat-file commit HEAD >"$TMP/corpus/commit"
    if "$TMP/store_decoders" -runs=20000 -seed=1 "$TMP/corpus" >"$LOG" 2>&1
    then
        ok "decoders: $(fuzz_report "$LOG"), no crash, leak or sanitizer report"
    else
        fail "decoders: fuzzing found a problem (see log)"
    fi
else
    fail "the decoders' fuzz target builds with libFuzzer"
fi
