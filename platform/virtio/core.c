/*
 * platform/virtio/core.c - the virtio target's boot, options, memory,
 * randomness and exit: the plat_* functions (platform.h) that are not
 * about a device.
 *
 * Boot: start.S hands over the PVH start info (pvh.h).  Everything in it
 * is the VMM's word and is checked before use: the magic, the version,
 * the memory map's size, the command line's length.  The command line is
 * copied out first (nothing of the VMM's is used later), then split into
 * words:
 *
 *     --net:service=pci:00:04.0 --log=debug -- --count=2
 *
 * Each word is one argument of atoll_boot, its bytes percent-encoded
 * where they are not printable ASCII other than blank and '%' (so
 * `atoll run` can pass an argument with a blank as "a%20b"; "%00" alone
 * is the empty argument).  Words of the form
 * virtio_mmio.device=SIZE@ADDR:IRQ - the Linux convention by which QEMU's
 * microvm and Firecracker announce their virtio-mmio transports, which
 * they append to the command line - are taken out wherever they are and
 * recorded for mmio.c.  And words --ipv4=... / --ipv4-gateway=... before
 * the first "--", which urunc puts there (MirageOS's convention), move
 * behind it, where the application's arguments are (move_stack_words).
 *
 * Memory: the runtime's region starts after the image (its boot page
 * tables and boot stack included) and ends with the RAM region the image
 * was loaded into, by the memory map.  A runtime --mem larger than that
 * gets what there is, as on hvt; `atoll run --mem=` sizes the VM.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/app.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "../../lib/core/runtime.h"
#include "io.h"
#include "libc_sys.h"
#include "platform.h"
#include "pvh.h"
#include "virtio_int.h"

const char plat_name[] = "virtio";
const bool plat_deterministic = false;

uintptr_t __stack_chk_guard;
uint64_t virtio_ram_end;
struct mmio_slot virtio_mmio_slots[VIRTIO_MMIO_SLOTS];
int virtio_mmio_nslots;

static void say(const char *s)
{
    console_write(s, strlen(s));
}

/* ---- exit -------------------------------------------------------------- */

_Noreturn void virtio_poweroff(int status)
{
    console_drain();
    outl(VIRTIO_EXIT_PORT, (uint32_t)status + 1);
    /* No debug-exit device: QEMU without it (urunc's) turns off through
     * ACPI; Firecracker, which has no ACPI poweroff, takes the keyboard
     * controller's reset line as the end of the VM (and QEMU with
     * -no-reboot as a shutdown). */
    acpi_poweroff();
    outb(0x64, 0xfe);
    intr_die();
}

_Noreturn void plat_exit(int status)
{
    virtio_net_flush_all();
    /* Statuses above VIRTIO_EXIT_MAX are the runner's and the crash's. */
    if (status < 0 || status > VIRTIO_EXIT_MAX)
        status = VIRTIO_EXIT_MAX;
    virtio_poweroff(status);
}

/* ---- console ----------------------------------------------------------- */

int plat_console_write(const char *buf, size_t len)
{
    console_write(buf, len);
    return 0;
}

/* ---- options ----------------------------------------------------------- */

int plat_option(const char *key, const char *value, char *err, size_t errlen)
{
    return -ATOLL_ENOENT;
}

const char *plat_options_help(void)
{
    return "  --net:NAME=WHERE, --block:NAME=WHERE: the virtio device, WHERE\n"
           "      being pci:BB:DD.F (a PCI function), mmio:ADDR (a "
           "virtio-mmio\n"
           "      transport) or auto (the next device of the kind); `atoll "
           "run`\n"
           "      writes these for its QEMU devices (docs/virtio.md)\n";
}

/* ---- memory ------------------------------------------------------------ */

int plat_mem_region(size_t want, void **base, size_t *len)
{
    static bool taken;
    uint64_t start = (uint64_t)(uintptr_t)__image_end, end = virtio_ram_end;
    if (taken || end <= start || want == 0)
        return -ATOLL_ENOMEM;
    size_t have = (size_t)(end - start);
    taken = true;
    *base = (void *)(uintptr_t)start;
    *len = want < have ? want : have;
    return 0;
}

void *plat_stack_take(size_t size)
{
    return NULL;
}

bool plat_stack_return(void *stack)
{
    return false;
}

/* ---- randomness -------------------------------------------------------- */

/* RDRAND when the CPU has it (QEMU's -cpu max under TCG, any recent CPU
 * under KVM); otherwise a splitmix64 stream keyed with the TSC at first
 * use, which is not secret - the runtime's Fortuna also polls RDSEED,
 * RDRAND and cycle jitter itself (lib/crypto/entropy.c). */
static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

