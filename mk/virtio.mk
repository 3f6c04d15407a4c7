# mk/virtio.mk - the virtio target: unikernels that QEMU (-kernel, PVH) and
# Firecracker boot as ordinary virtual machines with virtio devices
# (platform/virtio, docs/virtio.md).  `atoll run` starts them with
# qemu-system-x86_64 (tools/atoll/qemu.c).
#
# $(BUILD)/virtio/ holds what `atoll build` links for target virtio:
#   libatoll.a         lib/, the very archive of the hvt build: same
#                      sources, same freestanding flags (mk/hvt.mk)
#   libatoll_virtio.a  platform/virtio, lib/libc (hvt's objects) and
#                      platform/host/pkt.c (offload frames' headers)
#   start_virtio.o     platform/virtio/start.S (the PVH entry point)
#   virtio.ld          the link script
# The flags are hvt's (HVT_FS_CFLAGS): no host header, no PIC, no red zone
# (interrupts push onto the running stack here), the stack protector with
# a global guard.  The same check proves no host header was read.

VIRTIO_PLAT_SRC := $(sort $(filter-out platform/virtio/start.S,\
    $(wildcard platform/virtio/*.c platform/virtio/*.S))) platform/host/pkt.c
VIRTIO_PLAT_OBJ := $(call obj,virtio,$(VIRTIO_PLAT_SRC))
VIRTIO_LIBC_OBJ := $(call obj,hvt,$(HVT_LIBC_SRC))
VIRTIO_OBJ := $(VIRTIO_PLAT_OBJ) $(BUILD)/virtio/platform/virtio/start.o

$(BUILD)/virtio/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HVT_FS_CFLAGS) -MD -MP -c $< -o $@
$(BUILD)/virtio/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(HVT_FS_CFLAGS) -MD -MP -c $< -o $@

$(BUILD)/virtio/libatoll.a: $(BUILD)/hvt/libatoll.a
	@mkdir -p $(@D)
	cp $< $@
# Renamed by hvt's map, which covers these objects too (mk/hvt.mk).
$(HVT_MAP): $(VIRTIO_OBJ)
$(BUILD)/virtio/libatoll_virtio.a: $(VIRTIO_PLAT_OBJ) $(VIRTIO_LIBC_OBJ) \
    $(HVT_MAP)
	@rm -f $@
	ar rcs $@ $(VIRTIO_PLAT_OBJ) $(VIRTIO_LIBC_OBJ)
	objcopy --redefine-syms=$(HVT_MAP) $@
$(BUILD)/virtio/start_virtio.o: $(BUILD)/virtio/platform/virtio/start.o \
    $(HVT_MAP)
	objcopy --redefine-syms=$(HVT_MAP) $< $@
$(BUILD)/virtio/virtio.ld: platform/virtio/virtio.ld
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/virtio/freestanding.ok: $(VIRTIO_OBJ)
	$(call freestanding_check,$(VIRTIO_OBJ))
	@touch $@

.PHONY: virtio-libs
virtio-libs: $(BUILD)/virtio/libatoll.a $(BUILD)/virtio/libatoll_virtio.a \
    $(BUILD)/virtio/start_virtio.o $(BUILD)/virtio/virtio.ld \
    $(BUILD)/virtio/freestanding.ok $(BUILD)/hvt/freestanding.ok

EXTRA_TEST += virtio-libs

# tests/unit/virtio_virtq.c drives platform/virtio/virtq.c with a device
# that lies, in an ordinary test process: virtq.c is compiled for the
# host (rel and san, like every test) and linked into that test only.
$(foreach v,rel san,$(eval $(BUILD)/$(v)/tests/unit/virtio_virtq: \
    $(BUILD)/$(v)/prefixed/platform/virtio/virtq.o))
# tests/unit/virtio_net_rx.c does the same for the receive path with
# merged buffers (platform/virtio/net_rx.c, over virtq.c).
$(foreach v,rel san,$(eval $(BUILD)/$(v)/tests/unit/virtio_net_rx: \
    $(BUILD)/$(v)/prefixed/platform/virtio/net_rx.o \
    $(BUILD)/$(v)/prefixed/platform/virtio/virtq.o))

# `make bench`: boot-to-exit under QEMU beside a process, the sandbox and
# Solo5's virtio target, the image size, TCP throughput over virtio-net
# (bench/virtio.sh).  spawn_time and the peer come from mk/hvt.mk and
# mk/netbench.mk.
.PHONY: bench-virtio
bench-virtio: bin/atoll bin/atoll-spt libs hvt-libs virtio-libs \
    $(HVT_SPAWN_TIME) $(NETBENCH_DIR)/peer
	@echo "== bench/virtio.sh"
	@ROOT=$(CURDIR) BUILD=$(BUILD) SPAWN_TIME=$(abspath $(HVT_SPAWN_TIME)) \
	    PEER=$(abspath $(NETBENCH_DIR)/peer) bash bench/virtio.sh
EXTRA_BENCH += bench-virtio
