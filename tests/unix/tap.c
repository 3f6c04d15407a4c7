/*
 * tests/unix/tap.c - the unix platform's tap devices against a real peer:
 * the Linux kernel's own ARP and ICMP, in a network namespace this test
 * creates (atoll-test-PID, addresses in 198.18.0.0/15) and always removes.
 *
 * The parent sets up the namespace and a tap inside it with 198.18.0.1/24
 * on the kernel side; a child joins the namespace (setns) and, as the
 * unikernel 198.18.0.2, asks for the kernel's MAC with an ARP request and
 * pings it, reading the replies through plat_wait/plat_net_read.  A tap
 * that does not exist is refused with the message that says how to
 * create it.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "platform.h"

static const uint8_t our_ip[4] = {198, 18, 0, 2}, peer_ip[4] = {198, 18, 0, 1};

static int sh(const char *fmt, const char *ns)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, ns, ns, ns, ns, ns);
    return system(cmd);
}

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Wait up to 200 ms for a frame accepted by `match`; its length or -1. */
static int await(int dev, uint8_t *buf, size_t len,
                 int (*match)(const uint8_t *, int, const uint8_t *),
                 const uint8_t *mac)
{
    atoll_time_t until = plat_clock_monotonic() + ATOLL_MS(200);
    while (plat_clock_monotonic() < until) {
        int n;
        while ((n = plat_net_read(dev, buf, len)) > 0)
            if (match(buf, n, mac))
                return n;
        if (n != -ATOLL_EAGAIN)
            return -1;
        uint64_t ready = 0;
        plat_wait(until, 1ULL << dev, &ready);
    }
    return -1;
}

static int is_arp_reply(const uint8_t *f, int n, const uint8_t *mac)
{
    return n >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
           memcmp(f + 28, peer_ip, 4) == 0 && memcmp(f + 32, mac, 6) == 0;
}

static int is_echo_reply(const uint8_t *f, int n, const uint8_t *mac)
{
    return n >= 42 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 1 &&
           memcmp(f + 26, peer_ip, 4) == 0 && f[34] == 0 &&
           memcmp(f + 38, "\x12\x34\x00\x07", 4) == 0;
}

/* The unikernel side, in the namespace.  Exit status = failed step. */
static int child(const char *ns)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int nsfd = open(path, O_RDONLY);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
        return 10;
    if (plat_net_attach("net0", "tap0", err, sizeof err) < 0)
        return 11;
    struct plat_net_info info;
    int dev = plat_net_open("net0", &info, err, sizeof err);
    if (dev < 0) {
        fprintf(stderr, "%s\n", err);
        return 12;
    }
    if ((info.mac[0] & 3) != 2 || info.mtu != 1500)
        return 13;
    const uint8_t *mac = info.mac;

    /* ARP: who has 198.18.0.1? tell 198.18.0.2 */
    uint8_t f[1600];
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08, f[13] = 0x06;
    f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = 1;
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, our_ip, 4);
    memcpy(f + 38, peer_ip, 4);
    /* Retransmit like a real stack: right after the tap gains its
     * carrier the kernel may drop replies until the link is activated
     * (linkwatch runs up to a second later). */
    uint8_t r[1600];
    int tries = 0, n;
    do {
        if (plat_net_write(dev, f, 60) != 0)
            return 14;
        n = await(dev, r, sizeof r, is_arp_reply, mac);
    } while (n < 0 && ++tries < 15);
    if (n < 0)
        return 15;
    uint8_t peer_mac[6];
    memcpy(peer_mac, r + 22, 6);

    /* ICMP echo request to the kernel, with a 32-byte payload. */
    memset(f, 0, sizeof f);
    memcpy(f, peer_mac, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *ip = f + 14, *icmp = ip + 20;
    ip[0] = 0x45, ip[3] = 20 + 8 + 32, ip[8] = 64, ip[9] = 1;
    memcpy(ip + 12, our_ip, 4);
    memcpy(ip + 16, peer_ip, 4);
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    icmp[0] = 8;
    memcpy(icmp + 4, "\x12\x34\x00\x07", 4);
    for (int i = 0; i < 32; i++)
        icmp[8 + i] = (uint8_t)i;
    c = csum(icmp, 40);
    icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
    tries = 0;
    do {
        if (plat_net_write(dev, f, 14 + 60) != 0)
            return 16;
        n = await(dev, r, sizeof r, is_echo_reply, mac);
    } while (n < 0 && ++tries < 15);
    if (n < 14 + 60 || memcmp(r + 42, icmp + 8, 32) != 0)
        return 17;
    if (memcmp(r, mac, 6) != 0)
        return 18;
    /* Nothing more is waiting for us: a read says EAGAIN, a short wait
     * with a deadline returns near it. */
    while (plat_net_read(dev, r, sizeof r) > 0)
        ;
    atoll_time_t t0 = plat_clock_monotonic();
    uint64_t ready;
    plat_wait(t0 + ATOLL_MS(20), 0, &ready);
    if (plat_clock_monotonic() - t0 < ATOLL_MS(20))
        return 19;
    return 0;
}

