# mk/fuzz.mk - `make fuzz-long`: every libFuzzer target for FUZZ_SECONDS
# seconds each (tests/fuzz/long.bash), printing executions and coverage
# per target.  `make test` runs the same targets briefly.

FUZZ_SECONDS ?= 300

.PHONY: fuzz-long
fuzz-long:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/long.bash
