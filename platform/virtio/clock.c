/*
 * platform/virtio/clock.c - the clocks: monotonic time from the TSC,
 * calibrated at boot, and the wall clock from the CMOS real-time clock
 * read once at boot, carried forward by the TSC.
 *
 * The TSC's rate comes from the hypervisor when it says (CPUID leaf
 * 0x40000010, the timing leaf KVM hosts such as QEMU and Firecracker may
 * fill: TSC kHz), else from counting it against the PIT (channel 0, 1.193182
 * MHz, which QEMU emulates on q35 and microvm and KVM in the kernel) for
 * PIT_CAL_TICKS: about 10 ms of boot.  Under QEMU's TCG the TSC runs at the
 * host's rate and the PIT by the host's clock, so the calibration holds to
 * a fraction of a per mille (docs/virtio.md has what was measured).  Every
 * step is bounded: a PIT that does not count fails the boot with a message
 * instead of a hang.
 *
 * ns = (tsc - tsc0) * mult >> 32, mult being ns per tick in 32.32 fixed
 * point; the reading never goes back.
 *
 * Wall time: the RTC gives whole seconds (its registers in BCD or binary,
 * 12 or 24 hours, as status register B says; century in register 0x32 as
 * QEMU writes it, else 20xx).  Read twice until two readings agree, outside
 * an update.  A machine without an RTC (Firecracker on x86) starts at the
 * epoch, 1970-01-01: docs/virtio.md says so.
 */
#include <stdbool.h>
#include <stdint.h>

#include "atoll/error.h"
#include "atoll/time.h"
#include "io.h"
#include "platform.h"
#include "virtio_int.h"

#define PIT_HZ        1193182ULL
#define PIT_CH0       0x40
#define PIT_CMD       0x43
#define PIT_CAL_TICKS 11932 /* 10 ms */
/* Reads of the PIT counter before calibration gives up (each takes
 * microseconds; 10 ms needs a few thousand). */
#define PIT_CAL_SPINS 10000000

uint64_t clock_tsc_hz;
static uint64_t tsc0, mult, last, wall0_ns;

static void say(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    console_write(s, n);
}

static uint16_t pit_read(void)
{
    outb(PIT_CMD, 0x00); /* latch channel 0 */
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(hi << 8 | lo);
}

/* TSC ticks per second from the hypervisor's timing leaf, or 0. */
static uint64_t tsc_hz_from_cpuid(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 31))) /* not under a hypervisor */
        return 0;
    cpuid(0x40000000, 0, r);
    if (r[0] < 0x40000010 || r[0] > 0x400000ff)
        return 0;
    cpuid(0x40000010, 0, r);
    return (uint64_t)r[0] * 1000;
}

/* One PIT reading bracketed by two TSC readings: the TSC at the reading
 * (the middle), and the bracket's width in *wide. */
static uint16_t pit_read_at(uint64_t *tsc, uint64_t *wide)
{
    uint64_t a = rdtsc();
    uint16_t c = pit_read();
    uint64_t b = rdtsc();
    *tsc = a + (b - a) / 2;
    *wide = b - a;
    return c;
}

/* One measurement over PIT_CAL_TICKS, or 0: the PIT does not count, or a
 * reading at either end took longer than 1/500 of the window (the vCPU
 * was descheduled right there, as happens under TCG on a busy host, and
 * the rate would be off by that much). */
static uint64_t tsc_hz_measure(void)
{
    /* Channel 0, low then high byte, mode 2 (rate generator), binary,
     * from 0 (= 65536): it counts down and wraps every 55 ms.  Its
     * interrupt goes nowhere: the PIC and the I/O APIC input are masked. */
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, 0);
    outb(PIT_CH0, 0);
    uint64_t t0, t1, w0, w1;
    uint16_t c0 = pit_read(), c;
    /* Start on a change of the counter, so the first tick is whole. */
    long spins = 0;
    while ((c = pit_read_at(&t0, &w0)) == c0)
        if (++spins == PIT_CAL_SPINS)
            return 0;
    c0 = c;
    uint32_t elapsed;
    do {
        c = pit_read_at(&t1, &w1);
        elapsed = (uint16_t)(c0 - c);
        if (++spins == PIT_CAL_SPINS)
            return 0;
    } while (elapsed < PIT_CAL_TICKS);
    uint64_t window = t1 - t0;
    if (window == 0 || w0 > window / 500 || w1 > window / 500)
        return 0;
    return window * PIT_HZ / elapsed;
}

