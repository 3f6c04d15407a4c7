# mk/hvt.mk - the KVM target's pieces that live outside lib/ and platform/:
# the tender bin/atoll-hvt (tender/hvt/*.c, a Linux program) and the small
# freestanding test guests of tests/kvm (tests/kvm/guests/*.c, each linked
# with the tiny runtime in tests/kvm/guests/rt/ and guest.ld).
#
# Guests are built with their own flags (no host headers, no libc, no PIC,
# no red zone: hypercalls and future interrupt handlers share the stack),
# into $(BUILD)/kvm/ so tests/run.sh never mistakes them for test programs.

# tender/common: the host side of the hvt ABI, shared with the sandboxed
# tender atoll-spt (mk/spt.mk).  platform/host/pkt.c: the offload frames'
# headers and checksums, platform/host/tap.c, attaching to a tap, and
# platform/host/elfcore.c, the headers and notes of core files: all shared
# with the unix platform.
TENDER_COMMON_SRC := $(sort $(wildcard tender/common/*.c)) platform/host/pkt.c \
    platform/host/tap.c platform/host/elfcore.c
HVT_TENDER_SRC := $(sort $(wildcard tender/hvt/*.c)) $(TENDER_COMMON_SRC)
HVT_TENDER_OBJ := $(call obj,rel,$(HVT_TENDER_SRC))

# The names of the host's system calls, for reports of a refused one
# (tender/common/sysnames.c), generated from the C library's headers.
TENDER_GEN := $(BUILD)/gen
$(TENDER_GEN)/syscall_names.h:
	@mkdir -p $(@D)
	echo '#include <sys/syscall.h>' | $(CC) -dM -E - | \
	    sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/[__NR_\1] = "\1",/p' | \
	    sort -u > $@.tmp && mv $@.tmp $@
$(BUILD)/rel/tender/common/sysnames.o: $(TENDER_GEN)/syscall_names.h
$(BUILD)/rel/tender/common/sysnames.o: REL_FLAGS += -I$(TENDER_GEN)

bin/atoll-hvt: $(HVT_TENDER_OBJ)
	@mkdir -p bin
	$(CC) -static $^ -o $@

HVT_GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
    -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
    -ffreestanding -nostdinc -isystem $(shell $(CC) \
    -print-file-name=include) -fno-pic -mno-red-zone \
    -fno-stack-protector -fno-asynchronous-unwind-tables \
    -fcf-protection=none -Iinclude -Iplatform -Itests/kvm/guests
HVT_GUEST_LDFLAGS := -nostdlib -static -Wl,-T,tests/kvm/guests/guest.ld \
    -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack

HVT_GUEST_RT := $(sort $(wildcard tests/kvm/guests/rt/*.c tests/kvm/guests/rt/*.S))
HVT_GUEST_RT_OBJ := $(patsubst %,$(BUILD)/kvm/%.o,$(HVT_GUEST_RT))
HVT_GUESTS := $(patsubst tests/kvm/guests/%.c,$(BUILD)/kvm/guests/%.elf,\
    $(sort $(wildcard tests/kvm/guests/*.c)))

$(BUILD)/kvm/%.c.o: %.c platform/hvt/abi.h tests/kvm/guests/guest.h
	@mkdir -p $(@D)
	$(CC) $(HVT_GUEST_CFLAGS) -c $< -o $@
$(BUILD)/kvm/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(HVT_GUEST_CFLAGS) -c $< -o $@
$(BUILD)/kvm/guests/%.elf: $(BUILD)/kvm/tests/kvm/guests/%.c.o \
    $(HVT_GUEST_RT_OBJ) tests/kvm/guests/guest.ld
	@mkdir -p $(@D)
	$(CC) $(HVT_GUEST_LDFLAGS) \
	    $(filter %.o,$^) -o $@

.PHONY: hvt-guests
hvt-guests: $(HVT_GUESTS)

EXTRA_ALL += bin/atoll-hvt
EXTRA_TEST += bin/atoll-hvt $(HVT_GUESTS)

# ---- the freestanding build of the runtime for hvt unikernels -------------
# $(BUILD)/hvt/ holds what `atoll build` links for target hvt:
#   libatoll.a      lib/ (the same sources as every target)
#   libatoll_hvt.a  platform/hvt (guest side) + lib/libc (the C subset)
#   start_hvt.o     platform/hvt/start.S (the entry point)
#   hvt.ld          the link script
# Every object is freestanding: no host header (-nostdinc; the compiler's
# own stddef/stdint/stdarg/stdbool come from its include directory, the
# rest of the C headers from lib/libc/include), no PIC, no red zone, the
# stack protector on with a global guard that start.S sets from the
# tender's random bytes (the default guard lives at %fs:0x28, and the
# guest has no thread pointer).  `hvt-check` proves no host header was
# used: -MD records every header an object read, and each must be in the
# tree or in the compiler's include directory.

HVT_CC_INC := $(shell $(CC) -print-file-name=include)
HVT_FS_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdinc \
    -isystem $(HVT_CC_INC) -Ilib/libc/include -Iinclude -Iplatform \
    -fno-pic -fno-pie -mno-red-zone -fno-omit-frame-pointer \
    -fstack-protector-strong -mstack-protector-guard=global \
    -fno-asynchronous-unwind-tables -fcf-protection=none $(TUNE)

HVT_LIBC_SRC := $(sort $(wildcard lib/libc/*.c))
HVT_PLAT_SRC := $(sort $(filter-out platform/hvt/start.S,\
    $(wildcard platform/hvt/*.c platform/hvt/*.S)))
HVT_LIB_OBJ := $(call obj,hvt,$(LIB_SRC))
HVT_PLAT_OBJ := $(call obj,hvt,$(HVT_PLAT_SRC) $(HVT_LIBC_SRC))
HVT_OBJ := $(HVT_LIB_OBJ) $(HVT_PLAT_OBJ) $(BUILD)/hvt/platform/hvt/start.o

$(BUILD)/hvt/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HVT_FS_CFLAGS) -MD -MP -c $< -o $@
$(BUILD)/hvt/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(HVT_FS_CFLAGS) -MD -MP -c $< -o $@

# Names (Makefile, variant_rules): one map for the freestanding libraries,
# hvt's and virtio's (which shares hvt's libatoll.a; mk/virtio.mk adds its
# objects); lib/libc keeps the names its headers declare.
HVT_MAP := $(BUILD)/hvt/symbols.map
$(HVT_MAP): scripts/symbols.sh $(HVT_OBJ) $(BEARSSL_BUILD)/hvt/bearssl/done
	bash scripts/symbols.sh map --freestanding $(filter %.o,$^) \
	    $(BEARSSL_BUILD)/hvt/bearssl/*.o >$@.tmp && mv $@.tmp $@
$(BUILD)/hvt/libatoll.a: $(HVT_LIB_OBJ) $(BEARSSL_BUILD)/hvt/bearssl/done \
    $(HVT_MAP)
	@rm -f $@
	ar rcs $@ $(HVT_LIB_OBJ) $(BEARSSL_BUILD)/hvt/bearssl/*.o
	objcopy --redefine-syms=$(HVT_MAP) $@
$(BUILD)/hvt/libatoll_hvt.a: $(HVT_PLAT_OBJ) $(HVT_MAP)
	@rm -f $@
	ar rcs $@ $(HVT_PLAT_OBJ)
	objcopy --redefine-syms=$(HVT_MAP) $@
$(BUILD)/hvt/start_hvt.o: $(BUILD)/hvt/platform/hvt/start.o $(HVT_MAP)
	objcopy --redefine-syms=$(HVT_MAP) $< $@
$(BUILD)/hvt/hvt.ld: platform/hvt/hvt.ld
	@mkdir -p $(@D)
	cp $< $@

# Every header of every freestanding object is ours or the compiler's.
# $(call freestanding_check,OBJECTS) is that check as a recipe line (read
# from the objects' .d files); mk/virtio.mk runs it on its own objects.
# BearSSL's headers, fetched into the build folder (mk/tls.mk), count as
# ours: they are not the host's.
freestanding_check = @bad=$$(for d in $(1:.o=.d); do \
	    sed -e 's/\\$$//' -e 's/^[^:]*://' $$d | tr ' ' '\n'; done | \
	    grep '^/' | grep -v '^$(HVT_CC_INC)/' | \
	    grep -v '^$(abspath $(BEARSSL_BUILD))/bearssl/src/inc/' | sort -u); \
	if [ -n "$$bad" ]; then \
	    echo "host headers reached freestanding objects:"; \
	    echo "$$bad"; exit 1; fi
$(BUILD)/hvt/freestanding.ok: $(HVT_OBJ)
	$(call freestanding_check,$(HVT_OBJ))
	@touch $@

.PHONY: hvt-libs hvt-check
hvt-libs: $(BUILD)/hvt/libatoll.a $(BUILD)/hvt/libatoll_hvt.a \
    $(BUILD)/hvt/start_hvt.o $(BUILD)/hvt/hvt.ld $(BUILD)/hvt/freestanding.ok
hvt-check: $(BUILD)/hvt/freestanding.ok

EXTRA_ALL += hvt-libs
EXTRA_TEST += hvt-libs

# ---- lib/libc in host unit tests ---------------------------------------------
# tests/unit/libc_*.c test the freestanding C library inside an ordinary
# test process: its sources are built with -DATOLL_LIBC_TEST (every symbol
# renamed atoll_libc_NAME, see lib/libc/libc.h) and linked into those tests
# only; the san variant is instrumented like everything else there.
HVT_LIBC_TEST_CFLAGS := -std=gnu11 -g $(WARN) -ffreestanding -nostdinc \
    -isystem $(HVT_CC_INC) -Ilib/libc/include -DATOLL_LIBC_TEST \
    -fno-omit-frame-pointer
$(BUILD)/rel/libc-test/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HVT_LIBC_TEST_CFLAGS) -O2 -MMD -MP -c $< -o $@
$(BUILD)/san/libc-test/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HVT_LIBC_TEST_CFLAGS) -O1 -fsanitize=address,undefined \
	    -fno-sanitize-recover=all -MMD -MP -c $< -o $@
HVT_LIBC_TESTS := $(patsubst %.c,%,$(wildcard tests/unit/libc_*.c))
$(foreach v,rel san,$(foreach t,$(HVT_LIBC_TESTS),\
    $(eval $(BUILD)/$(v)/$(t): $(patsubst %.c,$(BUILD)/$(v)/libc-test/%.o,\
        $(HVT_LIBC_SRC)))))

# ---- the gdb stub's protocol in a host unit test ------------------------------
# tests/unit/gdb_stub.c drives tender/common/gdb.c (the gdb remote serial
# protocol, no KVM in it) with a fake guest: linked into that test only.
$(foreach v,rel san,$(eval $(BUILD)/$(v)/tests/unit/gdb_stub: \
    $(BUILD)/$(v)/tender/common/gdb.o))
# tests/unit/hvt_gdb.c: atoll-hvt's side of it that needs no /dev/kvm (the
# guest's registers, memory and breakpoints; the seccomp filter).
$(foreach v,rel san,$(eval $(BUILD)/$(v)/tests/unit/hvt_gdb: \
    $(BUILD)/$(v)/tender/common/gdb.o $(BUILD)/$(v)/tender/hvt/gdb_guest.o \
    $(BUILD)/$(v)/tender/hvt/seccomp.o $(BUILD)/$(v)/tender/common/msg.o \
    $(BUILD)/$(v)/tender/common/mem.o))

# ---- benchmarks ---------------------------------------------------------------
# spawn_time times spawn-to-exit of a command precisely (bench/hvt_tools/
# spawn_time.c); it lives outside bench/*.c because it is a tool, not a
# benchmark `make bench` runs on its own.
HVT_SPAWN_TIME := $(BUILD)/rel/bench-hvt/spawn_time
$(HVT_SPAWN_TIME): bench/hvt_tools/spawn_time.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE $< -o $@

.PHONY: bench-hvt
bench-hvt: bin/atoll-hvt bin/atoll-spt hvt-libs hvt-guests bin/atoll libs \
    $(HVT_SPAWN_TIME)
	@echo "== bench/hvt_boot.sh"
	@ROOT=$(CURDIR) BUILD=$(BUILD) SPAWN_TIME=$(HVT_SPAWN_TIME) \
	    bash bench/hvt_boot.sh
EXTRA_BENCH += bench-hvt
