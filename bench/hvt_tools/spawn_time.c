/*
 * bench/hvt_tools/spawn_time.c - times how long a program takes from
 * spawn to exit, for bench/hvt_boot.sh (issue 3's boot benchmark).
 *
 *     spawn_time [--status=N] RUNS CMD [ARGS...]
 *
 * Runs CMD RUNS times (after one unmeasured warm-up run), each with stdout
 * and stderr on /dev/null, and prints "median min max" in milliseconds
 * (3 decimals) on one line.  Each run is timed with CLOCK_MONOTONIC around
 * posix_spawn + waitpid and nothing else, so the number is the program's
 * own start-to-exit cost plus one spawn: timing with `date` in the shell
 * added about 2 ms of fork and exec of `date` to every run, which hid most
 * of the difference between two fast programs.  A run that does not exit
 * with status 0 (or N, for a program whose success is another status:
 * QEMU turned off by a guest through its isa-debug-exit device) fails the
 * benchmark (status 1).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One run of argv; returns its wall time in ms, or -1 if it failed. */
static double run_once(char **argv, const posix_spawn_file_actions_t *fa,
                       int want)
{
    pid_t pid;
    int status;
    double t0 = now_ms();
    if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    double t1 = now_ms();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != want)
        return -1;
    return t1 - t0;
}

int main(int argc, char **argv)
{
    int want = 0;
    if (argc > 1 && strncmp(argv[1], "--status=", 9) == 0) {
        want = atoi(argv[1] + 9);
        argv++;
        argc--;
    }
    if (argc < 3 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: spawn_time [--status=N] RUNS CMD [ARGS...]\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    char **cmd = argv + 2;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    double *t = calloc((size_t)runs, sizeof *t);
    if (t == NULL)
        return 1;
    for (int i = -1; i < runs; i++) {
        double ms = run_once(cmd, &fa, want);
        if (ms < 0) {
            fprintf(stderr, "spawn_time: '%s' failed\n", cmd[0]);
            return 1;
        }
        if (i >= 0)
            t[i] = ms;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double median =
        runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("%.3f %.3f %.3f\n", median, t[0], t[runs - 1]);
    return 0;
}
