#!/usr/bin/env bash
# tests/tool/fuzz.sh - the manifest parser and a unikernel's command-line
# parser against garbage: nothing may crash (exit status >= 128) or trip
# AddressSanitizer/UBSan.
#
# The garbage is reproducible: a pool of bytes comes from a fixed-seed PRNG
# (python's Mersenne Twister, seed below), and each case is a slice of it
# (raw bytes) or a "token soup" of manifest words, quotes, escapes and
# control bytes drawn from the same generator.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-fuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
SEED=20261123
CASES=200

suite tool-fuzz

# The tool built with sanitizers (the same sources as bin/atoll, including
# the store code `atoll store` links: STORE_HOST_SRC in the Makefile), so that a
# memory error is a failure even when it does not crash.
# The list is read from the Makefile, so the two cannot drift apart.
TOOL=$TMP/atoll-san
read -r -a STORE_SRC < <(make -s --no-print-directory -C "$ROOT" \
    --eval 'print-store-src: ; @echo $(STORE_HOST_SRC)' print-store-src)
if cc -std=gnu11 -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=all -I "$ROOT/include" -I "$ROOT/platform" \
    "$ROOT"/tools/atoll/*.c "${STORE_SRC[@]/#/$ROOT/}" \
    -o "$TOOL" >"$LOG" 2>&1; then
    ok "the tool builds with ASan+UBSan"
else
    fail "the tool builds with ASan+UBSan"
    TOOL=$ATOLL
fi
export ATOLL_ROOT=$ROOT

python3 - "$TMP/cases" "$SEED" "$CASES" <<'PY'
import os, random, sys
out, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
os.makedirs(out)
pool = bytes(rng.getrandbits(8) for _ in range(1 << 16))
words = ["name", "main", "sources", "device", "arg", "net", "block", "int",
         "string", "bool", "default", "flood", "full", "busy", "required",
         "true", "false", "app", "x", "disk", "service", "main.c", "-1",
         "0x7fffffffffffffff", "99999999999999999999", "#", '"', '\\',
         '"a\\"b"', '"\\q"', "\t", "\r", "\x00", "\xff", "console", "int",
         "a" * 70, "9x", "-x.c", "*/", "??/", '"??="', "%s%n", "\\x00"]
for i in range(n):
    path = os.path.join(out, "case%03d" % i)
    os.makedirs(path)
    if i % 2 == 0:
        off = rng.randrange(len(pool))
        data = pool[off:off + rng.randrange(1, 4096)]
    else:
        # Mostly well-formed lines with hostile names, defaults and help
        # texts (so some manifests are accepted and their generated C is
        # compiled), mixed with random word salad.
        lines = []
        for j in range(rng.randrange(1, 30)):
            r = rng.random()
            if r < 0.45:
                lines.append("device %s d%d %s" % (
                    rng.choice(["net", "block"]), j,
                    rng.choice(["", "default", "flood", "full", "busy"])))
            elif r < 0.93:
                units = ["a", "b", " ", "?", "??", "*/", "/*", "%s", "#",
                         '\\"', "\\\\", "\\t", "\\n", "\xe9", "\x01"]
                text = "".join(rng.choice(units) for _ in
                               range(rng.randrange(0, 12)))
                ty, dv = rng.choice([("int", "-5"), ("int", "0x10"),
                                     ("bool", "true"), ("string", '""'),
                                     ("string", "required"),
                                     ("string", '"required"')])
                lines.append('arg a%d %s %s "%s"' % (j, ty, dv, text))
            else:
                k = rng.randrange(0, 8)
                lines.append(" ".join(rng.choice(words) for _ in range(k)))
        if rng.random() < 0.7:
            lines.insert(0, "name app%d" % i)
        data = "\n".join(lines).encode("latin-1")
    with open(os.path.join(path, "atoll.manifest"), "wb") as f:
        f.write(data)
    with open(os.path.join(path, "main.c"), "w") as f:
        f.write("/* fuzz case */\n")
PY

