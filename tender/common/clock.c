/*
 * tender/common/clock.c - the host's clocks, as the hypercalls give them
 * to the guest (ATOLL_HVT_MCLOCK, ATOLL_HVT_WCLOCK) and as the wait's
 * deadlines are read.  Normally served by the vDSO: no system call.
 */
#include <time.h>

#include "tender.h"

uint64_t hvt_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t hvt_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
