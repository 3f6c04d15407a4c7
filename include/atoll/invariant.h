/*
 * atoll/invariant.h - checked invariants.
 *
 * NAME
 *     ATOLL_ASSERT, ATOLL_ASSERT_SLOW, atoll_invariant_failed
 *
 * SYNOPSIS
 *     ATOLL_ASSERT(cond);       constant-time check
 *     ATOLL_ASSERT_SLOW(cond);  check that walks a structure
 *
 * DESCRIPTION
 *     An invariant is a fact about the library's own state that holds
 *     whatever arrives from outside: snd_una <= snd_nxt <= snd_max in a
 *     TCP connection, a buffer's data inside its storage, a fiber in the
 *     ready queue at most once, a tree's entries in git's order.  Bad
 *     input never violates one (it gets an error value, as every
 *     interface documents); a violated invariant means Atoll itself is
 *     wrong, and carrying on would spread the damage (a sequence number
 *     off by one corrupts a stream silently; a wrong log offset loses a
 *     commit).  So a failed check stops the unikernel at once with one
 *     line naming the place and the condition, through
 *     atoll_invariant_failed and atoll_panic (exit status 70,
 *     ATOLL_EXIT_PANIC).
 *
 *     The tunable ATOLL_INVARIANTS (atoll/tunables.h) decides what is
 *     compiled: 0 nothing (the condition is not evaluated, only
 *     type-checked), 1 ATOLL_ASSERT, 2 ATOLL_ASSERT_SLOW as well.  The
 *     sanitizer build of the tests uses 2, the optimised build 1.
 *
 *     The condition must not have side effects: at level 0 it is not
 *     evaluated.
 */
#ifndef ATOLL_INVARIANT_H
#define ATOLL_INVARIANT_H

#include "atoll/tunables.h"

/* Print "invariant violated: FILE:LINE: COND" and stop (atoll_panic). */
_Noreturn void atoll_invariant_failed(const char *cond, const char *file,
                                      int line);

#define ATOLL_INVARIANT_CHECK_(cond)                                           \
    ((cond) ? (void)0 : atoll_invariant_failed(#cond, __FILE__, __LINE__))
#define ATOLL_INVARIANT_NONE_(cond) ((void)sizeof(!(cond)))

#if ATOLL_INVARIANTS >= 1
#define ATOLL_ASSERT(cond) ATOLL_INVARIANT_CHECK_(cond)
#else
#define ATOLL_ASSERT(cond) ATOLL_INVARIANT_NONE_(cond)
#endif

#if ATOLL_INVARIANTS >= 2
#define ATOLL_ASSERT_SLOW(cond) ATOLL_INVARIANT_CHECK_(cond)
#else
#define ATOLL_ASSERT_SLOW(cond) ATOLL_INVARIANT_NONE_(cond)
#endif

#endif
