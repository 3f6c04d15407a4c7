/*
 * bench/net_tools/peer.c - the Linux side of the network benchmarks
 * (bench/net_bench.sh): one small program with plain sockets, used for
 * every comparison so that each row measures the other end, never the
 * tool.  Runs inside the benchmark's network namespaces.
 *
 *   peer send ADDR PORT SECS   write for SECS, shut down, wait for the
 *                              peer's close; rate = bytes / time to close
 *   peer recv ADDR PORT SECS   read for SECS from a source; bytes / time
 *   peer rr ADDR PORT SECS     1-byte request, 1-byte response, repeated
 *   peer idle ADDR PORT N SPORT  read the unikernel's stats (SPORT), open
 *                              N idle connections, read them again
 *   peer serve ADDR            the same services as bench/apps/netbench:
 *                              5001 sink, 5002 source, 5003 echo
 *   peer serve-idle ADDR PORT N  accept N connections, say so, hold them
 *
 * ADDR is IPv4 or IPv6 (the IPv6 rows of the benchmark).  Results are
 * one line of "key=value" pairs on stdout for the script.
 * A Linux program, so it is built with the host's headers and no Atoll
 * library (mk/netbench.mk).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
static char buf[CHUNK];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "peer: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ADDR of either family (a colon makes it IPv6), with its length. */
struct peer_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

static struct peer_addr sa(const char *addr, int port)
{
    struct peer_addr a;
    memset(&a, 0, sizeof a);
    int ok;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a.ss;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        ok = inet_pton(AF_INET6, addr, &v6->sin6_addr);
        a.len = sizeof *v6;
    } else {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&a.ss;
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        ok = inet_pton(AF_INET, addr, &v4->sin_addr);
        a.len = sizeof *v4;
    }
    if (ok != 1) {
        fprintf(stderr, "peer: bad address %s\n", addr);
        exit(2);
    }
    return a;
}

static int dial(const char *addr, int port)
{
    struct peer_addr a = sa(addr, port);
    int fd = socket(a.ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&a.ss, a.len) < 0)
        die("connect");
    return fd;
}

static int listen_on(const char *addr, int port)
{
    struct peer_addr a = sa(addr, port);
    int fd = socket(a.ss.ss_family, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0)
        die("bind");
    if (listen(fd, 4096) < 0)
        die("listen");
    return fd;
}

static int do_send(const char *addr, int port, double secs)
{
    int fd = dial(addr, port);
    memset(buf, 'x', sizeof buf);
    double t0 = now(), end = t0 + secs;
    long long bytes = 0;
    while (now() < end) {
        ssize_t n = write(fd, buf, sizeof buf);
        if (n <= 0)
            die("write");
        bytes += n;
    }
    shutdown(fd, SHUT_WR);
    /* Done when the receiver has read everything and closed. */
    while (read(fd, buf, sizeof buf) > 0)
        ;
    double t = now() - t0;
    printf("bytes=%lld secs=%.3f mbit=%.1f\n", bytes, t, bytes * 8 / t / 1e6);
    close(fd);
    return 0;
}

static int do_recv(const char *addr, int port, double secs)
{
    int fd = dial(addr, port);
    double t0 = now(), end = t0 + secs, t;
    long long bytes = 0;
    while ((t = now()) < end) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            die("read");
        bytes += n;
    }
    t -= t0;
    printf("bytes=%lld secs=%.3f mbit=%.1f\n", bytes, t, bytes * 8 / t / 1e6);
    close(fd); /* unread data: RST, the source stops */
    return 0;
}

static int do_rr(const char *addr, int port, double secs)
{
    int fd = dial(addr, port), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    double t0 = now(), end = t0 + secs, t;
    long long n = 0;
    char c = 'r';
    while ((t = now()) < end) {
        for (int i = 0; i < 100; i++, n++) {
            if (write(fd, &c, 1) != 1)
                die("write");
            if (read(fd, &c, 1) != 1)
                die("read");
        }
    }
    t -= t0;
    printf("round_trips=%lld secs=%.3f us=%.2f\n", n, t, t * 1e6 / n);
    close(fd);
    return 0;
}

