/* tests/kvm/guests/syscall.c - executes a raw `syscall` instruction for
 * socket(AF_INET, SOCK_DGRAM, 0) (x86_64 system call 41), as a
 * compromised guest would.  Under atoll-spt the sandbox must refuse it and
 * the tender report it by name (status 114); under atoll-hvt the
 * instruction itself faults (invalid opcode: the guest's EFER.SCE is
 * off).  Reaching the end is a failure. */
#include "guest.h"

ATOLL_HVT_MANIFEST();

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(41L), "D"(2L), "S"(2L), "d"(0L)
                     : "rcx", "r11", "memory");
    puts_("syscall: socket() was allowed\n");
    return 1;
}
