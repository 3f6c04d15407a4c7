/*
 * bench/net_tools/lwip_sink.c - the comparison C stack: Debian's lwIP
 * (liblwip-dev, 2.1.3, as packaged: its lwipopts.h, its pthread sys_arch
 * and the contrib unix port's tap netif) running the same services as
 * bench/apps/netbench on a tap device:
 *
 *   5001 sink    tcp_recved + pbuf_free until the peer closes
 *   5002 source  keeps the send buffer full until the peer goes away
 *   5003 echo    1-byte request/response, Nagle off
 *
 * Usage: lwip_sink TAP ADDR NETMASK
 *
 * lwIP's raw API is used, from its tcpip thread (callbacks) and under its
 * core lock (setup): the fastest way lwIP offers, so the comparison is fair
 * to it.
 *
 * Why not the package's own tap netif (tapif_init, contrib ports/unix):
 * in Debian's 2.1.3+dfsg1-2 it corrupts the heap on the first frame longer
 * than about 590 bytes (valgrind: pbuf_take writes past a 616-byte
 * PBUF_POOL buffer; the pool's element size and pbuf_alloc's idea of it
 * disagree in the shipped build, as if parts were built with the default
 * TCP_MSS of 536).  So the netif here is ours and small: a thread reads
 * frames from the tap into PBUF_RAM buffers (self-consistent in the
 * library) and hands them to tcpip_input, exactly what tapif's thread does;
 * sending writes the frame with one write().
 */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "netif/etharp.h"

#define CHUNK 1460
static char pattern[CHUNK];

static err_t sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                       err_t err)
{
    if (!p) {
        tcp_close(pcb);
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

/* Fill the send buffer with references to the constant pattern. */
static void source_push(struct tcp_pcb *pcb)
{
    while (tcp_sndbuf(pcb) >= CHUNK && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN)
        if (tcp_write(pcb, pattern, CHUNK, TCP_WRITE_FLAG_MORE) != ERR_OK)
            break;
    tcp_output(pcb);
}

static err_t source_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    source_push(pcb);
    return ERR_OK;
}

static err_t source_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                         err_t err)
{
    if (p) { /* nothing is expected; the reader closing ends it */
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    tcp_abort(pcb);
    return ERR_ABRT;
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                       err_t err)
{
    if (!p) {
        tcp_close(pcb);
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next)
        tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY);
    tcp_output(pcb);
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

/* ---- the tap netif ---------------------------------------------------- */

#define FRAME_MAX 1518
static int tap_fd = -1;

static err_t tap_linkoutput(struct netif *nif, struct pbuf *p)
{
    static char frame[FRAME_MAX]; /* only the tcpip thread sends */
    u16_t len = pbuf_copy_partial(p, frame, sizeof frame, 0);
    if (write(tap_fd, frame, len) != (ssize_t)len)
        return ERR_IF;
    return ERR_OK;
}

static err_t tap_netif_init(struct netif *nif)
{
    static const u8_t mac[6] = {0x02, 0x00, 0xc6, 0x12, 0x0c, 0x02};
    nif->name[0] = 't';
    nif->name[1] = 'p';
    nif->output = etharp_output;
    nif->linkoutput = tap_linkoutput;
    nif->mtu = 1500;
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, mac, 6);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP;
    return ERR_OK;
}

static void *tap_reader(void *arg)
{
    struct netif *nif = arg;
    static char frame[FRAME_MAX];
    for (;;) {
        ssize_t n = read(tap_fd, frame, sizeof frame);
        if (n <= 0)
            continue;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (!p)
            continue;
        pbuf_take(p, frame, (u16_t)n);
        if (nif->input(p, nif) != ERR_OK)
            pbuf_free(p);
    }
    return NULL;
}

static int tap_open(const char *name)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0)
        return -1;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    switch ((int)(intptr_t)arg) {
    case 5001:
        tcp_recv(pcb, sink_recv);
        break;
    case 5002:
        tcp_recv(pcb, source_recv);
        tcp_sent(pcb, source_sent);
        source_push(pcb);
        break;
    default:
        tcp_nagle_disable(pcb);
        tcp_recv(pcb, echo_recv);
        break;
    }
    return ERR_OK;
}

int main(int argc, char **argv)
{
    ip4_addr_t addr, mask, gw;
    if (argc != 4 || !ip4addr_aton(argv[2], &addr) ||
        !ip4addr_aton(argv[3], &mask)) {
        fprintf(stderr, "usage: lwip_sink TAP ADDR NETMASK\n");
        return 2;
    }
    if ((tap_fd = tap_open(argv[1])) < 0) {
        perror("lwip_sink: tap");
        return 1;
    }
    memset(pattern, 'x', sizeof pattern);
    ip4_addr_set_zero(&gw);
    tcpip_init(NULL, NULL);

    static struct netif nif;
    LOCK_TCPIP_CORE();
    if (!netif_add(&nif, &addr, &mask, &gw, NULL, tap_netif_init,
                   tcpip_input)) {
        UNLOCK_TCPIP_CORE();
        fprintf(stderr, "lwip_sink: netif_add failed\n");
        return 1;
    }
    netif_set_default(&nif);
    netif_set_link_up(&nif);
    netif_set_up(&nif);
    for (int port = 5001; port <= 5003; port++) {
        struct tcp_pcb *pcb = tcp_new();
        if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, (u16_t)port) != ERR_OK) {
            UNLOCK_TCPIP_CORE();
            fprintf(stderr, "lwip_sink: cannot bind %d\n", port);
            return 1;
        }
        pcb = tcp_listen(pcb);
        tcp_arg(pcb, (void *)(intptr_t)port);
        tcp_accept(pcb, on_accept);
    }
    UNLOCK_TCPIP_CORE();
    pthread_t reader;
    if (pthread_create(&reader, NULL, tap_reader, &nif) != 0) {
        fprintf(stderr, "lwip_sink: cannot start the tap reader\n");
        return 1;
    }
    printf("lwip: serving (lwIP %s)\n", LWIP_VERSION_STRING);
    fflush(stdout);
    for (;;)
        pause();
}
