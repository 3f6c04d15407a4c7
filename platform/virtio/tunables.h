/*
 * platform/virtio/tunables.h - the tunables only the virtio target reads,
 * with the others' rules: each can be set at build time with -DNAME=VALUE
 * (include/atoll/tunables.h).
 */
#ifndef ATOLL_PLATFORM_VIRTIO_TUNABLES_H
#define ATOLL_PLATFORM_VIRTIO_TUNABLES_H

/* virtio target: entries per virtqueue at most (the device may allow
 * fewer).  A net device keeps a 2 KiB buffer per entry and direction, so
 * 256 entries are 1 MiB of heap per net device; deeper rings let a burst
 * wait in the device instead of being dropped while the guest is busy. */
#ifndef ATOLL_VIRTIO_RING
#define ATOLL_VIRTIO_RING 256
#endif

/* virtio target: how long a halt may last while a device whose
 * interrupts do not reach the guest (no MSI-X, no interrupt line named)
 * is waited on: it is polled this often (ns). */
#ifndef ATOLL_VIRTIO_POLL_NS
#define ATOLL_VIRTIO_POLL_NS 1000000
#endif

/* virtio target: how long a block request may take before the device is
 * taken for broken and the request fails with -ATOLL_EIO (ns).  Block I/O
 * is synchronous (atoll/block.h), so a device that never answers would
 * otherwise stop the unikernel for good. */
#ifndef ATOLL_VIRTIO_BLOCK_TIMEOUT_NS
#define ATOLL_VIRTIO_BLOCK_TIMEOUT_NS (60LL * 1000000000LL)
#endif

#endif
