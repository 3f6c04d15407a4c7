/*
 * tender/common/trace.c - the guest's trace files (--trace=FILE): the host
 * side of ATOLL_HVT_TRACE_WRITE, and SIGUSR1, which asks a running guest
 * to write one without stopping.
 *
 * Files.  As with core files (core.c), a tender under its seccomp filter
 * may not open anything, and must not be able to: so --trace starts a
 * small writer process during setup, before the filter, connected by two
 * pipes.  The guest streams a trace in pieces; the tender passes each
 * piece into the first pipe behind a header {file, len}; a piece of
 * length 0 ends the file, and the writer answers it with its status on
 * the second pipe, which the tender hands back to the guest.  The writer
 * names the files from FILE, fixed before the guest ran: FILE for the
 * trace at exit (file 0), FILE.n for the n-th live one.  A guest can only
 * write FILE, and FILE.n for an n it was asked for (the tender counts the
 * requests it delivered), each at most four times guest memory.
 *
 * Requests.  SIGUSR1 only raises a flag.  At the guest's next hypercall
 * or VM exit (the tenders call hvt_trace_deliver there, next to the
 * console drain) the tender sets ATOLL_HVT_REQ_TRACE in the console
 * area's `requests` word, which the guest's scheduler polls every round;
 * a wait under way returns early (devices.c), so an idle guest answers at
 * once.  The handler is installed with or without --trace: SIGUSR1's
 * default action would kill the guest; without a file the guest is told
 * -ATOLL_ENOTSUP and says so on its console.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tender.h"

struct hvt_trace hvt_trace = {.fd = -1, .ack = -1, .pid = -1};
volatile sig_atomic_t hvt_trace_requested;

struct piece {
    uint32_t file, len;
};

static int read_all(int fd, void *buf, size_t len)
{
    uint8_t *b = buf;
    while (len > 0) {
        ssize_t n = read(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *b = buf;
    while (len > 0) {
        ssize_t n = write(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The writer: one file at a time, created (or truncated) at its first
 * piece, closed and answered at its end. */
static _Noreturn void writer(int in, int ack, int dir, const char *base)
{
    static uint8_t buf[ATOLL_HVT_TRACE_PIECE_MAX];
    int out = -1;
    int32_t status = 0;
    struct piece h;
    while (read_all(in, &h, sizeof h) == 0) {
        if (h.len > sizeof buf || read_all(in, buf, h.len) < 0)
            _exit(1);
        if (h.len == 0) {
            if (out < 0 || close(out) < 0)
                status = -ATOLL_EIO;
            out = -1;
            if (write_all(ack, &status, sizeof status) < 0)
                _exit(1);
            status = 0;
            continue;
        }
        if (out < 0 && status == 0) {
            char name[1100];
            if (h.file == 0)
                snprintf(name, sizeof name, "%s", base);
            else
                snprintf(name, sizeof name, "%s.%u", base, h.file);
            out = openat(dir, name,
                         O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                         0644);
            if (out < 0)
                status = -ATOLL_EIO;
        }
        if (out >= 0 && write_all(out, buf, h.len) < 0) {
            close(out);
            out = -1;
            status = -ATOLL_EIO;
        }
    }
    _exit(0);
}

int hvt_trace_start(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char dir[1024];
    if (*base == '\0' || strlen(base) > 1000 ||
        (size_t)snprintf(dir, sizeof dir, "%.*s",
                         slash ? (int)(slash - path) + 1 : 1,
                         slash ? path : ".") >= sizeof dir) {
        hvt_msg("--trace=%s: expected a file name", path);
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        hvt_msg("--trace=%s: folder %s: %s", path, dir, strerror(errno));
        return -1;
    }
    int p[2], a[2];
    if (pipe2(p, O_CLOEXEC) < 0 || pipe2(a, O_CLOEXEC) < 0) {
        hvt_msg("--trace: pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        hvt_msg("--trace: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Nothing of the tender's but the pipes and the folder; a stop
         * signal for the tender's group must not cut a file short. */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != p[0] && fd != a[1] && fd != dfd)
                close(fd);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGUSR1, SIG_IGN);
        writer(p[0], a[1], dfd, base);
    }
    close(p[0]);
    close(a[1]);
    close(dfd);
    hvt_trace.path = path;
    hvt_trace.fd = p[1];
    hvt_trace.ack = a[0];
    hvt_trace.pid = pid;
    return 0;
}

int64_t hvt_trace_put(uint64_t file, const void *data, uint64_t len,
                      uint64_t mem_size)
{
    struct hvt_trace *t = &hvt_trace;
    if (t->fd < 0)
        return -ATOLL_ENOTSUP;
    if (file > t->delivered || len > ATOLL_HVT_TRACE_PIECE_MAX)
        return -ATOLL_EPERM;
    if (t->open && file != t->file)
        return -ATOLL_EPERM; /* one file at a time: end this one first */
    if (len > 0 && t->bytes + len > 4 * mem_size)
        return -ATOLL_ENOSPC;
    struct piece h = {(uint32_t)file, (uint32_t)len};
    if (write_all(t->fd, &h, sizeof h) < 0 ||
        (len > 0 && write_all(t->fd, data, len) < 0))
        return -ATOLL_EIO;
    if (len > 0) {
        t->open = true;
        t->file = file;
        t->bytes += len;
        return 0;
    }
    t->open = false;
    t->bytes = 0;
    int32_t status;
    if (read_all(t->ack, &status, sizeof status) < 0)
        return -ATOLL_EIO;
    if (status == 0 && file > 0)
        hvt_msg("live trace written: %s.%llu", t->path,
                (unsigned long long)file);
    return status;
}

static void on_usr1(int sig)
{
    (void)sig;
    hvt_trace_requested = 1;
}

int hvt_trace_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK; /* no SA_RESTART: a wait returns early */
    sigfillset(&sa.sa_mask);
    return sigaction(SIGUSR1, &sa, NULL);
}

void hvt_trace_deliver(struct hvt_guest *g)
{
    if (!hvt_trace_requested)
        return;
    hvt_trace_requested = 0;
    hvt_trace.delivered++;
    struct atoll_hvt_console_area *a = (struct atoll_hvt_console_area *)(hvt_gp(
        &g->mem, ATOLL_HVT_CONSOLE_AREA));
    __atomic_fetch_or(&a->requests, ATOLL_HVT_REQ_TRACE, __ATOMIC_RELAXED);
}
