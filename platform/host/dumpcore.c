/*
 * platform/host/dumpcore.c - the core file of a crashed Linux-process
 * unikernel (see dumpcore.h).
 *
 * The file holds one PT_NOTE segment and one PT_LOAD segment per readable
 * mapping of the process, at its address, with the mapping's bytes.  The
 * notes are NT_PRSTATUS (the signal and the general registers of the
 * faulting context, in the kernel's user_regs_struct order: gdb starts
 * its backtrace there, on the faulting fiber's stack) and NT_AUXV (the
 * auxiliary vector: its AT_ENTRY tells gdb where the position-independent
 * executable was loaded, so the symbols line up).  Shared libraries gdb
 * finds from the dynamic linker's list, which is in the dumped memory.
 * Mappings nobody may read (guard pages) are left out: gdb shows them as
 * inaccessible.
 *
 * The ELF headers and notes are platform/host/elfcore.c's, shared with
 * the tenders' core files of hvt guests.  Everything here runs in the
 * SIGSEGV handler, on its alternate stack:
 * only system calls (openat, read, write, getpid, arch_prctl), static
 * buffers and hand-written number formatting.
 */
#include "dumpcore.h"
#include "elfcore.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>

#define PAGE     4096
#define MAPS_MAX 4096 /* mappings written; more are left out */
/* A mapping larger than this is left out: no unikernel's memory is that
 * large, but a sanitizer's shadow (terabytes, reserved) is. */
#define MAP_SIZE_MAX (64ull << 30)

static int dir_fd = -1;
static char dir_path[1024];
static char prog[64];

int host_dumpcore_dir(const char *dir, char *err, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--dumpcore=%s: %s", dir, strerror(errno));
        return -1;
    }
    if (strlen(dir) >= sizeof dir_path) {
        snprintf(err, errlen, "--dumpcore: folder name too long");
        close(fd);
        return -1;
    }
    if (dir_fd >= 0)
        close(dir_fd);
    dir_fd = fd;
    strcpy(dir_path, dir);
    const char *base = program_invocation_short_name;
    snprintf(prog, sizeof prog, "%s", base && *base ? base : "atoll");
    return 0;
}

/* Bytes of memory [p, p+len): a page the kernel cannot read for us
 * (EFAULT) is written as zeros, so every segment keeps its size. */
static int put_mem(int fd, uintptr_t p, size_t len)
{
    static const char zero[PAGE];
    while (len > 0) {
        size_t n = len < (1u << 20) ? len : (1u << 20);
        ssize_t w = write(fd, (const void *)p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EFAULT) {
            n = len < PAGE ? len : PAGE;
            if (elfcore_put(fd, zero, n) < 0)
                return -1;
            w = (ssize_t)n;
        } else if (w <= 0) {
            return -1;
        }
        p += (size_t)w;
        len -= (size_t)w;
    }
    return 0;
}

/* Read a whole /proc file into buf; its length, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == cap)
            break;
    }
    close(fd);
    return (ssize_t)len;
}

static uintptr_t hex(const char **s)
{
    uintptr_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0)
            return v;
        v = v * 16 + (uintptr_t)d;
    }
}

struct map {
    uintptr_t start, end;
    uint32_t flags;
};
static struct map maps[MAPS_MAX];
static char maps_text[1 << 20];
static char auxv[4096];

/* The readable mappings from /proc/self/maps, but not [vvar] (the
 * kernel's clock page, not always readable through write(2)). */
static size_t read_maps(void)
{
    ssize_t len = slurp("/proc/self/maps", maps_text, sizeof maps_text - 1);
    if (len < 0)
        return 0;
    maps_text[len] = '\0';
    size_t n = 0;
    for (const char *s = maps_text; *s && n < MAPS_MAX;) {
        const char *line = s;
        uintptr_t start = hex(&s);
        s += *s == '-';
        uintptr_t end = hex(&s);
        s += *s == ' ';
        bool r = s[0] == 'r', w = s[1] == 'w', x = s[2] == 'x';
        const char *eol = strchr(s, '\n');
        bool vvar = false;
        for (const char *q = s; q + 6 <= (eol ? eol : s + strlen(s)); q++)
            if (!memcmp(q, "[vvar]", 6))
                vvar = true;
        s = eol ? eol + 1 : s + strlen(s);
        if (!r || vvar || end <= start || end - start > MAP_SIZE_MAX ||
            line == s)
            continue;
        maps[n++] =
            (struct map){start, end, PF_R | (w ? PF_W : 0) | (x ? PF_X : 0)};
    }
    return n;
}

