/*
 * platform/host/elfcore.h - the parts of an x86-64 ELF core file that gdb
 * reads, shared by the two writers: the unix targets' fault handler
 * (platform/host/dumpcore.c) and the tenders' core files of crashed hvt
 * guests (tender/common/core.c).
 *
 * SYNOPSIS
 *     Elf64_Ehdr eh;      elfcore_ehdr(&eh, phnum);
 *     Elf64_Phdr ph;      elfcore_phdr(&ph, PT_LOAD, PF_R | PF_W,
 *                                      file_offset, vaddr, size);
 *     uint8_t note[ELFCORE_PRSTATUS_SIZE];
 *                         elfcore_prstatus(note, &regs, sig, pid);
 *     uint8_t head[ELFCORE_NOTE_HEAD];
 *                         elfcore_note_head(head, NT_AUXV, desc_len);
 *     elfcore_put(fd, buf, len);
 *
 * DESCRIPTION
 *     A core file here is an ELF header, one PT_NOTE program header, one
 *     PT_LOAD per memory range, the notes, then the ranges' bytes.  These
 *     functions fill the headers and notes; the caller decides the
 *     ranges and writes the bytes (elfcore_put: all of a buffer, retried
 *     on EINTR).  A note is its header, the name "CORE" padded to 8 bytes
 *     and the descriptor padded to 4 (ELFCORE_PAD4).
 *
 *     elfcore_prstatus writes a whole NT_PRSTATUS note: the signal, the
 *     pid and the general registers in the kernel's user_regs_struct
 *     order, where gdb starts its backtrace.
 *
 *     No allocation, no stdio: everything is callable from a signal
 *     handler (the unix fault handler runs there).
 */
#ifndef ATOLL_PLATFORM_HOST_ELFCORE_H
#define ATOLL_PLATFORM_HOST_ELFCORE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/procfs.h>

#define ELFCORE_PAD4(n)   (((n) + 3) & ~(size_t)3)
#define ELFCORE_NOTE_HEAD (sizeof(Elf64_Nhdr) + 8)
#define ELFCORE_PRSTATUS_SIZE                                                  \
    (ELFCORE_NOTE_HEAD + ELFCORE_PAD4(sizeof(struct elf_prstatus)))

/* The registers of the NT_PRSTATUS note. */
struct elfcore_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags, cs, ss, fs_base;
};

/* An x86-64 ET_CORE header with `phnum` program headers right after it. */
void elfcore_ehdr(Elf64_Ehdr *eh, size_t phnum);
/* A program header: PT_NOTE (4-aligned, no memory size) or PT_LOAD
 * (page-aligned, memory size = file size). */
void elfcore_phdr(Elf64_Phdr *ph, uint32_t type, uint32_t flags,
                  uint64_t offset, uint64_t vaddr, uint64_t size);
/* A note's header and name for a descriptor of `desc_len` bytes
 * (ELFCORE_NOTE_HEAD bytes into `out`). */
void elfcore_note_head(void *out, uint32_t type, size_t desc_len);
/* The whole NT_PRSTATUS note (ELFCORE_PRSTATUS_SIZE bytes into `out`). */
void elfcore_prstatus(void *out, const struct elfcore_regs *r, int sig,
                      int pid);
/* Writes all `len` bytes to fd.  0, or -1. */
int elfcore_put(int fd, const void *buf, size_t len);

#endif
