# mk/oci.mk - what `atoll package` puts into a plain OCI image besides
# the tender: bin/atoll-oci-net (tools/oci), the entry point that hands the
# container's network interface to the unikernel (docs/deploy.md).  A
# static Linux program: the image holds nothing else to link against.

OCI_NET_OBJ := $(call obj,rel,tools/oci/atoll-oci-net.c)

bin/atoll-oci-net: $(OCI_NET_OBJ)
	@mkdir -p bin
	$(CC) -static $^ -o $@

EXTRA_ALL += bin/atoll-oci-net
EXTRA_TEST += bin/atoll-oci-net
