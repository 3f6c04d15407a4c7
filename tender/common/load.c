/*
 * tender/common/load.c - the part of setup both tenders share, in its
 * fixed order: check and load the image into guest memory, match its
 * manifest against the attachments, keep its symbols, open the devices,
 * lay out memory and write the boot info.  Each step's failure exits with
 * the status atoll-hvt and atoll-spt both promise: a bad image 112, a
 * mismatch or a host failure 113.
 */
#include <unistd.h>

#include "tender.h"

void hvt_guest_load(struct hvt_guest *g, const struct hvt_options *o,
                    uint8_t *file, uint64_t size, struct hvt_image *img)
{
    const char *kernel = o->kernel;
    if (hvt_elf_load(file, size, &g->mem, img) < 0)
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE, "%s: bad image (refused)", kernel);
    if (img->manifest == NULL)
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE,
                "%s: bad image: no ATOLL manifest note (not built for hvt?)",
                kernel);
    int r = hvt_manifest_match(img->manifest, img->manifest_size, o->att,
                               o->natt, &g->devs);
    if (r == -1)
        hvt_die(ATOLL_HVT_EXIT_BAD_IMAGE, "%s: bad image (refused)", kernel);
    if (r < 0)
        _exit(ATOLL_HVT_EXIT_TENDER);
    hvt_symbols_load(file, size);
    hvt_image_unmap(file, size);
    if (hvt_devices_open(&g->devs) < 0 ||
        hvt_mem_finish(&g->mem, img->end, o->guest_argc, o->guest_argv,
                       g->devs.count) < 0)
        _exit(ATOLL_HVT_EXIT_TENDER);
}
