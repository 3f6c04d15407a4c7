# mk/dnsbench.mk - the DNS server benchmark (bench/dns_server.sh): run by
# `make bench` through EXTRA_BENCH.  The script builds examples/dns-server
# with bin/atoll and measures it, NSD and Knot DNS with dnsperf in one run
# (Knot is a bench-only package: scripts/install-bench-deps.sh, through
# mk/netbench.mk's bench-net-deps, installs it first).

.PHONY: bench-dns
bench-dns: libs bin/atoll bench-net-deps
	@BUILD=$(BUILD) bash bench/dns_server.sh

EXTRA_BENCH += bench-dns
