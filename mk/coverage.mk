# mk/coverage.mk - `make coverage`: line and branch coverage of lib/ by the
# C tests (tests/unit, tests/sim, tests/unix), with gcov and lcov.
#
# The libraries and the test binaries are built once more, unoptimised
# and with --coverage, into $(BUILD)/cov (a sub-make with the rel
# variant's flags replaced, so the rules are the ordinary ones); every
# test binary runs, two at a time (children flush their counts:
# harness_exit; libgcov locks the count files it merges into); lcov
# collects the counts of lib/ and prints the totals and a line per
# folder, then writes an HTML report to $(BUILD)/cov/html.  A test that
# fails still counts, and makes `make coverage` fail after the report.
# lcov comes from Debian (apt-get install lcov); make test does not need
# it, so scripts/install-deps.sh leaves it out.

COV_BUILD = $(BUILD)/cov
COV_FLAGS = $(BASEFLAGS) -O0 --coverage
COV_INFO = $(COV_BUILD)/lib.info
COV_LCOV = lcov --quiet --rc lcov_branch_coverage=1
COV_TESTS = $(patsubst %.c,$(COV_BUILD)/rel/%,$(UNIT_SRC) $(UNIX_TEST_SRC))
# Unoptimised and counting, the longest tests (the memory-failure loops,
# the 50 MB transfers) run ten times longer than their usual limit.
COV_TIMEOUT = 1800

.PHONY: coverage
coverage:
	@command -v lcov >/dev/null || \
	    { echo "make coverage needs lcov (Debian: apt-get install lcov)"; exit 1; }
	@mkdir -p $(COV_BUILD)
	@find $(COV_BUILD) -name '*.gcda' -delete
	@$(MAKE) --no-print-directory BUILD=$(COV_BUILD) \
	    REL_FLAGS='$(COV_FLAGS)' REL_LDFLAGS='--coverage -Wl,-u,__gcov_dump' \
	    $(COV_TESTS) >$(COV_BUILD)/build.log 2>&1 || \
	    { tail -n 30 $(COV_BUILD)/build.log; exit 1; }
	@printf '%s\n' $(COV_TESTS) | ATOLL_TEST_TIMEOUT=$(COV_TIMEOUT) \
	    xargs -P2 -I{} sh -c '{} >{}.out 2>&1'; status=$$?; \
	grep -h '^\[FAIL\]' $(COV_TESTS:%=%.out); \
	{ $(COV_LCOV) --capture --directory $(COV_BUILD)/rel/lib \
	    --output-file $(COV_INFO).all && \
	  $(COV_LCOV) --extract $(COV_INFO).all '$(CURDIR)/lib/*' \
	    --output-file $(COV_INFO) && \
	  genhtml --quiet --branch-coverage --output-directory \
	    $(COV_BUILD)/html $(COV_INFO); } >$(COV_BUILD)/lcov.log 2>&1 || \
	    { tail -n 20 $(COV_BUILD)/lcov.log; exit 1; }; \
	bash scripts/coverage-summary.sh $(COV_INFO) && \
	echo "HTML report: $(COV_BUILD)/html/index.html" && \
	exit $$status
