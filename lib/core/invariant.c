/*
 * lib/core/invariant.c - what happens when an invariant check fails
 * (atoll/invariant.h): one line naming the place, then atoll_panic.
 * Kept out of line so that each check costs a compare and a rarely
 * taken branch at its call site.
 */
#include "atoll/fiber.h"
#include "atoll/invariant.h"

_Noreturn void atoll_invariant_failed(const char *cond, const char *file,
                                      int line)
{
    atoll_panic("invariant violated: %s:%d: %s", file, line, cond);
}
