/*
 * tests/unit/virtio_fake.h - the transport of a fake virtio device, for
 * the host tests that drive the virtio target's rings and drivers
 * (tests/unit/virtio_virtq.c, tests/unit/virtio_net_rx.c): queues of 8
 * entries whose set-up always works, notifications counted, and
 * vdev_fail (vdev.c's in the image) recording the first failure.  The
 * test writes the device's side of the rings itself.  Header-only: each
 * test includes it once.
 */
#ifndef ATOLL_TESTS_VIRTIO_FAKE_H
#define ATOLL_TESTS_VIRTIO_FAKE_H

#include <stdio.h>

#include "virtio/virtio_int.h"

#define FAKE_QUEUE 8

static int notifies, failures;
static char failed_why[200];

static uint16_t fake_queue_max(struct vdev *d, uint16_t q)
{
    return FAKE_QUEUE;
}

static int fake_queue_setup(struct vdev *d, uint16_t q, uint16_t size,
                            uint64_t desc, uint64_t avail, uint64_t used)
{
    return 0;
}

static void fake_notify(struct vdev *d, uint16_t q)
{
    notifies++;
}

static const struct vtransport fake = {
    .name = "fake",
    .queue_max = fake_queue_max,
    .queue_setup = fake_queue_setup,
    .notify = fake_notify,
};

/* What the driver calls when the device breaks a rule. */
void vdev_fail(struct vdev *d, const char *why)
{
    if (d->broken)
        return;
    d->broken = true;
    failures++;
    snprintf(failed_why, sizeof failed_why, "%s", why);
}

#endif
