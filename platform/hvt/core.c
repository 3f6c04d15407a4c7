/*
 * platform/hvt/core.c - the hvt target's boot, console, clocks, memory,
 * waiting, randomness and exit: the plat_* functions (platform.h) as
 * hypercalls to the tender atoll-hvt (hvt/abi.h).
 *
 * Boot: the tender has already attached every device the image declares
 * (it refuses to start otherwise), so the command line atoll_boot sees is
 * built here as
 *
 *     NAME --net:DEV=hvt... --block:DEV=hvt... ARGS-FROM-THE-TENDER...
 *
 * with one attachment per manifest entry: the tender's `-- ARGS` are
 * exactly what a unix unikernel would get after its --net:/--block:
 * options (runtime options, then `--` and the application's arguments).
 *
 * Memory: the runtime's region is the heap the tender left between the
 * image and the stack guard page; guest memory is sized by the tender's
 * --mem, so a runtime --mem larger than that gets what there is.
 */
#include <stddef.h>
#include <string.h>

#include "atoll/app.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "hvt_int.h"
#include "../../lib/core/runtime.h"
#include "libc_sys.h"
#include "platform.h"

_Static_assert(offsetof(struct atoll_hvt_boot_info, random) == 88,
               "start.S reads the canary at offset 88");
_Static_assert(offsetof(struct atoll_hvt_boot_info, hypercall) == 152,
               "start.S reads the hypercall entry at offset 152");

const char plat_name[] = "hvt";
const bool plat_deterministic = false;

const struct atoll_hvt_boot_info *hvt_boot_info;
uintptr_t __stack_chk_guard;
uint64_t hvt_hypercall_entry;
const struct hvt_net_hooks *hvt_net_hooks;

/* ---- console and clocks ------------------------------------------------ */

/* Console output goes into the console area, which the tender writes
 * out at every VM exit (abi.h, CONSOLE): a log line costs a copy, not an
 * exit.  An exit is made only when the area cannot take the bytes (the
 * call hands them over directly, after what the area holds) and, when
 * the tender's output is a terminal, at the end of each line. */
static int console_call(const char *buf, size_t len)
{
    struct atoll_hvt_console c = {(uint64_t)(uintptr_t)buf, len, 0};
    hvt_call(ATOLL_HVT_CONSOLE_WRITE, &c);
    return c.ret < 0 ? -ATOLL_EIO : 0;
}

int plat_console_write(const char *buf, size_t len)
{
    if (len == 0)
        return 0;
    /* Before hvt_start has checked the boot info (the ABI message), the
     * area may not be there: write directly. */
    if (hvt_boot_info == NULL)
        return console_call(buf, len);
    struct atoll_hvt_console_area *a =
        (struct atoll_hvt_console_area *)(uintptr_t)ATOLL_HVT_CONSOLE_AREA;
    if (len > ATOLL_HVT_CONSOLE_CAP - a->len)
        return console_call(buf, len);
    memcpy(a->data + a->len, buf, len);
    a->len += (uint32_t)len;
    if ((hvt_boot_info->console_flags & ATOLL_HVT_CONSOLE_LINE) &&
        memchr(buf, '\n', len) != NULL)
        return console_call(NULL, 0);
    return 0;
}

static uint64_t clock_call(unsigned nr)
{
    struct atoll_hvt_clock c = {0};
    hvt_call(nr, &c);
    return c.ns;
}

/* The clocks come from the TSC when the tender says it is usable (boot
 * info tsc_khz != 0): a hypercall costs a VM exit, tens of microseconds on
 * software KVM, and the runtime reads the clock on every scheduler round.
 * host ns = anchor.mono + (rdtsc - anchor.tsc) * 10^6 / tsc_khz, with the
 * division turned into a 32.32 fixed-point multiply.  The anchor comes
 * from the boot info and is refreshed (ATOLL_HVT_CLOCK_SYNC, one exit)
 * once a second, so the guest follows the host clock's NTP slewing and
 * its wait deadlines mean the same instant to the tender.  A refresh may
 * step the reading back by a little; the clock never goes back. */
#define CLOCK_SYNC_EVERY ATOLL_SEC(1)

static struct {
    uint64_t tsc, mono, wall; /* the anchor */
    uint64_t mult;            /* ns per TSC tick, 32.32 fixed point */
    uint64_t last;            /* the largest reading returned */
    uint64_t next_sync;       /* host mono ns of the next refresh */
} clk;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t tsc_to_ns(uint64_t tsc)
{
    uint64_t d = tsc > clk.tsc ? tsc - clk.tsc : 0;
    return clk.mono + (uint64_t)(((unsigned __int128)d * clk.mult) >> 32);
}

static void clock_init(const struct atoll_hvt_boot_info *bi)
{
    clk.tsc = bi->tsc_base;
    clk.mono = bi->mono_base_ns;
    clk.wall = bi->wall_base_ns;
    clk.mult = bi->tsc_khz ? (1000000ULL << 32) / bi->tsc_khz : 0;
    clk.next_sync = clk.mono + CLOCK_SYNC_EVERY;
}

