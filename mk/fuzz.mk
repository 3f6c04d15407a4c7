# mk/fuzz.mk - `make fuzz-long`: every libFuzzer target for FUZZ_SECONDS
# seconds each (tests/fuzz/long.bash), printing executions and coverage
# per target.  `make test` runs the same targets briefly.

# 600: the slowest targets (kv_ro_tar_fuzz, zone_parse) run about 30 000
# to 40 000 inputs per CPU second, so ten minutes of a core reach the goal
# of 10 million executions each (docs/testing.md has the numbers).
FUZZ_SECONDS ?= 600

.PHONY: fuzz-long
fuzz-long: $(BUILD)/rel/bearssl/done
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/long.bash
