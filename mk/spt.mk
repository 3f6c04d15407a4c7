# mk/spt.mk - atoll-spt, the sandboxed-process tender (tender/spt): runs
# the images of target hvt as seccomp-confined Linux processes, for hosts
# without KVM.  It shares tender/common with atoll-hvt (mk/hvt.mk) and
# runs the same image files, so it has no guest side of its own.
#
# Linked as a static PIE: the guest is loaded at the addresses it was
# linked for (1 MiB and up, below 4 GiB) in the tender's own address
# space, so the tender must live elsewhere, which a PIE does (the kernel
# places it far above 4 GiB); static, so that no dynamic loading happens
# at start and nothing is mapped after the filter is in.

SPT_TENDER_SRC := $(sort $(wildcard tender/spt/*.c tender/spt/*.S)) \
    $(TENDER_COMMON_SRC)
SPT_TENDER_OBJ := $(call obj,rel,$(SPT_TENDER_SRC))

# Position-independent whatever the compiler's default.
$(call obj,rel,$(sort $(wildcard tender/*/*.c tender/*/*.S))) \
    $(BUILD)/rel/platform/host/pkt.o $(BUILD)/rel/platform/host/tap.o \
    $(BUILD)/rel/platform/host/elfcore.o: \
    REL_FLAGS += -fPIE

bin/atoll-spt: $(SPT_TENDER_OBJ)
	@mkdir -p bin
	$(CC) -static-pie $^ -o $@

EXTRA_ALL += bin/atoll-spt
EXTRA_TEST += bin/atoll-spt
