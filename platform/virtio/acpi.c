/*
 * platform/virtio/acpi.c - turning the machine off the ACPI way (sleep
 * state S5), for VMMs without QEMU's debug-exit device: QEMU as urunc or
 * a cloud starts it, where the keyboard controller's reset would reboot
 * the guest instead of ending it.
 *
 * At boot, while the boot page tables still map low memory and before the
 * heap (which may cover where the firmware put its tables) is in use,
 * acpi_init finds the root pointer (the start info's rsdp_paddr, else the
 * signature in the BIOS area 0xe0000-0xfffff), the RSDT or XSDT, the FADT
 * ("FACP") and in it the PM1a control port, and the S5 sleep type in the
 * DSDT's \_S5 package.  Poweroff then writes SLP_TYP | SLP_EN to that
 * port.
 *
 * The tables are the VMM's (its firmware's) word: every table's address
 * must lie below 4 GiB and above the first page, its length between its
 * header and 1 MiB, its checksum right; the AML walk for \_S5 stays
 * inside the DSDT.  Anything wrong, and there is simply no ACPI poweroff
 * (virtio_poweroff tries the reset next).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "io.h"
#include "pvh.h"
#include "virtio_int.h"

#define TABLE_MAX (1u << 20)
#define SLP_EN    (1u << 13)

static uint16_t pm1a_cnt;
static uint16_t s5_type;
static bool have_s5;

static bool sum_ok(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s == 0;
}

static uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The table at `a` with its header checked, its length in *len; NULL if
 * it is not a whole, well-formed table (or, with `sig`, not that one). */
static const uint8_t *table(uint64_t a, const char *sig, uint32_t *len)
{
    if (a < 0x1000 || a > (4ULL << 30) - 36)
        return NULL;
    const uint8_t *p = (const uint8_t *)(uintptr_t)a;
    uint32_t n = le32(p + 4);
    if (n < 36 || n > TABLE_MAX || a + n > (4ULL << 30) ||
        (sig && memcmp(p, sig, 4)) || !sum_ok(p, n))
        return NULL;
    *len = n;
    return p;
}

static const uint8_t *find_rsdp(const struct pvh_start_info *si)
{
    uint64_t a = si->rsdp_paddr;
    if (a >= 0x1000 && a < (4ULL << 30) - 36) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)a;
        if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
            return p;
    }
    for (a = 0xe0000; a < 0x100000; a += 16) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)a;
        if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
            return p;
    }
    return NULL;
}

/* The S5 sleep type from the DSDT's "Name (_S5, Package () {TYP, ...})". */
static bool find_s5(const uint8_t *d, uint32_t n, uint16_t *typ)
{
    for (uint32_t i = 38; i + 4 < n; i++) {
        if (memcmp(d + i, "_S5_", 4))
            continue;
        /* NameOp (0x08), optionally with the root prefix '\'. */
        if (d[i - 1] != 0x08 && !(d[i - 1] == '\\' && d[i - 2] == 0x08))
            continue;
        uint32_t j = i + 4;
        if (j >= n || d[j] != 0x12) /* PackageOp */
            continue;
        j++;
        if (j >= n)
            return false;
        j += (uint32_t)(d[j] >> 6) + 1; /* PkgLength: 1-4 bytes */
        j++;                            /* NumElements */
        if (j + 1 >= n)
            return false;
        if (d[j] == 0x0a) /* BytePrefix */
            *typ = d[j + 1];
        else if (d[j] <= 1) /* ZeroOp, OneOp */
            *typ = d[j];
        else
            return false;
        return *typ < 8;
    }
    return false;
}

void acpi_init(const struct pvh_start_info *si)
{
    const uint8_t *rsdp = find_rsdp(si);
    if (!rsdp)
        return;
    uint32_t len;
    const uint8_t *root = NULL;
    int width = 4;
    if (rsdp[15] >= 2 && le32(rsdp + 20) >= 36 && sum_ok(rsdp, 36) &&
        (root = table(le64(rsdp + 24), "XSDT", &len)) != NULL)
        width = 8;
    else
        root = table(le32(rsdp + 16), "RSDT", &len);
    if (!root)
        return;
    const uint8_t *fadt = NULL;
    uint32_t flen = 0;
    for (uint32_t off = 36; off + (uint32_t)width <= len && !fadt;
         off += (uint32_t)width)
        fadt = table(width == 8 ? le64(root + off) : le32(root + off), "FACP",
                     &flen);
    if (!fadt || flen < 68)
        return;
    uint32_t port = le32(fadt + 64);
    uint64_t dsdt_at = le32(fadt + 40);
    if (flen >= 148 && le64(fadt + 140))
        dsdt_at = le64(fadt + 140);
    uint32_t dlen;
    const uint8_t *dsdt = table(dsdt_at, "DSDT", &dlen);
    uint16_t typ;
    if (port == 0 || port > 0xffff || !dsdt || !find_s5(dsdt, dlen, &typ))
        return;
    pm1a_cnt = (uint16_t)port;
    s5_type = typ;
    have_s5 = true;
}

void acpi_poweroff(void)
{
    if (have_s5)
        outw(pm1a_cnt, (uint16_t)(s5_type << 10 | SLP_EN));
}
