#!/usr/bin/env bash
# tests/debug/metrics.sh - live metrics: examples/echo on target unix with
# --metrics=9100, scraped with curl from the Linux side of a namespace
# this test creates and deletes (198.18.0.1 kernel, 198.18.0.2 the
# unikernel).  The answer must be the Prometheus text format - read by
# Debian's prometheus_client parser, and by a strict check of the format's
# rules written here - and the counters must move under a bounded load
# (5 TCP echo connections of 64 KiB each): exactly 6 more passive opens
# (the 5, and the second scrape's own connection), at least 4 segments
# in and out per connection, more HTTP requests, exactly one more HTTP
# connection to the metrics server, more heap allocations.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-metrics.XXXXXX)
NS=atoll-met-$$
cleanup() {
    bg_stop_all # the unikernel: nsx in the background left it running
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite metrics
PY=/usr/bin/python3 # Debian's, which python3-prometheus-client is for

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip curl socat; do command -v $c >/dev/null || missing="$missing $c"; done
$PY -c 'import prometheus_client.parser' 2>/dev/null || missing="$missing python3-prometheus-client"
if [ -n "$missing" ]; then
    fail "metrics of examples/echo" "needs:$missing (scripts/install-deps.sh)"
    exit 0
fi
if uk_build unix "$ROOT/examples/echo" "$TMP/echo" >"$LOG" 2>&1; then
    ok "examples/echo builds (unix)"
else
    fail "examples/echo builds (unix)"
    exit 0
fi
ns_setup tap0=198.18.0.1/24 || { fail "namespace setup"; exit 0; }
bg_start ip netns exec "$NS" "$TMP/echo/_build/echo" --net:service=tap0 -- \
    --ipv4=198.18.0.2/24 --metrics=9100 >"$TMP/uk.log" 2>&1
if wait_line "$TMP/uk.log" "echo: metrics on port 9100" 10 >"$LOG" 2>&1; then
    ok "echo serves metrics on the port it was given"
else
    fail "echo serves metrics on the port it was given"
    exit 0
fi

scrape() { # OUT: body to OUT, headers to OUT.h
    nsx curl -s --max-time 10 -D "$1.h" -o "$1" http://198.18.0.2:9100/metrics
}
t "curl scrapes /metrics" scrape "$TMP/m1"
t "Content-Type is the text format's, version 0.0.4" \
    grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$TMP/m1.h"

# parse FILE: prometheus_client's parser reads every family; prints
# "name{labels} value" per sample for the checks below.
parse() {
    $PY - "$1" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
assert len(fams) >= 10, "only %d families" % len(fams)
for f in fams:
    for s in f.samples:
        labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
        print("%s{%s} %d" % (s.name, labels, s.value))
PY
}
t "prometheus_client's parser reads it" parse "$TMP/m1"

# strict FILE: the format's rules (Prometheus "Exposition formats", text
# format 0.0.4), checked line by line: only HELP, TYPE and sample lines;
# TYPE once per family, before its samples, with a known type; a family's
# samples together; names and label names from the allowed alphabet;
# label values quoted with escapes; values numbers; counters end in
# _total; a final newline; no duplicate series.
strict() {
    $PY - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
assert text.endswith("\n"), "no final newline"
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(?:\{(%s(?:,%s)*)?\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|[+-]Inf|NaN)(?: -?[0-9]+)?$" % (name, label, label))
types, done, seen, current = {}, set(), set(), None
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("# HELP "):
        assert re.match(r"^# HELP %s .+$" % name, line), "line %d: HELP" % n
    elif line.startswith("# TYPE "):
        m = re.match(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % name, line)
        assert m, "line %d: TYPE" % n
        assert m.group(1) not in types, "line %d: second TYPE for %s" % (n, m.group(1))
        types[m.group(1)] = m.group(2)
        if current: done.add(current)
        current = m.group(1)
    else:
        m = sample.match(line)
        assert m, "line %d is not a sample: %r" % (n, line)
        assert m.group(1) in types, "line %d: %s has no TYPE before it" % (n, m.group(1))
        assert m.group(1) == current and m.group(1) not in done, \
            "line %d: %s is apart from its family" % (n, m.group(1))
        if types[m.group(1)] == "counter":
            assert m.group(1).endswith("_total"), "counter %s" % m.group(1)
        key = (m.group(1), m.group(2))
        assert key not in seen, "line %d: duplicate series" % n
        seen.add(key)
print(len(types), "families,", len(seen), "series")
PY
}
t "it follows the text format strictly" strict "$TMP/m1"

# Bounded load: 5 connections, 64 KiB each, echoed back whole.
head -c 65536 /dev/urandom >"$TMP/blob"
load() {
    for i in 1 2 3 4 5; do
        nsx socat -t 5 -T 10 - TCP:198.18.0.2:7 <"$TMP/blob" >"$TMP/back" || return 1
        cmp "$TMP/blob" "$TMP/back" || return 1
    done
}
t "load: 5 TCP echo connections of 64 KiB, echoed whole" load
t "curl scrapes /metrics again" scrape "$TMP/m2"
parse "$TMP/m1" >"$TMP/p1" 2>&1
parse "$TMP/m2" >"$TMP/p2" 2>&1
val() { sed -n "s/^$2 \([0-9]*\)$/\1/p" "$1"; } # FILE SERIES
delta() { echo $(($(val "$TMP/p2" "$1") - $(val "$TMP/p1" "$1"))); }
moved() { # SERIES MIN [MAX]
    local d
    d=$(delta "$1") || return 1
    echo "$1: +$d"
    [ "$d" -ge "$2" ] && [ "$d" -le "${3:-$d}" ]
}
t "passive opens: exactly 6 more (5 echo connections and the scrape)" \
    moved 'atoll_tcp_opens_total{side="passive"}' 6 6
# Segments and frames: the taps offload segmentation (docs/net.md), so
# 64 KiB may travel as a few large segments; each connection still takes
# a SYN, an ACK, data and a FIN at least.
t "TCP segments in: at least 4 per connection more" \
    moved 'atoll_tcp_segments_total{direction="in"}' 20
t "TCP segments out: at least 4 per connection more" \
    moved 'atoll_tcp_segments_total{direction="out"}' 20
t "frames received: at least 4 per connection more" \
    moved 'atoll_net_frames_total{direction="rx"}' 20
t "the metrics server counts its requests" \
    moved 'atoll_http_requests_total{server="metrics"}' 1
# Not atoll_fibers_created_total: lib/http serves plain HTTP from a pool
# of worker fibers it reuses, so a scrape need not create one.
t "the metrics server counts exactly one more connection (the scrape)" \
    moved 'atoll_http_connections_total{server="metrics"}' 1 1
t "the heap counted allocations under the load" \
    moved 'atoll_heap_allocations_total{}' 1
grep -E 'passive|segments|requests' "$TMP/p2" >>"$LOG"
