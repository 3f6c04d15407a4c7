/*
 * tools/oci/atoll-oci-net.c - the entry point of a plain OCI image of an
 * Atoll unikernel (`atoll package`, docs/deploy.md): hands the container's
 * network interface to the unikernel, then becomes the sandboxed tender.
 *
 *     atoll-oci-net IFACE COMMAND [ARGS...]
 *
 * An OCI runtime (runc, crun; containerd and Kubernetes through them)
 * starts the container in a network namespace where IFACE (eth0) has the
 * pod's address.  A unikernel has its own TCP/IP stack and reaches the
 * world through a tap device, so this program, inside that namespace:
 *
 *   1. reads IFACE's IPv4 address, prefix and the default gateway
 *      (/proc/net/route);
 *   2. creates the tap device "atoll0" (persistent, so the tender can
 *      open it by name) and the bridge "atollbr0", and puts IFACE and the
 *      tap into the bridge: frames pass between the pod's link and the
 *      unikernel unchanged;
 *   3. takes the address off IFACE (the container's own kernel stack no
 *      longer answers for it: the unikernel does);
 *   4. replaces {tap}, {ipv4} (ADDRESS/PREFIX) and {gateway} in ARGS -
 *      an argument with {gateway} is left out when there is no default
 *      route - and executes COMMAND (the tender, atoll-spt).
 *
 * It needs what creating interfaces needs: CAP_NET_ADMIN in the
 * container and the device /dev/net/tun.  A failure says which step and
 * why, and exits with 113 (the tenders' status for their own errors).
 * Linux only, a static program with no dependency.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAP_NAME    "atoll0"
#define BRIDGE_NAME "atollbr0"
#define EXIT_SETUP  113

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "atoll-oci-net: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(EXIT_SETUP);
}

static void set_ifname(struct ifreq *ifr, const char *name)
{
    memset(ifr, 0, sizeof *ifr);
    snprintf(ifr->ifr_name, sizeof ifr->ifr_name, "%s", name);
}

static uint32_t ipv4_of(int s, const char *ifname, unsigned long req)
{
    struct ifreq ifr;
    set_ifname(&ifr, ifname);
    if (ioctl(s, req, &ifr) < 0)
        die("%s has no IPv4 %s: %s", ifname,
            req == SIOCGIFADDR ? "address" : "netmask", strerror(errno));
    return ((struct sockaddr_in *)(void *)&ifr.ifr_addr)->sin_addr.s_addr;
}

/* The default gateway through `ifname` from /proc/net/route (hex, in
 * network order as the kernel prints it), or 0. */
static uint32_t default_gateway(const char *ifname)
{
    FILE *f = fopen("/proc/net/route", "r");
    if (!f)
        return 0;
    char line[256], dev[IFNAMSIZ + 1];
    unsigned dest, gw, flags, mask;
    uint32_t found = 0;
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", dev, &dest, &gw,
                   &flags, &mask) == 5 &&
            !strcmp(dev, ifname) && dest == 0 && mask == 0 && (flags & 2))
            found = gw;
    fclose(f);
    return found;
}

static void set_up(int s, const char *name)
{
    struct ifreq ifr;
    set_ifname(&ifr, name);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        die("cannot read the flags of %s: %s", name, strerror(errno));
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        die("cannot bring %s up: %s", name, strerror(errno));
}

static void make_tap(void)
{
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0)
        die("cannot open /dev/net/tun: %s (the container needs the device "
            "/dev/net/tun)",
            strerror(errno));
    struct ifreq ifr;
    set_ifname(&ifr, TAP_NAME);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0)
        die("cannot create the tap device %s: %s (the container needs "
            "CAP_NET_ADMIN)",
            TAP_NAME, strerror(errno));
    close(fd);
}