/* "DIR/core.PROG.PID" into out. */
static void core_name(char *name, size_t len, pid_t pid)
{
    char digits[24];
    int nd = 0;
    unsigned long v = (unsigned long)pid;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && nd < (int)sizeof digits);
    size_t k = 0;
    const char *parts[] = {"core.", prog, "."};
    for (size_t i = 0; i < 3; i++)
        for (const char *c = parts[i]; *c && k + 1 < len; c++)
            name[k++] = *c;
    while (nd > 0 && k + 1 < len)
        name[k++] = digits[--nd];
    name[k] = '\0';
}

int host_dumpcore_write(int sig, const void *ucontext, char *path, size_t len)
{
    if (dir_fd < 0)
        return 1;
    const ucontext_t *uc = ucontext;
    const greg_t *g = uc->uc_mcontext.gregs;
    pid_t pid = getpid();
    char name[128];
    core_name(name, sizeof name, pid);
    size_t k = 0;
    for (const char *c = dir_path; *c && k + 2 < len; c++)
        path[k++] = *c;
    path[k++] = '/';
    for (const char *c = name; *c && k + 1 < len; c++)
        path[k++] = *c;
    path[k] = '\0';
    int fd = openat(dir_fd, name,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;

    size_t nmaps = read_maps();
    ssize_t nauxv = slurp("/proc/self/auxv", auxv, sizeof auxv);
    if (nauxv < 0)
        nauxv = 0;

    unsigned long fsbase = 0;
    syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fsbase);
    const struct elfcore_regs r = {
        .rax = (uint64_t)g[REG_RAX],
        .rbx = (uint64_t)g[REG_RBX],
        .rcx = (uint64_t)g[REG_RCX],
        .rdx = (uint64_t)g[REG_RDX],
        .rsi = (uint64_t)g[REG_RSI],
        .rdi = (uint64_t)g[REG_RDI],
        .rbp = (uint64_t)g[REG_RBP],
        .rsp = (uint64_t)g[REG_RSP],
        .r8 = (uint64_t)g[REG_R8],
        .r9 = (uint64_t)g[REG_R9],
        .r10 = (uint64_t)g[REG_R10],
        .r11 = (uint64_t)g[REG_R11],
        .r12 = (uint64_t)g[REG_R12],
        .r13 = (uint64_t)g[REG_R13],
        .r14 = (uint64_t)g[REG_R14],
        .r15 = (uint64_t)g[REG_R15],
        .rip = (uint64_t)g[REG_RIP],
        .rflags = (uint64_t)g[REG_EFL],
        .cs = (uint64_t)g[REG_CSGSFS] & 0xffff,
        .ss = 0x2b,
        .fs_base = fsbase,
    };
    static uint8_t prstatus[ELFCORE_PRSTATUS_SIZE];
    elfcore_prstatus(prstatus, &r, sig, pid);
    uint8_t auxv_head[ELFCORE_NOTE_HEAD];
    elfcore_note_head(auxv_head, NT_AUXV, (size_t)nauxv);

    size_t note1 = sizeof prstatus;
    size_t note2 = ELFCORE_NOTE_HEAD + ELFCORE_PAD4((size_t)nauxv);
    size_t phnum = 1 + nmaps;
    uint64_t notes_at = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
    uint64_t data_at =
        (notes_at + note1 + note2 + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    Elf64_Ehdr eh;
    elfcore_ehdr(&eh, phnum);
    Elf64_Phdr nh;
    elfcore_phdr(&nh, PT_NOTE, 0, notes_at, 0, note1 + note2);
    int rc = elfcore_put(fd, &eh, sizeof eh) | elfcore_put(fd, &nh, sizeof nh);
    uint64_t off = data_at;
    for (size_t i = 0; i < nmaps && rc == 0; i++) {
        uint64_t size = maps[i].end - maps[i].start;
        Elf64_Phdr ph;
        elfcore_phdr(&ph, PT_LOAD, maps[i].flags, off, maps[i].start, size);
        off += size;
        rc = elfcore_put(fd, &ph, sizeof ph);
    }
    static const char zero[PAGE];
    if (rc == 0)
        rc =
            elfcore_put(fd, prstatus, note1) |
            elfcore_put(fd, auxv_head, sizeof auxv_head) |
            elfcore_put(fd, auxv, (size_t)nauxv) |
            elfcore_put(fd, zero, ELFCORE_PAD4((size_t)nauxv) - (size_t)nauxv) |
            elfcore_put(fd, zero, data_at - notes_at - note1 - note2);
    for (size_t i = 0; i < nmaps && rc == 0; i++)
        rc = put_mem(fd, maps[i].start, maps[i].end - maps[i].start);
    close(fd);
    return rc == 0 ? 0 : -1;
}
