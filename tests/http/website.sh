#!/usr/bin/env bash
# tests/http/website.sh - examples/website served over a tap device to
# the Linux side of a namespace, on every target (unix; the hvt image
# sandboxed by atoll-spt; on KVM by atoll-hvt where /dev/kvm exists):
#
#   curl: every file with its body and Content-Type, ETag and
#     Last-Modified answered with 304, Range with 206 and 416, 404, HEAD,
#     a directory redirected, keep-alive reusing one connection;
#   raw bytes (tests/http/raw.py): pipelined requests answered in order;
#     every request-smuggling shape answered 400 and closed; the limits
#     (431, 413, 503 beyond max-conns) and a malformed request (400);
#     slowloris dropped at the header deadline while curl is still served;
#     an idle keep-alive connection closed at the idle deadline;
#   wrk: a short run with no errors;
#   HTTPS (a second boot, with certificates openssl makes here, baked into
#     the image): curl with the test CA, `openssl s_client` (TLS 1.2,
#     verified; 1.1 and 1.3 refused), sslscan (no SSL, TLS 1.0 or 1.1, only
#     ECDHE with AEAD ciphers), testssl.sh on unix (the same, and nothing
#     it grades MEDIUM or worse), garbage and a handshake cut short leaving
#     the server serving, wrk over HTTPS, and HTTP redirected to HTTPS.
#
# Everything happens in a namespace this test creates and always deletes
# (198.18.0.1 kernel side, 198.18.0.2 the unikernel).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-website.XXXXXX)
NS=atoll-web-$$
stop() { bg_stop_all; } # the unikernel (and anything it started)
cleanup() {
    stop
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite website
SITE=$ROOT/examples/website/site
RAW=$ROOT/tests/http/raw.py

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip curl wrk python3 openssl sslscan testssl; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    skip "examples/website over HTTP" "needs:$missing"
    exit 0
fi
ip netns add "$NS" && ip -n "$NS" link set lo up || { fail "namespace setup"; exit 0; }
# new_tap: a fresh tap for each target (a tap the last unikernel held may
# still be busy for a moment after it exits).
new_tap() {
    local old=$TAP
    TAP=tap$1
    [ -n "$old" ] && ip -n "$NS" link del "$old" 2>/dev/null
    ip -n "$NS" tuntap add dev "$TAP" mode tap &&
        ip -n "$NS" addr add 198.18.0.1/24 dev "$TAP" &&
        ip -n "$NS" link set "$TAP" up
}
TAP=

C() { nsx curl -s --max-time 5 "$@"; }
U=http://198.18.0.2
raw() { nsx python3 "$RAW" 198.18.0.2 80 "$@"; } # < request bytes

# same_body PATH FILE: curl's body equals the file.
same_body() { C -o "$TMP/got" "$U$1" && cmp "$TMP/got" "$2"; }
# has_type PATH TYPE: the answer's Content-Type.
has_type() {
    local got
    got=$(C -o /dev/null -w '%{content_type}' "$U$1")
    [ "$got" = "$2" ] || { echo "Content-Type: $got, want $2"; return 1; }
}
status_is() { # WANT CURL-ARGS...
    local want=$1 got
    shift
    got=$(C -o /dev/null -w '%{http_code}' "$@")
    [ "$got" = "$want" ] || { echo "status $got, want $want"; return 1; }
}
etag_304() {
    local etag
    etag=$(C -I "$U/index.html" | tr -d '\r' | sed -n 's/^ETag: //p')
    [ -n "$etag" ] && status_is 304 -H "If-None-Match: $etag" "$U/index.html" &&
        status_is 200 -H 'If-None-Match: "other"' "$U/index.html"
}
ims_304() {
    local lm
    lm=$(C -I "$U/hello.txt" | tr -d '\r' | sed -n 's/^Last-Modified: //p')
    [ -n "$lm" ] && status_is 304 -H "If-Modified-Since: $lm" "$U/hello.txt" &&
        status_is 200 -H "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT" \
            "$U/hello.txt"
}
range_206() {
    local out
    out=$(C -i -r 6-10 "$U/hello.txt" | tr -d '\r')
    echo "$out" | grep -q '^HTTP/1.1 206' &&
        echo "$out" | grep -q '^Content-Range: bytes 6-10/18$' &&
        [ "$(echo "$out" | tail -n 1)" = "from " ] || { echo "$out"; return 1; }
}
range_416() {
    local out
    out=$(C -i -r 100-200 "$U/hello.txt" | tr -d '\r')
    echo "$out" | grep -q '^HTTP/1.1 416' &&
        echo "$out" | grep -q '^Content-Range: bytes \*/18$' || { echo "$out"; return 1; }
}
head_ok() {
    local out
    out=$(C -I "$U/" | tr -d '\r')
    echo "$out" | grep -q '^HTTP/1.1 200' &&
        echo "$out" | grep -q '^Content-Length: 612$' &&
        echo "$out" | grep -q '^Date: ' &&
        [ "$(C -X HEAD -o "$TMP/h" -w '%{size_download}' "$U/")" = 0 ] ||
        { echo "$out"; return 1; }
}
redirect_dir() {
    local out
    out=$(C -i "$U/docs" | tr -d '\r')
    echo "$out" | grep -q '^HTTP/1.1 301' &&
        echo "$out" | grep -q '^Location: /docs/$' || { echo "$out"; return 1; }
}
keepalive_reuse() {
    nsx curl -sv --max-time 5 -o /dev/null "$U/" -o /dev/null "$U/hello.txt" \
        >"$TMP/ka" 2>&1
    grep -q 'Re-using existing connection' "$TMP/ka" || { cat "$TMP/ka"; return 1; }
}
pipelined() {
    printf 'GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /css/site.css HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
        raw >"$TMP/pipe"
    python3 - "$TMP/pipe" "$SITE" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="latin-1").read()
site = sys.argv[2]
status = re.findall(r"^HTTP/1.1 (\d+)", text, re.M)
assert status == ["200", "404", "200", "200"], status
assert "Hello from Atoll.\n" in text
assert text.index("Hello from Atoll") < text.index("404 Not Found")
assert text.rstrip().endswith("[closed after %s s]" % text.rstrip().split()[-2])
css = open(site + "/css/site.css").read()
assert css in text, "css body"
PY
}
# refused NAME STATUS BYTES: the server answers STATUS and closes.
refused() {
    local name=$1 want=$2
    printf '%b' "$3" | raw --timeout=4 >"$TMP/r"
    if head -n 1 "$TMP/r" | grep -q "^HTTP/1.1 $want " &&
        grep -q '^Connection: close' "$TMP/r" && grep -q '^\[closed after' "$TMP/r"; then
        ok "$name: $want and close ($target)"
    else
        cp "$TMP/r" "$LOG"
        fail "$name: $want and close ($target)"
    fi
}
slowloris() {
    # One byte every 0.3 s; the header deadline is 2 s.
    printf 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n' |
        raw --trickle=0.3 --timeout=8 >"$TMP/slow" &
    local sp=$!
    sleep 0.5
    # Meanwhile everyone else is served.
    local ok_others=0
    for _ in 1 2 3; do same_body /hello.txt "$SITE/hello.txt" && ok_others=$((ok_others + 1)); done
    wait $sp
    local secs
    secs=$(sed -n 's/^\[closed after \([0-9.]*\) s\]$/\1/p' "$TMP/slow")
    cat "$TMP/slow"
    [ $ok_others = 3 ] && grep -q '^HTTP/1.1 408' "$TMP/slow" && [ -n "$secs" ] &&
        python3 -c "import sys; sys.exit(not (1.8 <= $secs <= 3.5))"
}
idle_close() {
    printf 'GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n' | raw --timeout=8 >"$TMP/idle"
    local secs
    secs=$(sed -n 's/^\[closed after \([0-9.]*\) s\]$/\1/p' "$TMP/idle")
    cat "$TMP/idle"
    grep -q '^HTTP/1.1 200' "$TMP/idle" && [ -n "$secs" ] &&
        python3 -c "import sys; sys.exit(not (2.8 <= $secs <= 4.5))"
}
conns_503() {
    # max-conns is 8: eight idle connections hold every slot.
    printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' | raw --hold=8 >"$TMP/503"
    cat "$TMP/503"
    head -n 1 "$TMP/503" | grep -q '^HTTP/1.1 503 '
}
wrk_clean() {
    nsx wrk -t1 -c6 -d2s --timeout 2s "$U/" >"$TMP/wrk" 2>&1
    cat "$TMP/wrk"
    grep -q 'Requests/sec' "$TMP/wrk" && ! grep -q 'Socket errors' "$TMP/wrk" &&
        ! grep -q 'Non-2xx' "$TMP/wrk"
}

