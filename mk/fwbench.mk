# mk/fwbench.mk - the firewall benchmark (bench/firewall.sh): run by
# `make bench` through EXTRA_BENCH.  The script builds examples/firewall
# with bin/atoll and measures it and Linux (IP forwarding with nftables
# masquerade) with iperf3 in one run.

.PHONY: bench-fw
bench-fw: libs bin/atoll
	@BUILD=$(BUILD) bash bench/firewall.sh

EXTRA_BENCH += bench-fw