static void bridge(int s, const char *ifname)
{
    if (ioctl(s, SIOCBRADDBR, BRIDGE_NAME) < 0 && errno != EEXIST)
        die("cannot create the bridge %s: %s", BRIDGE_NAME, strerror(errno));
    const char *ports[] = {ifname, TAP_NAME};
    for (int i = 0; i < 2; i++) {
        struct ifreq ifr;
        set_ifname(&ifr, ports[i]);
        if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
            die("no interface %s: %s", ports[i], strerror(errno));
        int index = ifr.ifr_ifindex;
        set_ifname(&ifr, BRIDGE_NAME);
        ifr.ifr_ifindex = index;
        if (ioctl(s, SIOCBRADDIF, &ifr) < 0 && errno != EBUSY)
            die("cannot put %s into %s: %s", ports[i], BRIDGE_NAME,
                strerror(errno));
    }
}

/* Setting 0.0.0.0 removes the interface's address (and its routes). */
static void drop_address(int s, const char *ifname)
{
    struct ifreq ifr;
    set_ifname(&ifr, ifname);
    struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = 0;
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
        die("cannot take the address off %s: %s", ifname, strerror(errno));
}

/* `arg` with every {key} replaced; NULL when it names {gateway} and there
 * is none. */
static char *substitute(const char *arg, const char *ipv4, const char *gw)
{
    static const char *const keys[] = {"{tap}", "{ipv4}", "{gateway}"};
    const char *vals[] = {TAP_NAME, ipv4, gw};
    size_t cap = strlen(arg) + 1;
    for (int k = 0; k < 3; k++)
        if (vals[k])
            cap += strlen(vals[k]) * 4;
    char *out = malloc(cap), *o = out;
    if (!out)
        die("out of memory");
    for (const char *p = arg; *p;) {
        int k;
        for (k = 0; k < 3; k++)
            if (!strncmp(p, keys[k], strlen(keys[k])))
                break;
        if (k == 3) {
            *o++ = *p++;
            continue;
        }
        if (!vals[k]) {
            free(out);
            return NULL;
        }
        size_t n = strlen(vals[k]);
        if ((size_t)(o - out) + n + strlen(p) >= cap)
            die("argument too long: %s", arg);
        memcpy(o, vals[k], n);
        o += n;
        p += strlen(keys[k]);
    }
    *o = 0;
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 3 || strlen(argv[1]) >= IFNAMSIZ) {
        fprintf(stderr, "usage: atoll-oci-net IFACE COMMAND [ARGS...]\n"
                        "  ARGS may name {tap}, {ipv4} and {gateway}\n");
        return EXIT_SETUP;
    }
    const char *ifname = argv[1];
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        die("socket: %s", strerror(errno));
    uint32_t addr = ipv4_of(s, ifname, SIOCGIFADDR);
    uint32_t mask = ntohl(ipv4_of(s, ifname, SIOCGIFNETMASK));
    int prefix = 0;
    while (prefix < 32 && (mask & (0x80000000u >> prefix)))
        prefix++;
    uint32_t gw = default_gateway(ifname);
    char ipv4[32], gateway[16], a[16];
    inet_ntop(AF_INET, &addr, a, sizeof a);
    snprintf(ipv4, sizeof ipv4, "%s/%d", a, prefix);
    if (gw)
        inet_ntop(AF_INET, &gw, gateway, sizeof gateway);

    make_tap();
    bridge(s, ifname);
    drop_address(s, ifname);
    set_up(s, TAP_NAME);
    set_up(s, BRIDGE_NAME);
    set_up(s, ifname);
    close(s);

    char **av = calloc((size_t)argc, sizeof *av);
    if (!av)
        die("out of memory");
    int n = 0;
    for (int i = 2; i < argc; i++) {
        char *w = substitute(argv[i], ipv4, gw ? gateway : NULL);
        if (w)
            av[n++] = w;
    }
    av[n] = NULL;
    fprintf(stderr,
            "atoll-oci-net: %s is the unikernel's (%s%s%s), through %s\n",
            ifname, ipv4, gw ? " via " : "", gw ? gateway : "", TAP_NAME);
    execv(av[0], av);
    die("cannot execute %s: %s", av[0], strerror(errno));
}
