# mk/netbench.mk - the network benchmarks (bench/net_bench.sh), run by
# `make bench` through EXTRA_BENCH.  Builds the Linux-side pieces into
# $(BUILD)/netbench/: peer (plain sockets: client and Linux server),
# tap_blast (the ceiling of one tap write per frame) and
# lwip_sink (Debian's lwIP on a tap device; its bench-only package is
# installed by scripts/install-bench-deps.sh first).  The unikernel,
# bench/apps/netbench, is built by the script with bin/atoll, for the unix
# target and (KVM permitting) for hvt, run by bin/atoll-hvt.

NETBENCH_DIR := $(BUILD)/netbench
NETBENCH_CFLAGS := -std=gnu11 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror \
    -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter

$(NETBENCH_DIR)/peer: bench/net_tools/peer.c
	@mkdir -p $(@D)
	$(CC) $(NETBENCH_CFLAGS) $< -o $@

$(NETBENCH_DIR)/tap_blast: bench/net_tools/tap_blast.c
	@mkdir -p $(@D)
	$(CC) $(NETBENCH_CFLAGS) $< -lpthread -o $@

# lwIP's headers live in their own folder (pkg-config lwip); asked at recipe
# time, after install-bench-deps.sh.
$(NETBENCH_DIR)/lwip_sink: bench/net_tools/lwip_sink.c
	@mkdir -p $(@D)
	$(CC) $(NETBENCH_CFLAGS) $$(pkg-config --cflags lwip) $< \
	    $$(pkg-config --libs lwip) -lpthread -o $@

.PHONY: bench-net bench-net-deps
bench-net-deps:
	@bash scripts/install-bench-deps.sh

bench-net: libs bin/atoll bin/atoll-hvt bin/atoll-spt hvt-libs bench-net-deps
	@$(MAKE) --no-print-directory $(NETBENCH_DIR)/peer $(NETBENCH_DIR)/tap_blast
	@$(MAKE) --no-print-directory $(NETBENCH_DIR)/lwip_sink \
	    || echo "netbench: lwip_sink did not build; measuring without it"
	@BUILD=$(BUILD) NETBENCH_DIR=$(abspath $(NETBENCH_DIR)) \
	    bash bench/net_bench.sh

EXTRA_BENCH += bench-net
