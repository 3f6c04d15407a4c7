# tests/fuzz/targets.bash - every libFuzzer target in one place, for the
# scripts that build and run them: the short runs of `make test`
# (tests/net/fuzz.sh, tests/tcp/fuzz.sh, tests/dns/fuzz.sh,
# tests/kv_ro/kv_ro.sh, tests/store/store.sh, tests/fw/fuzz.sh,
# tests/http/fuzz.sh) and
# `make fuzz-long` (tests/fuzz/long.bash).  Sourced after tests/lib.sh and
# runtime.bash; run from the repository root.
#
#   FUZZ_TARGETS            every target (tests/fuzz/NAME.c)
#   fuzz_max_len NAME       the -max_len it runs with
#   fuzz_build DIR NAME     links DIR/NAME (after fuzz_runtime DIR, except
#                           store_decoders, which is built from the few
#                           host-side sources it tests; tls_pem also needs
#                           BearSSL's objects, $BUILD/rel/bearssl/*.o, from
#                           `make`); non-zero on error
#   fuzz_seeds NAME DIR     writes a few real inputs to start from into DIR
#   fuzz_short DIR NAME RUNS  a short run of NAME: one [OK] or [FAIL] line
#   fuzz_report LOG         "N runs, cov: E edges" from libFuzzer's output:
#                           how far the run got into the code (edges of
#                           the control-flow graph it reached)

# shellcheck disable=SC2034 # used by the scripts that source this file
FUZZ_TARGETS="net_eth net_arp net_ipv4 net_icmp net_udp net_ipv6 net_icmpv6
    net_nd tcp_input dns_message dhcp_packet zone_parse kv_ro_tar_fuzz
    store_decoders fw_rules fw_packet http_request tls_pem"

fuzz_max_len() {
    case $1 in
    tcp_input | zone_parse | fw_rules) echo 2048 ;;
    dns_message) echo 1024 ;;
    dhcp_packet) echo 600 ;;
    kv_ro_tar_fuzz) echo 16384 ;;
    tls_pem) echo 4096 ;; # a 2048-bit RSA certificate and key: 2.8 KB
    *) echo 4096 ;;
    esac
}

