/*
 * tender/hvt/main.c - atoll-hvt's command line and the order of setup.
 *
 *     atoll-hvt [--mem=MiB] [--net:NAME=TAP]... [--block:NAME=FILE]...
 *               [--dumpcore=DIR] [--trace=FILE] [--gdb[=PORT]]
 *               KERNEL [-- ARGS...]
 *
 * Setup runs in a fixed order so that everything that needs a privileged
 * or rare system call (open, mmap, KVM ioctls, getrandom) happens before
 * the seccomp filter goes in: read and check the image, match the manifest
 * against the attachments, open devices, build memory and the vCPU, wait
 * for gdb (--gdb), then confine, then run.  The exit status is the guest's
 * (0..111) or one of the reserved statuses in hvt/abi.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "hvt.h"

static void on_stop_signal(int sig)
{
    hvt_stop_requested = sig;
}

int main(int argc, char **argv)
{
    struct hvt_options o;
    hvt_options_parse(argc, argv, &o);
    /* ATOLL_HVT_STATS=1: report the number of VM exits (for benchmarks). */
    bool stats = getenv("ATOLL_HVT_STATS") != NULL;
    uint64_t t_start = stats ? hvt_mono_ns() : 0;
    /* The tender's first write to a closed pipe must not kill it. */
    signal(SIGPIPE, SIG_IGN);
    /* SIGINT and SIGTERM stop the guest in an orderly way: without
     * SA_RESTART, KVM_RUN and epoll_wait return EINTR, the vCPU loop
     * writes out the console area (output the guest has not handed over
     * yet) and returns, the statistics are printed, and the tender exits
     * with 128 + the signal's number. */
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* SIGUSR1: a live trace file (tender/common/trace.c). */
    hvt_trace_signal_install();

    if (o.dumpcore && hvt_core_start(o.dumpcore, o.kernel) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (o.trace && hvt_trace_start(o.trace) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    static struct hvt_guest g;
    uint64_t size;
    uint8_t *file = hvt_image_map(o.kernel, &size);
    uint64_t mem_size = o.mem_mib << 20;
    void *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "cannot allocate %llu MiB of guest memory: %s",
                (unsigned long long)o.mem_mib, strerror(errno));
    if (hvt_mem_init(&g.mem, mem, mem_size) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    struct hvt_image img;
    hvt_guest_load(&g, &o, file, size, &img);
    if (hvt_paging_build(&g.mem) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    struct hvt_vcpu v = {.stats = stats};
    if (hvt_vcpu_init(&v, &g.mem, img.entry) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    hvt_clock_boot(v.vcpu_fd, hvt_boot_info(&g.mem));
    if (o.gdb_port && hvt_gdb_attach(&v, &g.mem, o.gdb_port) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (hvt_seccomp_install(v.gdb) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (o.selftest) {
        /* Test hook (tests/kvm): a call outside the filter must kill the
         * tender with SIGSYS; reaching the message below is a failure. */
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "seccomp selftest: socket() was allowed (%d)", s);
    }
    uint64_t t_setup = stats ? hvt_mono_ns() : 0;
    int status = hvt_vcpu_run(&v, &g);
    if (stats) {
        if (status < 0)
            hvt_msg("guest stopped by a signal after %llu VM exits",
                    (unsigned long long)v.exits);
        else
            hvt_msg("guest exited with status %d after %llu VM exits", status,
                    (unsigned long long)v.exits);
        /* Microseconds from main() on; what happens before main() (exec,
         * loading) is not seen here. */
        uint64_t t_end = hvt_mono_ns();
        hvt_msg("time (us): setup %llu, guest %llu (first KVM_RUN %llu, "
                "all KVM_RUNs %llu, %llu flushes %llu, hypercalls %llu)",
                (unsigned long long)(t_setup - t_start) / 1000,
                (unsigned long long)(t_end - t_setup) / 1000,
                (unsigned long long)v.first_run_ns / 1000,
                (unsigned long long)v.run_ns / 1000,
                (unsigned long long)v.flushes,
                (unsigned long long)v.flush_ns / 1000,
                (unsigned long long)(t_end - t_setup - v.run_ns - v.flush_ns) /
                    1000);
        /* Exits per hypercall, by number (platform/hvt/abi.h): which
         * calls a workload makes most is where batching pays. */
        char line[256];
        size_t n = 0;
        for (unsigned nr = 0; nr < 16 && n < sizeof line; nr++)
            if (v.calls[nr])
                n += (size_t)snprintf(line + n, sizeof line - n, " %u:%llu", nr,
                                      (unsigned long long)v.calls[nr]);
        hvt_msg("hypercalls (number:exits):%s", n ? line : " none");
        uint64_t small, large;
        hvt_mem_touched(&g.mem, &small, &large);
        hvt_msg("heap pages the guest touched: %llu of 4 KiB, %llu of 2 MiB",
                (unsigned long long)small, (unsigned long long)large);
    }
    _exit(status < 0 ? 128 + hvt_stop_requested : status);
}
