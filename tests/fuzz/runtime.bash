# tests/fuzz/runtime.bash - the part every fuzz shell test shares: build the
# whole runtime (lib/ and the sim platform) once with clang, instrumented for
# libFuzzer and under ASan + UBSan, as an archive, and link fuzz targets
# against it.  An archive, so a target links only what it uses (boot.c's
# reference to an application's atoll_app, for one, stays out).
# Sourced after tests/lib.sh (uses $LOG); run from the repository root.

FUZZ_FLAGS="-std=gnu11 -g -O1 -fsanitize=address,undefined -DATOLL_INVARIANTS=2 \
    -fno-sanitize-recover=all -Iinclude -Iplatform -D_GNU_SOURCE"

# fuzz_runtime DIR: build DIR/libfuzz.a.  Non-zero if any object failed
# (the compiler's messages are in $LOG).
fuzz_runtime() {
    local dir=$1 f missing=0
    local src
    src="$(ls lib/core/*.c lib/core/*.S lib/dev/*.c lib/crypto/*.c \
        lib/store/*.c lib/net/*.c lib/http/*.c lib/fw/*.c 2>/dev/null) \
        $(ls platform/sim/*.c platform/host/*.c | grep -v start.c)"
    mkdir -p "$dir/obj"
    # One compiler per CPU, not one per file: a hundred and thirty at once
    # starve everything else on the machine (fuzzers' timeouts included).
    # shellcheck disable=SC2086 # FUZZ_FLAGS and src are lists of words
    printf '%s\n' $src | xargs -P "$(nproc)" -I{} sh -c \
        'clang '"$FUZZ_FLAGS"' -fsanitize=fuzzer-no-link -c "$1" \
            -o "$2/obj/$(echo "$1" | tr / _).o"' _ {} "$dir" >>"$LOG" 2>&1
    for f in $src; do
        [ -f "$dir/obj/$(echo "$f" | tr / _).o" ] || missing=1
    done
    [ $missing = 0 ] && ar rcs "$dir/libfuzz.a" "$dir"/obj/*.o 2>>"$LOG"
}

# fuzz_link DIR TARGET.c BINARY: link one fuzz target against DIR/libfuzz.a.
fuzz_link() {
    # shellcheck disable=SC2086
    clang $FUZZ_FLAGS -fsanitize=fuzzer "$2" "$1/libfuzz.a" -lm -o "$3" \
        >>"$LOG" 2>&1
}
