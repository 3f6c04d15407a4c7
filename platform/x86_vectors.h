/*
 * platform/x86_vectors.h - the names of the x86 exception vectors, for
 * crash reports: the tenders' report of an hvt guest's fault
 * (tender/common/backtrace.c) and the virtio guest's report of its own
 * (platform/virtio/intr.c).  Header-only: the tenders are Linux programs,
 * the guest is freestanding.
 */
#ifndef ATOLL_PLATFORM_X86_VECTORS_H
#define ATOLL_PLATFORM_X86_VECTORS_H

/* "page fault" for 14; "exception" for a vector without a name. */
static inline const char *x86_vector_name(unsigned v)
{
    static const char *const names[] = {
        "divide error",
        "debug",
        "NMI",
        "breakpoint",
        "overflow",
        "bound range exceeded",
        "invalid opcode",
        "device not available",
        "double fault",
        "coprocessor segment overrun",
        "invalid TSS",
        "segment not present",
        "stack-segment fault",
        "general protection fault",
        "page fault",
        "reserved",
        "x87 floating-point",
        "alignment check",
        "machine check",
        "SIMD floating-point",
        "virtualization",
        "control protection",
    };
    return v < sizeof names / sizeof names[0] ? names[v] : "exception";
}

#endif