crashed=0
first=""
for d in "$TMP"/cases/case*; do
    (cd "$d" && "$TOOL" configure -t sim) >"$d/out" 2>&1
    st=$?
    if [ $st -ge 128 ] || grep -q 'Sanitizer\|runtime error' "$d/out"; then
        crashed=$((crashed + 1))
        [ -z "$first" ] && first=$d
    fi
    # What configure accepted must compile.
    if [ $st -eq 0 ] && ! cc -std=gnu11 -Wall -Wextra -Werror \
        -I "$ROOT/include" -I "$d/_build" -c "$d/_build/atoll_app.c" \
        -o "$d/app.o" >>"$d/out" 2>&1; then
        crashed=$((crashed + 1))
        [ -z "$first" ] && first=$d
    fi
done
cp "${first:-/dev/null}/out" "$LOG" 2>/dev/null
if [ $crashed -eq 0 ]; then ok "$CASES garbage manifests: no crash, no sanitizer report"
else fail "$CASES garbage manifests: no crash" "$crashed bad, first: $first"; fi

accepted=$(ls -d "$TMP"/cases/case*/_build 2>/dev/null | wc -l)
if [ "$accepted" -lt "$CASES" ] && [ "$accepted" -gt 0 ]; then
    ok "garbage is refused, valid cases compile ($accepted of $CASES accepted)"
else fail "garbage is refused, valid cases compile" "$accepted of $CASES accepted"; fi

# --- a unikernel's command line -------------------------------------------
app=$TMP/odd
mkdir "$app"
cat >"$app/atoll.manifest" <<'MF'
name odd
device net   service flood
device block disk    full
arg    count int    1      "n"
arg    who   string World  "w"
arg    loud  bool   false  "l"
MF
printf '#include "atoll_app.h"\nint app_main(struct app *a) { (void)a; return 0; }\n' \
    >"$app/main.c"
if ! "$ATOLL" -C "$app" configure -t sim --sanitize >"$LOG" 2>&1 ||
    ! "$ATOLL" -C "$app" build >>"$LOG" 2>&1; then
    fail "build a unikernel with sanitizers for odd command lines"
else
    ok "build a unikernel with sanitizers for odd command lines"
    long=$(head -c 100000 /dev/zero | tr '\0' a)
    odd=("" "-" "--" "---" "--=" "-=-" "--net:" "--net:=" "--net:=x"
        "--block:" "--block:disk" "--block:disk=" "--net:service=a=b"
        "--mem" "--mem=" "--mem=-1" "--mem=0x" "--mem=99999999999999999999"
        "--trace=" "--trace-size=0" "--trace-size=-5" "--log=" "--log=,"
        "--log=:" "--log=a:b:c" "--seed=" "--seed=x" "--wire:=" "--$long"
        "--net:$long=x" "-- --count" "-- --count=" "-- --=" "-- ---"
        "-- --no-count" "-- --no-" "-- --loud=maybe" "-- --count=0x"
        "-- --count=-9223372036854775809" "-- $long" "-- --$long"
        "-- --who" "-- -- --" "-- --help=1" "$(printf '\001\377')")
    bad=0
    for a in "${odd[@]}"; do
        # shellcheck disable=SC2086 # split "-- X" into two words on purpose
        "$app/_build/odd" $a >"$TMP/odd.out" 2>&1
        st=$?
        if [ $st -ge 128 ] || grep -q 'Sanitizer\|runtime error' "$TMP/odd.out"; then
            bad=$((bad + 1))
            { echo "argument: ${a:0:60}"; cat "$TMP/odd.out"; } >>"$LOG"
        fi
    done
    if [ $bad -eq 0 ]; then ok "${#odd[@]} odd command lines: no crash"
    else fail "${#odd[@]} odd command lines: no crash" "$bad crashed"; fi
fi

# --- trace files (atoll trace summary / view) -------------------------------
# A valid trace of every event kind, then mutations of it: bytes flipped,
# cut short, tokens spliced in, and events whose members change type, go
# missing or take extreme values.  Every case must end with status 0 or 1.
python3 - "$TMP/traces" "$SEED" "$CASES" <<'PY'
import json, os, random, sys
out, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
os.makedirs(out)
ev = [{"name": "thread_name", "ph": "M", "pid": 1, "tid": t,
       "args": {"name": nm}} for t, nm in [(0, "scheduler"), (1, "main"),
                                          (2, "rx \u00e9")]]
