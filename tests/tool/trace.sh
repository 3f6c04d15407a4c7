#!/usr/bin/env bash
# tests/tool/trace.sh - `atoll trace summary` and `atoll trace view` on the
# trace of examples/fibers (sim target: virtual time, so the numbers are
# exact), the page opened in headless Chromium, and bad trace files.
#
# The page is checked from what its script drew: Chromium loads it with
# the network out of reach (the page's own Content-Security-Policy, and
# --dump-dom of a file: URL), and the DOM it dumps must hold a lane with
# drawn spans for every fiber the trace names, plus the summary table.
# The screenshot it takes is left in $BUILD/trace-view.png (the README's
# picture is one of these).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-trace.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT

suite tool-trace

dir=$TMP/fibers
mkdir -p "$dir"
cp "$ROOT/examples/fibers/atoll.manifest" "$ROOT/examples/fibers"/*.c "$dir/"
if "$ATOLL" -C "$dir" configure -t sim >"$LOG" 2>&1 &&
    "$ATOLL" -C "$dir" build >>"$LOG" 2>&1 &&
    "$dir/_build/fibers" --trace="$TMP/t.json" >>"$LOG" 2>&1; then
    ok "fibers (sim) writes a trace"
else
    fail "fibers (sim) writes a trace"
fi

# ---- summary -----------------------------------------------------------------
"$ATOLL" trace summary "$TMP/t.json" >"$TMP/summary" 2>&1
st=$?
cp "$TMP/summary" "$LOG"
if [ $st -eq 0 ]; then ok "trace summary exits 0"; else fail "trace summary exits 0"; fi
# summary_row NAME REGEX: the summary's row for fiber NAME matches REGEX.
summary_row() { grep -E "^$1 +[0-9]+ " "$TMP/summary" | grep -Eq -- "$2"; }
# heads and tails sleep 100 ms between their three turns; main joins them,
# then waits 100 ms for a bell nobody rings, then 10 ms for the notifier.
t "summary: heads blocked twice, 100 ms sleeps" \
    summary_row heads ' 2  100 ms sleep, 100 ms sleep$'
t "summary: tails blocked three times (50, 100, 100 ms)" \
    summary_row tails ' 3  100 ms sleep, 100 ms sleep, 50 ms sleep$'
t "summary: main's longest block is the join, then the bell" \
    summary_row main '  200 ms join, 100 ms bell, '
t "summary: notifier sleeps 10 ms" summary_row notifier ' 1  10 ms sleep$'
t "summary: blocked time by reason" \
    grep -Eq '^blocked by reason: join [0-9.]+ ms, sleep [0-9.]+ ms, bell 110 ms$' \
    "$TMP/summary"
t "summary: timers and labels counted" \
    grep -Eq '^timer expiries [1-9][0-9]*, device I/O 0, labels 10, counters 0$' \
    "$TMP/summary"

# ---- view --------------------------------------------------------------------
html=$TMP/t.html
t "trace view writes the page beside the trace" "$ATOLL" trace view "$TMP/t.json"
t "trace view -o" "$ATOLL" trace view "$TMP/t.json" -o "$TMP/o.html"
t "the page is the same either way" cmp "$html" "$TMP/o.html"
# Self-contained: no attribute that loads anything, every fetch forbidden.
self_contained() {
    grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$html" &&
        ! grep -Eiq '<(script|link|img|iframe)[^>]*(src|href)=' "$html"
}
t "the page loads nothing (inline script and style, CSP default-src 'none')" \
    self_contained

if ! command -v chromium >/dev/null; then
    fail "chromium is installed (scripts/install-deps.sh)"
else
    # A profile of its own, so concurrent runs do not share one.
    chrome() {
        timeout 120 chromium --headless --no-sandbox --disable-gpu \
            --user-data-dir="$TMP/profile" --no-first-run "$@" \
            "file://$html" 2>>"$LOG"
    }
    chrome --dump-dom >"$TMP/dom.html"
    python3 - "$TMP/t.json" "$TMP/dom.html" >"$LOG" 2>&1 <<'PY'
import json, sys
from html.parser import HTMLParser
trace = json.load(open(sys.argv[1]))
fibers = {e["args"]["name"] for e in trace["traceEvents"]
          if e.get("ph") == "M" and e.get("name") == "thread_name"}
class Lanes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lanes, self.rows, self.stack = {}, 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g":
            cls = a.get("class", "")
            self.stack.append(a.get("data-fiber") if cls == "lane" else None)
            if cls == "lane":
                self.lanes[a["data-fiber"]] = 0
        lane = next((x for x in reversed(self.stack) if x is not None), None)
        if tag == "rect" and lane and "span" in a.get("class", "").split():
            self.lanes[lane] += 1
        if tag == "tr" and "data-fiber-id" in a:
            self.rows += 1
    def handle_endtag(self, tag):
        if tag == "g" and self.stack:
            self.stack.pop()
p = Lanes()
p.feed(open(sys.argv[2]).read())
print("fibers in the trace:", sorted(fibers))
print("lanes drawn (spans):", p.lanes)
missing = [f for f in fibers if p.lanes.get(f, 0) == 0]
if missing or len(fibers) < 5 or p.rows != len(fibers):
    sys.exit("no lane with spans for %s; %d summary rows" % (missing, p.rows))
PY
    if [ $? -eq 0 ]; then
        ok "Chromium draws a lane with spans for every fiber (and the summary)"
    else
        fail "Chromium draws a lane with spans for every fiber (and the summary)"
    fi
    rm -f "$TMP/shot.png"
    chrome --screenshot="$TMP/shot.png" --window-size=1280,720 >>"$LOG"
    # A PNG of the window's size (its IHDR), and not one flat colour.
    png_ok() {
        python3 - "$1" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
assert (w, h) == (1280, 720), (w, h)
assert len(d) > 20000, "%d bytes: an empty page?" % len(d)
PY
    }
    t "Chromium takes a 1280x720 screenshot of the page" png_ok "$TMP/shot.png"
    cp "$TMP/shot.png" "$ROOT/$ATOLL_BUILD/trace-view.png" 2>/dev/null
fi

# ---- bad input -----------------------------------------------------------------
# bad NAME REGEX TEXT: summary (and view) of a file holding TEXT fail with
# a message matching REGEX, exit status 1, no crash.
n=0
bad() {
    n=$((n + 1))
    printf '%s' "$3" >"$TMP/bad$n.json"
    expect_status "bad trace: $1" 1 "$2" "$ATOLL" trace summary "$TMP/bad$n.json"
}
bad "empty file" "bad1.json:1:1: expected a value, found end of file" ""
bad "truncated" ":1:16: expected a value, found end of file" '{"traceEvents":'
bad "trailing comma" ":1:20: expected a value, found '\]'" '{"traceEvents":[{},]}'
bad "missing comma" "1:20: expected ',' or '\]', found '\{'" '{"traceEvents":[{} {}]}'
bad "single quotes" "expected a member name \(a string\), found ''" "{'a':1}"
bad "garbage after the document" "unexpected 'x' after the document" '[] x'
bad "control character in a string" "control character 0x01" $'["a\x01"]'
bad "invalid UTF-8" "invalid UTF-8 \(byte 0xff\)" $'["\xff"]'
bad "overlong UTF-8" "invalid UTF-8 \(byte 0xc0\)" $'["\xc0\xaf"]'
bad "lone surrogate" "a high surrogate without a low one" '["\ud800x"]'
bad "bad escape" "unknown escape" '["\x41"]'
bad "number out of range" "number 1e999 is out of range" '[{"ph":"i","ts":1e999}]'
bad "leading zero" "unexpected '1' after the document|expected ',' or" '[01]'
bad "nested 100000 deep" "nested deeper than 64 levels" \
    "$(printf '[%.0s' $(seq 100000))"
bad "not a trace" 'no "traceEvents": not a trace-event file' '{"a":1}'
bad "traceEvents not an array" '"traceEvents" to be an array of events, found a string' \
    '{"traceEvents":"x"}'
bad "a number" "expected an object with \"traceEvents\" or an array of events, found a number" '42'
bad "event not an object" "event 1: a number, not an object" '[{"ph":"M"},7]'
bad "no phase" 'event 0: "ph" \(the phase\) must be a one-letter string' '[{"ts":1}]'
bad "ts a string" 'event 0: "ts" is a string, not a number' '[{"ph":"i","ts":"1"}]'
bad "no ts" 'event 0: no "ts"' '[{"ph":"X","dur":1}]'
bad "negative duration" 'event 0: "dur" -5 is negative' '[{"ph":"X","ts":1,"dur":-5}]'
bad "fractional tid" 'event 0: "tid" 1.5 is not an integer' '[{"ph":"i","ts":1,"tid":1.5}]'
bad "byte-order mark" "starts with a byte-order mark" $'\xef\xbb\xbf[]'
expect_status "bad trace: no such file" 1 "nothere.json: No such file" \
    "$ATOLL" trace summary "$TMP/nothere.json"
expect_status "bad trace: a folder" 1 "is a folder, not a trace file" \
    "$ATOLL" trace view "$TMP"
expect_status "view of a bad trace fails the same way" 1 ":1:20: expected a value" \
    "$ATOLL" trace view "$TMP/bad3.json"
t "no page is left for a bad trace" test ! -e "$TMP/bad3.html"
expect_status "trace without a subcommand" 2 "usage: atoll trace view" "$ATOLL" trace
expect_status "trace with an unknown option" 2 "unknown option '--x'" \
    "$ATOLL" trace summary --x "$TMP/t.json"
# Names that try to break out of the page stay text.
printf '%s' '[{"ph":"M","name":"thread_name","tid":1,"args":{"name":"</script><b>x"}},
{"ph":"X","name":"run","ts":0,"dur":5,"tid":1}]' >"$TMP/evil.json"
t "a fiber named </script> is escaped in the page" \
    sh -c "'$ATOLL' trace view '$TMP/evil.json' && ! grep -q '</script><b>' '$TMP/evil.html' &&
           grep -q '&lt;/script&gt;&lt;b&gt;x' '$TMP/evil.html'"
