/*
 * tender/common/gdb.h - the gdb remote serial protocol, the part that
 * does not depend on how a guest is run: packets in and out, and the
 * commands gdb needs to debug one vCPU (docs/debugging.md).
 *
 * SYNOPSIS
 *     struct gdb_stub s;
 *     gdb_init(&s, &backend, ctx, out, out_ctx);
 *     gdb_stopped(&s, GDB_SIGTRAP);          the guest stopped: tell gdb
 *     act = gdb_feed(&s, bytes, n);          bytes from gdb's connection
 *
 * DESCRIPTION
 *     A packet is `$payload#cc`, cc the payload's byte sum modulo 256 in
 *     two hex digits; the receiver answers `+` (taken) or `-` (send
 *     again).  gdb_feed takes the connection's bytes as they come, in any
 *     pieces, acknowledges each packet, answers it through `out` and
 *     returns what the guest should do next: nothing yet, continue, step
 *     one instruction, or stop being debugged (gdb detached or killed
 *     it).  A byte 0x03 outside a packet is gdb's interrupt (^C).
 *
 *     Commands: `?` (why stopped), `g`/`G` (all registers, in gdb's amd64
 *     order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip, then eflags cs
 *     ss ds es fs gs as 32-bit values), `m`/`M` (memory), `c`/`s` (with
 *     an optional new rip), `Z0`/`z0` (software breakpoints, which the
 *     backend plants), `Z1`/`z1` (hardware breakpoints, when the backend
 *     has them), `qSupported`, `qAttached`, `H`, `D` (detach), `k`
 *     (kill).  Everything else gets the empty answer, which tells gdb the
 *     command is not supported.
 *
 *     Stop replies: `Sxx` for signal xx, or `Txxswbreak:;` / `Txxhwbreak:;`
 *     at a breakpoint when gdb said in its qSupported that it understands
 *     those reasons (then gdb takes rip as the breakpoint's address and
 *     does not adjust it); `Wxx` when the guest exited with status xx,
 *     `Xxx` when it ended on signal xx (a crash).
 *
 *     Nothing gdb sends is trusted: a payload longer than GDB_PACKET_MAX
 *     is refused with `-` and dropped, as is one whose checksum is wrong;
 *     a command with a malformed number, a length over GDB_MEM_MAX or a
 *     register block of the wrong size gets `E01`, and an address the
 *     backend refuses `E14` (EFAULT); the session goes on.
 */
#ifndef ATOLL_TENDER_GDB_H
#define ATOLL_TENDER_GDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX 4096 /* payload bytes (we say PacketSize=1000 hex) */
#define GDB_MEM_MAX    2048 /* bytes one m or M moves (hex: twice that) */
#define GDB_BP_MAX     64   /* breakpoints at once */
#define GDB_SIGTRAP    5
#define GDB_SIGINT     2

/* The registers gdb's amd64 target description has in its `g` packet. */
struct gdb_regs {
    uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp rsp r8 .. r15 */
    uint64_t rip;
    uint32_t eflags, cs, ss, ds, es, fs, gs;
};
#define GDB_REGS_BYTES (17 * 8 + 7 * 4)

/* How the stub reaches the guest.  Each returns 0, or -1 when it cannot
 * (an address outside guest memory, a breakpoint it cannot plant). */
struct gdb_backend {
    int (*get_regs)(void *ctx, struct gdb_regs *r);
    int (*set_regs)(void *ctx, const struct gdb_regs *r);
    int (*read_mem)(void *ctx, uint64_t addr, void *buf, size_t len);
    int (*write_mem)(void *ctx, uint64_t addr, const void *buf, size_t len);
    int (*set_breakpoint)(void *ctx, uint64_t addr, bool on);
    /* Hardware (instruction) breakpoints; NULL: none (Z1 unsupported). */
    int (*set_hw_breakpoint)(void *ctx, uint64_t addr, bool on);
};

/* Why the guest stopped, for the stop reply. */
enum gdb_stop_reason {
    GDB_STOP_SIGNAL,  /* a step, ^C, a fault: just the signal */
    GDB_STOP_SWBREAK, /* at a software breakpoint (rip is its address) */
    GDB_STOP_HWBREAK  /* at a hardware breakpoint */
};

enum gdb_action {
    GDB_NONE,     /* keep feeding */
    GDB_CONTINUE, /* run the guest until it stops: then gdb_stopped */
    GDB_STEP,     /* run one instruction: then gdb_stopped */
    GDB_DETACH,   /* gdb is gone (detached): run on, undebugged */
    GDB_KILL,     /* gdb asked to end the guest */
    GDB_INTERRUPT /* ^C while the guest runs: stop it, then gdb_stopped */
};

struct gdb_stub {
    const struct gdb_backend *be;
    void *ctx;
    /* Writes all of buf to gdb; a negative return ends nothing here (the
     * caller notices the connection is gone). */
    int (*out)(void *out_ctx, const void *buf, size_t len);
    void *out_ctx;
    /* The packet being read. */
    enum { GDB_IDLE, GDB_DATA, GDB_SUM1, GDB_SUM2 } state;
    char pkt[GDB_PACKET_MAX + 1];
    size_t len;
    bool overflow;
    uint8_t sum, want;
    /* Breakpoints planted: addresses, and whether each is a hardware one. */
    uint64_t bp[GDB_BP_MAX];
    bool bp_hw[GDB_BP_MAX];
    unsigned nbp;
    /* What gdb's qSupported offered: the stop reasons it understands. */
    bool swbreak, hwbreak;
    /* The last stop reply's signal, which `?` repeats (SIGTRAP at first). */
    int last_sig;
    /* Counters, for tests and messages. */
    unsigned packets, bad_packets;
};

void gdb_init(struct gdb_stub *s, const struct gdb_backend *be, void *ctx,
              int (*out)(void *, const void *, size_t), void *out_ctx);

/* Feeds `len` bytes from gdb.  Stops at the first packet that sets the
 * guest going (or ends the session) and returns that action, with
 * *used the bytes consumed; GDB_NONE when all were consumed without. */
enum gdb_action gdb_feed(struct gdb_stub *s, const uint8_t *buf, size_t len,
                         size_t *used);

/* The guest stopped (after a step, at a breakpoint, interrupted): tells
 * gdb with a stop reply for signal `sig`. */
void gdb_stopped(struct gdb_stub *s, int sig);
/* The same, naming a breakpoint as the reason when gdb understands it. */
void gdb_stopped_why(struct gdb_stub *s, int sig, enum gdb_stop_reason why);
/* The guest is gone: it exited with `status` (W), or ended on signal
 * `sig` (X, a crash).  Nothing more can be asked of it. */
void gdb_exited(struct gdb_stub *s, int status);
void gdb_terminated(struct gdb_stub *s, int sig);

/* Removes every breakpoint (gdb detached or went away). */
void gdb_clear_breakpoints(struct gdb_stub *s);

#endif
