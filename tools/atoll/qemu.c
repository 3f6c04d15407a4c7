/*
 * tools/atoll/qemu.c - running a virtio image under QEMU (see qemu.h).
 */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* The runtime's statuses for a bad command line and a missing host
 * resource (include/atoll/fiber.h), which the checks here stand in for. */
#define EXIT_RT_USAGE 64
#define EXIT_RT_NODEV 65

#define MEM_DEFAULT_MIB 32
#define MEM_MIN_MIB     2
#define MEM_MAX_MIB     2048 /* the guest's RAM must end below 3 GiB */

struct attach {
    const struct mf_device *dev; /* the manifest's */
    const char *spec;            /* TAP or FILE */
};

struct qemu_opts {
    bool microvm;
    const char *accel; /* NULL: kvm if usable, else tcg */
    int gdb_port;      /* 0: no gdb stub */
    unsigned long mem_mib;
    struct attach att[ATOLL_DEVICES_MAX];
    size_t natt;
    struct argv_list guest; /* runtime options and "--" + app args */
};

static const char *kind_word(const struct mf_device *d)
{
    return d->kind->attach == ATOLL_DEV_NET ? "net" : "block";
}

/* Devices of `m` that need a host resource attached, as the runtime
 * counts them (the hvt note's rule too). */
static bool needs_attach(const struct mf_device *d)
{
    const struct mf_impl *impl = mf_kind_impl(d->kind, d->impl);
    return d->kind->attach != ATOLL_DEV_NONE && impl && impl->attach;
}

static void declared_list(const struct manifest *m, enum atoll_dev_kind kind,
                          struct sbuf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < m->ndevices; i++)
        if (m->devices[i].kind->attach == kind)
            sb_printf(b, "%s%s", n++ ? ", " : "", m->devices[i].name);
    if (n == 0)
        sb_puts(b, "none");
}

/* --net:NAME=SPEC or --block:NAME=SPEC: checked against the manifest
 * with the runtime's messages.  0 or the status. */
static int add_attach(struct qemu_opts *o, const struct manifest *m,
                      enum atoll_dev_kind kind, const char *rest)
{
    const char *word = kind == ATOLL_DEV_NET ? "net" : "block";
    const char *eq = strchr(rest, '=');
    size_t nlen = eq ? (size_t)(eq - rest) : strlen(rest);
    const struct mf_device *dev = NULL;
    for (size_t i = 0; i < m->ndevices; i++)
        if (m->devices[i].kind->attach == kind &&
            strlen(m->devices[i].name) == nlen &&
            !strncmp(m->devices[i].name, rest, nlen))
            dev = &m->devices[i];
    if (!dev) {
        struct sbuf b = {0};
        declared_list(m, kind, &b);
        errf("--%s:%.*s: the application declares no %s device '%.*s' "
             "(declared: %s)",
             word, (int)nlen, rest, word, (int)nlen, rest, b.p);
        sb_free(&b);
        return EXIT_RT_USAGE;
    }
    if (!eq || !eq[1]) {
        errf("--%s:%s: missing '=SPEC' (e.g. --%s:%s=%s)", word, dev->name,
             word, dev->name, kind == ATOLL_DEV_NET ? "tap0" : "disk.img");
        return EXIT_RT_USAGE;
    }
    for (size_t i = 0; i < o->natt; i++)
        if (o->att[i].dev == dev) {
            errf("--%s:%s: attached twice", word, dev->name);
            return EXIT_RT_USAGE;
        }
    if (o->natt == ATOLL_DEVICES_MAX) {
        errf("too many devices");
        return EXIT_RT_USAGE;
    }
    o->att[o->natt++] = (struct attach){dev, eq + 1};
    return 0;
}

/* The runner's own options and the attachments out of the run arguments,
 * the rest kept for the guest.  0 or the status. */
