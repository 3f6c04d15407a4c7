/*
 * tender/common/core.c - core files of crashed guests (--dumpcore=DIR).
 *
 * A core file is an ELF file of type ET_CORE that gdb opens next to the
 * image: `gdb IMAGE CORE`, then `bt` shows the faulting fiber's frames.
 * It holds one PT_NOTE segment with an NT_PRSTATUS note (the signal and
 * the general registers at the fault, in the kernel's user_regs_struct
 * order) and one PT_LOAD segment per run of guest pages the guest could
 * read, at their guest addresses, which are also the addresses the image
 * was linked for.  The headers and the note are platform/host/elfcore.c's,
 * shared with the unix targets' core files.
 *
 * Who writes the file: by the time a guest crashes, the tender is under
 * its seccomp filter and may not open anything (and must not: a filter
 * that allowed openat would let a hostile guest create files anywhere).
 * So with --dumpcore the tender starts a small writer process during setup,
 * before the filter, connected by a pipe.  On a crash the tender streams
 * the core into the pipe; the writer creates DIR/core.NAME.PID (never
 * overwriting: O_EXCL) only once bytes arrive, copies, syncs and exits.
 * A guest that ends normally closes the pipe with nothing written, and
 * the writer exits without creating a file.  The tender can only write
 * into the pipe; what the file is called and where it goes is the
 * writer's, fixed before the guest ran.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/elfcore.h"
#include "tender.h"

#define PAGE ATOLL_HVT_PAGE_SIZE

struct hvt_core hvt_core = {.fd = -1, .pid = -1};

/* The writer: waits for the first bytes, then creates the file. */
static _Noreturn void writer(int in, int dir, const char *name)
{
    static uint8_t buf[1 << 16];
    int out = -1;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (out < 0) {
            out = openat(dir, name,
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                         0600);
            if (out < 0)
                _exit(1);
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(1);
            done += w;
        }
    }
    if (out >= 0 && fsync(out) < 0)
        _exit(1);
    _exit(0);
}

int hvt_core_start(const char *dir, const char *image)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        hvt_msg("--dumpcore=%s: %s", dir, strerror(errno));
        return -1;
    }
    const char *base = strrchr(image, '/');
    base = base ? base + 1 : image;
    hvt_core.self = (int)getpid();
    snprintf(hvt_core.name, sizeof hvt_core.name, "core.%.64s.%d", base,
             hvt_core.self);
    snprintf(hvt_core.path, sizeof hvt_core.path, "%.900s/%s", dir,
             hvt_core.name);
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        hvt_msg("--dumpcore: pipe: %s", strerror(errno));
        close(dfd);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        hvt_msg("--dumpcore: fork: %s", strerror(errno));
        close(dfd);
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        /* Nothing of the tender's but the pipe and the folder. */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != p[0] && fd != dfd)
                close(fd);
        writer(p[0], dfd, hvt_core.name);
    }
    close(p[0]);
    close(dfd);
    hvt_core.fd = p[1];
    hvt_core.pid = pid;
    return 0;
}

static int put(const void *data, size_t len)
{
    return elfcore_put(hvt_core.fd, data, len);
}

/* Runs of readable guest pages: calls fn(start, end, perm) for each. */
static unsigned runs(const struct hvt_mem *m,
                     int (*fn)(uint64_t, uint64_t, uint8_t, void *), void *arg)
{
    unsigned n = 0;
    uint64_t pages = m->size / PAGE;
    for (uint64_t pg = 0; pg < pages;) {
        uint8_t p = m->perm[pg];
        uint64_t end = pg + 1;
        while (end < pages && m->perm[end] == p)
            end++;
        if (p == HVT_PERM_R || p == HVT_PERM_RW || p == HVT_PERM_RX) {
            n++;
            if (fn && fn(pg * PAGE, end * PAGE, p, arg) < 0)
                return 0;
        }
        pg = end;
    }
    return n;
}

struct layout {
    uint64_t offset; /* file offset of the next segment's bytes */
};

static int put_phdr(uint64_t start, uint64_t end, uint8_t perm, void *arg)
{
    struct layout *l = arg;
    Elf64_Phdr ph;
    elfcore_phdr(&ph, PT_LOAD,
                 PF_R | (perm == HVT_PERM_RW   ? PF_W
                         : perm == HVT_PERM_RX ? PF_X
                                               : 0),
                 l->offset, start, end - start);
    l->offset += end - start;
    return put(&ph, sizeof ph);
}

static int put_data(uint64_t start, uint64_t end, uint8_t perm, void *arg)
{
    const struct hvt_mem *m = arg;
    (void)perm;
    return put(hvt_gp(m, start), end - start);
}

int hvt_core_write(const struct hvt_mem *m, const struct hvt_core_regs *r,
                   int signo)
{
    if (hvt_core.fd < 0)
        return -1;
    unsigned nload = runs(m, NULL, NULL);
    const struct elfcore_regs er = {
        .rax = r->rax,
        .rbx = r->rbx,
        .rcx = r->rcx,
        .rdx = r->rdx,
        .rsi = r->rsi,
        .rdi = r->rdi,
        .rbp = r->rbp,
        .rsp = r->rsp,
        .r8 = r->r8,
        .r9 = r->r9,
        .r10 = r->r10,
        .r11 = r->r11,
        .r12 = r->r12,
        .r13 = r->r13,
        .r14 = r->r14,
        .r15 = r->r15,
        .rip = r->rip,
        .rflags = r->rflags,
        .cs = 0x33,
        .ss = 0x2b, /* a 64-bit user context, as Linux's */
    };
    uint8_t note[ELFCORE_PRSTATUS_SIZE];
    elfcore_prstatus(note, &er, signo, hvt_core.self); /* getpid: filtered */
    Elf64_Ehdr eh;
    elfcore_ehdr(&eh, 1 + nload);
    uint64_t notes_at = sizeof eh + (uint64_t)(1 + nload) * sizeof(Elf64_Phdr);
    Elf64_Phdr nh;
    elfcore_phdr(&nh, PT_NOTE, 0, notes_at, 0, sizeof note);
    /* Segments start page-aligned in the file, as gdb likes them. */
    uint64_t data_at = (notes_at + sizeof note + PAGE - 1) & ~(PAGE - 1);
    struct layout l = {data_at};
    static const uint8_t zero[PAGE];
    if (put(&eh, sizeof eh) < 0 || put(&nh, sizeof nh) < 0 ||
        (nload && runs(m, put_phdr, &l) != nload) ||
        put(&note, sizeof note) < 0 ||
        put(zero, data_at - notes_at - sizeof note) < 0 ||
        (nload && runs(m, put_data, (void *)m) != nload))
        return -1;
    /* The writer finishes the file once the pipe closes. */
    close(hvt_core.fd);
    hvt_core.fd = -1;
    int ws = 0;
    pid_t w;
    while ((w = waitpid(hvt_core.pid, &ws, 0)) < 0 && errno == EINTR)
        ;
    return w == hvt_core.pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? 0 : -1;
}
