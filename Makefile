# Atoll's build.  GNU make; gcc or clang (CC=clang works).
#
#   make            libraries for every target, bin/atoll, examples' deps
#   make test       every test (unit + sim, also under ASan/UBSan; tool;
#                   examples); ends with "N passed, N failed"
#   make demo       build examples/website and fetch a page over HTTP and
#                   HTTPS from it (without root: run examples/hello)
#   make bench      benchmarks against real peers, printed as ratios
#   make coverage   line and branch coverage of lib/ (mk/coverage.mk)
#   make fuzz-long  every libFuzzer target for FUZZ_SECONDS (mk/fuzz.mk)
#   make format     apply .clang-format to every C file
#
# Layout of the build tree ($(BUILD), default build/):
#   rel/   optimised objects and libraries (what `atoll build` links)
#   san/   the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   T/     for each freestanding target T (hvt): its own build of the same
#          libraries, made by mk/T.mk
# Each variant has libatoll.a (lib/: runtime, device implementations),
# libatoll_<target>.a (platform/<target>) and start_<target>.o (the
# target's entry point, kept out of the library so tests can bring their own
# main).  Sources are found by wildcard: drop a .c or .S into a folder and it
# is built.

BUILD   ?= build
CC      ?= cc
# The platforms, as tools/atoll/targets.c lists them (where a row says how
# `atoll` builds and runs each).  A host target runs as a Linux process:
# its library is built here, in rel/ and san/, from platform/T and
# platform/host.  A freestanding target's image is built with its own flags
# by mk/T.mk, whose phony T-libs makes BUILD/T/.  (Target spt runs hvt's
# image under another tender: no library of its own.)
HOST_TARGETS := unix sim
FREESTANDING_TARGETS := hvt virtio
TARGETS := $(HOST_TARGETS) $(FREESTANDING_TARGETS)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
# TUNE: tunables (-DNAME=VALUE) for one build of the libraries; `atoll
# build` sets it for an application that sets tunables (tools/atoll/tune.c).
TUNE :=
# BEARSSL_BUILD: the build folder holding BearSSL's source and objects
# (mk/tls.mk).  No tunable reaches BearSSL (its flags hold no $(TUNE)), so
# a build for tunables shares the stock build's instead of compiling it
# again per configuration (tools/atoll/tune.c sets it).
BEARSSL_BUILD := $(BUILD)
BASEFLAGS := -std=gnu11 -g -fno-omit-frame-pointer -Iinclude -Iplatform \
           -D_GNU_SOURCE $(WARN) $(TUNE)
REL_FLAGS := $(BASEFLAGS) -O2
SAN_FLAGS := $(BASEFLAGS) -O1 -fsanitize=address,undefined \
           -fno-sanitize-recover=all -DATOLL_SANITIZE=1
REL_LDFLAGS :=
SAN_LDFLAGS := -fsanitize=address,undefined

