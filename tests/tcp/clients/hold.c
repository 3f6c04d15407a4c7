/*
 * tests/tcp/clients/hold.c - a Linux client for tests/tcp/capacity.sh and
 * bench/net_bench.sh: opens many TCP connections to an echo server, has a
 * few bytes echoed on each (so every one is served, not only accepted),
 * then holds them idle and answers commands on stdin.
 *
 *     hold ADDR PORT N [FROM [SIZE]]
 *
 * Opens N connections to ADDR:PORT (from source address FROM if given and
 * not "-"), BATCH at a time, and echoes SIZE bytes (default 16) on each:
 * prints "held N" or "failed: ..." and exits 1.  Then reads lines:
 *
 *     check   echo SIZE bytes on every connection again; prints
 *             "checked OK BAD" (BAD: reset, closed or wrong bytes)
 *     (end of input)   close everything and exit
 *
 * Raises its own file limit (it runs as root in the test's namespace).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH   200
#define WAIT_MS 20000 /* for one batch */

static int *fds;
static int nconn;
static size_t size = 16;
static uint8_t *out, *in;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until every fd of fds[from, to) that is still >= 0 shows `ev`;
 * fds that fail are closed and set to -1.  Returns how many failed. */
static int wait_all(int from, int to, short ev)
{
    struct pollfd p[BATCH];
    int failed = 0;
    int64_t end = now_ms() + WAIT_MS;
    for (;;) {
        int n = 0;
        for (int i = from; i < to; i++)
            if (fds[i] >= 0)
                p[n++] = (struct pollfd){fds[i], ev, 0};
        if (n == 0)
            return failed;
        int left = (int)(end - now_ms());
        if (left <= 0 || poll(p, (nfds_t)n, left) <= 0)
            break;
        int k = 0, done = 0;
        for (int i = from; i < to; i++) {
            if (fds[i] < 0)
                continue;
            struct pollfd *q = &p[k++];
            if (q->revents & (POLLERR | POLLHUP | POLLNVAL)) {
                close(fds[i]);
                fds[i] = -1;
                failed++;
            } else if (q->revents & ev) {
                done++;
            }
        }
        if (done + failed >= n)
            return failed;
    }
    for (int i = from; i < to; i++)
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
            failed++;
        }
    return failed;
}

/* Echo `size` bytes on fds[from, to).  Returns how many failed. */
static int echo_batch(int from, int to)
{
    int failed = 0;
    for (int i = from; i < to; i++) {
        if (fds[i] < 0)
            continue;
        if (write(fds[i], out, size) != (ssize_t)size) {
            close(fds[i]);
            fds[i] = -1;
            failed++;
        }
    }
    /* Blocking reads with a timeout: the echoes are on their way. */
    for (int i = from; i < to; i++) {
        if (fds[i] < 0)
            continue;
        size_t got = 0;
        while (got < size) {
            struct pollfd p = {fds[i], POLLIN, 0};
            if (poll(&p, 1, WAIT_MS) <= 0)
                break;
            ssize_t n = read(fds[i], in + got, size - got);
            if (n <= 0 && !(n < 0 && errno == EAGAIN))
                break;
            if (n > 0)
                got += (size_t)n;
        }
        if (got != size || memcmp(in, out, size) != 0) {
            close(fds[i]);
            fds[i] = -1;
            failed++;
        }
    }
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: hold ADDR PORT N [FROM [SIZE]]\n");
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(argv[2]))};
    struct sockaddr_in from = {.sin_family = AF_INET};
    nconn = atoi(argv[3]);
    bool bind_from = argc >= 5 && strcmp(argv[4], "-") != 0;
    if (argc == 6)
        size = (size_t)strtoul(argv[5], NULL, 10);
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 || nconn <= 0 ||
        size == 0 || size > (1u << 20) ||
        (bind_from && inet_pton(AF_INET, argv[4], &from.sin_addr) != 1)) {
        fprintf(stderr, "hold: bad arguments\n");
        return 2;
    }
    struct rlimit rl = {(rlim_t)nconn + 64, (rlim_t)nconn + 64};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("hold: setrlimit");
        return 1;
    }
    fds = calloc((size_t)nconn, sizeof *fds);
    out = malloc(size);
    in = malloc(size);
    if (!fds || !out || !in)
        return 1;
    for (size_t i = 0; i < size; i++)
        out[i] = (uint8_t)('a' + i % 26);

    int64_t t0 = now_ms();
    for (int b = 0; b < nconn; b += BATCH) {
        int e = b + BATCH < nconn ? b + BATCH : nconn;
        for (int i = b; i < e; i++) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0 ||
                (bind_from &&
                 bind(fd, (struct sockaddr *)&from, sizeof from) < 0) ||
                (connect(fd, (struct sockaddr *)&to, sizeof to) < 0 &&
                 errno != EINPROGRESS)) {
                printf("failed: connection %d: %s\n", i, strerror(errno));
                return 1;
            }
            fds[i] = fd;
        }
        int bad = wait_all(b, e, POLLOUT);
        for (int i = b; i < e && !bad; i++) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) {
                printf("failed: connection %d: %s\n", i, strerror(err));
                return 1;
            }
        }
        if (!bad)
            bad = echo_batch(b, e);
        if (bad) {
            printf("failed: %d of connections %d..%d not served\n", bad, b,
                   e - 1);
            return 1;
        }
    }
    printf("held %d (%lld ms)\n", nconn, (long long)(now_ms() - t0));
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "check", 5) != 0)
            continue;
        int bad = 0;
        for (int b = 0; b < nconn; b += BATCH)
            bad += echo_batch(b, b + BATCH < nconn ? b + BATCH : nconn);
        int alive = 0;
        for (int i = 0; i < nconn; i++)
            alive += fds[i] >= 0;
        printf("checked %d %d\n", alive, bad);
        fflush(stdout);
    }
    for (int i = 0; i < nconn; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return 0;
}
