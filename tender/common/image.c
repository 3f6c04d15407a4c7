/*
 * tender/common/image.c - the image file, mapped while it is loaded.
 *
 * Mapped, not read: a debug build is mostly DWARF sections the tender
 * never looks at, and reading all of it was a tenth of a boot (0.17 ms for
 * 318 KiB); only the pages the loader touches are faulted in.  A bus
 * error while the image is mapped means the file shrank under us
 * (someone truncated it while we loaded it): a bad image, not a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tender.h"

static void on_image_bus_error(int sig)
{
    (void)sig;
    hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE,
            "bad image: the file changed while it was loaded");
}

uint8_t *hvt_image_map(const char *path, uint64_t *size)
{
    static uint8_t empty[1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "%s: cannot open: %s", path,
                strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        hvt_die(ATOLL_HVT_EXIT_TENDER, "%s: not a regular file", path);
    /* Bounded: guest memory is at most 4 GiB. */
    if ((uint64_t)st.st_size > ((uint64_t)ATOLL_HVT_MEM_MAX_MIB << 20))
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE, "%s: bad image: file too large",
                path);
    *size = (uint64_t)st.st_size;
    if (*size == 0) {
        close(fd);
        return empty; /* the ELF checks refuse it */
    }
    struct sigaction sa = {.sa_handler = on_image_bus_error};
    sigaction(SIGBUS, &sa, NULL);
    void *p = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "%s: cannot map: %s", path,
                strerror(errno));
    return p;
}

void hvt_image_unmap(uint8_t *file, uint64_t size)
{
    if (size > 0)
        munmap(file, size);
    signal(SIGBUS, SIG_DFL);
}
