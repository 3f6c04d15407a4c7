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
 * Everything here runs in the SIGSEGV handler, on its alternate stack:
 * only system calls (openat, read, write, getpid, arch_prctl), static
 * buffers and hand-written number formatting.
 */
#include "dumpcore.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/procfs.h>
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

static int put(int fd, const void *data, size_t len)
{
    const char *b = data;
    while (len > 0) {
        ssize_t w = write(fd, b, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        len -= (size_t)w;
    }
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
            if (put(fd, zero, n) < 0)
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

    struct elf_prstatus st;
    memset(&st, 0, sizeof st);
    st.pr_info.si_signo = sig;
    st.pr_cursig = (short)sig;
    st.pr_pid = pid;
    struct user_regs_struct u;
    memset(&u, 0, sizeof u);
    u.r15 = (unsigned long)g[REG_R15], u.r14 = (unsigned long)g[REG_R14];
    u.r13 = (unsigned long)g[REG_R13], u.r12 = (unsigned long)g[REG_R12];
    u.rbp = (unsigned long)g[REG_RBP], u.rbx = (unsigned long)g[REG_RBX];
    u.r11 = (unsigned long)g[REG_R11], u.r10 = (unsigned long)g[REG_R10];
    u.r9 = (unsigned long)g[REG_R9], u.r8 = (unsigned long)g[REG_R8];
    u.rax = (unsigned long)g[REG_RAX], u.rcx = (unsigned long)g[REG_RCX];
    u.rdx = (unsigned long)g[REG_RDX], u.rsi = (unsigned long)g[REG_RSI];
    u.rdi = (unsigned long)g[REG_RDI], u.rip = (unsigned long)g[REG_RIP];
    u.rsp = (unsigned long)g[REG_RSP], u.eflags = (unsigned long)g[REG_EFL];
    u.orig_rax = (unsigned long)-1;
    u.cs = (unsigned long)g[REG_CSGSFS] & 0xffff;
    u.ss = 0x2b;
    unsigned long fsbase = 0;
    syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fsbase);
    u.fs_base = fsbase;
    _Static_assert(sizeof u == sizeof st.pr_reg, "register layout");
    memcpy(&st.pr_reg, &u, sizeof u);

    /* Notes as ELF packs them: header, "CORE\0" padded to 4 bytes, the
     * descriptor padded to 4 bytes. */
    Elf64_Nhdr n1 = {5, sizeof st, NT_PRSTATUS};
    Elf64_Nhdr n2 = {5, (Elf64_Word)nauxv, NT_AUXV};
    size_t note1 = sizeof n1 + 8 + ((sizeof st + 3) & ~(size_t)3);
    size_t note2 = sizeof n2 + 8 + (((size_t)nauxv + 3) & ~(size_t)3);
    size_t phnum = 1 + nmaps;
    uint64_t notes_at = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
    uint64_t data_at =
        (notes_at + note1 + note2 + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    Elf64_Ehdr eh = {
        .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
                    EV_CURRENT, ELFOSABI_NONE},
        .e_type = ET_CORE,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_phoff = sizeof(Elf64_Ehdr),
        .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = (Elf64_Half)phnum,
    };
    Elf64_Phdr nh = {.p_type = PT_NOTE,
                     .p_offset = notes_at,
                     .p_filesz = note1 + note2,
                     .p_align = 4};
    int rc = put(fd, &eh, sizeof eh) | put(fd, &nh, sizeof nh);
    uint64_t off = data_at;
    for (size_t i = 0; i < nmaps && rc == 0; i++) {
        uint64_t size = maps[i].end - maps[i].start;
        Elf64_Phdr ph = {.p_type = PT_LOAD,
                         .p_flags = maps[i].flags,
                         .p_offset = off,
                         .p_vaddr = maps[i].start,
                         .p_filesz = size,
                         .p_memsz = size,
                         .p_align = PAGE};
        off += size;
        rc = put(fd, &ph, sizeof ph);
    }
    static const char zero[PAGE];
    if (rc == 0)
        rc = put(fd, &n1, sizeof n1) | put(fd, "CORE\0\0\0", 8) |
             put(fd, &st, sizeof st) |
             put(fd, zero, ((sizeof st + 3) & ~(size_t)3) - sizeof st) |
             put(fd, &n2, sizeof n2) | put(fd, "CORE\0\0\0", 8) |
             put(fd, auxv, (size_t)nauxv) |
             put(fd, zero, (((size_t)nauxv + 3) & ~(size_t)3) - (size_t)nauxv) |
             put(fd, zero, data_at - notes_at - note1 - note2);
    for (size_t i = 0; i < nmaps && rc == 0; i++)
        rc = put_mem(fd, maps[i].start, maps[i].end - maps[i].start);
    close(fd);
    return rc == 0 ? 0 : -1;
}
