/*
 * tests/tcp/clients/window.c - a Linux client for tests/tcp/echo_share.sh:
 * the reproduction of issue 17's D1 against an echo server.
 *
 *     window ADDR PORT
 *
 * Client A, with a tiny receive buffer, sends a position-dependent pattern
 * and reads nothing until the server can take no more (no progress for
 * STUCK_MS): the server's write to A is then blocked part-way.  Client B
 * has 64 KiB of 'B' echoed and checked.  Then A reads everything it sent
 * and checks every byte against the pattern.  Prints what it saw; exits 0
 * only when both clients got exactly their own bytes back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define A_MAX    (64u << 20) /* stop sending here even if never stuck */
#define B_TOTAL  (64u << 10)
#define STUCK_MS 1500
#define CHUNK    65536

static uint8_t pat(uint32_t i)
{
    return (uint8_t)((i * 2654435761u) >> 24 ^ i >> 16);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(const struct sockaddr_in *sa, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* B: 64 KiB of 'B' there and back.  0 if every byte came back. */
static int client_b(const struct sockaddr_in *sa)
{
    static uint8_t buf[B_TOTAL];
    int fd = dial(sa, 0);
    if (fd < 0) {
        perror("B: connect");
        return 1;
    }
    memset(buf, 'B', sizeof buf);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
        perror("B: write");
        return 1;
    }
    memset(buf, 0, sizeof buf);
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = read(fd, buf + got, sizeof buf - got);
        if (n <= 0) {
            fprintf(stderr, "B: read after %zu bytes: %s\n", got,
                    n < 0 ? strerror(errno) : "end of stream");
            return 1;
        }
        got += (size_t)n;
    }
    size_t bad = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        bad += buf[i] != 'B';
    close(fd);
    printf("B: %zu bytes echoed, %zu wrong\n", got, bad);
    return bad != 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: window ADDR PORT\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "window: bad address %s\n", argv[1]);
        return 2;
    }
    static uint8_t chunk[CHUNK];

    /* A: send without reading until nothing moves. */
    int a = dial(&sa, 4096);
    if (a < 0) {
        perror("A: connect");
        return 1;
    }
    fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK);
    uint32_t sent = 0;
    int64_t last = now_ms();
    while (sent < A_MAX && now_ms() - last < STUCK_MS) {
        struct pollfd p = {a, POLLOUT, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        uint32_t n = A_MAX - sent < CHUNK ? A_MAX - sent : CHUNK;
        for (uint32_t i = 0; i < n; i++)
            chunk[i] = pat(sent + i);
        ssize_t w = write(a, chunk, n);
        if (w < 0 && errno != EAGAIN) {
            perror("A: write");
            return 1;
        }
        if (w > 0) {
            sent += (uint32_t)w;
            last = now_ms();
        }
    }
    printf("A: sent %u bytes without reading, then %s\n", sent,
           sent < A_MAX ? "the server took no more" : "stopped (never stuck)");
    if (sent >= A_MAX)
        return 1;

    int st = client_b(&sa);

    /* A reads everything back. */
    uint32_t got = 0, bad = 0, first_bad = 0;
    int64_t deadline = now_ms() + 60000;
    while (got < sent && now_ms() < deadline) {
        struct pollfd p = {a, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = read(a, chunk, sizeof chunk);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            fprintf(stderr, "A: read after %u bytes: %s\n", got,
                    n < 0 ? strerror(errno) : "end of stream");
            break;
        }
        for (ssize_t i = 0; i < n; i++)
            if (chunk[i] != pat(got + (uint32_t)i) && bad++ == 0)
                first_bad = got + (uint32_t)i;
        if (n > 0)
            got += (uint32_t)n;
    }
    printf("A: got %u of %u bytes back, %u wrong", got, sent, bad);
    if (bad)
        printf(" (the first at offset %u)", first_bad);
    printf("\n");
    close(a);
    return st || got != sent || bad;
}