static int parse_args(struct qemu_opts *o, const struct manifest *m, int argc,
                      char **argv)
{
    o->mem_mib = MEM_DEFAULT_MIB;
    int i;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        const char *a = argv[i];
        int st = 0;
        if (!strncmp(a, "--net:", 6)) {
            st = add_attach(o, m, ATOLL_DEV_NET, a + 6);
        } else if (!strncmp(a, "--block:", 8)) {
            st = add_attach(o, m, ATOLL_DEV_BLOCK, a + 8);
        } else if (!strncmp(a, "--mem=", 6)) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(a + 6, &end, 10);
            if (errno || end == a + 6 || *end || v < MEM_MIN_MIB ||
                v > MEM_MAX_MIB) {
                errf("bad --mem '%s': expected MiB in %d..%d", a + 6,
                     MEM_MIN_MIB, MEM_MAX_MIB);
                return QEMU_EXIT_TENDER;
            }
            o->mem_mib = v;
        } else if (!strncmp(a, "--machine=", 10)) {
            if (!strcmp(a + 10, "microvm"))
                o->microvm = true;
            else if (!strcmp(a + 10, "q35"))
                o->microvm = false;
            else {
                errf("bad --machine '%s': expected q35 or microvm", a + 10);
                return QEMU_EXIT_TENDER;
            }
        } else if (!strncmp(a, "--accel=", 8)) {
            if (strcmp(a + 8, "kvm") && strcmp(a + 8, "tcg")) {
                errf("bad --accel '%s': expected kvm or tcg", a + 8);
                return QEMU_EXIT_TENDER;
            }
            o->accel = a + 8;
        } else if (!strcmp(a, "--gdb") || !strncmp(a, "--gdb=", 6)) {
            char *end;
            long p = a[5] ? strtol(a + 6, &end, 10) : 1234;
            if (a[5] && (end == a + 6 || *end || p < 1 || p > 65535)) {
                errf("bad --gdb '%s': expected a TCP port", a + 6);
                return QEMU_EXIT_TENDER;
            }
            o->gdb_port = (int)p;
        } else {
            av_push(&o->guest, a);
        }
        if (st)
            return st;
    }
    for (; i < argc; i++)
        av_push(&o->guest, argv[i]);
    for (size_t d = 0; d < m->ndevices; d++) {
        const struct mf_device *dev = &m->devices[d];
        bool have = false;
        for (size_t k = 0; k < o->natt; k++)
            have |= o->att[k].dev == dev;
        if (needs_attach(dev) && !have) {
            errf("%s device '%s' is not attached (give --%s:%s=...)",
                 kind_word(dev), dev->name, kind_word(dev), dev->name);
            return EXIT_RT_USAGE;
        }
    }
    if (o->microvm && o->natt > QEMU_MMIO_MAX) {
        errf("microvm has %d virtio-mmio transports: too many devices",
             QEMU_MMIO_MAX);
        return QEMU_EXIT_TENDER;
    }
    if (!o->microvm && o->natt > 31 - QEMU_PCI_SLOT0) {
        errf("q35 has %d free PCI slots: too many devices",
             31 - QEMU_PCI_SLOT0);
        return QEMU_EXIT_TENDER;
    }
    return 0;
}

/* The host resources exist and are usable (QEMU would create a missing
 * tap device, which is the operator's choice, not ours).  0 or 65. */
static int check_host(const struct qemu_opts *o)
{
    for (size_t i = 0; i < o->natt; i++) {
        const struct attach *a = &o->att[i];
        const char *name = a->dev->name;
        if (a->dev->kind->attach == ATOLL_DEV_NET) {
            if (strchr(a->spec, '/') || strchr(a->spec, ',') ||
                strlen(a->spec) >= 16) {
                errf("--net:%s: '%s' is not a network interface name", name,
                     a->spec);
                return EXIT_RT_NODEV;
            }
            char *p = xasprintf("/sys/class/net/%s/tun_flags", a->spec);
            bool tap = path_exists(p);
            free(p);
            if (!tap) {
                errf("--net:%s: no tap device '%s' on this host (create it "
                     "first: ip tuntap add %s mode tap)",
                     name, a->spec, a->spec);
                return EXIT_RT_NODEV;
            }
        } else {
            struct stat st;
            if (stat(a->spec, &st) != 0 || !S_ISREG(st.st_mode)) {
                errf("--block:%s: cannot use '%s': %s", name, a->spec,
                     errno ? strerror(errno) : "not a regular file");
                return EXIT_RT_NODEV;
            }
            if (st.st_size == 0 || st.st_size % 512) {
                errf("--block:%s: '%s' is %lld bytes, not a whole number of "
                     "512-byte sectors",
                     name, a->spec, (long long)st.st_size);
                return EXIT_RT_NODEV;
            }
        }
    }
    return 0;
}

