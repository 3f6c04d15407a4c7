# mk/hvt.mk - the KVM target's pieces that live outside lib/ and platform/:
# the tender bin/atoll-hvt (tender/hvt/*.c, a Linux program) and the small
# freestanding test guests of tests/kvm (tests/kvm/guests/*.c, each linked
# with the tiny runtime in tests/kvm/guests/rt/ and guest.ld).
#
# Guests are built with their own flags (no host headers, no libc, no PIC,
# no red zone: hypercalls and future interrupt handlers share the stack),
# into $(BUILD)/kvm/ so tests/run.sh never mistakes them for test programs.

HVT_TENDER_SRC := $(sort $(wildcard tender/hvt/*.c))
HVT_TENDER_OBJ := $(call obj,rel,$(HVT_TENDER_SRC))

bin/atoll-hvt: $(HVT_TENDER_OBJ)
	@mkdir -p bin
	$(CC) $^ -o $@

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
