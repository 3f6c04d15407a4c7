/*
 * tender/spt/main.c - atoll-spt's order of setup.
 *
 *     atoll-spt [--mem=MiB] [--net:NAME=TAP]... [--block:NAME=FILE]...
 *               [--dumpcore=DIR] [--trace=FILE] KERNEL [-- ARGS...]
 *
 * The command line, the image checks, the manifest checks and the exit
 * statuses are atoll-hvt's (tender/common): the same image runs under
 * either.  Setup runs in a fixed order so that everything that needs a
 * privileged or rare system call (open, mmap, mprotect of whole regions,
 * getrandom, sigaction) happens before the seccomp filter goes in: map
 * guest memory, check and load the image, match the manifest against the
 * attachments, open devices, lay out memory and write the boot info,
 * apply the page permissions, install the signal handlers, then confine,
 * then jump to the guest.  The guest ends the process itself with the
 * exit hypercall.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include "spt.h"

int main(int argc, char **argv)
{
    hvt_progname = "atoll-spt";
    struct hvt_options o;
    hvt_options_parse(argc, argv, &o);
    if (o.gdb_port)
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "--gdb is atoll-hvt's: under atoll-spt the guest is part of "
                "the tender's process, so run gdb on atoll-spt itself "
                "(docs/debugging.md)");
    if (o.dumpcore && hvt_core_start(o.dumpcore, o.kernel) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (o.trace && hvt_trace_start(o.trace) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    struct hvt_guest *g = &spt_guest;
    uint64_t size;
    uint8_t *file = hvt_image_map(o.kernel, &size);
    if (spt_mem_map(&g->mem, o.mem_mib << 20) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    struct hvt_image img;
    hvt_guest_load(g, &o, file, size, &img);
    /* The boot info's tender fields: hypercalls are calls into
     * spt_hypercall_entry, and the clocks come from hypercalls (tsc_khz 0:
     * no TSC anchor in a process; a call costs nanoseconds here). */
    struct atoll_hvt_boot_info *bi = hvt_boot_info(&g->mem);
    bi->hypercall = (uint64_t)(uintptr_t)spt_hypercall_entry;
    bi->tsc_khz = 0;
    bi->mono_base_ns = hvt_mono_ns();
    bi->wall_base_ns = hvt_wall_ns();
    if (spt_mem_protect(&g->mem) < 0 || spt_signals_install() < 0 ||
        hvt_trace_signal_install() < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (spt_seccomp_install(g) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (o.selftest) {
        /* Test hook (tests/spt): a call outside the filter must be
         * refused and reported (signals.c); reaching the message below is
         * a failure. */
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "seccomp selftest: socket() was allowed (%d)", s);
    }
    spt_run(g, img.entry);
}
