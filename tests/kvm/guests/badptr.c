/*
 * tests/kvm/guests/badptr.c - passes one bad address or length to one
 * hypercall, chosen by its first argument.  Each case must make the tender
 * stop the guest with the crash status and a "bad hypercall" message; a
 * case that returns here means the tender accepted it (exit 1).
 *
 * The image declares no devices: the tender checks memory before it looks
 * at device numbers, so the device calls are covered too.
 */
#include "guest.h"

ATOLL_HVT_MANIFEST();

static const struct atoll_hvt_console ro_arg = {0, 0, 0}; /* in rodata */
static uint8_t buf[64];

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    const char *c = arg(bi, 0);
    uint64_t mem = bi->mem_size;
    uint64_t text = (uint64_t)(uintptr_t)&guest_main;
    struct atoll_hvt_console con = {(uintptr_t)buf, sizeof buf, 0};
    struct atoll_hvt_frame fr = {.addr = (uintptr_t)buf, .len = sizeof buf};
    struct atoll_hvt_net_io net = {0, 1, (uintptr_t)&fr, 0};
    struct atoll_hvt_block_io blk = {0, 0, 0, 1, (uintptr_t)buf, 0};

    if (!strcmp(c, "console-outside")) {
        con.data = mem - 4; /* runs past the end of memory */
        con.len = 100;
        hypercall(ATOLL_HVT_CONSOLE_WRITE, &con);
    } else if (!strcmp(c, "console-huge")) {
        con.len = ~0ULL - 8; /* data + len wraps around */
        hypercall(ATOLL_HVT_CONSOLE_WRITE, &con);
    } else if (!strcmp(c, "console-page0")) {
        con.data = 0x10;
        con.len = 4;
        hypercall(ATOLL_HVT_CONSOLE_WRITE, &con);
    } else if (!strcmp(c, "console-pagetables")) {
        con.data = ATOLL_HVT_PT_START;
        con.len = 8;
        hypercall(ATOLL_HVT_CONSOLE_WRITE, &con);
    } else if (!strcmp(c, "console-guard")) {
        con.data = bi->heap_end; /* the stack's guard page */
        con.len = 8;
        hypercall(ATOLL_HVT_CONSOLE_WRITE, &con);
    } else if (!strcmp(c, "console-area-len")) {
        /* The console area claims more than it holds; the next exit (any
         * call) must stop the guest instead of reading past it. */
        struct atoll_hvt_console_area *a =
            (struct atoll_hvt_console_area *)(uintptr_t)ATOLL_HVT_CONSOLE_AREA;
        a->len = ATOLL_HVT_CONSOLE_CAP + 1;
        struct atoll_hvt_clock ck = {0};
        hypercall(ATOLL_HVT_MCLOCK, &ck);
    } else if (!strcmp(c, "arg-outside")) {
        hypercall_raw(ATOLL_HVT_CONSOLE_WRITE, 0xfffffff0u);
    } else if (!strcmp(c, "arg-end")) {
        hypercall_raw(ATOLL_HVT_MCLOCK, (uint32_t)(mem - 4));
    } else if (!strcmp(c, "arg-readonly")) {
        hypercall(ATOLL_HVT_CONSOLE_WRITE, (void *)&ro_arg);
    } else if (!strcmp(c, "wclock-null")) {
        hypercall_raw(ATOLL_HVT_WCLOCK, 0);
    } else if (!strcmp(c, "wait-text")) {
        hypercall_raw(ATOLL_HVT_WAIT, (uint32_t)text);
    } else if (!strcmp(c, "wait-txlist")) {
        struct atoll_hvt_wait w = {.tx = mem - 8, .ntx = 1};
        hypercall(ATOLL_HVT_WAIT, &w);
    } else if (!strcmp(c, "wait-txframe")) {
        fr.addr = mem - 10; /* the frame to send runs past memory */
        fr.len = 1500;
        struct atoll_hvt_wait w = {.tx = (uintptr_t)&net, .ntx = 1};
        hypercall(ATOLL_HVT_WAIT, &w);
    } else if (!strcmp(c, "wait-rxlist-text")) {
        struct atoll_hvt_wait w = {.rx = text, .nrx = 1};
        hypercall(ATOLL_HVT_WAIT, &w);
    } else if (!strcmp(c, "wait-rxcount")) {
        struct atoll_hvt_wait w = {.rx = (uintptr_t)&net, .nrx = 17};
        hypercall(ATOLL_HVT_WAIT, &w);
    } else if (!strcmp(c, "packed-text")) {
        struct atoll_hvt_net_packed p = {.area = text, .size = 70000};
        hypercall(ATOLL_HVT_NET_READ_PACKED, &p);
    } else if (!strcmp(c, "packed-huge")) {
        struct atoll_hvt_net_packed p = {.area = (uintptr_t)buf,
                                         .size = ~0ULL - 8};
        hypercall(ATOLL_HVT_NET_READ_PACKED, &p);
    } else if (!strcmp(c, "wait-rxp-list")) {
        struct atoll_hvt_wait w = {.rxp = mem - 8, .nrxp = 1};
        hypercall(ATOLL_HVT_WAIT, &w);
    } else if (!strcmp(c, "wait-rxp-count")) {
        struct atoll_hvt_wait w = {.rxp = (uintptr_t)buf, .nrxp = 17};
        hypercall(ATOLL_HVT_WAIT, &w);
    } else if (!strcmp(c, "clocksync-readonly")) {
        hypercall_raw(ATOLL_HVT_CLOCK_SYNC, ATOLL_HVT_BOOT_INFO);
    } else if (!strcmp(c, "devinfo-outside")) {
        hypercall_raw(ATOLL_HVT_DEVICE_INFO, (uint32_t)mem);
    } else if (!strcmp(c, "netwrite-array")) {
        net.frames = mem - 8;
        hypercall(ATOLL_HVT_NET_WRITE, &net);
    } else if (!strcmp(c, "netwrite-count")) {
        net.count = 0xffffffffu;
        hypercall(ATOLL_HVT_NET_WRITE, &net);
    } else if (!strcmp(c, "netwrite-frame")) {
        fr.addr = mem - 10;
        fr.len = 1500;
        hypercall(ATOLL_HVT_NET_WRITE, &net);
    } else if (!strcmp(c, "netread-text")) {
        fr.addr = text; /* the tender must not write into code */
        hypercall(ATOLL_HVT_NET_READ, &net);
    } else if (!strcmp(c, "netread-len")) {
        fr.len = 0xffffffffu;
        hypercall(ATOLL_HVT_NET_READ, &net);
    } else if (!strcmp(c, "blockread-huge")) {
        blk.count = 1ULL << 60; /* count * 512 overflows */
        hypercall(ATOLL_HVT_BLOCK_READ, &blk);
    } else if (!strcmp(c, "blockread-text")) {
        blk.data = text;
        hypercall(ATOLL_HVT_BLOCK_READ, &blk);
    } else if (!strcmp(c, "blockread-bootinfo")) {
        blk.data = ATOLL_HVT_BOOT_INFO; /* read-only for the guest */
        hypercall(ATOLL_HVT_BLOCK_READ, &blk);
    } else if (!strcmp(c, "blockwrite-outside")) {
        blk.data = mem - 256;
        hypercall(ATOLL_HVT_BLOCK_WRITE, &blk);
    } else if (!strcmp(c, "exit-outside")) {
        hypercall_raw(ATOLL_HVT_EXIT, 0x7ffffff0u);
    } else if (!strcmp(c, "exit-status")) {
        struct atoll_hvt_exit e = {1000};
        hypercall(ATOLL_HVT_EXIT, &e);
    } else if (!strcmp(c, "unknown-call")) {
        hypercall(99, &con);
    } else if (!strcmp(c, "slot-read")) {
        (void)*(volatile uint64_t *)(uintptr_t)(ATOLL_HVT_HYPERCALL_BASE + 8);
    } else if (!strcmp(c, "slot-unaligned")) {
        *(volatile uint32_t *)(uintptr_t)(ATOLL_HVT_HYPERCALL_BASE + 12) = 0;
    } else {
        puts_("badptr: unknown case\n");
        return 2;
    }
    puts_("badptr: the tender accepted a bad hypercall\n");
    return 1;
}