# A test CA and a certificate for site.test and 198.18.0.2 (EC P-256).
CERTS=$TMP/certs
mkdir -p "$CERTS"
(
    cd "$CERTS" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout ca.key -out ca.pem -days 2 -subj /CN=atoll-test-ca &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout server.key -out server.csr -subj /CN=site.test &&
        printf 'subjectAltName=DNS:site.test,IP:198.18.0.2\n' >ext &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
            -CAcreateserial -days 2 -extfile ext -out server.pem
) >"$LOG" 2>&1 || { fail "openssl makes the test certificates"; exit 0; }

S=https://site.test
CS() { nsx curl -s --max-time 5 --cacert "$CERTS/ca.pem" --resolve site.test:443:198.18.0.2 "$@"; }
same_body_tls() { CS -o "$TMP/got" "$S$1" && cmp "$TMP/got" "$2"; }
etag_304_tls() {
    local etag
    etag=$(CS -I "$S/index.html" | tr -d '\r' | sed -n 's/^ETag: //p')
    [ "$(CS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$S/index.html")" = 304 ]
}
s_client() { # ARGS...: openssl s_client to the site, brief
    nsx timeout 10 openssl s_client -connect 198.18.0.2:443 -servername site.test \
        -CAfile "$CERTS/ca.pem" -brief "$@" </dev/null 2>&1
}
s_client_12() {
    s_client >"$TMP/s" || true
    cat "$TMP/s"
    grep -q 'Protocol version: TLSv1.2' "$TMP/s" && grep -q 'Verification: OK' "$TMP/s"
}
s_client_refused() { # -tls1_1 or -tls1_3
    s_client "$1" >"$TMP/s"
    cat "$TMP/s"
    ! grep -q 'CONNECTION ESTABLISHED' "$TMP/s"
}
sslscan_clean() {
    nsx timeout 60 sslscan --no-colour 198.18.0.2:443 >"$TMP/scan" 2>&1
    cat "$TMP/scan"
    for p in SSLv2 SSLv3 TLSv1.0 TLSv1.1; do
        grep -Eq "^$p +disabled" "$TMP/scan" || { echo "$p not disabled"; return 1; }
    done
    grep -Eq '^TLSv1.2 +enabled' "$TMP/scan" || return 1
    local ciphers
    ciphers=$(grep -E '^(Preferred|Accepted)' "$TMP/scan")
    [ -n "$ciphers" ] || return 1
    if echo "$ciphers" | grep -Ev 'ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)'; then
        echo "a cipher that is not ECDHE with an AEAD"
        return 1
    fi
    ! grep -i 'heartbleed' "$TMP/scan" | grep -v 'not vulnerable' | grep -qi vulnerable
}
# testssl.sh (Debian's testssl): protocols (-p), cipher categories (-s)
# and forward secrecy (-f), read from its JSON: nothing below TLS 1.2
# offered, no NULL, anonymous, export, LOW, 3DES or CBC ("AVERAGE")
# ciphers, only AEAD ones, forward secrecy, and no finding it grades
# MEDIUM or worse.  It takes one to three minutes here (it is a shell
# script that starts openssl hundreds of times), so it runs on the unix
# target only; sslscan checks every target.
testssl_clean() {
    nsx timeout 400 testssl --quiet --color 0 --warnings off --fast -p -s -f \
        --jsonfile "$TMP/testssl.json" 198.18.0.2:443 >"$TMP/testssl" 2>&1
    cat "$TMP/testssl"
    python3 - "$TMP/testssl.json" <<'PY'
import json, sys
found = {e["id"]: e for e in json.load(open(sys.argv[1]))}
want = {"SSLv2": "not offered", "SSLv3": "not offered", "TLS1": "not offered",
        "TLS1_1": "not offered", "TLS1_2": "offered",
        "cipherlist_NULL": "not offered", "cipherlist_aNULL": "not offered",
        "cipherlist_EXPORT": "not offered", "cipherlist_LOW": "not offered",
        "cipherlist_3DES_IDEA": "not offered",
        "cipherlist_AVERAGE": "not offered", "cipherlist_STRONG": "offered",
        "PFS": "offered"}
bad = ["%s: %s (want %s)" % (k, found.get(k, {}).get("finding"), v)
       for k, v in want.items() if found.get(k, {}).get("finding") != v]
bad += ["%s: %s %s" % (e["id"], e["severity"], e["finding"])
        for e in found.values()
        if e.get("severity") in ("MEDIUM", "HIGH", "CRITICAL")]
print("\n".join(bad) or "testssl: nothing weak")
sys.exit(1 if bad else 0)
PY
}
tls_garbage() {
    printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' |
        nsx python3 "$RAW" 198.18.0.2 443 --timeout=3 >"$TMP/g1" || return 1
    grep -q '^\[closed after' "$TMP/g1" || { cat "$TMP/g1"; return 1; }
    # A ClientHello's first bytes, then the client hangs up.
    printf '\x16\x03\x01\x00\xff\x01\x00\x00\xfb\x03\x03' |
        nsx python3 "$RAW" 198.18.0.2 443 --timeout=0.5 >/dev/null
    same_body_tls / "$SITE/index.html"
}
redirected() {
    local out
    out=$(C -I "$U/css/site.css?v=1" | tr -d '\r')
    echo "$out" | grep -q '^HTTP/1.1 301' &&
        echo "$out" | grep -q '^Location: https://198.18.0.2/css/site.css?v=1$' ||
        { echo "$out"; return 1; }
}
wrk_tls() {
    nsx wrk -t1 -c4 -d2s --timeout 2s "https://198.18.0.2/" >"$TMP/wrk" 2>&1
    cat "$TMP/wrk"
    grep -q 'Requests/sec' "$TMP/wrk" && ! grep -q 'Socket errors' "$TMP/wrk" &&
        ! grep -q 'Non-2xx' "$TMP/wrk"
}

