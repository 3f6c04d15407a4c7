/*
 * bench/net_tools/tap_blast.c - the most any sender could get through a
 * tap with one write per frame on this host: the "no-offload" rows of
 * bench/net_bench.sh ask a TCP stack for 2x lwIP that way, and this
 * measures the ceiling both stacks sit under.
 *
 *   tap_blast TAP SRC DST PORT SECS
 *
 * Opens the existing tap TAP, binds a UDP socket to DST:PORT (the host's
 * address on the tap) and drains it in a second thread, as the TCP
 * benchmark's Linux reader drains its socket.  The main thread writes one
 * prebuilt 1514-byte Ethernet frame (IPv4 SRC -> DST, UDP, 1472 bytes of
 * payload) per write(2) for SECS seconds and does nothing else: no
 * protocol, no checksum, no reading.  Linux's path for such a frame (the
 * tap, IP, UDP, waking the reader) runs inside the write, as its TCP path
 * does for a stack's segment, and is shorter (no ACK, no TCP state): the
 * rate is an upper bound for a TCP sender of 1514-byte frames.
 *
 * Prints one line: frames=N secs=S mbit=X received=R, where mbit counts
 * 1448 bytes per frame (a TCP segment's payload with timestamps in the
 * same frame size) so that it reads against the TCP rows.  A Linux
 * program built with the host's headers (mk/netbench.mk).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 1472 /* 14 + 20 + 8 + 1472 = 1514 bytes on the wire */
#define FRAME   (14 + 20 + 8 + PAYLOAD)
#define TCP_SEG 1448 /* what a TCP segment in the same frame carries */

static volatile int stop;
static unsigned long long received;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "tap_blast: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *drain(void *arg)
{
    int fd = *(int *)arg;
    static char buf[65536];
    while (!stop) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0)
            received++;
    }
    return NULL;
}

/* The one's-complement sum of the IPv4 header. */
static uint16_t ip_csum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: tap_blast TAP SRC DST PORT SECS\n");
        return 2;
    }
    const char *tap = argv[1];
    struct in_addr src, dst;
    int port = atoi(argv[4]);
    double secs = atof(argv[5]);
    if (strlen(tap) >= IFNAMSIZ || inet_pton(AF_INET, argv[2], &src) != 1 ||
        inet_pton(AF_INET, argv[3], &dst) != 1 || port <= 0 || port > 65535 ||
        secs <= 0 || secs > 60) {
        fprintf(stderr, "tap_blast: bad arguments\n");
        return 2;
    }

    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        die("/dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, tap, strlen(tap));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        die("TUNSETIFF");
    /* The host side's MAC: the frame's destination. */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        die("socket");
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, tap, strlen(tap));
    if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
        die("SIOCGIFHWADDR");
    int rcvbuf = 4 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr = dst};
    if (bind(s, (struct sockaddr *)&sin, sizeof sin) < 0)
        die("bind");

    static uint8_t f[FRAME];
    memcpy(f, ifr.ifr_hwaddr.sa_data, 6);
    static const uint8_t me[6] = {0x02, 0, 0x5e, 0x10, 0, 0x01};
    memcpy(f + 6, me, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (20 + 8 + PAYLOAD) >> 8, ip[3] = (uint8_t)(20 + 8 + PAYLOAD);
    ip[6] = 0x40; /* don't fragment */
    ip[8] = 64, ip[9] = 17;
    memcpy(ip + 12, &src, 4);
    memcpy(ip + 16, &dst, 4);
    uint16_t c = ip_csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    uint8_t *udp = ip + 20;
    udp[0] = 0x9c, udp[1] = 0x40; /* from port 40000 */
    udp[2] = (uint8_t)(port >> 8), udp[3] = (uint8_t)port;
    udp[4] = (8 + PAYLOAD) >> 8, udp[5] = (uint8_t)(8 + PAYLOAD);
    /* UDP checksum 0: none (RFC 768), so Linux checks nothing either. */
    memset(udp + 8, 'x', PAYLOAD);

    pthread_t th;
    if (pthread_create(&th, NULL, drain, &s) != 0)
        die("pthread_create");
    unsigned long long frames = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 256; i++) {
            if (write(fd, f, sizeof f) != (ssize_t)sizeof f)
                die("write");
            frames++;
        }
        t = now() - t0;
    } while (t < secs);
    stop = 1;
    pthread_join(th, NULL);
    printf("frames=%llu secs=%.3f mbit=%.1f received=%llu\n", frames, t,
           (double)frames * TCP_SEG * 8 / t / 1e6, received);
    return 0;
}
