/*
 * tests/sim/overflow.c - the stack-overflow tests of tests/unix/overflow.c,
 * run on the sim target: it is a Linux process too (platform/host), so a
 * fiber's guard page is real and an overflow is reported the same way.
 */
#define OVERFLOW_SUITE sim_overflow
#include "../unix/overflow.c"
