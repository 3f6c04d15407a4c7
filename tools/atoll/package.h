/*
 * tools/atoll/package.h - `atoll package`: the built unikernel as an OCI
 * image, for container orchestrators (docs/deploy.md).
 *
 *     atoll package [-o DIR] [--tag=TAG] [--mem=MiB] [-- APP-ARGS...]
 *
 * builds if needed and writes an OCI image layout (oci.h) into DIR
 * (default _build/oci).  What kind of image depends on the target the
 * application is configured for (the target table's `package`):
 *
 *   hvt, spt  a plain image that any OCI runtime runs (runc, crun, hence
 *             containerd, Kubernetes): the image under atoll-spt, the
 *             sandboxed tender, which needs no KVM.  The entry point is
 *             atoll-oci-net (tools/oci), which gives the container's eth0
 *             to the unikernel through a tap device and a bridge, with
 *             eth0's address as --ipv4 and its gateway as --ipv4-gateway,
 *             then becomes atoll-spt.  At most one net device; a block
 *             device NAME is the file /atoll/disk/NAME.img (a volume).
 *   virtio    an image for urunc (a CNCF runtime that starts unikernels
 *             in VMs), with its annotations (com.urunc.unikernel.*) and
 *             urunc.json: unikernelType mirage, hypervisor qemu - the one
 *             pairing urunc launches whose command line (--ipv4=A/N
 *             --ipv4-gateway=G, then the image's arguments) and QEMU
 *             invocation (-kernel, virtio-net-pci) an Atoll virtio image
 *             takes.  At most one net device, a network stack; no block
 *             device (urunc gives a mirage guest under QEMU none).
 *
 * APP-ARGS become the image's default arguments (Cmd), which a pod's
 * `args` replace.
 */
#ifndef ATOLL_TOOL_PACKAGE_H
#define ATOLL_TOOL_PACKAGE_H

int cmd_package(int argc, char **argv);
extern const char package_cmd_help[];

#endif
