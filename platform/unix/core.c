/*
 * platform/unix/core.c - the unix target's console, clocks, randomness,
 * options, device table and exit.
 *
 * The monotonic clock is CLOCK_MONOTONIC minus its value when the process
 * first asked, so it starts near 0 like on every other target; the wall
 * clock is CLOCK_REALTIME.  Randomness is the kernel's (getrandom).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "atoll/error.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "host/dumpcore.h"
#include "platform.h"
#include "unix_int.h"

const char plat_name[] = "unix";
const bool plat_deterministic = false;

/* ---- clocks ---------------------------------------------------------- */

static atoll_time_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (atoll_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static atoll_time_t mono_base = -1;

/* Take the origin at process start, so the first fiber sees time ~0. */
__attribute__((constructor)) static void clock_init(void)
{
    if (mono_base < 0)
        mono_base = read_clock(CLOCK_MONOTONIC);
}

atoll_time_t plat_clock_monotonic(void)
{
    if (mono_base < 0)
        clock_init();
    return read_clock(CLOCK_MONOTONIC) - mono_base;
}

atoll_time_t plat_clock_wall(void)
{
    return read_clock(CLOCK_REALTIME);
}

/* ---- randomness ------------------------------------------------------ */

int plat_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -ATOLL_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- device table ---------------------------------------------------- */

static struct unix_dev devices[ATOLL_DEVICES_MAX];

int unix_dev_alloc(enum unix_dev_kind kind)
{
    for (int i = 0; i < ATOLL_DEVICES_MAX; i++) {
        if (devices[i].kind == UNIX_DEV_FREE) {
            memset(&devices[i], 0, sizeof devices[i]);
            devices[i].kind = kind;
            devices[i].fd = -1;
            return i;
        }
    }
    return -ATOLL_ENOMEM;
}

struct unix_dev *unix_dev_get(int dev, enum unix_dev_kind kind)
{
    if (dev < 0 || dev >= ATOLL_DEVICES_MAX || devices[dev].kind != kind)
        return NULL;
    return &devices[dev];
}

/* ---- options --------------------------------------------------------- */

#define MAC_OVERRIDES_MAX ATOLL_DEVICES_MAX

static struct {
    char name[64];
    uint8_t mac[6];
} mac_overrides[MAC_OVERRIDES_MAX];
static int n_mac_overrides;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "aa:bb:cc:dd:ee:ff" -> mac; false if malformed. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (lo < 0)
            return false;
        mac[i] = (uint8_t)(hi * 16 + lo);
        s += 2;
        if (i < 5 && *s++ != ':')
            return false;
    }
    return *s == '\0';
}

bool unix_net_mac_override(const char *name, uint8_t mac[6])
{
    for (int i = 0; i < n_mac_overrides; i++) {
        if (strcmp(mac_overrides[i].name, name) == 0) {
            memcpy(mac, mac_overrides[i].mac, 6);
            return true;
        }
    }
    return false;
}

static bool net_offload = true;

bool unix_net_offload(void)
{
    return net_offload;
}

int plat_option(const char *key, const char *value, char *err, size_t errlen)
{
    if (strcmp(key, "net-offload") == 0) {
        if (!value || (strcmp(value, "on") && strcmp(value, "off"))) {
            host_errf(err, errlen,
                      "--net-offload: bad value '%s' (expected on or off)",
                      value ? value : "");
            return -ATOLL_EINVAL;
        }
        net_offload = strcmp(value, "on") == 0;
        return 0;
    }
    if (strcmp(key, "dumpcore") == 0) {
        if (!value || !*value) {
            host_errf(err, errlen,
                      "--dumpcore: missing folder (--dumpcore=DIR)");
            return -ATOLL_EINVAL;
        }
        return host_dumpcore_dir(value, err, errlen) < 0 ? -ATOLL_EINVAL : 0;
    }
    if (strncmp(key, "net-mac:", 8) == 0) {
        const char *name = key + 8;
        uint8_t mac[6];
        if (!*name || strlen(name) >= sizeof mac_overrides[0].name) {
            host_errf(err, errlen, "--net-mac: bad device name '%s'", name);
            return -ATOLL_EINVAL;
        }
        if (!value || !parse_mac(value, mac) || (mac[0] & 1) ||
            !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
            host_errf(err, errlen,
                      "--net-mac:%s: bad address '%s' (expected a unicast "
                      "MAC like 02:00:00:00:00:01)",
                      name, value ? value : "");
            return -ATOLL_EINVAL;
        }
        int i;
        for (i = 0; i < n_mac_overrides; i++)
            if (strcmp(mac_overrides[i].name, name) == 0)
                break;
        if (i == n_mac_overrides) {
            if (n_mac_overrides == MAC_OVERRIDES_MAX) {
                host_errf(err, errlen, "--net-mac: too many devices");
                return -ATOLL_EINVAL;
            }
            n_mac_overrides++;
        }
        strcpy(mac_overrides[i].name, name);
        memcpy(mac_overrides[i].mac, mac, 6);
        return 0;
    }
    return -ATOLL_ENOENT;
}

const char *plat_options_help(void)
{
    return "  --net:NAME=TAP        attach net device NAME to an existing "
           "tap device\n"
           "  --net-mac:NAME=MAC    its MAC address (default: derived from "
           "the names)\n"
           "  --net-offload=on|off  TCP segmentation and receive offload "
           "through the\n"
           "                        taps (default on)\n"
           "  --block:NAME=FILE     attach block device NAME to a file "
           "(512-byte sectors)\n"
           "  --dumpcore=DIR        on a crash, write an ELF core file "
           "DIR/core.PROGRAM.PID\n"
           "                        (gdb PROGRAM CORE; docs/debugging.md)\n";
}
