# mk/tls.mk - BearSSL, the TLS library under lib/tls (docs/tls.md says
# why this one), built from Debian's source package with each variant's
# own flags: rel and san like the rest of lib/, and hvt freestanding
# (-nostdinc against lib/libc, no red zone, the global stack guard), which
# Debian's binary archive, built for glibc, could not be linked into.
#
#   $(BEARSSL_BUILD)/bearssl/src    the unpacked source (fetch-bearssl.sh)
#   $(BEARSSL_BUILD)/V/bearssl/*.o  its objects for variant V (rel, san,
#                                   hvt), added to V's libatoll.a
# BEARSSL_BUILD is $(BUILD) except in a build for tunables (Makefile).
# A scratch build (tests/style/clang.sh) copies the main build's source
# instead of fetching it again.
BEARSSL := $(BEARSSL_BUILD)/bearssl
BEARSSL_H := $(BEARSSL)/src/inc/bearssl.h
$(BEARSSL_H):
	BEARSSL_SRC=$${BEARSSL_SRC:-$(if $(filter-out build,$(BEARSSL_BUILD)),$(if \
	    $(wildcard build/bearssl/src/inc/bearssl.h),build/bearssl/src))} \
	    bash scripts/fetch-bearssl.sh $(BEARSSL)

BEARSSL_WARN := -w
BEARSSL_FLAGS_rel := -O2 -g -fno-omit-frame-pointer $(BEARSSL_WARN)
BEARSSL_FLAGS_san := -O1 -g -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=all $(BEARSSL_WARN)
BEARSSL_FLAGS_hvt := -O2 -g -ffreestanding -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) -Ilib/libc/include \
    -fno-pic -fno-pie -mno-red-zone -fno-omit-frame-pointer \
    -fstack-protector-strong -mstack-protector-guard=global \
    -fno-asynchronous-unwind-tables -fcf-protection=none $(BEARSSL_WARN)

define bearssl_variant
$(BEARSSL_BUILD)/$(1)/bearssl/done: $(BEARSSL_H) mk/bearssl.make mk/tls.mk
	+$$(MAKE) --no-print-directory -f mk/bearssl.make SRC=$(BEARSSL)/src \
	    OUT=$(BEARSSL_BUILD)/$(1)/bearssl CC="$(CC)" FLAGS="$(BEARSSL_FLAGS_$(1))"
# lib/tls includes BearSSL's header.
$(call obj,$(1),$(wildcard lib/tls/*.c)): $(BEARSSL_H)
endef
$(foreach v,rel san hvt,$(eval $(call bearssl_variant,$(v))))
$(BUILD)/rel/lib/tls/%.o: REL_FLAGS += -I$(BEARSSL)/src/inc
$(BUILD)/san/lib/tls/%.o: SAN_FLAGS += -I$(BEARSSL)/src/inc
$(BUILD)/hvt/lib/tls/%.o: HVT_FS_CFLAGS += -I$(BEARSSL)/src/inc
