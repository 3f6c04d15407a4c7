# mk/fuzz.mk - `make fuzz-long`: every libFuzzer target until it has run
# FUZZ_RUNS inputs or for FUZZ_SECONDS seconds, whichever comes first
# (tests/fuzz/long.bash), printing executions and coverage per target.
# `make test` runs the same targets briefly.  FUZZ_ONLY="A B" picks targets.

# 900: the slowest target (tls_pem) runs about 15 000 inputs per CPU
# second, so eleven minutes of a core reach the goal of 10 million
# executions; the next slowest (kv_ro_tar_fuzz, zone_parse) need about
# seven (docs/testing.md has the numbers).  A target stops at FUZZ_RUNS,
# so the cap costs the fast ones nothing.
FUZZ_SECONDS ?= 900
FUZZ_RUNS ?= 10000000

.PHONY: fuzz-long
fuzz-long: $(BUILD)/rel/bearssl/done
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
	    FUZZ_ONLY="$(FUZZ_ONLY)" bash tests/fuzz/long.bash