# uk_block IMAGE FILE: UK is the command running IMAGE for $target on $TAP
# with block device site on FILE; the caller adds "-- ARGS".
uk_block() {
    case $target in
    unix) UK=("$1" --net:net="$TAP" --block:site="$2") ;;
    hvt) UK=("$HVT" --net:net="$TAP" --block:site="$2" "$1" --) ;;
    spt) UK=("$SPT" --net:net="$TAP" --block:site="$2" "$1" --) ;;
    esac
}

for target in $INTEROP_TARGETS; do
    miss=$(target_missing "$target")
    if [ -n "$miss" ]; then
        skip_target "examples/website ($target)" "$miss"
        continue
    fi
    app=$TMP/$target
    mkdir -p "$app"
    cp -r "$ROOT/examples/website/atoll.manifest" "$ROOT/examples/website"/*.c \
        "$SITE" "$ROOT/examples/website/certs" "$app/"
    cp "$CERTS/server.pem" "$CERTS/server.key" "$app/certs/"
    if ! { "$ATOLL" -C "$app" configure -t "$target" &&
        "$ATOLL" -C "$app" build; } >"$LOG" 2>&1; then
        fail "examples/website builds ($target)"
        continue
    fi
    ok "examples/website builds ($target)"
    new_tap "$target" || { fail "tap for $target"; continue; }
    uk_cmd "$target" "$app/_build/website" net "$TAP" --ipv4=198.18.0.2/24 \
        --header_timeout=2000 --idle_timeout=3000 --max_conns=8 \
        --max_header=4096 --max_body=1000
    bg_start ip netns exec "$NS" "${UK[@]}" >"$TMP/uk.log" 2>&1
    PID=${BG_PIDS##* }
    if ! wait_line "$TMP/uk.log" "serving http on port 80" 5 >"$LOG" 2>&1; then
        fail "it starts and serves ($target)"
        stop
        continue
    fi
    ok "it starts and serves ($target)"

    for f in index.html hello.txt css/site.css img/logo.svg docs/index.html; do
        t "GET /$f: the file's bytes ($target)" same_body "/$f" "$SITE/$f"
    done
    t "GET /: index.html ($target)" same_body / "$SITE/index.html"
    t "Content-Type of .html, .css, .svg, .txt ($target)" bash -c "
        $(declare -f C has_type nsx); NS=$NS; U=$U
        has_type /index.html 'text/html; charset=utf-8' &&
        has_type /css/site.css 'text/css; charset=utf-8' &&
        has_type /img/logo.svg image/svg+xml &&
        has_type /hello.txt 'text/plain; charset=utf-8'"
    t "If-None-Match with the ETag: 304; another tag: 200 ($target)" etag_304
    t "If-Modified-Since Last-Modified: 304; an older date: 200 ($target)" ims_304
    t "Range bytes=6-10: 206 with those bytes ($target)" range_206
    t "Range past the end: 416 with bytes */18 ($target)" range_416
    t "a missing file: 404 ($target)" status_is 404 "$U/missing.html"
    t "HEAD: the GET's headers and no body ($target)" head_ok
    t "a directory without its '/': 301 ($target)" redirect_dir
    t "POST to a file: 405 ($target)" status_is 405 -d x "$U/index.html"
    t "keep-alive: curl reuses the connection ($target)" keepalive_reuse
    t "pipelined requests answered in order ($target)" pipelined

    H='Host: a\r\n'
    refused "Content-Length and Transfer-Encoding" 400 \
        "POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    refused "two Content-Lengths that differ" 400 \
        "POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
    refused "obs-fold" 400 "GET / HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n"
    refused "bare LF" 400 "GET / HTTP/1.1\n${H}\r\n"
    refused "bare CR" 400 "GET / HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n"
    refused "space before the colon" 400 "GET / HTTP/1.1\r\nHost : a\r\n\r\n"
    refused "an invalid chunk size" 400 \
        "POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"
    refused "Transfer-Encoding not ending in chunked" 400 \
        "POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n"
    refused "a malformed request line" 400 "GET /index.html\r\n\r\n"
    refused "no Host" 400 "GET / HTTP/1.1\r\n\r\n"
    refused "HTTP/2.0" 505 "GET / HTTP/2.0\r\n${H}\r\n"
    big=$(head -c 5000 /dev/zero | tr '\0' a)
    refused "a 5000-byte header over --max_header=4096" 431 \
        "GET / HTTP/1.1\r\n${H}X-Big: $big\r\n\r\n"
    refused "Content-Length 2000 over --max_body=1000" 413 \
        "POST / HTTP/1.1\r\n${H}Content-Length: 2000\r\n\r\n"
    chunk=$(head -c 1500 /dev/zero | tr '\0' b)
    refused "a chunked body of 1500 bytes over --max_body=1000" 413 \
        "POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5dc\r\n$chunk\r\n0\r\n\r\n"
    t "a chunked body within the limit is read (405 for POST, kept alive) ($target)" \
        bash -c "printf 'POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
            ip netns exec $NS python3 $RAW 198.18.0.2 80 >$TMP/ch &&
            grep -q '^HTTP/1.1 405' $TMP/ch && grep -q '^Hello from Atoll' $TMP/ch"
    t "slowloris: 408 and closed at the 2 s header deadline, others served ($target)" slowloris
    t "an idle keep-alive connection is closed at 3 s ($target)" idle_close
    t "beyond --max_conns=8: 503 ($target)" conns_503
    t "wrk -c6 for 2 s: no socket errors, no non-2xx ($target)" wrk_clean
    t "the server is still running ($target)" kill -0 "$PID"
    t "one log line per request ($target)" grep -q '"GET /hello.txt HTTP/1.1" 200 18' "$TMP/uk.log"
    stop

    # HTTPS, and HTTP redirected to it.
    new_tap "$target-s" || { fail "tap for $target"; continue; }
    uk_cmd "$target" "$app/_build/website" net "$TAP" --ipv4=198.18.0.2/24 \
        --https_port=443 --redirect
    bg_start ip netns exec "$NS" "${UK[@]}" >"$TMP/uk.log" 2>&1
    PID=${BG_PIDS##* }
    if ! wait_line "$TMP/uk.log" "serving http on port 80" 5 >"$LOG" 2>&1; then
        fail "it starts with HTTPS ($target)"
        stop
        continue
    fi
    ok "it starts with HTTPS ($target)"
    for f in index.html hello.txt img/logo.svg; do
        t "HTTPS GET /$f: the file's bytes ($target)" same_body_tls "/$f" "$SITE/$f"
    done
    t "HTTPS: ETag answered with 304 ($target)" etag_304_tls
    t "openssl s_client: TLS 1.2, certificate verified ($target)" s_client_12
    t "openssl s_client -tls1_1: refused ($target)" s_client_refused -tls1_1
    t "openssl s_client -tls1_3: refused ($target)" s_client_refused -tls1_3
    t "sslscan: no SSL, TLS 1.0, 1.1; only ECDHE+AEAD ciphers ($target)" sslscan_clean
    [ "$target" = unix ] &&
        t "testssl.sh: nothing below TLS 1.2, only AEAD ciphers with forward secrecy, nothing MEDIUM or worse ($target)" testssl_clean
    t "plain HTTP and a cut handshake on 443: still serving ($target)" tls_garbage
    t "HTTP redirected to HTTPS (301, same path and query) ($target)" redirected
    t "wrk -c4 over HTTPS for 2 s: no errors ($target)" wrk_tls
    t "the HTTPS server is still running ($target)" kill -0 "$PID"
    stop

    # The same site from a tar archive on a block device (--impl site=tar).
    tapp=$TMP/$target-tar
    cp -r "$app" "$tapp" && rm -rf "$tapp/_build"
    if ! { "$ATOLL" -C "$tapp" configure -t "$target" --impl site=tar &&
        "$ATOLL" -C "$tapp" build; } >"$LOG" 2>&1; then
        fail "examples/website builds with --impl site=tar ($target)"
        continue
    fi
    tar -C "$SITE" -cf "$TMP/site.tar" .
    new_tap "$target-t" || { fail "tap for $target"; continue; }
    uk_block "$tapp/_build/website" "$TMP/site.tar"
    bg_start ip netns exec "$NS" "${UK[@]}" -- --ipv4=198.18.0.2/24 >"$TMP/uk.log" 2>&1
    PID=${BG_PIDS##* }
    if ! wait_line "$TMP/uk.log" "serving http on port 80" 5 >"$LOG" 2>&1; then
        fail "it starts with the site in a tar archive ($target)"
        stop
        continue
    fi
    ok "it starts with the site in a tar archive ($target)"
    for f in index.html css/site.css img/logo.svg docs/index.html; do
        t "tar: GET /$f: the file's bytes ($target)" same_body "/$f" "$SITE/$f"
    done
    t "tar: If-None-Match with the ETag: 304 ($target)" etag_304
    t "tar: Range 206 ($target)" range_206
    t "tar: a missing file: 404 ($target)" status_is 404 "$U/missing.html"
    stop

    # The same site from branch main of a versioned store: a deploy is a
    # commit, a rollback a revert (atoll store import / revert).
    sapp=$TMP/$target-store
    cp -r "$app" "$sapp" && rm -rf "$sapp/_build"
    if ! { "$ATOLL" -C "$sapp" configure -t "$target" --impl site=store &&
        "$ATOLL" -C "$sapp" build; } >"$LOG" 2>&1; then
        fail "examples/website builds with --impl site=store ($target)"
        continue
    fi
    img=$TMP/site-$target.img
    rm -rf "$TMP/v2" && cp -r "$SITE" "$TMP/v2" && rm "$TMP/v2/img/logo.svg" &&
        echo "version 2" >"$TMP/v2/hello.txt"
    v1=$("$ATOLL" store import "$img" "$SITE" --message="deploy 1" 2>>"$LOG" | cut -c1-64)
    "$ATOLL" store import "$img" "$TMP/v2" --message="deploy 2" >>"$LOG" 2>&1
    boot_store() { # WHAT: start on the image, wait until it serves
        new_tap "$target-$1" || return 1
        uk_block "$sapp/_build/website" "$img"
        bg_start ip netns exec "$NS" "${UK[@]}" -- --ipv4=198.18.0.2/24 >"$TMP/uk.log" 2>&1
        PID=${BG_PIDS##* }
        wait_line "$TMP/uk.log" "serving http on port 80" 5
    }
    t "store: it starts on the deployed commit ($target)" boot_store s2
    t "store: deploy 2's hello.txt ($target)" bash -c \
        "[ \"\$(ip netns exec $NS curl -s --max-time 5 $U/hello.txt)\" = 'version 2' ]"
    t "store: deploy 2 removed img/logo.svg: 404 ($target)" status_is 404 "$U/img/logo.svg"
    t "store: the other files are there ($target)" same_body /css/site.css "$SITE/css/site.css"
    stop
    t "store: atoll store revert to deploy 1 ($target)" "$ATOLL" store revert "$img" "$v1"
    t "store: after the revert, it starts again ($target)" boot_store s1
    t "store: deploy 1's files are back ($target)" bash -c \
        "$(declare -f same_body C nsx); NS=$NS U=$U
         same_body /hello.txt '$SITE/hello.txt' && same_body /img/logo.svg '$SITE/img/logo.svg'"
    stop
done
