/*
 * platform/sim/pcap.c - capture files of simulated wires.
 *
 * Classic libpcap format (what tcpdump, tshark and Wireshark read): a
 * 24-byte global header with the nanosecond magic 0xa1b23c4d, version 2.4,
 * snap length 65535, link type 1 (Ethernet), then per frame a 16-byte
 * record header (seconds, nanoseconds, captured length, original length)
 * and the bytes.  Written in host byte order, which the magic announces.
 * Timestamps are virtual wall-clock time, so a capture replays exactly.
 */
#include <stdio.h>
#include <string.h>

#include "sim_int.h"

FILE *sim_pcap_open(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = {0xa1b23c4d, 2, 4, 0, 0, 65535, 1};
    if (fwrite(&hdr, sizeof hdr, 1, f) != 1 || fflush(f) != 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

void sim_pcap_record(FILE *f, atoll_time_t wall_ns, const void *frame,
                     size_t len)
{
    if (wall_ns < 0)
        wall_ns = 0;
    uint32_t rec[4] = {
        (uint32_t)(wall_ns / 1000000000),
        (uint32_t)(wall_ns % 1000000000),
        (uint32_t)(len > 65535 ? 65535 : len),
        (uint32_t)len,
    };
    fwrite(rec, sizeof rec, 1, f);
    fwrite(frame, 1, rec[2], f);
    /* Flushed per frame so the capture is complete whatever way the
     * process ends (a test child's _exit, a panic). */
    fflush(f);
}