TEST(tap, "ARP and ping the Linux kernel through a tap in a namespace")
{
    if (geteuid() != 0)
        SKIP("needs root to create a network namespace and a tap");
    char ns[64];
    snprintf(ns, sizeof ns, "atoll-test-%d", (int)getpid());
    int rc = sh("ip netns add %s && "
                "ip -n %s tuntap add tap0 mode tap && "
                "ip -n %s link set tap0 up && "
                "ip -n %s addr add 198.18.0.1/24 dev tap0 && "
                "ip -n %s link set lo up",
                ns);
    int status = -1;
    if (rc == 0) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
            _exit(child(ns));
        waitpid(pid, &status, 0);
    }
    sh("ip netns del %s 2>/dev/null", ns);
    CHECK_EQ(rc, 0);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
}

TEST(tap, "a tap device that does not exist is refused with advice")
{
    char err[256] = "";
    struct plat_net_info info;
    CHECK_EQ(plat_net_attach("net0", "atollnope9", err, sizeof err), 0);
    CHECK_EQ(plat_net_open("net0", &info, err, sizeof err), -ATOLL_ENODEV);
    CHECK_STR(err, "tap device 'atollnope9' does not exist (create it with: "
                   "ip tuntap add atollnope9 mode tap)");
    CHECK_EQ(plat_net_open("net1", &info, err, sizeof err), -ATOLL_ENOENT);
    CHECK_EQ(
        plat_net_attach("net2", "name-far-too-long-for-linux", err, sizeof err),
        -ATOLL_EINVAL);
}

TEST(tap, "--net-mac sets the MAC; bad addresses are refused")
{
    char err[256] = "";
    struct plat_net_info info;
    CHECK_EQ(plat_option("net-mac:net0", "02:aa:bb:cc:dd:ee", err, sizeof err),
             0);
    CHECK_EQ(plat_net_attach("net0", "atollnope9", err, sizeof err), 0);
    plat_net_open("net0", &info, err, sizeof err);
    CHECK_MEM(info.mac, "\x02\xaa\xbb\xcc\xdd\xee", 6);
    CHECK_EQ(plat_option("net-mac:net0", "01:00:5e:00:00:01", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "--net-mac:net0: bad address") != NULL);
    CHECK_EQ(plat_option("net-mac:net0", "02:aa:bb", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK_EQ(plat_option("frobnicate", "1", err, sizeof err), -ATOLL_ENOENT);
    CHECK_STR(plat_name, "unix");
}

TEST(tap, "--net-offload: on by default, off turns both offloads off")
{
    char err[256] = "";
    struct plat_net_info info;
    CHECK_EQ(plat_net_attach("net0", "atollnope9", err, sizeof err), 0);
    memset(&info, 0, sizeof info);
    plat_net_open("net0", &info, err, sizeof err);
    CHECK(info.tso4 && info.gro4);
    CHECK_EQ(plat_option("net-offload", "off", err, sizeof err), 0);
    memset(&info, 0xff, sizeof info);
    plat_net_open("net0", &info, err, sizeof err);
    CHECK(!info.tso4 && !info.gro4);
    CHECK_EQ(plat_option("net-offload", "maybe", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "--net-offload: bad value 'maybe'") != NULL);
}
