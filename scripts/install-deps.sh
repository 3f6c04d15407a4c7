#!/usr/bin/env bash
# scripts/install-deps.sh - installs, from Debian's packages, what building
# and testing Atoll needs.  Used by .ci/run and by `make deps` (which
# `make demo` runs first).  Installs only what is missing; needs root (or
# sudo) only when something is missing.
#
# Why each package is here (the README lists them too):
#   build-essential  gcc, make, libc headers: the toolchain
#   clang            the second compiler every file must build with
#   clang-format     the one style (make check-format)
#   python3          JSON validation of exported traces in the tests
#   jq               (same, in shell tests)
#   tshark           reads the pcap files simulated wires write
#   iproute2         `ip netns` / `ip tuntap` for tap-device tests
#   iputils-ping     network interop tests ping the unikernel (-s 4000 too)
#   socat            network interop tests drive UDP (and TCP) echo
#   libclang-rt-14-dev  libFuzzer, for the network parsers' fuzz targets
#                    (and the store's record and object decoders, and
#                    the kv_ro tar parser: tests/fuzz/kv_ro_tar_fuzz.c)
#   git              store tests: exported repositories are read back with
#                    git log/show/fsck, objects checked with git hash-object
#   libgit2-dev      `make bench`: the store's commits/reads against libgit2
#   dnsmasq          DHCP and DNS interop tests: the DHCP server and the
#                    upstream resolver, in a namespace
#   bind9-dnsutils   `dig`: the client of the DNS server interop test
#   radvd            tests/net/slaac6.sh: the IPv6 router whose advertisements
#                    the unikernel configures itself from (SLAAC)
#   nsd, dnsperf     `make bench`: the DNS server against NSD, by dnsperf
#   gdb              tests/kvm/gdb.sh debugs a sandboxed unikernel (atoll-spt)
#   wrk              tests/http/website.sh: a short load run on the website
#   iperf3           tests/fw/appliance.sh: TCP and UDP loads through the
#                    firewall appliance's masquerade
#   chromium         tests/tool/trace.sh opens the page `atoll trace view`
#                    writes (headless) and checks what its script drew
#   python3-prometheus-client  tests/debug/metrics.sh reads /metrics with
#                    its parser of the Prometheus text format
#   openssl, sslscan, testssl.sh  tests/http/website.sh: test certificates,
#                    s_client, and two scans of the protocols and ciphers
#                    HTTPS offers
#   curl             tests/http/website.sh and `make demo`: the HTTP(S) client
#   patch, xz-utils  `make` fetches Debian's source package bearssl with
#                    apt-get source (scripts/fetch-bearssl.sh), unpacks
#                    its .orig.tar.xz and applies Debian's patches
#   bsdutils         script(1): the hvt console test gives the tender a
#                    terminal (Essential in Debian; listed to say so)
#   qemu-system-x86  target virtio: `atoll run` boots its images with
#                    qemu-system-x86_64 (TCG where there is no KVM)
#   umoci, runc      tests/oci/package.sh unpacks the OCI images `atoll
#                    package` writes and runs the plain one
set -euo pipefail
# ATOLL_DEPS_PKGS replaces the list (scripts/install-bench-deps.sh uses it).
PKGS=${ATOLL_DEPS_PKGS:-"build-essential clang clang-format python3 jq tshark iproute2 iputils-ping socat libclang-rt-14-dev git libgit2-dev dnsmasq bind9-dnsutils radvd nsd dnsperf bsdutils gdb qemu-system-x86 wrk iperf3 umoci runc chromium openssl sslscan testssl.sh curl patch xz-utils python3-prometheus-client"}

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
        echo "install-deps: need root to install:$missing" >&2
        exit 1
    }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
