/*
 * atoll/tunables.h - every tunable of the runtime, in one place.
 *
 * Each value can be overridden at build time with -DNAME=VALUE (the atoll
 * tool passes CFLAGS through).  Values that a user picks at run time (memory
 * size, trace ring size, log levels) have a command-line flag; the value here
 * is then only the default.  The network stack's are in net_tunables.h;
 * values only one target reads live with it, below the platform line
 * (platform/hvt/tunables.h, platform/virtio/tunables.h).  `atoll build`
 * builds the libraries again for an application that sets any of them
 * (tools/atoll/tune.h).
 */
#ifndef ATOLL_TUNABLES_H
#define ATOLL_TUNABLES_H

/* Memory region handed to the allocator when --mem= is not given (MiB).
 * Small on purpose: a unikernel declares what it needs. */
#ifndef ATOLL_DEFAULT_MEM_MIB
#define ATOLL_DEFAULT_MEM_MIB 32
#endif

/* Smallest region the runtime accepts (MiB): below this even the trace ring
 * and the main fiber's stack would not fit. */
#ifndef ATOLL_MIN_MEM_MIB
#define ATOLL_MIN_MEM_MIB 2
#endif

/* Default fiber stack size in bytes, excluding the guard page.  A multiple
 * of the 4 KiB page size. */
#ifndef ATOLL_FIBER_STACK_DEFAULT
#define ATOLL_FIBER_STACK_DEFAULT (64 * 1024)
#endif

/* Smallest stack a fiber may ask for. */
#ifndef ATOLL_FIBER_STACK_MIN
#define ATOLL_FIBER_STACK_MIN (16 * 1024)
#endif

/* Longest fiber name kept (bytes, without the NUL); longer names are cut. */
#ifndef ATOLL_FIBER_NAME_MAX
#define ATOLL_FIBER_NAME_MAX 31
#endif

/* Records in the scheduler's trace ring when --trace-size= is not given.
 * One record is 48 bytes. */
#ifndef ATOLL_TRACE_RECORDS_DEFAULT
#define ATOLL_TRACE_RECORDS_DEFAULT 65536
#endif

/* Fibers whose names the trace remembers (for the export's thread names
 * after their creation records have been overwritten). */
#ifndef ATOLL_TRACE_NAMES_MAX
#define ATOLL_TRACE_NAMES_MAX 4096
#endif

/* Which invariant checks (atoll/invariant.h) are compiled into the
 * libraries: 0 none, 1 the constant-time ones (ATOLL_ASSERT: TCP's
 * sequence space and rings, buffer bounds, the scheduler's queue ends, the
 * store's log offsets), 2 also the ones that walk a structure
 * (ATOLL_ASSERT_SLOW: every queued fiber, the timer heap, a tree's order,
 * the whole SACK scoreboard).  The sanitizer build uses 2; 1 costs the
 * optimised build +0.9% of the instructions of a simulated TCP transfer
 * (docs/testing.md), so it is the default there. */
#ifndef ATOLL_INVARIANTS
#ifdef ATOLL_SANITIZE
#define ATOLL_INVARIANTS 2
#else
#define ATOLL_INVARIANTS 1
#endif
#endif

/* Bytes reserved in front of every received frame, so that lower layers can
 * be pulled off and headers pushed on without copying. */
#ifndef ATOLL_BUF_HEADROOM
#define ATOLL_BUF_HEADROOM 128
#endif

/* Largest Ethernet frame a network interface moves (no FCS): 1500-byte MTU
 * plus 14 header bytes plus a VLAN tag. */
#ifndef ATOLL_NET_FRAME_MAX
#define ATOLL_NET_FRAME_MAX 1518
#endif

/* Devices (net + block together) a unikernel may declare.  The platform's
 * readiness set is a 64-bit mask. */
#ifndef ATOLL_DEVICES_MAX
#define ATOLL_DEVICES_MAX 64
#endif

/* Bytes of verified objects each block-backend store keeps in memory
 * (lib/store/objcache.c), least recently used evicted first, counting
 * each entry's bookkeeping (about 64 bytes) and the hash table.  A read
 * that hits skips the device read, the record's CRC and the SHA-256
 * check; the objects on a hot path (commit, trees, blob) then cost a
 * copy.  0 turns the cache off; atoll_store_block_cache changes it at
 * run time.  Objects larger than an eighth of it are not kept. */
#ifndef ATOLL_STORE_CACHE_BYTES
#define ATOLL_STORE_CACHE_BYTES (1024 * 1024)
#endif

/* Longest log line, including the prefix; longer lines are cut with "...". */
#ifndef ATOLL_LOG_LINE_MAX
#define ATOLL_LOG_LINE_MAX 512
#endif

#endif
