# mk/dnsbench.mk - the DNS server benchmark (bench/dns_server.sh): run by
# `make bench` through EXTRA_BENCH.  The script builds examples/dns-server
# with bin/atoll and measures it and NSD with dnsperf in one run.

.PHONY: bench-dns
bench-dns: libs bin/atoll
	@BUILD=$(BUILD) bash bench/dns_server.sh

EXTRA_BENCH += bench-dns
