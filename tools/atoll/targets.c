/*
 * tools/atoll/targets.c - the table of targets (see targets.h).
 */
#include "targets.h"

#include <stdio.h>
#include <string.h>

#include "hvt.h"
#include "hvt/abi.h"
#include "qemu.h"
#include "util.h"

/* What makes an hvt image, whichever tender runs it: its libraries, its
 * manifest note, and the statuses of the tenders (platform/hvt/abi.h). */
#define HVT_IMAGE                                                              \
    .build = TARGET_IMAGE, .platform = "hvt", .gen_note = hvt_gen_note,        \
    .note_file = HVT_NOTE_FILE, .tender_error = ATOLL_HVT_EXIT_TENDER,         \
    .package = PACKAGE_SPT

static const struct target targets[] = {
    {.name = "unix",
     .help = "a Linux process (the default)",
     .build = TARGET_PROCESS,
     .platform = "unix",
     .sanitize = true},
    {.name = "sim",
     .help = "a Linux process in a deterministic simulation (virtual clock)",
     .build = TARGET_PROCESS,
     .platform = "sim",
     .sanitize = true},
    {.name = "hvt",
     .help = "a freestanding image run by bin/atoll-hvt as a KVM virtual "
             "machine",
     HVT_IMAGE,
     .tender = "atoll-hvt",
     .needs_dev = "/dev/kvm",
     .needs_what = "KVM"},
    /* The very image of hvt: only the tender differs. */
    {.name = "spt",
     .help = "hvt's image, run by bin/atoll-spt as a sandboxed process "
             "(no KVM)",
     HVT_IMAGE,
     .tender = "atoll-spt",
     .manner = "sandboxed"},
    /* A standard virtual machine: QEMU or Firecracker boot it (PVH) with
     * virtio devices (docs/virtio.md). */
    {.name = "virtio",
     .help = "a freestanding image that QEMU or Firecracker boot as a "
             "virtual machine with virtio devices",
     .build = TARGET_IMAGE,
     .platform = "virtio",
     .run = qemu_run,
     .runs_with = "qemu-system-x86_64 (KVM where /dev/kvm is, else TCG)",
     .package = PACKAGE_URUNC},
};

#define NTARGETS (sizeof targets / sizeof targets[0])

const struct target *target_find(const char *name)
{
    for (size_t i = 0; i < NTARGETS; i++)
        if (!strcmp(targets[i].name, name))
            return &targets[i];
    return NULL;
}

const struct target *target_default(void)
{
    return &targets[0];
}

const char *targets_text(void)
{
    static char buf[256];
    const char *names[NTARGETS];
    for (size_t i = 0; i < NTARGETS; i++)
        names[i] = targets[i].name;
    join_names(buf, sizeof buf, names, NTARGETS);
    return buf;
}

const char *targets_bar(void)
{
    static char buf[256];
    size_t used = 0;
    for (size_t i = 0; i < NTARGETS && used < sizeof buf; i++) {
        int w = snprintf(buf + used, sizeof buf - used, "%s%s", i ? "|" : "",
                         targets[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

void targets_help(bool tenders)
{
    int width = 0;
    for (size_t i = 0; i < NTARGETS; i++)
        if ((int)strlen(targets[i].name) > width)
            width = (int)strlen(targets[i].name);
    for (size_t i = 0; i < NTARGETS; i++) {
        const struct target *t = &targets[i];
        if (!tenders)
            printf("  %-*s  %s\n", width, t->name, t->help);
        else if (t->tender)
            printf("  %-*s  bin/%s%s%s\n", width, t->name, t->tender,
                   t->needs_dev ? ", needs " : "",
                   t->needs_dev ? t->needs_dev : "");
        else if (t->run)
            printf("  %-*s  %s\n", width, t->name, t->runs_with);
    }
}

/* Both rows build the same image: same build, same libraries. */
static bool same_image(const struct target *a, const struct target *b)
{
    return a->build == b->build && !strcmp(a->platform, b->platform);
}

const struct target *target_tender(const struct target *t, const char *name)
{
    const struct target *r = target_find(name);
    return r && r->tender && same_image(r, t) ? r : NULL;
}

const char *tenders_text(void)
{
    static char buf[256];
    const char *names[NTARGETS];
    size_t n = 0;
    for (size_t i = 0; i < NTARGETS; i++)
        if (targets[i].tender)
            names[n++] = targets[i].name;
    join_names(buf, sizeof buf, names, n);
    return buf;
}

const struct target *target_without_dev(const struct target *t)
{
    for (size_t i = 0; i < NTARGETS; i++)
        if (targets[i].tender && !targets[i].needs_dev &&
            same_image(&targets[i], t))
            return &targets[i];
    return NULL;
}
