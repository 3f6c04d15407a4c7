/*
 * platform/sim/start.c - entry point of a unikernel built for the sim
 * target: a Linux process whose clock, wires and disks are simulated.
 * Everything else happens in atoll_boot (lib/core/boot.c).
 */
#include "atoll/app.h"

int main(int argc, char **argv)
{
    return atoll_boot(argc, argv);
}
