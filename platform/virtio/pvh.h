/*
 * platform/virtio/pvh.h - what the PVH boot hands the guest: struct
 * hvm_start_info and its memory map, as Xen's public header
 * arch-x86/hvm/start_info.h defines them (QEMU and Firecracker fill
 * version 1, which has the memory map).
 *
 * Everything here is written by the VMM and read once at boot by core.c,
 * which checks it: the magic, the version, the map's size, and that the
 * command line is terminated within PVH_CMDLINE_MAX bytes.
 */
#ifndef ATOLL_PLATFORM_VIRTIO_PVH_H
#define ATOLL_PLATFORM_VIRTIO_PVH_H

#include <stdint.h>

#define PVH_START_MAGIC 0x336ec578u

struct pvh_start_info {
    uint32_t magic;
    uint32_t version; /* 0, or 1 with the memory map */
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr; /* NUL-terminated, 0 if none */
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr; /* version >= 1 */
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct pvh_memmap_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type; /* PVH_MEMMAP_RAM, or reserved of some kind */
    uint32_t reserved;
};

#define PVH_MEMMAP_RAM 1

/* The longest command line the guest takes (bytes with the NUL); a longer
 * one is refused at boot. */
#define PVH_CMDLINE_MAX 8192

#endif
