#!/usr/bin/env bash
# tests/dns/fuzz.sh - the DNS message parsers (resolver and server side),
# the DHCP reply checker and the zone-file parser under libFuzzer
# (tests/fuzz/dns_message.c, dhcp_packet.c, zone_parse.c), briefly: built
# with clang -fsanitize=fuzzer,address,undefined with the whole runtime
# and the sim platform, run for a fixed number of inputs from a fixed
# seed, starting from a few real messages.  A crash, a sanitizer report,
# a leak or a timeout fails it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-dnsfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-20000}
suite dns-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
fuzz_runtime "$TMP" && built=1 || built=0

# Seeds: a query, a response with a compressed CNAME chain, a DHCP ACK, a
# zone with every record type.
mkdir -p "$TMP/c-dns" "$TMP/c-dhcp" "$TMP/c-zone"
printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01\x03www\x01f\x04test\x00\x00\x01\x00\x01\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00' \
    >"$TMP/c-dns/query"
printf '\x12\x34\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00\x01c\x01f\x04test\x00\x00\x01\x00\x01\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x06\x03www\xc0\x0e\xc0\x23\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc6\x12\x00\x02' \
    >"$TMP/c-dns/response"
{
    printf '\x02\x01\x06\x00\xaa\xbb\xcc\xdd'
    head -c 8 /dev/zero
    printf '\x00\x00\x00\x00\xc6\x12\x00\x64'
    head -c 8 /dev/zero
    printf '\x02\x00\x00\x00\x00\x09'
    head -c 202 /dev/zero
    printf '\x63\x82\x53\x63\x35\x01\x05\x36\x04\xc6\x12\x00\x01\x01\x04\xff\xff\xff\x00\x03\x04\xc6\x12\x00\x01\x06\x08\xc6\x12\x00\x01\xc6\x12\x00\x02\x33\x04\x00\x00\x0e\x10\xff'
} >"$TMP/c-dhcp/ack"
cat >"$TMP/c-zone/zone" <<'ZONE'
$ORIGIN z.test.
$TTL 1h
@ IN SOA ns1 host.z.test. ( 1 2h 1h 2w 300 )
  IN NS ns1
  IN MX 10 mail
ns1 IN A 198.18.0.1
www 60 IN A 198.18.0.2
www IN AAAA 2001:db8::1
web IN CNAME www
txt IN TXT "a \"b\" \065" c
ZONE

for target in dns_message dhcp_packet zone_parse; do
    case $target in
    dns_message) corpus=c-dns; max=1024 ;;
    dhcp_packet) corpus=c-dhcp; max=600 ;;
    zone_parse) corpus=c-zone; max=2048 ;;
    esac
    bin=$TMP/$target
    if [ $built = 0 ] || ! fuzz_link "$TMP" "tests/fuzz/$target.c" "$bin"; then
        fail "fuzz target $target builds with libFuzzer"
        continue
    fi
    : >"$LOG"
    if "$bin" -seed=1 -runs="$RUNS" -max_len=$max -timeout=10 \
        -artifact_prefix="$TMP/" "$TMP/$corpus" \
        >"$LOG" 2>&1; then
        ok "$target: $RUNS fuzzed inputs, no crash, leak or sanitizer report"
    else
        fail "$target: fuzzing found a problem (see log)"
    fi
done
