/*
 * tender/common/symbols.c - the guest's function names, for crash reports.
 *
 * While the image is loaded, the function symbols of its .symtab (if it
 * was not stripped) are copied into a sorted table, so that a backtrace
 * can say "recurse+0x14" instead of a bare address.  The image is
 * untrusted: every offset and size is checked, a malformed or missing
 * table simply means no names, never a refusal (elf.c does the checks
 * that decide whether the image runs).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tender.h"

struct sym {
    uint64_t addr, size;
    char name[48];
};

static struct sym *syms;
static size_t nsyms;

static bool inside(uint64_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static int by_addr(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void hvt_symbols_load(const uint8_t *data, uint64_t size)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (size < sizeof *eh || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !inside(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
        return;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
            sh[i].sh_entsize != sizeof(Elf64_Sym))
            continue;
        const Elf64_Shdr *str = &sh[sh[i].sh_link];
        if (!inside(size, sh[i].sh_offset, sh[i].sh_size) ||
            !inside(size, str->sh_offset, str->sh_size))
            return;
        size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
        const Elf64_Sym *s = (const Elf64_Sym *)(data + sh[i].sh_offset);
        syms = calloc(n ? n : 1, sizeof *syms);
        if (!syms)
            return;
        for (size_t k = 0; k < n; k++) {
            if (ELF64_ST_TYPE(s[k].st_info) != STT_FUNC ||
                s[k].st_name >= str->sh_size)
                continue;
            const char *nm = (const char *)data + str->sh_offset + s[k].st_name;
            size_t max = str->sh_size - s[k].st_name;
            size_t len = strnlen(nm, max);
            if (len == max)
                continue; /* not terminated inside the table */
            struct sym *o = &syms[nsyms++];
            o->addr = s[k].st_value;
            o->size = s[k].st_size;
            snprintf(o->name, sizeof o->name, "%.*s", (int)len, nm);
        }
        qsort(syms, nsyms, sizeof *syms, by_addr);
        return;
    }
}

const char *hvt_symbol(uint64_t addr, uint64_t *off)
{
    const struct sym *best = NULL;
    size_t lo = 0, hi = nsyms;
    while (lo < hi) { /* last symbol with addr <= `addr` */
        size_t mid = lo + (hi - lo) / 2;
        if (syms[mid].addr <= addr) {
            best = &syms[mid];
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (!best || (best->size && addr - best->addr >= best->size))
        return NULL;
    *off = addr - best->addr;
    return best->name;
}