/* The host's CLOCK_MONOTONIC in ns. */
static uint64_t host_mono_ns(void)
{
    if (clk.mult == 0)
        return clock_call(ATOLL_HVT_MCLOCK);
    uint64_t ns = tsc_to_ns(rdtsc());
    if (ns >= clk.next_sync) {
        struct atoll_hvt_clock_sync s = {0};
        hvt_call(ATOLL_HVT_CLOCK_SYNC, &s);
        if (s.ret == 0) {
            clk.tsc = s.tsc;
            clk.mono = s.mono_ns;
            clk.wall = s.wall_ns;
            ns = tsc_to_ns(rdtsc());
        }
        clk.next_sync = ns + CLOCK_SYNC_EVERY;
    }
    if (ns < clk.last)
        ns = clk.last;
    clk.last = ns;
    return ns;
}

/* Monotonic time starts at 0 when the guest starts, as on every target. */
atoll_time_t plat_clock_monotonic(void)
{
    return (atoll_time_t)(host_mono_ns() - hvt_boot_info->mono_base_ns);
}

atoll_time_t plat_clock_wall(void)
{
    if (clk.mult == 0)
        return (atoll_time_t)clock_call(ATOLL_HVT_WCLOCK);
    uint64_t mono = host_mono_ns();
    return (atoll_time_t)(clk.wall + (mono - clk.mono));
}

/* ---- options ----------------------------------------------------------- */

int plat_option(const char *key, const char *value, char *err, size_t errlen)
{
    return -ATOLL_ENOENT;
}

const char *plat_options_help(void)
{
    return "  (devices are attached by atoll-hvt: --net:NAME=TAP and "
           "--block:NAME=FILE\n   go on its command line, before the image)\n";
}

/* ---- devices ----------------------------------------------------------- */

/* The tender attached every declared device (hvt_start builds the
 * --net:/--block: line from the manifest).  Here, not in net.c and
 * block.c, so that booting does not link the device code of kinds the
 * image does not use. */
int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    return 0;
}

int plat_block_attach(const char *name, const char *spec, char *err,
                      size_t errlen)
{
    return 0;
}

/* ---- memory ------------------------------------------------------------ */

int plat_mem_region(size_t want, void **base, size_t *len)
{
    static bool taken;
    uint64_t start = hvt_boot_info->heap_start, end = hvt_boot_info->heap_end;
    if (taken || end <= start || want == 0)
        return -ATOLL_ENOMEM;
    size_t have = (size_t)(end - start);
    taken = true;
    *base = (void *)(uintptr_t)start;
    *len = want < have ? want : have;
    return 0;
}

/* The page tables are out of the guest's reach, so the tender changes
 * them (one exit per fiber stack created or freed).  If it cannot (no room
 * for another page table) the runtime falls back to its canary check. */
int plat_guard_page(void *page, bool on)
{
    struct atoll_hvt_guard g = {(uint64_t)(uintptr_t)page, on ? 1 : 0, 0};
    hvt_call(ATOLL_HVT_GUARD, &g);
    return g.ret < 0 ? (int)g.ret : 0;
}

/* The tender made one fiber stack with its guard page (boot info
 * fiber_stack): the first fiber - the main one, at boot - takes it and
 * so needs no guard call, which is a VM exit. */
static bool fiber_stack_taken;

void *plat_stack_take(size_t size)
{
    uint64_t s = hvt_boot_info->fiber_stack;
    if (fiber_stack_taken || s == 0 || size > ATOLL_HVT_FIBER_STACK_SIZE)
        return NULL;
    fiber_stack_taken = true;
    return (void *)(uintptr_t)(s - ATOLL_HVT_PAGE_SIZE);
}

bool plat_stack_return(void *stack)
{
    uint64_t s = hvt_boot_info->fiber_stack;
    if (s == 0 || (uintptr_t)stack != s - ATOLL_HVT_PAGE_SIZE)
        return false;
    fiber_stack_taken = false;
    return true;
}

/* ---- waiting ----------------------------------------------------------- */

int plat_wait(atoll_time_t deadline, uint64_t interest, uint64_t *ready)
{
    /* Devices are manifest indices, so the interest mask is the tender's
     * device mask as it is.  The same exit sends every queued frame and
     * receives into the batches of the devices waited on (net.c). */
    struct atoll_hvt_wait w = {0};
    const struct hvt_net_hooks *net = hvt_net_hooks;
    uint64_t buffered = net ? net->wait_prepare(&w, interest) & interest : 0;
    if (buffered)
        deadline = INT64_MIN; /* input is here already: only poll */
    w.deadline_ns = deadline < 0
                        ? hvt_boot_info->mono_base_ns
                        : (uint64_t)deadline + hvt_boot_info->mono_base_ns;
    w.devices = interest;
    hvt_call(ATOLL_HVT_WAIT, &w);
    if (net)
        net->wait_done(&w);
    *ready = (w.ready | buffered) & interest;
    return 0;
}

