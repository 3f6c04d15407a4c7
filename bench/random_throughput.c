/*
 * bench/random_throughput.c - the Fortuna generator's output rate
 * (atoll_random_platform(): ChaCha20 under a key rekeyed after every
 * request) next to reading the host's /dev/urandom, in the same run,
 * printed as a ratio (issue 6: "generator output in MB/s, against reading
 * /dev/urandom").
 *
 * Both sides move the same total in the same chunk sizes; each is repeated
 * and the best run kept (the least disturbed by the shared machine).
 * Linked with the unix platform; timing and /dev/urandom are host code.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../lib/core/runtime.h"
#include "atoll/atoll.h"

#define TOTAL  (64u << 20)
#define REPEAT 5

static const size_t chunks[] = {16, 4096, 65536};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char buf[65536];

static double fortuna_mbs(size_t chunk)
{
    struct atoll_random *r = atoll_random_platform();
    double best = 0;
    for (int k = 0; k < REPEAT; k++) {
        double t = now_s();
        for (size_t done = 0; done < TOTAL; done += chunk)
            if (atoll_random_fill(r, buf, chunk, ATOLL_NEVER) < 0)
                return -1;
        double mbs = TOTAL / 1e6 / (now_s() - t);
        best = mbs > best ? mbs : best;
    }
    return best;
}

static double urandom_mbs(size_t chunk)
{
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0)
        return -1;
    double best = 0;
    for (int k = 0; k < REPEAT; k++) {
        double t = now_s();
        for (size_t done = 0; done < TOTAL; done += chunk)
            if (read(fd, buf, chunk) != (ssize_t)chunk) {
                close(fd);
                return -1;
            }
        double mbs = TOTAL / 1e6 / (now_s() - t);
        best = mbs > best ? mbs : best;
    }
    close(fd);
    return best;
}

static int bench(void *arg)
{
    (void)arg;
    printf("random: %u MiB per run, best of %d\n", TOTAL >> 20, REPEAT);
    printf("%8s %14s %16s %8s\n", "chunk", "fortuna MB/s", "urandom MB/s",
           "ratio");
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        double f = fortuna_mbs(chunks[i]);
        double u = urandom_mbs(chunks[i]);
        if (f < 0 || u < 0) {
            printf("random: a read failed\n");
            return 1;
        }
        printf("%8zu %14.1f %16.1f %7.2fx\n", chunks[i], f, u, f / u);
    }
    return 0;
}

int main(void)
{
    return atoll_test_run(0, bench, NULL);
}
