/*
 * tender/common/elf.c - loads the guest's ELF image into guest memory.
 *
 * The image comes from outside (any file the user names), so every field is
 * checked before use and every offset/size sum is computed overflow-safe;
 * a refusal names the problem.  Only what the hvt ABI needs is accepted: a
 * static little-endian ELF64 x86_64 ET_EXEC whose PT_LOAD segments lie
 * between the reserved low area and the stack, do not overlap, are never
 * both writable and executable, and do not share a page with a segment of
 * other permissions (page tables work per page).  PT_NOTE segments are
 * searched for the device manifest (manifest.c interprets it).
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tender.h"

#define MAX_SEGMENTS 64

static int refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int refuse(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    hvt_msg("bad image: %s", buf);
    return -1;
}

/* a + b <= limit, without overflow. */
static bool fits(uint64_t a, uint64_t b, uint64_t limit)
{
    return a <= limit && b <= limit - a;
}

static enum hvt_perm seg_perm(uint32_t flags)
{
    if (flags & PF_X)
        return HVT_PERM_RX;
    if (flags & PF_W)
        return HVT_PERM_RW;
    return HVT_PERM_R;
}

/* Looks for the manifest note among the notes in data[off, off+len). */
static int scan_notes(const uint8_t *data, uint64_t off, uint64_t len,
                      struct hvt_image *out)
{
    uint64_t p = 0;
    while (len - p >= 12) {
        uint32_t h[3];
        memcpy(h, data + off + p, sizeof h);
        uint64_t namesz = h[0], descsz = h[1];
        uint64_t name_pad = (namesz + 3) & ~3ULL;
        uint64_t desc_pad = (descsz + 3) & ~3ULL;
        p += 12;
        if (!fits(p, name_pad, len) || !fits(p + name_pad, descsz, len))
            return refuse("note runs past its PT_NOTE segment");
        const uint8_t *name = data + off + p;
        if (namesz == sizeof(ATOLL_HVT_NOTE_NAME) &&
            memcmp(name, ATOLL_HVT_NOTE_NAME, namesz) == 0 &&
            h[2] == ATOLL_HVT_NOTE_TYPE_MANIFEST) {
            if (out->manifest != NULL)
                return refuse("more than one ATOLL manifest note");
            out->manifest = name + name_pad;
            out->manifest_size = descsz;
        }
        p += name_pad;
        if (!fits(p, desc_pad, len))
            break; /* the last descriptor may lack its padding */
        p += desc_pad;
    }
    return 0;
}