ts = 0.0
for i in range(40):
    tid = 1 + i % 2
    ev.append({"name": "run", "ph": "X", "ts": ts, "dur": 3.5, "tid": tid})
    ev.append({"name": "block", "ph": "i", "ts": ts + 1, "tid": tid,
               "args": {"reason": rng.choice(["sleep", "join", "net0 rx"])}})
    ev.append({"name": "io", "ph": "i", "ts": ts + 2, "tid": tid,
               "args": {"device": "net0", "bytes": rng.choice([60, -5])}})
    ev.append({"name": "label %d" % i, "ph": "i", "ts": ts + 2, "tid": tid})
    ev.append({"name": "q", "ph": "C", "ts": ts, "tid": tid,
               "args": {"value": i, "other": i * 2}})
    ev.append({"name": "idle", "ph": "X", "ts": ts + 4, "dur": 5, "tid": 0})
    ev.append({"name": "timer", "ph": "i", "ts": ts + 9, "tid": 0,
               "args": {"fiber": 3 - tid}})
    ev.append({"name": "wake", "ph": "i", "ts": ts + 9, "tid": 3 - tid,
               "args": {"by_timeout": True}})
    ts += 9
ev.append({"name": "exit", "ph": "i", "ts": ts, "tid": 1, "args": {"result": 0}})
base = json.dumps({"traceEvents": ev}).encode()
open(os.path.join(out, "valid.json"), "wb").write(base)
odd = [None, True, "x", -1, 0, 1e300, -1e300, 2.5, [], {}, "\u0000", 9e15,
       -9e15, 2**53 + 1, "</script>"]
tokens = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"\\u", b"\\ud800",
          b"1e999", b"-", b"0.", b"true", b"nul", b"\xff", b"\xc0\x80", b"\x00"]
for i in range(n):
    r = rng.random()
    if r < 0.25:
        d = bytearray(base)
        for _ in range(rng.randrange(1, 8)):
            d[rng.randrange(len(d))] = rng.randrange(256)
        data = bytes(d)
    elif r < 0.4:
        data = base[:rng.randrange(len(base))]
    elif r < 0.55:
        p = rng.randrange(len(base))
        data = base[:p] + rng.choice(tokens) + base[p:]
    else:
        doc = json.loads(base)
        for _ in range(rng.randrange(1, 6)):
            e = rng.choice(doc["traceEvents"])
            k = rng.choice(["ph", "ts", "dur", "tid", "name", "args", "reason",
                            "fiber", "bytes", "sort_index"])
            v = rng.choice(odd) if rng.random() < 0.8 else rng.choice(
                ["X", "i", "I", "C", "M", "B", "E", "", "XX"])
            if k in ("reason", "fiber", "bytes", "sort_index"):
                e.setdefault("args", {})
                if isinstance(e["args"], dict):
                    e["args"][k] = v
            elif rng.random() < 0.3:
                e.pop(k, None)
            else:
                e[k] = v
        data = json.dumps(doc).encode()
    open(os.path.join(out, "case%03d.json" % i), "wb").write(data)
PY
crashed=0
accepted=0
first=""
for f in "$TMP"/traces/*.json; do
    "$TOOL" trace summary "$f" >"$f.out" 2>&1
    st=$?
    "$TOOL" trace view "$f" -o "$f.html" >>"$f.out" 2>&1
    st2=$?
    [ $st -eq 0 ] && accepted=$((accepted + 1))
    if [ $st -gt 1 ] || [ $st2 -ne $st ] ||
        grep -q 'Sanitizer\|runtime error' "$f.out"; then
        crashed=$((crashed + 1))
        [ -z "$first" ] && first=$f
    fi
done
cp "${first:-/dev/null}.out" "$LOG" 2>/dev/null
if [ $crashed -eq 0 ]; then
    ok "$CASES garbled traces: summary and view agree, no crash, no sanitizer report"
else
    fail "$CASES garbled traces: no crash" "$crashed bad, first: $first"
fi
if [ -s "$TMP/traces/valid.json.html" ] && [ "$accepted" -gt 1 ] &&
    [ "$accepted" -le "$CASES" ]; then
    ok "the unmutated trace is read; some garbled ones too ($accepted of $((CASES + 1)))"
else
    fail "the unmutated trace is read" "$accepted of $((CASES + 1)) accepted"
fi
