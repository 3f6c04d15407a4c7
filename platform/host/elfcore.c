/*
 * platform/host/elfcore.c - the headers and notes of an x86-64 ELF core
 * file (see elfcore.h), for platform/host/dumpcore.c and
 * tender/common/core.c.  Async-signal-safe: memset, memcpy and write.
 */
#include "elfcore.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096

void elfcore_ehdr(Elf64_Ehdr *eh, size_t phnum)
{
    memset(eh, 0, sizeof *eh);
    static const unsigned char ident[] = {ELFMAG0,    ELFMAG1,      ELFMAG2,
                                          ELFMAG3,    ELFCLASS64,   ELFDATA2LSB,
                                          EV_CURRENT, ELFOSABI_NONE};
    memcpy(eh->e_ident, ident, sizeof ident);
    eh->e_type = ET_CORE;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = (Elf64_Half)phnum;
}

void elfcore_phdr(Elf64_Phdr *ph, uint32_t type, uint32_t flags,
                  uint64_t offset, uint64_t vaddr, uint64_t size)
{
    memset(ph, 0, sizeof *ph);
    ph->p_type = type;
    ph->p_flags = flags;
    ph->p_offset = offset;
    ph->p_vaddr = vaddr;
    ph->p_filesz = size;
    ph->p_memsz = type == PT_LOAD ? size : 0;
    ph->p_align = type == PT_LOAD ? PAGE : 4;
}

void elfcore_note_head(void *out, uint32_t type, size_t desc_len)
{
    Elf64_Nhdr n = {5, (Elf64_Word)desc_len, type}; /* "CORE" and its NUL */
    memset(out, 0, ELFCORE_NOTE_HEAD);
    memcpy(out, &n, sizeof n);
    memcpy((uint8_t *)out + sizeof n, "CORE", 4);
}

void elfcore_prstatus(void *out, const struct elfcore_regs *r, int sig, int pid)
{
    /* Copied in at its offset: a C struct around the note would pad the
     * descriptor to 8-byte alignment, where ELF packs it at 4. */
    struct elf_prstatus st;
    memset(&st, 0, sizeof st);
    st.pr_info.si_signo = sig;
    st.pr_cursig = (short)sig;
    st.pr_pid = pid;
    struct user_regs_struct u;
    memset(&u, 0, sizeof u);
    u.rax = r->rax, u.rbx = r->rbx, u.rcx = r->rcx, u.rdx = r->rdx;
    u.rsi = r->rsi, u.rdi = r->rdi, u.rbp = r->rbp, u.rsp = r->rsp;
    u.r8 = r->r8, u.r9 = r->r9, u.r10 = r->r10, u.r11 = r->r11;
    u.r12 = r->r12, u.r13 = r->r13, u.r14 = r->r14, u.r15 = r->r15;
    u.rip = r->rip, u.eflags = r->rflags;
    u.cs = r->cs, u.ss = r->ss, u.fs_base = r->fs_base;
    u.orig_rax = (unsigned long)-1; /* not in a system call */
    _Static_assert(sizeof u == sizeof st.pr_reg, "register layout");
    memcpy(&st.pr_reg, &u, sizeof u);
    memset(out, 0, ELFCORE_PRSTATUS_SIZE);
    elfcore_note_head(out, NT_PRSTATUS, sizeof st);
    memcpy((uint8_t *)out + ELFCORE_NOTE_HEAD, &st, sizeof st);
}

int elfcore_put(int fd, const void *buf, size_t len)
{
    const uint8_t *b = buf;
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
