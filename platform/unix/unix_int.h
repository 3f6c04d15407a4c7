/*
 * platform/unix/unix_int.h - state shared by the files of the unix platform.
 *
 * The unix target is a Linux process: core.c (console, clocks, options,
 * randomness, exit), mem.c (the memory region, guard pages and the fault
 * handler that names an overflowing fiber), net.c (tap devices and
 * plat_wait over epoll), block.c (files).  Net and block devices share one
 * table of small device numbers, declared here.
 */
#ifndef ATOLL_PLATFORM_UNIX_INT_H
#define ATOLL_PLATFORM_UNIX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/errf.h"

enum unix_dev_kind { UNIX_DEV_FREE = 0, UNIX_DEV_NET, UNIX_DEV_BLOCK };

struct unix_dev {
    enum unix_dev_kind kind;
    int fd;
    bool read_only;       /* block */
    uint32_t sector_size; /* block */
    uint64_t sectors;     /* block */
    bool armed;           /* net: registered for EPOLLIN right now */
};

/* The lowest free device slot for `kind` (its number is the index), or
 * -ATOLL_ENOMEM when all ATOLL_DEVICES_MAX are taken. */
int unix_dev_alloc(enum unix_dev_kind kind);
/* Device `dev` if it is of `kind`, else NULL. */
struct unix_dev *unix_dev_get(int dev, enum unix_dev_kind kind);

/* SIGUSR1 asks for a live trace (trace_signal.c); start.c installs it. */
void unix_trace_signal_install(void);

/* --net-offload (core.c): false turns the taps' offloads off. */
bool unix_net_offload(void);

/* A MAC given with --net-mac:NAME=MAC, or false. */
bool unix_net_mac_override(const char *name, uint8_t mac[6]);

#endif
