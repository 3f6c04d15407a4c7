/*
 * platform/virtio/wait.c - plat_wait: interrupts, not polling.
 *
 * The choice (docs/virtio.md, "Waiting"): a guest with nothing to do
 * halts the CPU, so an idle unikernel costs its host nothing, under KVM
 * as under QEMU's TCG (which sleeps a halted vCPU).  Polling the rings in
 * a loop would answer a frame a little sooner but burn a host core for as
 * long as the unikernel lives.
 *
 * One round: look at the receive rings of the devices waited on (which
 * also lets exactly those devices interrupt, and acknowledges their
 * interrupts); if one has a frame, or the deadline has passed, return.
 * Otherwise arm the local APIC timer for the deadline and halt; any
 * interrupt - the timer, a device - ends the halt, and the round starts
 * again.  The rings are looked at after their interrupts are enabled and
 * acknowledged, and the halt is atomic with enabling interrupts (intr.c),
 * so a frame that arrives at any point either is seen by the look or
 * ends the halt: no wake-up is lost.  A device whose interrupts do not
 * reach us (no MSI-X, no I/O APIC line named) is looked at every
 * POLL_NO_IRQ instead.
 */
#include <stdint.h>

#include "platform.h"
#include "virtio_int.h"

/* How long a halt may last while a device without interrupts is waited
 * on (vdev.c sets virtio_wait_poll_ns for such a device). */
uint64_t virtio_wait_poll_ns;

int plat_wait(atoll_time_t deadline, uint64_t interest, uint64_t *ready)
{
    for (;;) {
        uint64_t r = virtio_net_poll(interest) & interest;
        uint64_t now = clock_now_ns();
        if (r || deadline <= (atoll_time_t)now) {
            *ready = r;
            return 0;
        }
        uint64_t left = (uint64_t)deadline - now;
        if (interest && virtio_wait_poll_ns && left > virtio_wait_poll_ns)
            left = virtio_wait_poll_ns;
        intr_timer_arm(left);
        intr_halt();
    }
}