/* The unikernel's allocator bytes in use, from its stats port. */
static long long uk_in_use(const char *addr, int sport)
{
    int fd = dial(addr, sport);
    char line[256];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof line - 1 &&
           (n = read(fd, line + got, sizeof line - 1 - got)) > 0)
        got += (size_t)n;
    line[got] = 0;
    close(fd);
    const char *p = strstr(line, "in_use=");
    if (!p) {
        fprintf(stderr, "peer: bad stats line '%s'\n", line);
        exit(1);
    }
    return atoll(p + 7);
}

static void more_files(int n)
{
    struct rlimit r;
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur < (rlim_t)n + 64) {
        r.rlim_cur = (rlim_t)n + 64;
        if (r.rlim_max < r.rlim_cur)
            r.rlim_max = r.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &r) < 0)
            die("setrlimit");
    }
}

static int do_idle(const char *addr, int port, int n, int sport)
{
    more_files(n);
    int *fds = calloc((size_t)n, sizeof *fds);
    long long before = uk_in_use(addr, sport);
    for (int i = 0; i < n; i++)
        fds[i] = dial(addr, port);
    /* The unikernel accepts in its own time: wait until its count of
     * bytes in use stops growing. */
    long long after = uk_in_use(addr, sport), prev = -1;
    for (int i = 0; i < 50 && after != prev; i++) {
        usleep(100000);
        prev = after;
        after = uk_in_use(addr, sport);
    }
    printf("conns=%d before=%lld after=%lld per_conn=%.0f\n", n, before, after,
           (double)(after - before) / n);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    return 0;
}

/* ---- servers (Linux <-> Linux over veth) ------------------------------ */

static void serve_conn(int port, int fd)
{
    if (port == 5001) {
        while (read(fd, buf, sizeof buf) > 0)
            ;
    } else if (port == 5002) {
        memset(buf, 'x', sizeof buf);
        while (write(fd, buf, sizeof buf) > 0)
            ;
    } else {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char b[64];
        ssize_t n;
        while ((n = read(fd, b, sizeof b)) > 0)
            if (write(fd, b, (size_t)n) != n)
                break;
    }
    close(fd);
}

/* One process per service, one connection at a time: the benchmark runs
 * one connection per service, as the single-core unikernel serves it. */
static int do_serve(const char *addr)
{
    signal(SIGPIPE, SIG_IGN);
    for (int port = 5001; port <= 5003; port++) {
        pid_t p = fork();
        if (p < 0)
            die("fork");
        if (p == 0) {
            /* Ends with the parent, which the benchmark ends by its id. */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            int l = listen_on(addr, port);
            for (;;) {
                int fd = accept(l, NULL, NULL);
                if (fd >= 0)
                    serve_conn(port, fd);
            }
        }
    }
    printf("serving\n");
    fflush(stdout);
    while (wait(NULL) > 0)
        ;
    return 0;
}

static int do_serve_idle(const char *addr, int port, int n)
{
    more_files(n);
    int l = listen_on(addr, port);
    for (int i = 0; i < n; i++)
        if (accept(l, NULL, NULL) < 0)
            die("accept");
    printf("accepted=%d\n", n);
    fflush(stdout);
    pause();
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 5 && !strcmp(argv[1], "send"))
        return do_send(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc == 5 && !strcmp(argv[1], "recv"))
        return do_recv(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc == 5 && !strcmp(argv[1], "rr"))
        return do_rr(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "idle"))
        return do_idle(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (argc == 3 && !strcmp(argv[1], "serve"))
        return do_serve(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "serve-idle"))
        return do_serve_idle(argv[2], atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: see bench/net_tools/peer.c\n");
    return 2;
}
