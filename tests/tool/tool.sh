#!/usr/bin/env bash
# tests/tool/tool.sh - the atoll tool's happy paths: new, configure (the
# generated struct app, --impl), build, run on both targets, help, clean.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-tool.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT

suite tool

# --- new / configure / build / run, for each target -----------------------
for target in unix sim; do
    app=$TMP/greeter_$target
    t "new creates a folder ($target)" "$ATOLL" new "$app"
    t "new writes a manifest and main.c ($target)" \
        test -f "$app/atoll.manifest" -a -f "$app/main.c"
    t "configure -t $target" "$ATOLL" -C "$app" configure -t "$target"
    t "configure records the target ($target)" \
        grep -qx "target $target" "$app/_build/config"
    t "build ($target)" "$ATOLL" -C "$app" build
    t "build makes _build/NAME ($target)" test -x "$app/_build/greeter_$target"
    expect_out "run prints the greeting ($target)" \
        "^Hello from greeter_$target!\$" "$ATOLL" -C "$app" run
    # Up to date: a second build does not relink.
    bin=$app/_build/greeter_$target
    before=$(stat -c %y "$bin" 2>&1)
    "$ATOLL" -C "$app" build >"$LOG" 2>&1
    after=$(stat -c %y "$bin" 2>&1)
    if [ -x "$bin" ] && [ "$before" = "$after" ]; then
        ok "second build is a no-op ($target)"
    else fail "second build is a no-op ($target)" "missing or relinked"; fi
    # A changed source is rebuilt by run.
    sleep 0.01
    sed -i 's/Hello from/Greetings from/' "$app/main.c"
    expect_out "run rebuilds a changed source ($target)" \
        "^Greetings from greeter_$target!\$" "$ATOLL" -C "$app" run
done

expect_fail "new refuses a non-empty folder" "not empty" \
    "$ATOLL" new "$TMP/greeter_unix"
mkdir "$TMP/empty"
t "new accepts an existing empty folder" "$ATOLL" new "$TMP/empty"
t "new makes a C identifier of the folder name" \
    grep -q '^name *my_app_2$' "$( "$ATOLL" new "$TMP/my-app.2" >/dev/null 2>&1;
                                   echo "$TMP/my-app.2/atoll.manifest")"

# --- the generated code ---------------------------------------------------
app=$TMP/wired
mkdir "$app"
cat >"$app/atoll.manifest" <<'MF'
# a manifest with every kind of line
name    wired
main    wired_main
sources main.c
device  net   service
device  block disk    full
arg     count int    4       "How many times to greet"
arg     who   string World   "Whom to \"greet\""
arg     loud  bool   false   "Shout"
MF
cat >"$app/main.c" <<'C'
#include "atoll_app.h"
int wired_main(struct app *app)
{
    struct atoll_block_info bi;
    atoll_block_info(app->disk, &bi);
    atoll_console_printf(app->console, "count=%ld who=%s loud=%d sectors=%lu\n",
                         (long)app->args.count, app->args.who, app->args.loud,
                         (unsigned long)bi.sectors);
    return 3;
}
C
t "configure a manifest with devices and args" "$ATOLL" -C "$app" configure -t sim
H=$app/_build/atoll_app.h
C=$app/_build/atoll_app.c
for member in 'struct atoll_console \*console;' 'struct atoll_mclock \*mclock;' \
    'struct atoll_wclock \*wclock;' 'struct atoll_random \*random;' \
    'struct atoll_netif \*service;' 'struct atoll_block \*disk;' \
    'int64_t count;' 'const char \*who;' 'bool loud;' \
    'int wired_main\(struct app \*app\);'; do
    t "atoll_app.h has ${member//\\/}" grep -Eq "$member" "$H"
done
t "atoll_app.c constructs the manifest's impl" \
    grep -q 'atoll_block_open_full("disk", &app.disk)' "$C"
t "atoll_app.c uses the default net impl" \
    grep -q 'atoll_netif_open_default("service", &app.service)' "$C"
t "atoll_app.c escapes strings" grep -qF '"Whom to \"greet\""' "$C"
t "atoll_app.c describes the devices" \
    grep -q '{ATOLL_DEV_BLOCK, "disk", "full", false}' "$C"
t "a platform-backed device must be attached" \
    grep -q '{ATOLL_DEV_NET, "service", "default", true}' "$C"
t "configure --impl overrides the manifest" \
    "$ATOLL" -C "$app" configure -t sim --impl service=flood --impl disk=busy
t "--impl changes the net constructor" \
    grep -q 'atoll_netif_open_flood("service", &app.service)' "$C"
t "--impl changes the block constructor" \
    grep -q 'atoll_block_open_busy("disk", &app.disk)' "$C"
t "--impl is recorded" grep -qx 'impl disk busy' "$app/_build/config"
t "the generated code compiles warning-free" \
    cc -std=gnu11 -Wall -Wextra -Werror -I "$ROOT/include" -I "$app/_build" \
    -c "$C" -o "$TMP/wired.o"
t "configure --impl disk=full" "$ATOLL" -C "$app" configure -t sim --impl service=flood
expect_out "args get their defaults" "count=4 who=World loud=0 sectors=2048" \
    sh -c "'$ATOLL' -C '$app' run; test \$? = 3"
expect_out "args are parsed after --" "count=-7 who=you all loud=1" \
    sh -c "'$ATOLL' -C '$app' run -- --count=-7 '--who=you all' --loud; test \$? = 3"
expect_out "--no-NAME turns a bool off" "loud=0" \
    sh -c "'$ATOLL' -C '$app' run -- --loud --no-loud; test \$? = 3"
expect_out "run exits with the unikernel's status" "^status=3\$" \
    sh -c "'$ATOLL' -C '$app' run >/dev/null 2>&1; echo status=\$?"
expect_out "unikernel --help lists devices" "block +disk +\(full\)" \
    "$ATOLL" -C "$app" run --help
expect_out "unikernel --help lists args with defaults" \
    "--count=INT +How many times to greet \(default: 4\)" \
    "$ATOLL" -C "$app" run --help
expect_out "unikernel --help lists runtime options" "--mem=MiB" \
    "$ATOLL" -C "$app" run --help
expect_out "unikernel --help lists platform options" "--seed=N" \
    "$ATOLL" -C "$app" run --help

# --- help and clean -------------------------------------------------------
expect_out "help lists the commands" "configure \[-t TARGET\]" "$ATOLL" help
expect_out "help COMMAND explains it" "--impl NAME=IMPL" "$ATOLL" help configure
expect_out "--help works too" "usage: atoll" "$ATOLL" --help
t "clean removes _build" "$ATOLL" -C "$app" clean
t "_build is gone" test ! -e "$app/_build"
expect_fail "build after clean asks for configure" "atoll configure" \
    "$ATOLL" -C "$app" build
