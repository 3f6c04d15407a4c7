/*
 * tests/kvm/guests/fault.c - CPU faults, chosen by the first argument.
 * With no exception handlers installed, each ends in a triple fault that
 * the tender must report as a guest crash (its reserved status).  Exit 1
 * means the fault did not happen: the protection is missing.
 */
#include "guest.h"

ATOLL_HVT_MANIFEST();

static volatile uint64_t data_word = 0xc3; /* `ret`, on a no-execute page */

static unsigned recurse(unsigned n)
{
    volatile uint8_t pad[512];
    pad[0] = (uint8_t)n;
    if (n == 0xffffffffu) /* never: the guard page comes first */
        return 0;
    return recurse(n + 1) + pad[0];
}

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    const char *c = arg(bi, 0);
    if (!strcmp(c, "null-read")) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)bi->argc;
        p = (volatile uint64_t *)((uintptr_t)p * 0); /* NULL, opaquely */
        (void)*p;
    } else if (!strcmp(c, "write-text")) {
        volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)&guest_main;
        *p = 0xcc;
    } else if (!strcmp(c, "write-rodata")) {
        volatile char *p = (volatile char *)(uintptr_t) "rodata";
        *p = 'R';
    } else if (!strcmp(c, "write-bootinfo")) {
        *(volatile uint64_t *)(uintptr_t)&bi->magic = 0;
    } else if (!strcmp(c, "exec-data")) {
        void (*f)(void) = (void (*)(void))(uintptr_t)&data_word;
        f();
    } else if (!strcmp(c, "read-pagetables")) {
        (void)*(volatile uint64_t *)(uintptr_t)ATOLL_HVT_PT_START;
    } else if (!strcmp(c, "div0")) {
        /* In asm: the compiler may rewrite 1 / x without a division. */
        uint32_t lo = 1, hi = 0, zero = 0;
        __asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero));
    } else if (!strcmp(c, "stack-overflow")) {
        return (int)recurse(0);
    } else {
        puts_("fault: unknown case\n");
        return 2;
    }
    puts_("fault: survived\n");
    return 1;
}
