/*
 * tests/kvm/guests/guest.h - what the hvt test guests share: the hypercall
 * instruction and a handful of helpers (rt/support.c).  Guests include
 * nothing from the host: only this, <stdint.h>/<stddef.h> (compiler
 * headers) and the ABI header.
 */
#ifndef ATOLL_KVM_GUEST_H
#define ATOLL_KVM_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "hvt/abi.h"

/* How hypercalls are made: the boot info's hypercall field, copied by
 * rt/start.S before guest_main (hvt/abi.h, HYPERCALLS): a store to the
 * hypercall page under atoll-hvt, a function call under atoll-spt. */
extern uint64_t guest_hypercall_entry;

/* One hypercall with `addr` as the argument struct's address (which may
 * be a bad one on purpose). */
static inline void hypercall_raw(unsigned nr, uint64_t addr)
{
    atoll_hvt_hypercall(guest_hypercall_entry, nr, (void *)(uintptr_t)addr);
}

static inline void hypercall(unsigned nr, void *arg)
{
    hypercall_raw(nr, (uint64_t)(uintptr_t)arg);
}

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

void puts_(const char *s); /* console write, no newline added */
uint64_t mclock(void);
uint64_t wclock(void);
void guest_exit(int status) __attribute__((noreturn));
/* Guest argument i ("" when absent). */
const char *arg(const struct atoll_hvt_boot_info *bi, uint64_t i);

int guest_main(const struct atoll_hvt_boot_info *bi);

#endif
