/*
 * lib/store/crc32c.c - CRC-32C (Castagnoli, reflected polynomial
 * 0x82F63B78), the checksum of every record and superblock of the block
 * backend.  Slicing-by-1 with a table built on first use: the log is
 * verified in full when a store opens, so this is on the open path, but
 * object reads are dominated by the device.
 */
#include "store_int.h"

static uint32_t table[256];
static bool table_ready;

static void build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    table_ready = true;
}

uint32_t store_crc32c(uint32_t crc, const void *data, size_t len)
{
    if (!table_ready)
        build();
    const uint8_t *p = data;
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
