# tests/kvm/common-apps.bash - sourced by the tests/kvm scripts that build
# real unikernels with the atoll tool (not a test itself).  build_app DIR
# TARGET copies an application folder into a scratch directory (so the
# tree gets no _build/), configures it for TARGET and builds it; the copy's
# path is in $APP.  The hvt libraries come from $BUILD (ATOLL_BUILD).
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH" "$LOG"' EXIT
export ATOLL_BUILD=$BUILD

build_app() { # SRC TARGET
    APP=$SCRATCH/$(basename "$1")-$2
    rm -rf "$APP"
    cp -r "$1" "$APP"
    rm -rf "$APP/_build"
    "$ATOLL" -C "$APP" configure -t "$2" >"$LOG" 2>&1 &&
        "$ATOLL" -C "$APP" build >>"$LOG" 2>&1
}