int plat_random(void *buf, size_t len)
{
    static int have_rdrand = -1;
    static uint64_t state;
    if (have_rdrand < 0) {
        uint32_t r[4];
        cpuid(1, 0, r);
        have_rdrand = (r[2] >> 30) & 1;
        state = rdtsc() ^ (uint64_t)__stack_chk_guard;
    }
    uint8_t *p = buf;
    while (len > 0) {
        uint64_t z;
        if (!have_rdrand || !rdrand64(&z)) {
            z = (state += 0x9e3779b97f4a7c15ULL) ^ rdtsc();
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            z ^= z >> 31;
        }
        size_t n = len < sizeof z ? len : sizeof z;
        memcpy(p, &z, n);
        p += n;
        len -= n;
    }
    return 0;
}

/* There is no host file system to write to, and no trigger. */
int plat_trace_write(const char *path, unsigned n)
{
    (void)path;
    (void)n;
    return -ATOLL_ENOTSUP;
}

unsigned plat_trace_requests(void)
{
    return 0;
}

/* ---- lib/libc's hooks and the stack protector ---------------------------- */

void libc_sys_write(const char *buf, size_t len)
{
    console_write(buf, len);
}

_Noreturn void libc_sys_crash(void)
{
    plat_exit(ATOLL_EXIT_PANIC);
}

_Noreturn void __stack_chk_fail(void)
{
    say("atoll: stack smashing detected (a stack buffer overflow "
        "overwrote the canary)\n");
    plat_exit(ATOLL_EXIT_PANIC);
}

/* ---- boot: the memory map ------------------------------------------------ */

/* The end of the RAM region holding the image, from the memory map: 0 if
 * the map has none.  A map of more than 128 entries is refused. */
static uint64_t ram_end(const struct pvh_start_info *si)
{
    if (si->version < 1 || si->memmap_paddr == 0 || si->memmap_entries == 0 ||
        si->memmap_entries > 128)
        return 0;
    const struct pvh_memmap_entry *e =
        (const struct pvh_memmap_entry *)(uintptr_t)si->memmap_paddr;
    uint64_t lo = (uint64_t)(uintptr_t)__image_start;
    uint64_t hi = (uint64_t)(uintptr_t)__image_end;
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        uint64_t a = e[i].addr, s = e[i].size;
        if (e[i].type != PVH_MEMMAP_RAM || a + s < a)
            continue;
        if (a <= lo && hi <= a + s)
            return (a + s) & ~0xfffULL;
    }
    return 0;
}

/* ---- boot: the command line ---------------------------------------------- */

#define BOOT_ARGV_MAX 1024

static char cmdline[PVH_CMDLINE_MAX];

/* The value of hex digit c, or -1. */
static int hex_digit(char c)
{
    static const char digits[] = "0123456789abcdef";
    const char *p = c ? strchr(digits, c | 0x20) : NULL;
    return p ? (int)(p - digits) : -1;
}

/* Decodes %XX in place; NUL bytes are dropped.  -1 on a bad escape. */
static int percent_decode(char *w)
{
    char *out = w;
    for (char *in = w; *in; in++) {
        if (*in != '%') {
            *out++ = *in;
            continue;
        }
        int h = hex_digit(in[1]), l = h < 0 ? -1 : hex_digit(in[2]);
        if (l < 0)
            return -1;
        char c = (char)(h << 4 | l);
        if (c)
            *out++ = c;
        in += 2;
    }
    *out = 0;
    return 0;
}

/* A number (decimal, or hex with 0x) and, with `suffix`, an optional
 * K/M/G: the size of virtio_mmio.device. */
static bool parse_num(const char **s, uint64_t *v, bool suffix)
{
    char *end;
    if (**s < '0' || **s > '9')
        return false;
    unsigned long long n = strtoull(*s, &end, 0);
    int sh = 0;
    if (suffix && *end && strchr("kKmMgG", *end)) {
        sh = (*end | 0x20) == 'k' ? 10 : (*end | 0x20) == 'm' ? 20 : 30;
        end++;
    }
    if (n == ~0ULL || n >> (63 - sh))
        return false;
    *s = end;
    *v = (uint64_t)n << sh;
    return true;
}

/* virtio_mmio.device=SIZE@ADDR[:IRQ] (the rest of the word). */
static int mmio_slot_word(const char *s)
{
    struct mmio_slot m = {0, 0, -1};
    uint64_t irq;
    if (!parse_num(&s, &m.size, true) || *s++ != '@' ||
        !parse_num(&s, &m.addr, false))
        return -1;
    if (*s == ':') {
        s++;
        if (!parse_num(&s, &irq, false) || irq > 255)
            return -1;
        m.irq = (int)irq;
    }
    if (*s || m.size < 0x100 || m.addr & 0xfff || m.addr + m.size < m.addr)
        return -1;
    if (virtio_mmio_nslots == VIRTIO_MMIO_SLOTS)
        return -1;
    virtio_mmio_slots[virtio_mmio_nslots++] = m;
    return 0;
}

