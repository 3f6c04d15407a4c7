#!/usr/bin/env bash
# scripts/install-bench-deps.sh - installs, from Debian's packages, what
# only `make bench` needs (the build and test dependencies are in
# scripts/install-deps.sh).  The network and DNS benchmarks
# (mk/netbench.mk, mk/dnsbench.mk) run it first.  Installs only what is
# missing; needs root (or sudo) only then.
#
# Why each package is here:
#   liblwip-dev  Debian's lwIP 2.1.3 (library + headers, including the
#                contrib unix port's tap netif): the C stack the network
#                benchmarks compare Atoll's TCP against
#   knot         Knot DNS 3.2: the second authoritative server the DNS
#                benchmark (bench/dns_server.sh) measures beside NSD
#   iproute2     namespaces, veth pairs and tap devices for the peers
#   socat        (also a test dependency) nothing in the bench relies on it
#                for numbers, only for a sanity check of the setup
#   nginx-light  the HTTP benchmark's peer (bench/http_bench.sh): nginx,
#                1 worker, against examples/website
set -euo pipefail
ATOLL_DEPS_PKGS="liblwip-dev knot iproute2 socat nginx-light" \
    exec bash "$(dirname "$0")/install-deps.sh"
