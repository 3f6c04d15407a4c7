/*
 * tender/hvt/main.c - atoll-hvt's command line and the order of setup.
 *
 *     atoll-hvt [--mem=MiB] [--net:NAME=TAP]... [--block:NAME=FILE]...
 *               KERNEL [-- ARGS...]
 *
 * Setup runs in a fixed order so that everything that needs a privileged
 * or rare system call (open, mmap, KVM ioctls, getrandom) happens before
 * the seccomp filter goes in: read and check the image, match the manifest
 * against the attachments, open devices, build memory and the vCPU, then
 * confine, then run.  The exit status is the guest's (0..111) or one of the
 * reserved statuses in hvt/abi.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvt.h"

static void vmsg(const char *fmt, va_list ap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "atoll-hvt: ");
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof buf - 2)
        len = sizeof buf - 2;
    buf[len++] = '\n';
    /* Best effort: nothing useful to do if stderr is gone. */
    ssize_t w = write(2, buf, len);
    (void)w;
}

void hvt_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
}

void hvt_die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    _exit(status < 0 ? 128 + hvt_stop_requested : status);
}

static void usage(void)
{
    hvt_die(ATOLL_HVT_EXIT_TENDER,
            "usage: atoll-hvt [--mem=MiB] [--net:NAME=TAP]... "
            "[--block:NAME=FILE]... KERNEL [-- ARGS...]");
}

/* "--net:NAME=HOST": splits in place into the attachment. */
static void parse_attach(char *arg, uint32_t kind, struct hvt_attach *a)
{
    char *name = strchr(arg, ':') + 1;
    char *eq = strchr(name, '=');
    if (eq == NULL || eq == name || eq[1] == '\0')
        hvt_die(ATOLL_HVT_EXIT_TENDER,
                "bad device option '%s': expected --%s:NAME=%s", arg,
                kind == ATOLL_HVT_DEV_NET ? "net" : "block",
                kind == ATOLL_HVT_DEV_NET ? "TAP" : "FILE");
    *eq = '\0';
    a->kind = kind;
    a->name = name;
    a->host = eq + 1;
}

/* Reads the whole image file (bounded: guest memory is at most 4 GiB). */
/* A bus error while the image is mapped means the file shrank under us
 * (someone truncated it while we loaded it): a bad image, not a crash. */
static void on_image_bus_error(int sig)
{
    static const char msg[] =
        "atoll-hvt: bad image: the file changed while it was loaded\n";
    (void)sig;
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing more to do */
    }
    _exit(ATOLL_HVT_EXIT_BAD_IMAGE);
}

/* Maps the image read-only; unmap_image releases it once loaded.  Mapped,
 * not read: a debug build is mostly DWARF sections the tender never looks
 * at, and reading all of it was a tenth of a boot (0.17 ms for 318 KiB);
 * only the pages the loader touches are faulted in. */
static uint8_t *map_image(const char *path, uint64_t *size)
{
    static uint8_t empty[1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "%s: cannot open: %s", path,
                strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        hvt_die(ATOLL_HVT_EXIT_TENDER, "%s: not a regular file", path);
    if ((uint64_t)st.st_size > ((uint64_t)ATOLL_HVT_MEM_MAX_MIB << 20))
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE, "%s: bad image: file too large",
                path);
    *size = (uint64_t)st.st_size;
    if (*size == 0) {
        close(fd);
        return empty; /* the ELF checks refuse it */
    }
    struct sigaction sa = {.sa_handler = on_image_bus_error};
    sigaction(SIGBUS, &sa, NULL);
    void *p = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "%s: cannot map: %s", path,
                strerror(errno));
    return p;
}

static void unmap_image(uint8_t *file, uint64_t size)
{
    if (size > 0)
        munmap(file, size);
    signal(SIGBUS, SIG_DFL);
}

volatile sig_atomic_t hvt_stop_requested;

static void on_stop_signal(int sig)
{
    hvt_stop_requested = sig;
}

int main(int argc, char **argv)
{
    uint64_t mem_mib = 8;
    struct hvt_attach att[ATOLL_HVT_MAX_DEVICES];
    int natt = 0;
    const char *kernel = NULL;
    bool selftest = false;
    int i;

    for (i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strncmp(a, "--mem=", 6) == 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(a + 6, &end, 10);
            if (errno || end == a + 6 || *end != '\0' ||
                v < ATOLL_HVT_MEM_MIN_MIB || v > ATOLL_HVT_MEM_MAX_MIB)
                hvt_die(ATOLL_HVT_EXIT_TENDER,
                        "bad --mem '%s': expected MiB in %d..%d", a + 6,
                        ATOLL_HVT_MEM_MIN_MIB, ATOLL_HVT_MEM_MAX_MIB);
            mem_mib = v;
        } else if (strncmp(a, "--net:", 6) == 0 ||
                   strncmp(a, "--block:", 8) == 0) {
            if (natt == ATOLL_HVT_MAX_DEVICES)
                hvt_die(ATOLL_HVT_EXIT_TENDER, "too many devices (max %d)",
                        ATOLL_HVT_MAX_DEVICES);
            parse_attach(a,
                         a[2] == 'n' ? ATOLL_HVT_DEV_NET : ATOLL_HVT_DEV_BLOCK,
                         &att[natt++]);
        } else if (strcmp(a, "--x-seccomp-selftest") == 0) {
            selftest = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
        } else if (a[0] == '-' && a[1] != '\0') {
            hvt_msg("unknown option '%s'", a);
            usage();
        } else if (kernel == NULL) {
            kernel = a;
        } else {
            hvt_msg("unexpected argument '%s' (guest arguments go after "
                    "'--')",
                    a);
            usage();
        }
    }
    if (kernel == NULL)
        usage();
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

    static struct hvt_guest g;
    uint64_t size;
    uint8_t *file = map_image(kernel, &size);
    if (hvt_mem_init(&g.mem, mem_mib << 20) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    struct hvt_image img;
    if (hvt_elf_load(file, size, &g.mem, &img) < 0)
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE, "%s: bad image (refused)", kernel);
    if (img.manifest == NULL)
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE,
                "%s: bad image: no ATOLL manifest note (not built for hvt?)",
                kernel);
    int r =
        hvt_manifest_match(img.manifest, img.manifest_size, att, natt, &g.devs);
    if (r == -1)
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE, "%s: bad image (refused)", kernel);
    if (r < 0)
        return ATOLL_HVT_EXIT_TENDER;
    hvt_symbols_load(file, size);
    unmap_image(file, size);
    if (hvt_devices_open(&g.devs) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (hvt_mem_finish(&g.mem, img.end, argc - i, argv + i, g.devs.count) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    struct hvt_vcpu v = {.stats = stats};
    if (hvt_vcpu_init(&v, &g.mem, img.entry) < 0)
        return ATOLL_HVT_EXIT_TENDER;
    hvt_clock_boot(
        v.vcpu_fd,
        (struct atoll_hvt_boot_info *)(g.mem.base + ATOLL_HVT_BOOT_INFO));
    if (hvt_seccomp_install() < 0)
        return ATOLL_HVT_EXIT_TENDER;
    if (selftest) {
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