/* One guest argument, percent-encoded for the kernel command line (the
 * guest decodes it: platform/virtio/core.c). */
static void put_word(struct sbuf *b, const char *w)
{
    if (b->len)
        sb_puts(b, " ");
    if (!*w)
        sb_puts(b, "%00");
    for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
        if (*c > 0x20 && *c < 0x7f && *c != '%')
            sb_putn(b, (const char *)c, 1);
        else
            sb_printf(b, "%%%02X", *c);
    }
}

/* A locally administered unicast address, random per run (as atoll-hvt
 * gives its guests). */
static void random_mac(char out[18])
{
    unsigned char mac[6] = {0};
    if (getrandom(mac, sizeof mac, 0) != sizeof mac)
        mac[5] = (unsigned char)getpid();
    mac[0] = (unsigned char)((mac[0] & 0xfe) | 0x02);
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5]);
}

/* KVM for QEMU by default where /dev/kvm can be opened - except under
 * kvm-pvm (the module in /sys/module), a paravirtualized KVM that runs
 * tenders' long-mode guests but not QEMU's: QEMU's `-cpu host` stops at
 * MSR 0x10a, and without that MSR the guest's PVH entry faults on its
 * first SSE instruction (tried on 4 December 2026).  There the default
 * is TCG; --accel=kvm still asks for KVM.  ATOLL_SYSFS moves /sys for the
 * tool's test. */
static bool kvm_usable(void)
{
    const char *sys = getenv("ATOLL_SYSFS");
    char *pvm = xasprintf("%s/module/kvm_pvm", sys && *sys ? sys : "/sys");
    bool is_pvm = access(pvm, F_OK) == 0;
    free(pvm);
    return !is_pvm && access("/dev/kvm", R_OK | W_OK) == 0;
}

/* QEMU's command line for the options, and the guest's into `cmdline`. */
static void build_command(struct argv_list *av, const struct qemu_opts *o,
                          const char *bin, struct sbuf *cmdline)
{
    const char *qemu = getenv("ATOLL_QEMU");
    av_push(av, qemu && *qemu ? qemu : "qemu-system-x86_64");
    const char *accel = o->accel ? o->accel : kvm_usable() ? "kvm" : "tcg";
    /* microvm: no firmware tables or PCI; the PIT (TSC calibration) and
     * the RTC (wall clock) on; its transports announced on the command
     * line (virtio_mmio.device=), which the guest reads. */
    av_push(av, "-M");
    av_push(av, o->microvm ? "microvm,pit=on,rtc=on,isa-serial=on,"
                             "x-option-roms=off,auto-kernel-cmdline=on"
                           : "q35");
    av_push(av, "-accel");
    av_push(av, accel);
    av_push(av, "-cpu");
    av_push(av, !strcmp(accel, "kvm") ? "host" : "max");
    char *mem = xasprintf("%lu", o->mem_mib);
    av_push(av, "-m");
    av_push(av, mem);
    free(mem);
    av_push_words(av, "-nodefaults -no-user-config -display none -no-reboot "
                      "-serial stdio "
                      "-device isa-debug-exit,iobase=0xf4,iosize=4");
    if (o->microvm)
        av_push_words(av, "-global virtio-mmio.force-legacy=false");
    if (o->gdb_port) {
        char *g = xasprintf("tcp:127.0.0.1:%d", o->gdb_port);
        av_push(av, "-S");
        av_push(av, "-gdb");
        av_push(av, g);
        free(g);
    }
    for (size_t i = 0; i < o->natt; i++) {
        const struct attach *a = &o->att[i];
        bool net = a->dev->kind->attach == ATOLL_DEV_NET;
        char *backend, *dev, *where;
        if (net) {
            char mac[18];
            random_mac(mac);
            backend = xasprintf("-netdev tap,id=d%zu,ifname=%s,script=no,"
                                "downscript=no",
                                i, a->spec);
            dev = xasprintf("virtio-net-%s,netdev=d%zu,mac=%s",
                            o->microvm ? "device" : "pci", i, mac);
        } else {
            backend = NULL;
            dev = xasprintf("virtio-blk-%s,drive=d%zu",
                            o->microvm ? "device" : "pci", i);
        }
        if (backend) {
            av_push_words(av, backend);
        } else {
            /* The file name goes in as one argument: commas doubled, as
             * QEMU's option syntax wants. */
            struct sbuf f = {0};
            sb_printf(&f,
                      "if=none,id=d%zu,format=raw,cache=writeback,file=", i);
            for (const char *c = a->spec; *c; c++) {
                sb_putn(&f, c, 1);
                if (*c == ',')
                    sb_putn(&f, c, 1);
            }
            av_push(av, "-drive");
            av_push(av, f.p);
            sb_free(&f);
        }
        struct sbuf d = {0};
        sb_puts(&d, dev);
        if (o->microvm) {
            sb_printf(&d, ",bus=virtio-mmio-bus.%zu", i);
            where = xasprintf("mmio:0x%llx",
                              QEMU_MMIO_BASE +
                                  (unsigned long long)i * QEMU_MMIO_SIZE);
        } else {
            sb_printf(&d, ",addr=0x%zx,disable-legacy=on", QEMU_PCI_SLOT0 + i);
            where = xasprintf("pci:00:%02zx.0", QEMU_PCI_SLOT0 + i);
        }
        av_push(av, "-device");
        av_push(av, d.p);
        sb_free(&d);
        char *w =
            xasprintf("--%s:%s=%s", kind_word(a->dev), a->dev->name, where);
        put_word(cmdline, w);
        free(w);
        free(where);
        free(backend);
        free(dev);
    }
    for (size_t i = 0; i < o->guest.n; i++)
        put_word(cmdline, o->guest.v[i]);
    av_push(av, "-kernel");
    av_push(av, bin);
    av_push(av, "-append");
    av_push(av, cmdline->p ? cmdline->p : "");
}

