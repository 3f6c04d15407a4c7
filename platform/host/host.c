/*
 * platform/host/host.c - the plat_* functions that are the same for every
 * target that runs as an ordinary Linux process (unix and sim): the console
 * on standard output, the memory region as one anonymous mapping with
 * mprotect'ed guard pages, exit, and writing the trace to a host file.
 *
 * It is linked into both libatoll_unix.a and libatoll_sim.a (see the
 * Makefile's plat_src); what differs between the two targets - clocks,
 * devices, options, randomness - stays in their own folders.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "atoll/error.h"
#include "atoll/trace.h"
#include "fault.h"
#include "platform.h"

int plat_console_write(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(1, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -ATOLL_EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Taking the region also installs the fault handler (fault.h), so that a
 * hit on a guard page is reported as a stack overflow naming the fiber.
 * MAP_NORESERVE: a large --mem costs nothing until it is touched. */
int plat_mem_region(size_t want, void **base, size_t *len)
{
    long page = sysconf(_SC_PAGESIZE);
    if (want == 0 || page <= 0 || want % (size_t)page != 0)
        return -ATOLL_ENOMEM;
    fault_handler_install();
    void *p = mmap(NULL, want, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -ATOLL_ENOMEM;
    *base = p;
    *len = want;
    return 0;
}

int plat_guard_page(void *page, bool on)
{
    long sz = sysconf(_SC_PAGESIZE);
    if (mprotect(page, (size_t)sz, on ? PROT_NONE : PROT_READ | PROT_WRITE))
        return -ATOLL_EINVAL;
    return 0;
}

/* A guard page is one mprotect here: no stacks are made ahead of time. */
void *plat_stack_take(size_t size)
{
    (void)size;
    return NULL;
}

bool plat_stack_return(void *stack)
{
    (void)stack;
    return false;
}

_Noreturn void plat_exit(int status)
{
    fflush(NULL);
    _exit(status);
}

static int file_write(void *ctx, const char *buf, size_t len)
{
    return fwrite(buf, 1, len, ctx) == len ? 0 : -ATOLL_EIO;
}

/* FILE at exit, FILE.n for the n-th live request (platform.h). */
int plat_trace_write(const char *path, unsigned n)
{
    if (!path)
        return -ATOLL_ENOENT;
    char name[4096];
    if (n > 0) {
        if ((size_t)snprintf(name, sizeof name, "%s.%u", path, n) >=
            sizeof name)
            return -ATOLL_EINVAL;
        path = name;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return -ATOLL_EIO;
    int err = atoll_trace_export_json(file_write, f);
    if (fclose(f) != 0 && err == 0)
        err = -ATOLL_EIO;
    return err;
}