fuzz_build() { # DIR NAME
    if [ "$2" = store_decoders ]; then
        # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of words
        clang $FUZZ_FLAGS -fsanitize=fuzzer tests/fuzz/store_decoders.c \
            lib/store/object.c lib/store/block_record.c lib/store/crc32c.c \
            lib/crypto/sha256.c tools/atoll/store_host.c lib/core/error.c \
            lib/dev/block_range.c -o "$1/$2" >>"$LOG" 2>&1
    elif [ "$2" = tls_pem ]; then
        # lib/tls is not in the runtime archive: it needs BearSSL's headers,
        # and BearSSL's own objects are linked uninstrumented.
        local b=${BUILD:-build} f ok=0
        mkdir -p "$1/tls"
        for f in lib/tls/*.c; do
            # shellcheck disable=SC2086
            clang $FUZZ_FLAGS -fsanitize=fuzzer-no-link \
                -I"$b/bearssl/src/inc" -c "$f" \
                -o "$1/tls/$(basename "$f" .c).o" >>"$LOG" 2>&1 || ok=1
        done
        [ $ok = 0 ] || return 1
        # shellcheck disable=SC2086
        clang $FUZZ_FLAGS -fsanitize=fuzzer tests/fuzz/tls_pem.c \
            "$1"/tls/*.o "$1/libfuzz.a" "$b"/rel/bearssl/*.o -lm \
            -o "$1/$2" >>"$LOG" 2>&1
    else
        fuzz_link "$1" "tests/fuzz/$2.c" "$1/$2"
    fi
}

fuzz_seeds() { # NAME DIR
    local d=$2
    mkdir -p "$d"
    case $1 in
    net_ipv4 | net_eth)
        # A ping and a UDP datagram to port 7 (checksums are fixed up);
        # net_eth's start with an Ethernet header to the flood netif's MAC.
        local eth=""
        [ "$1" = net_eth ] && eth='\x02\x00\x00\xf1\x00\xd0\x02\x00\x00\x00\x00\x09\x08\x00'
        printf '%b' "$eth"'\x45\x00\x00\x24\x00\x01\x00\x00\x40\x01\x00\x00\xc6\x12\x00\x09\xc6\x12\x00\x02\x08\x00\x00\x00\x42\x42\x00\x01pingpingpingping' \
            >"$d/ping"
        printf '%b' "$eth"'\x45\x00\x00\x20\x00\x02\x00\x00\x40\x11\x00\x00\xc6\x12\x00\x09\xc6\x12\x00\x02\x30\x39\x00\x07\x00\x0c\x00\x00echo' \
            >"$d/udp"
        ;;
    net_ipv6)
        # Steering byte 0 (fix lengths, addresses, checksum), then an echo
        # request behind a hop-by-hop and a destination options header
        # (PadN), and the first fragment of an echo.
        local v6='\x60\x00\x00\x00\x00\x00'
        local a='\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
        printf '%b' "\x00$v6\x00\x40$a\x09$a\x02"'\x3c\x00\x01\x04\x00\x00\x00\x00\x3a\x00\x01\x04\x00\x00\x00\x00\x80\x00\x00\x00\x00\x07\x00\x01ping' \
            >"$d/echo_ext"
        printf '%b' "\x00$v6\x2c\x40$a\x09$a\x02"'\x3a\x00\x00\x01\x00\x00\x00\x05\x80\x00\x00\x00\x00\x07\x00\x01' \
            >"$d/frag"
        ;;
    net_icmpv6)
        # An echo request; an MLDv2 query from a link-local router (hop
        # limit 1); a packet too big quoting a packet of ours.
        printf '\x00\x80\x00\x00\x00\x00\x07\x00\x01pingping' >"$d/echo"
        printf '\x16\x82\x00\x00\x00\x27\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x7d\x00\x00' \
            >"$d/mld_query"
        printf '%b' '\x00\x02\x00\x00\x00\x00\x00\x05\x00\x60\x00\x00\x00\x00\x08\x3a\x40\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\x81\x00\x00\x00\x00\x07\x00\x01' \
            >"$d/ptb"
        ;;
    net_nd)
        # A neighbor solicitation for our address with a source link-layer
        # option; a router advertisement with MTU, prefix and source
        # link-layer options, from a link-local router, SLAAC on.
        {
            printf '\x02\x10'
            head -c 24 /dev/zero
            printf '\x01\x01\x02\x00\x00\x00\x00\x09'
        } >"$d/ns"
        {
            printf '\x01\x46\x00\x00\x00\x00\x40\x00\x07\x08'
            head -c 8 /dev/zero
            printf '\x05\x01\x00\x00\x00\x00\x05\x78'
            printf '\x03\x04\x40\xc0\x00\x00\x0e\x10\x00\x00\x0e\x10'
            head -c 4 /dev/zero
            printf '\x20\x01\x0d\xb8\x00\x01'
            head -c 10 /dev/zero
            printf '\x01\x01\x02\x00\x00\x00\x00\x09'
        } >"$d/ra"
        ;;
    tcp_input)
        # Mode byte 3 (fix the checksum, to port 80), then a SYN with
        # every option; mode 7, then data with a SACK block; the same two
        # over IPv6 (mode bit 4: 0x13, 0x17).
        local syn='\x30\x39\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00\xa0\x02\xff\xff\x00\x00\x00\x00\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x03\x03\x07'
        local data='\x30\x39\x00\x50\x00\x00\x00\x02\x00\x00\x00\x00\x80\x18\xff\xff\x00\x00\x00\x00\x01\x01\x05\x0a\x00\x00\x00\x10\x00\x00\x00\x20hello'
        printf '%b' "\x03$syn" >"$d/syn"
        printf '%b' "\x07$data" >"$d/data"
        printf '%b' "\x13$syn" >"$d/syn6"
        printf '%b' "\x17$data" >"$d/data6"
        ;;
    dns_message)
        # A query with EDNS, a response with a compressed CNAME chain.
        printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01\x03www\x01f\x04test\x00\x00\x01\x00\x01\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00' \
            >"$d/query"
        printf '\x12\x34\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00\x01c\x01f\x04test\x00\x00\x01\x00\x01\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x06\x03www\xc0\x0e\xc0\x23\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc6\x12\x00\x02' \
            >"$d/response"
        ;;
    dhcp_packet) # a DHCP ACK
        {
            printf '\x02\x01\x06\x00\xaa\xbb\xcc\xdd'
            head -c 8 /dev/zero
            printf '\x00\x00\x00\x00\xc6\x12\x00\x64'
            head -c 8 /dev/zero
            printf '\x02\x00\x00\x00\x00\x09'
            head -c 202 /dev/zero
            printf '\x63\x82\x53\x63\x35\x01\x05\x36\x04\xc6\x12\x00\x01\x01\x04\xff\xff\xff\x00\x03\x04\xc6\x12\x00\x01\x06\x08\xc6\x12\x00\x01\xc6\x12\x00\x02\x33\x04\x00\x00\x0e\x10\xff'
        } >"$d/ack"
        ;;
    zone_parse) # a zone with every record type
        cat >"$d/zone" <<'ZONE'
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
        ;;
    fw_rules) # every statement and match of the rule language
        cat >"$d/rules" <<'RULES'
policy drop
accept state established,related
accept in inside out outside state new
reject in outside proto tcp to any port 23
reject with icmp-admin in outside proto udp from 198.18.0.0/15 port 1-9 to any port 1-1023
drop in outside from 198.18.1.0/24 # spoofed
accept proto 47 from 198.18.0.1 to 198.18.2.0/23
masquerade out outside from 198.18.1.0/24
forward in outside proto tcp port 8080 to 198.18.1.2 port 80
RULES
        ;;
    fw_packet)
        # A SYN from inside, its SYN+ACK, then an ICMP error about it
        # (control byte, 16-bit length, packet; checksums fixed up).
        printf '\x00\x00\x28\x45\x00\x00\x28\x00\x00\x40\x00\x40\x06\x00\x00\xc6\x12\x01\x02\xc6\x12\x02\x09\x9c\x40\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00\x50\x02\xff\xff\x00\x00\x00\x00' >"$d/syn"
        printf '\x01\x00\x28\x45\x00\x00\x28\x00\x00\x40\x00\x40\x06\x00\x00\xc6\x12\x02\x09\xc6\x12\x02\x01\x00\x50\x9c\x40\x00\x00\x00\x01\x00\x00\x00\x02\x50\x12\xff\xff\x00\x00\x00\x00' >>"$d/syn"
        printf '\x01\x00\x38\x45\x00\x00\x38\x00\x00\x00\x00\x40\x01\x00\x00\xc6\x12\x02\xfe\xc6\x12\x02\x01\x03\x01\x00\x00\x00\x00\x00\x00\x45\x00\x00\x28\x00\x00\x40\x00\x3f\x06\x00\x00\xc6\x12\x02\x01\xc6\x12\x02\x09\x9c\x40\x00\x50\x00\x00\x00\x01' >>"$d/syn"
        # IPv6: a UDP datagram fd00:1::2 -> fd00:2::9, its answer, and the
        # server's port unreachable about it (checksums right).
        printf '\x00\x00\x34\x60\x00\x00\x00\x00\x0c\x11\x40\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\xfd\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\x14\xe9\x1b\x58\x00\x0c\xf6\xb4\x70\x69\x6e\x67\x01\x00\x34\x60\x00\x00\x00\x00\x0c\x11\x40\xfd\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x1b\x58\x14\xe9\x00\x0c\xf6\xae\x70\x6f\x6e\x67\x01\x00\x64\x60\x00\x00\x00\x00\x3c\x3a\x40\xfd\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x01\x04\x93\x46\x00\x00\x00\x00\x60\x00\x00\x00\x00\x0c\x11\x40\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\xfd\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\x14\xe9\x1b\x58\x00\x0c\xf6\xb4\x70\x69\x6e\x67' >"$d/udp6"
        ;;
    http_request)
        # The first byte steers the target (tests/fuzz/http_request.c);
        # then a GET with a range and a date, a chunked POST with an
        # extension and a trailer, a smuggling shape, an obs-fold.
        printf '\x03GET /a%%20b?x=1 HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n' >"$d/get"
        printf '\x05POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x="y"\r\nhello\r\n0\r\nT: v\r\n\r\n' >"$d/chunked"
        printf '\x01POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' >"$d/smuggle"
        printf '\x07GET http://h/x HTTP/1.0\r\nConnection: keep-alive\r\nX: a\r\n b\r\n\r\n' >"$d/fold"
        ;;
    tls_pem)
        # Real certificates and keys from openssl (EC and RSA, in PKCS#8,
        # SEC1 and PKCS#1): two bytes give the chain's length, then the
        # chain and the key; a copy of each with the top bit set, so the
        # same text is also read as a CA bundle (tests/fuzz/tls_pem.c).
        local k=$d/.keys n hi
        mkdir -p "$k"
        (cd "$k" &&
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
                -nodes -keyout ec.key -out ec.pem -days 1 -subj /CN=a.test &&
            openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key \
                -out rsa.pem -days 1 -subj /CN=b.test &&
            openssl ec -in ec.key -out ec-sec1.key &&
            openssl rsa -in rsa.key -traditional -out rsa-pkcs1.key) \
            >>"$LOG" 2>&1 || return 1
        set -- ec ec.pem ec.key rsa rsa.pem rsa.key sec1 ec.pem ec-sec1.key \
            pkcs1 rsa.pem rsa-pkcs1.key
        while [ $# -ge 3 ]; do
            n=$(stat -c %s "$k/$2")
            for hi in 0 128; do # 128: as a CA bundle
                { printf "\\x$(printf %02x $((n >> 8 | hi)))\\x$(printf %02x $((n & 255)))"
                  cat "$k/$2" "$k/$3"; } >"$d/$1-$hi"
            done
            shift 3
        done
        rm -rf "$k"
        ;;
    kv_ro_tar_fuzz) # small archives in the three formats
        local src
        src=$(mktemp -d)
        mkdir -p "$src/dir" && echo secret >"$src/dir/key" && echo v >"$src/top"
        local f
        for f in ustar gnu pax; do
            tar -C "$src" --format=$f -cf "$d/$f.tar" . 2>/dev/null
        done
        rm -rf "$src"
        ;;
    esac
    return 0
}

fuzz_report() { # LOG
    sed -n 's/^#\([0-9]*\)[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1 runs, cov: \2 edges/p' \
        "$1" | tail -n 1
}

# fuzz_short DIR NAME RUNS: build NAME (after fuzz_runtime DIR set `built`
# to 1) and run it for RUNS inputs from a fixed seed and its seeds; one
# [OK] or [FAIL] line, the shape of the short runs of `make test`.
fuzz_short() {
    local dir=$1 t=$2 runs=$3
    if [ "${built:-0}" = 0 ] || ! fuzz_build "$dir" "$t"; then
        fail "fuzz target $t builds with libFuzzer"
        return
    fi
    : >"$LOG"
    fuzz_seeds "$t" "$dir/corpus_$t"
    if "$dir/$t" -seed=1 -runs="$runs" -max_len="$(fuzz_max_len "$t")" \
        -timeout=10 "$dir/corpus_$t" >"$LOG" 2>&1; then
        ok "$t: $(fuzz_report "$LOG"), no crash or sanitizer report"
    else
        fail "$t: fuzzing found a problem (see log)"
    fi
    : >"$LOG"
}