static pid_t child;
static volatile sig_atomic_t stopped_by; /* a signal we passed on */

static void forward(int sig)
{
    stopped_by = sig;
    if (child > 0)
        kill(child, sig);
}

/* QEMU's status as the guest's (qemu.h). */
static int guest_status(int st)
{
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    /* QEMU exits 0 on SIGTERM and SIGINT: the run was stopped, not the
     * guest. */
    if (stopped_by)
        return 128 + stopped_by;
    int s = WEXITSTATUS(st);
    if (s >= 3 && (s & 1))
        return (s - 3) / 2;
    if (s == 0) {
        errf("the guest stopped without an exit status (a reset or a "
             "triple fault)");
        return QEMU_EXIT_CRASH;
    }
    errf("qemu failed (status %d)", s);
    return QEMU_EXIT_TENDER;
}

int qemu_run(const struct target *t, const char *root, const char *bin,
             const struct manifest *m, int argc, char **argv)
{
    struct qemu_opts o = {0};
    struct argv_list av = {0};
    struct sbuf cmdline = {0};
    int rc = parse_args(&o, m, argc, argv);
    if (rc == 0)
        rc = check_host(&o);
    if (rc != 0)
        goto out;
    build_command(&av, &o, bin, &cmdline);
    if (getenv("ATOLL_QEMU_SHOW")) {
        char *line = command_line(av.v);
        fprintf(stderr, "atoll: %s\n", line);
        free(line);
    }
    if (o.gdb_port)
        fprintf(stderr,
                "atoll: the guest waits for gdb; attach with\n"
                "  gdb -ex 'target remote 127.0.0.1:%d' %s\n",
                o.gdb_port, bin);
    fflush(stdout);
    fflush(stderr);
    /* QEMU is a child (its status is turned into the guest's): it dies
     * with us, and the signals that would end us end it. */
    child = fork();
    if (child < 0) {
        errf("run: fork: %s", strerror(errno));
        rc = QEMU_EXIT_TENDER;
        goto out;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execvp(av.v[0], av.v);
        errf("run: cannot execute %s: %s (install qemu-system-x86, or set "
             "ATOLL_QEMU)",
             av.v[0], strerror(errno));
        _exit(127);
    }
    struct sigaction sa = {0};
    sa.sa_handler = forward;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int st;
    while (waitpid(child, &st, 0) < 0)
        if (errno != EINTR) {
            errf("run: waitpid: %s", strerror(errno));
            rc = QEMU_EXIT_TENDER;
            goto out;
        }
    rc = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? QEMU_EXIT_TENDER
                                                 : guest_status(st);
out:
    (void)t;
    (void)root;
    av_free(&av);
    av_free(&o.guest);
    sb_free(&cmdline);
    return rc;
}