static uint64_t tsc_hz_from_pit(void)
{
    for (int tries = 0; tries < 10; tries++) {
        uint64_t hz = tsc_hz_measure();
        if (hz)
            return hz;
    }
    return 0;
}

/* ---- the RTC ------------------------------------------------------------- */

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

struct rtc_time {
    uint8_t sec, min, hour, day, mon, year, century, b;
};

static bool rtc_read(struct rtc_time *t)
{
    for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
        cpu_relax(); /* an update is in progress (under 2 ms) */
    t->sec = cmos(0x00);
    t->min = cmos(0x02);
    t->hour = cmos(0x04);
    t->day = cmos(0x07);
    t->mon = cmos(0x08);
    t->year = cmos(0x09);
    t->century = cmos(0x32);
    t->b = cmos(0x0b);
    return true;
}

static int bcd(uint8_t v, bool binary)
{
    return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

/* Days from 1970-01-01 to the date (proleptic Gregorian), by eras of 400
 * years. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Seconds since the epoch by the RTC, or 0 when there is none (the port
 * reads all ones) or its values make no date. */
static int64_t rtc_seconds(void)
{
    struct rtc_time a, b;
    int tries = 0;
    do {
        rtc_read(&a);
        rtc_read(&b);
    } while ((a.sec != b.sec || a.min != b.min || a.hour != b.hour ||
              a.day != b.day) &&
             ++tries < 5);
    if (a.b == 0xff)
        return 0;
    bool binary = a.b & 0x04, h24 = a.b & 0x02;
    int sec = bcd(a.sec, binary), min = bcd(a.min, binary);
    int hour = bcd(a.hour & 0x7f, binary);
    if (!h24) {
        hour %= 12;
        if (a.hour & 0x80)
            hour += 12;
    }
    int day = bcd(a.day, binary), mon = bcd(a.mon, binary);
    int year = bcd(a.year, binary);
    int century =
        a.century == 0 || a.century == 0xff ? 20 : bcd(a.century, binary);
    if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 || mon < 1 ||
        mon > 12 || year > 99 || century > 99)
        return 0;
    int64_t days = days_from_civil(century * 100 + year, mon, day);
    return days * 86400 + hour * 3600 + min * 60 + sec;
}

/* ---- the clocks ------------------------------------------------------------
 */

int clock_init(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[3] & (1u << 4))) {
        say("atoll: this CPU has no TSC\n");
        return -1;
    }
    uint64_t hz = tsc_hz_from_cpuid();
    if (hz == 0)
        hz = tsc_hz_from_pit();
    if (hz < 1000000) {
        say("atoll: cannot calibrate the TSC: the PIT does not count\n");
        return -1;
    }
    clock_tsc_hz = hz;
    mult = (uint64_t)(((unsigned __int128)1000000000ULL << 32) / hz);
    tsc0 = rdtsc();
    wall0_ns = (uint64_t)rtc_seconds() * 1000000000ULL;
    return 0;
}

uint64_t clock_now_ns(void)
{
    uint64_t t = rdtsc();
    uint64_t d = t > tsc0 ? t - tsc0 : 0;
    uint64_t ns = (uint64_t)(((unsigned __int128)d * mult) >> 32);
    if (ns < last)
        ns = last;
    last = ns;
    return ns;
}

void clock_delay_ns(uint64_t ns)
{
    uint64_t end = clock_now_ns() + ns;
    while (clock_now_ns() < end)
        cpu_relax();
}

atoll_time_t plat_clock_monotonic(void)
{
    return (atoll_time_t)clock_now_ns();
}

atoll_time_t plat_clock_wall(void)
{
    return (atoll_time_t)(wall0_ns + clock_now_ns());
}