LIB_SRC   := $(sort $(wildcard lib/core/*.c lib/core/*.S lib/dev/*.c lib/store/*.c lib/crypto/*.c lib/net/*.c lib/http/*.c lib/fw/*.c lib/tls/*.c))
TOOL_SRC  := $(sort $(wildcard tools/atoll/*.c))
HARNESS   := tests/harness.c

# Sources of one platform library, without its start file.  The targets
# that run as a Linux process (unix, sim) share platform/host.
plat_src = $(filter-out platform/$(1)/start.c,\
             $(sort $(wildcard platform/$(1)/*.c platform/$(1)/*.S))) \
           $(if $(filter $(1),$(HOST_TARGETS)),$(wildcard platform/host/*.c))

obj = $(patsubst %.S,$(BUILD)/$(1)/%.o,$(patsubst %.c,$(BUILD)/$(1)/%.o,$(2)))

# Further parts of the build (one .mk per component, e.g. mk/hvt.mk for the
# KVM tender).  Each may add to EXTRA_ALL (built by `make`), EXTRA_TEST
# (built before `make test` runs) and EXTRA_BENCH (phony targets that
# `make bench` runs after the C benchmarks).
# A bare `make` builds `all`, whatever rule an included .mk names first.
.DEFAULT_GOAL := all
EXTRA_ALL :=
EXTRA_TEST :=
EXTRA_BENCH :=
include $(sort $(wildcard mk/*.mk))

.PHONY: all libs tool test test-unit demo deps bench format clean check-format \
    compile-check
all: libs tool $(EXTRA_ALL)

libs: $(foreach v,rel san,$(BUILD)/$(v)/libatoll.a \
        $(foreach t,$(HOST_TARGETS),$(BUILD)/$(v)/libatoll_$(t).a \
                                    $(BUILD)/$(v)/start_$(t).o)) \
      $(FREESTANDING_TARGETS:%=%-libs)

tool: bin/atoll

# ---- compilation rules, per variant --------------------------------------

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(REL_FLAGS) -MMD -MP -c $< -o $@
$(BUILD)/rel/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(REL_FLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -MMD -MP -c $< -o $@

# Names (docs/architecture.md): the libraries export only `atoll_` names.
# $(BUILD)/V/symbols.map renames every other global name their objects
# define (tcp_output -> atoll__tcp_output; scripts/symbols.sh); objcopy
# applies it to each archive and start object, and to the objects of the
# programs that call internal functions by their source names (tests,
# benchmarks: $(BUILD)/V/prefixed/, the objects renamed).
define variant_rules
$(BUILD)/$(1)/symbols.map: scripts/symbols.sh $(call obj,$(1),$(LIB_SRC)) \
    $(BEARSSL_BUILD)/$(1)/bearssl/done \
    $(foreach t,$(HOST_TARGETS),$(call obj,$(1),$(call plat_src,$(t)) \
                                               platform/$(t)/start.c))
	bash scripts/symbols.sh map $$(filter %.o,$$^) \
	    $(BEARSSL_BUILD)/$(1)/bearssl/*.o >$$@.tmp && mv $$@.tmp $$@
$(BUILD)/$(1)/libatoll.a: $(call obj,$(1),$(LIB_SRC)) $(BEARSSL_BUILD)/$(1)/bearssl/done \
    $(BUILD)/$(1)/symbols.map
	@rm -f $$@
	ar rcs $$@ $$(filter %.o,$$^) $(BEARSSL_BUILD)/$(1)/bearssl/*.o
	objcopy --redefine-syms=$(BUILD)/$(1)/symbols.map $$@
$(foreach t,$(HOST_TARGETS),
$(BUILD)/$(1)/libatoll_$(t).a: $(call obj,$(1),$(call plat_src,$(t))) \
    $(BUILD)/$(1)/symbols.map
	@rm -f $$@
	ar rcs $$@ $$(filter %.o,$$^)
	objcopy --redefine-syms=$(BUILD)/$(1)/symbols.map $$@
$(BUILD)/$(1)/start_$(t).o: $(BUILD)/$(1)/platform/$(t)/start.o \
    $(BUILD)/$(1)/symbols.map
	objcopy --redefine-syms=$(BUILD)/$(1)/symbols.map $$< $$@
)
$(BUILD)/$(1)/prefixed/%.o: $(BUILD)/$(1)/%.o $(BUILD)/$(1)/symbols.map
	@mkdir -p $$(@D)
	objcopy --redefine-syms=$(BUILD)/$(1)/symbols.map $$< $$@
.PRECIOUS: $(BUILD)/$(1)/prefixed/%.o
endef
$(foreach v,rel san,$(eval $(call variant_rules,$(v))))

# ---- the atoll tool -------------------------------------------------------

# The tool reads store images with the store's own code, compiled for the
# host (only its runtime-free parts; tools/atoll/store_host.c supplies the
# allocator and a file-backed block device), and orders the files it bakes
# into unikernels with kv_ro.c (tools/atoll/files.c); a manifest's integer
# defaults are read as the unikernel reads them (lib/core/number.c).
STORE_HOST_SRC := $(addprefix lib/store/,object.c store.c history.c merge.c \
                    backend_block.c backend_mem.c block_record.c crc32c.c \
                    idmap.c kv_ro.c objcache.c) lib/crypto/sha256.c lib/core/error.c \
                    lib/dev/block_range.c lib/core/number.c
bin/atoll: $(call obj,rel,$(TOOL_SRC) $(STORE_HOST_SRC))
	@mkdir -p bin
	$(CC) $^ -o $@

# ---- tests ----------------------------------------------------------------
# tests/unit/*.c and tests/sim/*.c link against the sim platform (virtual
# clock: deterministic and instant); tests/unix/*.c against the unix one.
# Each is built twice: rel and san.

UNIT_SRC := $(sort $(wildcard tests/unit/*.c tests/sim/*.c))
UNIX_TEST_SRC := $(sort $(wildcard tests/unix/*.c))

test_bin = $(patsubst %.c,$(BUILD)/$(1)/%,$(2))
LDLIBS_TEST := -lpthread -lm

define test_rules
$(BUILD)/$(1)/tests/unit/%: $(BUILD)/$(1)/prefixed/tests/unit/%.o \
    $(BUILD)/$(1)/prefixed/tests/harness.o $(BUILD)/$(1)/libatoll.a \
    $(BUILD)/$(1)/libatoll_sim.a
	$(CC) $$(filter %.o,$$^) -Wl,--start-group \
	    $(BUILD)/$(1)/libatoll.a $(BUILD)/$(1)/libatoll_sim.a \
	    -Wl,--end-group $($(2)_LDFLAGS) $(LDLIBS_TEST) -o $$@
$(BUILD)/$(1)/tests/sim/%: $(BUILD)/$(1)/prefixed/tests/sim/%.o \
    $(BUILD)/$(1)/prefixed/tests/harness.o $(BUILD)/$(1)/libatoll.a \
    $(BUILD)/$(1)/libatoll_sim.a
	$(CC) $$(filter %.o,$$^) -Wl,--start-group \
	    $(BUILD)/$(1)/libatoll.a $(BUILD)/$(1)/libatoll_sim.a \
	    -Wl,--end-group $($(2)_LDFLAGS) $(LDLIBS_TEST) -o $$@
$(BUILD)/$(1)/tests/unix/%: $(BUILD)/$(1)/prefixed/tests/unix/%.o \
    $(BUILD)/$(1)/prefixed/tests/harness.o $(BUILD)/$(1)/libatoll.a \
    $(BUILD)/$(1)/libatoll_unix.a
	$(CC) $$(filter %.o,$$^) -Wl,--start-group \
	    $(BUILD)/$(1)/libatoll.a $(BUILD)/$(1)/libatoll_unix.a \
	    -Wl,--end-group $($(2)_LDFLAGS) $(LDLIBS_TEST) -o $$@
endef
$(eval $(call test_rules,rel,REL))
$(eval $(call test_rules,san,SAN))

# tests/sim/echo_*.c run examples/echo's own TCP service.
$(foreach v,rel san,$(foreach t,echo_share echo_idle,\
    $(eval $(BUILD)/$(v)/tests/sim/$(t): \
        $(BUILD)/$(v)/prefixed/examples/echo/tcp_echo.o)))
# tests/sim/fetch_race.c runs examples/fetch's way to a server.
$(foreach v,rel san,$(eval $(BUILD)/$(v)/tests/sim/fetch_race: \
    $(BUILD)/$(v)/prefixed/examples/fetch/connect.o))

TEST_BINS := $(foreach v,rel san,$(call test_bin,$(v),$(UNIT_SRC) \
               $(UNIX_TEST_SRC)))

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(patsubst %.c,$(BUILD)/rel/%,$(BENCH_SRC))
# A bench that links a peer library names it in BENCH_LDLIBS_<name>.
BENCH_LDLIBS_store_commit := -lgit2
$(BUILD)/rel/bench/%: $(BUILD)/rel/prefixed/bench/%.o $(BUILD)/rel/libatoll.a \
    $(BUILD)/rel/libatoll_unix.a
	$(CC) $< -Wl,--start-group $(BUILD)/rel/libatoll.a \
	    $(BUILD)/rel/libatoll_unix.a -Wl,--end-group $(BENCH_LDLIBS_$*) \
	    -lpthread -lm -o $@

test: all $(TEST_BINS) $(EXTRA_TEST)
	@BUILD=$(BUILD) bash tests/run.sh

# Compiles everything and installs nothing in bin/: with CC=clang and a
# scratch BUILD, tests/style/clang.sh checks that every file builds with
# the second compiler too.
compile-check: libs hvt-guests $(TEST_BINS) $(BENCH_BINS) \
    $(call obj,rel,$(TOOL_SRC) $(STORE_HOST_SRC)) $(HVT_TENDER_OBJ) \
    $(SPT_TENDER_OBJ) $(OCI_NET_OBJ)

# Only the C test binaries (quick loop while developing).
test-unit: libs $(TEST_BINS)
	@BUILD=$(BUILD) ATOLL_TEST_ONLY=unit bash tests/run.sh

# Installs missing Debian packages (see scripts/install-deps.sh).
deps:
	@bash scripts/install-deps.sh

# examples/website over HTTP and HTTPS from the sandboxed (or KVM) image
# behind a tap; without root, examples/hello (scripts/demo.sh).
demo: deps
	$(MAKE) all
	@BUILD=$(BUILD) bash scripts/demo.sh

bench: all $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done
	@$(if $(strip $(EXTRA_BENCH)),$(MAKE) --no-print-directory $(EXTRA_BENCH))

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
check-format:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD) bin

.SECONDARY:
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