static const char MMIO_WORD[] = "virtio_mmio.device=";

/* Splits the copied command line into argv (after argv[0]); returns argc,
 * or -1 after a message. */
static int split_words(char **argv, int argc)
{
    char *p = cmdline;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            return argc;
        char *w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if (*p)
            *p++ = 0;
        if (!strncmp(w, MMIO_WORD, sizeof MMIO_WORD - 1)) {
            if (mmio_slot_word(w + sizeof MMIO_WORD - 1) < 0) {
                say("atoll: bad or too many virtio_mmio.device= on the "
                    "command line: ");
                say(w);
                say("\n");
                return -1;
            }
            continue;
        }
        if (percent_decode(w) < 0) {
            say("atoll: bad %-escape in the command line word '");
            say(w);
            say("'\n");
            return -1;
        }
        if (argc == BOOT_ARGV_MAX) {
            say("atoll: too many arguments\n");
            return -1;
        }
        argv[argc++] = w;
    }
}

/* Whether w is a network stack's address argument: --ipv4=,
 * --ipv4-gateway=, or the same after a device name (--NAME-ipv4=). */
static bool stack_address_word(const char *w)
{
    if (strncmp(w, "--", 2))
        return false;
    const char *eq = strchr(w, '=');
    if (!eq)
        return false;
    size_t n = (size_t)(eq - w);
    static const char *const tails[] = {"ipv4", "ipv4-gateway"};
    for (int i = 0; i < 2; i++) {
        size_t t = strlen(tails[i]);
        if (n == 2 + t && !strncmp(w + 2, tails[i], t))
            return true;
        if (n > 3 + t && w[n - t - 1] == '-' &&
            !strncmp(w + n - t, tails[i], t))
            return true;
    }
    return false;
}

/* MirageOS's convention, which urunc follows for QEMU and Firecracker:
 * the VMM's launcher puts --ipv4=A/N --ipv4-gateway=G first on the
 * command line.  Here they are application arguments, so such words
 * before the first "--" move to just after it (a "--" is added if there
 * is none).  Returns the new argc. */
static int move_stack_words(char **argv, int argc)
{
    static char dashes[] = "--";
    static char *moved[BOOT_ARGV_MAX];
    int nmoved = 0, out = 1, i;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (stack_address_word(argv[i]))
            moved[nmoved++] = argv[i];
        else
            argv[out++] = argv[i];
    }
    if (nmoved == 0)
        return argc;
    bool had = i < argc;
    if (!had && argc == BOOT_ARGV_MAX)
        return -1;
    int rest = had ? argc - i - 1 : 0;
    /* argv[out..] becomes "--", the moved words, the rest. */
    memmove(argv + out + 1 + nmoved, argv + i + (had ? 1 : 0),
            (size_t)rest * sizeof *argv);
    argv[out] = dashes;
    memcpy(argv + out + 1, moved, (size_t)nmoved * sizeof *argv);
    return out + 1 + nmoved + rest;
}

/* Copies the VMM's command line; -1 if it is longer than we take. */
static int copy_cmdline(const struct pvh_start_info *si)
{
    if (si->cmdline_paddr == 0)
        return 0;
    const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
    size_t n = strnlen(c, sizeof cmdline);
    if (n == sizeof cmdline)
        return -1;
    memcpy(cmdline, c, n + 1);
    return 0;
}

_Noreturn void virtio_start(uint32_t start_info)
{
    static char *argv[BOOT_ARGV_MAX + 1];
    console_init();
    const struct pvh_start_info *si =
        (const struct pvh_start_info *)(uintptr_t)start_info;
    if (start_info == 0 || si->magic != PVH_START_MAGIC) {
        say("atoll: no PVH start info: boot this image with a PVH loader "
            "(QEMU -kernel, Firecracker)\n");
        virtio_poweroff(ATOLL_EXIT_USAGE);
    }
    if (copy_cmdline(si) < 0) {
        say("atoll: the command line is too long\n");
        virtio_poweroff(ATOLL_EXIT_USAGE);
    }
    virtio_ram_end = ram_end(si);
    if (virtio_ram_end == 0) {
        say("atoll: the memory map has no RAM region holding the image\n");
        virtio_poweroff(ATOLL_EXIT_USAGE);
    }
    acpi_init(si);
    if (paging_init() < 0 || clock_init() < 0 || intr_init() < 0)
        virtio_poweroff(ATOLL_EXIT_PANIC);
    int argc = 0;
    argv[argc++] = (char *)(uintptr_t)atoll_app.name;
    argc = split_words(argv, argc);
    if (argc >= 0)
        argc = move_stack_words(argv, argc);
    if (argc < 0)
        virtio_poweroff(ATOLL_EXIT_USAGE);
    argv[argc] = NULL;
    plat_exit(atoll_boot(argc, argv));
}