int hvt_elf_load(const uint8_t *data, uint64_t size, struct hvt_mem *m,
                 struct hvt_image *out)
{
    Elf64_Ehdr eh;
    memset(out, 0, sizeof *out);
    if (size < SELFMAG || memcmp(data, ELFMAG, SELFMAG) != 0)
        return refuse("not an ELF file (no \\177ELF magic)");
    if (size <= EI_CLASS)
        return refuse("truncated ELF header (%llu bytes)",
                      (unsigned long long)size);
    if (data[EI_CLASS] != ELFCLASS64)
        return refuse("not ELF64 (class %u): hvt runs 64-bit images only",
                      data[EI_CLASS]);
    if (size < sizeof eh)
        return refuse("truncated ELF header (%llu of %zu bytes)",
                      (unsigned long long)size, sizeof eh);
    memcpy(&eh, data, sizeof eh);
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return refuse("not little-endian");
    if (eh.e_machine != EM_X86_64)
        return refuse("wrong machine %u: not x86_64 (%u)", eh.e_machine,
                      EM_X86_64);
    if (eh.e_type != ET_EXEC)
        return refuse("not ET_EXEC (e_type %u): link a static, non-PIE "
                      "executable",
                      eh.e_type);
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return refuse("bad program header size %u", eh.e_phentsize);
    if (eh.e_phnum == 0 || eh.e_phnum > MAX_SEGMENTS)
        return refuse("%u program headers (expected 1..%d)", eh.e_phnum,
                      MAX_SEGMENTS);
    if (!fits(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), size))
        return refuse("program header table outside the file (truncated?)");

    /* Segments must end below the stacks and their guard pages (mem.c,
     * hvt_mem_finish). */
    uint64_t limit = m->size - ATOLL_HVT_STACK_SIZE -
                     ATOLL_HVT_FIBER_STACK_SIZE - 2 * ATOLL_HVT_PAGE_SIZE;
    Elf64_Phdr ph[MAX_SEGMENTS];
    int nload = 0;
    bool entry_ok = false;
    memcpy(ph, data + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));
    for (int i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type == PT_INTERP || p->p_type == PT_DYNAMIC)
            return refuse("segment %d: dynamic linking is not supported", i);
        if (p->p_type == PT_NOTE) {
            if (!fits(p->p_offset, p->p_filesz, size))
                return refuse("segment %d: note outside the file "
                              "(truncated?)",
                              i);
            if (scan_notes(data, p->p_offset, p->p_filesz, out) < 0)
                return -1;
            continue;
        }
        if (p->p_type != PT_LOAD)
            continue;
        nload++;
        if (p->p_filesz > p->p_memsz)
            return refuse("segment %d: file size %#llx > memory size %#llx", i,
                          (unsigned long long)p->p_filesz,
                          (unsigned long long)p->p_memsz);
        if (!fits(p->p_offset, p->p_filesz, size))
            return refuse("segment %d: data outside the file (truncated?)", i);
        if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
            return refuse("segment %d at %#llx is both writable and "
                          "executable (W+X)",
                          i, (unsigned long long)p->p_vaddr);
        if (p->p_vaddr < ATOLL_HVT_RESERVED_END)
            return refuse("segment %d at %#llx overlaps the tender's "
                          "reserved low area (below %#llx)",
                          i, (unsigned long long)p->p_vaddr,
                          ATOLL_HVT_RESERVED_END);
        if (!fits(p->p_vaddr, p->p_memsz, limit))
            return refuse("segment %d at %#llx (+%#llx) is outside guest "
                          "memory (%llu MiB, image must end below %#llx)",
                          i, (unsigned long long)p->p_vaddr,
                          (unsigned long long)p->p_memsz,
                          (unsigned long long)(m->size >> 20),
                          (unsigned long long)limit);
        for (int j = 0; j < i; j++) {
            const Elf64_Phdr *q = &ph[j];
            if (q->p_type != PT_LOAD || p->p_memsz == 0 || q->p_memsz == 0)
                continue;
            uint64_t pe = p->p_vaddr + p->p_memsz;
            uint64_t qe = q->p_vaddr + q->p_memsz;
            if (p->p_vaddr < qe && q->p_vaddr < pe)
                return refuse("segments %d and %d overlap", j, i);
            uint64_t pps = p->p_vaddr >> 12, ppe = (pe - 1) >> 12;
            uint64_t qps = q->p_vaddr >> 12, qpe = (qe - 1) >> 12;
            if (pps <= qpe && qps <= ppe &&
                seg_perm(p->p_flags) != seg_perm(q->p_flags))
                return refuse("segments %d and %d share a page with "
                              "different permissions",
                              j, i);
        }
        if ((p->p_flags & PF_X) && eh.e_entry >= p->p_vaddr &&
            eh.e_entry - p->p_vaddr < p->p_memsz)
            entry_ok = true;
        if (p->p_vaddr + p->p_memsz > out->end)
            out->end = p->p_vaddr + p->p_memsz;
    }
    if (nload == 0)
        return refuse("no PT_LOAD segment");
    if (!entry_ok)
        return refuse("entry point %#llx is not in an executable segment",
                      (unsigned long long)eh.e_entry);

    /* All checked: copy and map.  Memory is fresh, so bss is zero. */
    for (int i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        memcpy(hvt_gp(m, p->p_vaddr), data + p->p_offset, p->p_filesz);
        hvt_mem_set_perm(m, p->p_vaddr, p->p_memsz, seg_perm(p->p_flags));
    }
    out->entry = eh.e_entry;
    return 0;
}