/* ---- randomness -------------------------------------------------------- */

/* A simple stream from the tender's boot seed: splitmix64 over a counter
 * keyed with the random bytes the stack canary does not use.  Good enough
 * for what plat_random feeds today; the cryptographic generator lives in
 * lib/ and only needs a seed from here. */
int plat_random(void *buf, size_t len)
{
    static uint64_t state;
    static bool seeded;
    if (!seeded) {
        memcpy(&state, hvt_boot_info->random + 8, sizeof state);
        uint64_t k;
        memcpy(&k, hvt_boot_info->random + 16, sizeof k);
        state ^= k * 0x9e3779b97f4a7c15ULL;
        seeded = true;
    }
    uint8_t *p = buf;
    while (len > 0) {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        size_t n = len < sizeof z ? len : sizeof z;
        memcpy(p, &z, n);
        p += n;
        len -= n;
    }
    return 0;
}

/* ---- end --------------------------------------------------------------- */

_Noreturn void plat_exit(int status)
{
    if (hvt_net_hooks)
        hvt_net_hooks->flush_all();
    /* The tender reserves statuses above ATOLL_HVT_EXIT_MAX for itself. */
    if (status < 0 || status > ATOLL_HVT_EXIT_MAX)
        status = ATOLL_HVT_EXIT_MAX;
    struct atoll_hvt_exit e = {status};
    for (;;)
        hvt_call(ATOLL_HVT_EXIT, &e);
}

/* ---- lib/libc's hooks and the stack protector ---------------------------- */

void libc_sys_write(const char *buf, size_t len)
{
    (void)plat_console_write(buf, len);
}

_Noreturn void libc_sys_crash(void)
{
    plat_exit(ATOLL_EXIT_PANIC);
}

_Noreturn void __stack_chk_fail(void)
{
    atoll_console_puts("atoll: stack smashing detected (a stack buffer "
                       "overflow overwrote the canary)\n");
    plat_exit(ATOLL_EXIT_PANIC);
}

/* ---- boot -------------------------------------------------------------- */

#define BOOT_ARGV_MAX 1024

int hvt_device_find(const char *name, uint32_t kind)
{
    const struct atoll_hvt_manifest *m = &atoll_hvt_manifest_note.desc;
    for (int i = 0; i < ATOLL_HVT_MAX_DEVICES; i++) {
        const struct atoll_hvt_device_decl *d = &m->devices[i];
        if (d->kind == ATOLL_HVT_DEV_NONE)
            break;
        if (d->kind == kind && strncmp(d->name, name, ATOLL_HVT_NAME_MAX) == 0)
            return i;
    }
    return -1;
}

_Noreturn void hvt_start(const struct atoll_hvt_boot_info *bi)
{
    static char *argv[BOOT_ARGV_MAX + 1];
    static char attach[ATOLL_HVT_MAX_DEVICES][ATOLL_HVT_NAME_MAX + 16];
    if (bi->magic != ATOLL_HVT_BOOT_MAGIC ||
        bi->abi_version != ATOLL_HVT_ABI_VERSION) {
        atoll_console_puts("atoll: this image does not match the tender's "
                           "ABI version\n");
        plat_exit(ATOLL_EXIT_USAGE);
    }
    hvt_boot_info = bi;
    clock_init(bi);
    int argc = 0;
    argv[argc++] = (char *)(uintptr_t)atoll_app.name;
    const struct atoll_hvt_manifest *m = &atoll_hvt_manifest_note.desc;
    for (int i = 0; i < ATOLL_HVT_MAX_DEVICES; i++) {
        const struct atoll_hvt_device_decl *d = &m->devices[i];
        if (d->kind == ATOLL_HVT_DEV_NONE)
            break;
        /* The name is NUL-terminated: the tender checked the manifest. */
        const char *kind = d->kind == ATOLL_HVT_DEV_NET ? "net" : "block";
        char *s = attach[i];
        size_t n = strlen(kind);
        s[0] = s[1] = '-';
        memcpy(s + 2, kind, n);
        s[2 + n] = ':';
        size_t nl = strnlen(d->name, ATOLL_HVT_NAME_MAX - 1);
        memcpy(s + 3 + n, d->name, nl);
        memcpy(s + 3 + n + nl, "=hvt", 5);
        argv[argc++] = s;
    }
    const uint64_t *av = (const uint64_t *)(uintptr_t)bi->argv;
    if (bi->argc > BOOT_ARGV_MAX - (uint64_t)argc) {
        atoll_console_puts("atoll: too many arguments\n");
        plat_exit(ATOLL_EXIT_USAGE);
    }
    for (uint64_t i = 0; i < bi->argc; i++)
        argv[argc++] = (char *)(uintptr_t)av[i];
    argv[argc] = NULL;
    plat_exit(atoll_boot(argc, argv));
}
