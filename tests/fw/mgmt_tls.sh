#!/usr/bin/env bash
# tests/fw/mgmt_tls.sh - examples/firewall's management interface over
# TLS (--mgmt_tls), once per target (suites fw-mgmt-tls for unix,
# fw-mgmt-tls-spt): a test CA and a certificate for 198.18.1.1 that
# openssl makes here, baked into the image from the read-only store
# `certs`; from the client namespace of tests/fw/topo.bash, curl with the
# CA reads the rules and puts new ones with the token, and is refused
# (401) without it; curl without the CA refuses the certificate, plain
# HTTP on the port gets no answer, and a build without certificates
# refuses --mgmt_tls at boot.  Namespaces (unique per run) are always
# deleted; no traffic leaves them.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
. "$ROOT/tests/fw/topo.bash"
export ATOLL_BUILD=${BUILD:-build}
TLS_TARGETS=${FW_TARGETS:-unix spt}
TMP=$(mktemp -d /tmp/atoll-fwtls.XXXXXX)
NSES=""
trap fw_cleanup EXIT

TOKEN=fw-tls-token-$$-0123456789
URL=https://198.18.1.1:8443

# A test CA and a certificate for the firewall's inside address.
make_certs() {
    mkdir -p "$TMP/certs" && cd "$TMP/certs" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -nodes -keyout ca.key -out ca.pem -days 2 \
            -subj /CN=atoll-fw-test-ca &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout server.key -out server.csr -subj /CN=firewall.test &&
        printf 'subjectAltName=IP:198.18.1.1\n' >ext &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
            -CAcreateserial -days 2 -extfile ext -out server.pem
}

cs() { # CURL-ARGS...: from the client, trusting the test CA
    ip netns exec "$NC" curl -sS --max-time 10 --cacert "$TMP/certs/ca.pem" "$@"
}

tls_rules() {
    cs -H "Authorization: Bearer $TOKEN" "$URL/rules" | grep -q "^masquerade"
}

tls_no_token() {
    local code
    code=$(cs -o /dev/null -w '%{http_code}' "$URL/rules")
    echo "without the token: $code"
    [ "$code" = 401 ]
}

tls_put() {
    local out
    out=$(cs -X PUT -H "Authorization: Bearer $TOKEN" \
        -H "X-Author: Operator <op@atoll.invalid>" -H "X-Message: over TLS" \
        --data-binary $'accept state established,related\naccept in inside\nmasquerade out outside from 198.18.1.0/24' \
        "$URL/rules")
    echo "put: $out"
    [[ $out =~ ^[0-9a-f]{64}$ ]] &&
        cs -H "Authorization: Bearer $TOKEN" "$URL/log" | grep -q "over TLS"
}

untrusted_refused() {
    local out
    out=$(ip netns exec "$NC" curl -sS --max-time 10 \
        -H "Authorization: Bearer $TOKEN" "$URL/rules" 2>&1)
    echo "$out"
    echo "$out" | grep -qi "certificate"
}

plain_unanswered() {
    local out
    out=$(ip netns exec "$NC" curl -sS --max-time 5 \
        -H "Authorization: Bearer $TOKEN" http://198.18.1.1:8443/rules 2>&1)
    echo "$out"
    ! echo "$out" | grep -q "^masquerade"
}

RULES='accept state established,related
accept in inside out outside
masquerade out outside from 198.18.1.0/24'

run_target() {
    local target=$1
    NS=atoll-fwt-$target-$$
    NC=atoll-fwtc-$target-$$
    NSV=atoll-fwts-$target-$$
    W=$TMP/$target
    mkdir -p "$W/src"
    NSES="$NSES $NS $NC $NSV"
    t "namespaces: client, firewall, server" topology
    # the example with the test's certificate in its certs folder
    (cd "$ROOT/examples/firewall" && tar --exclude=./_build -cf - .) |
        (cd "$W/src" && tar -xf -)
    cp "$TMP/certs/server.pem" "$TMP/certs/server.key" "$W/src/certs/"
    t "examples/firewall builds for $target with a certificate baked in" \
        uk_build "$target" "$W/src" "$W/fw"
    truncate -s 4M "$W/history.img"
    local args=(--inside-ipv4=198.18.1.1/24 --outside-ipv4=198.18.2.1/24
        --inside-ipv6=off --outside-ipv6=off --rules="$RULES"
        --token="$TOKEN" --mgmt_tls)
    local devs=(--net:inside=tap0 --net:outside=tap1
        --block:history="$W/history.img")
    case $target in
    unix) UK=("$W/fw/_build/firewall" "${devs[@]}" -- "${args[@]}") ;;
    spt) UK=("$SPT" "${devs[@]}" "$W/fw/_build/firewall" -- -- "${args[@]}") ;;
    esac
    bg_start ip netns exec "$NS" "${UK[@]}" >"$W/uk.log" 2>&1
    t "the firewall starts with --mgmt_tls" \
        wait_line "$W/uk.log" "firewall: forwarding" 10
    t "GET /rules over TLS with the token, the CA trusted" tls_rules
    t "without the token: 401 over TLS too" tls_no_token
    t "PUT /rules over TLS: committed, in GET /log" tls_put
    t "curl without the test CA refuses the certificate" untrusted_refused
    t "plain HTTP on the port gets no rules" plain_unanswered
    bg_stop_all
    # without certificates, --mgmt_tls stops the firewall at boot
    t "examples/firewall builds for $target without a certificate" \
        uk_build "$target" "$ROOT/examples/firewall" "$W/nocert"
    case $target in
    unix) UK=("$W/nocert/_build/firewall" "${devs[@]}" -- "${args[@]}") ;;
    spt) UK=("$SPT" "${devs[@]}" "$W/nocert/_build/firewall" -- -- "${args[@]}") ;;
    esac
    expect_fail "without a certificate, --mgmt_tls is refused at boot" \
        "firewall: --mgmt_tls:" ip netns exec "$NS" timeout 20 "${UK[@]}"
    ip netns del "$NS" 2>/dev/null
    ip netns del "$NC" 2>/dev/null
    ip netns del "$NSV" 2>/dev/null
}

missing=$(need openssl)
[ -z "$missing" ] && ! (make_certs) >"$LOG" 2>&1 && missing=" openssl certificates"
# shellcheck disable=SC2086 # the targets, one word each
fw_each_target fw-mgmt-tls "the management interface over TLS" "$missing" $TLS_TARGETS
