/*
 * platform/virtio/console.c - the console: the first serial port (a 16550
 * UART at I/O port 0x3f8), which QEMU connects to its -serial backend and
 * Firecracker to its standard output.
 *
 * Output only, polled: each byte waits until the transmitter holding
 * register is empty (LSR bit 5).  The wait is bounded: a UART that
 * never reports room (none there, or a hostile VMM) costs one bounded
 * delay, then the console is taken for gone and output is dropped, never
 * a hang.  Before the machine stops, console_drain waits (bounded) until
 * the UART has sent everything: the VMM may hold bytes in its FIFO while
 * its own output is slow, and they would be lost with the machine.  Lines end
 * in "\n" as on every target; a terminal on the host side adds the carriage
 * return.
 */
#include <stdbool.h>
#include <stddef.h>

#include "io.h"
#include "virtio_int.h"

#define COM1     0x3f8
#define UART_THR 0 /* transmit holding register */
#define UART_IER 1 /* interrupt enable */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40 /* transmitter and FIFO empty */

/* Polls of LSR per byte before giving up on it (each is an exit to the
 * VMM, microseconds). */
#define UART_SPINS 100000

void console_init(void)
{
    outb(COM1 + UART_IER, 0x00); /* no interrupts: we poll */
    outb(COM1 + UART_LCR, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + UART_FCR, 0x07); /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static bool gone;

void console_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len && !gone; i++) {
        int s = 0;
        while (!(inb(COM1 + UART_LSR) & LSR_THRE))
            if (++s == UART_SPINS) {
                gone = true;
                return;
            }
        outb(COM1 + UART_THR, (uint8_t)buf[i]);
    }
}

void console_drain(void)
{
    for (int s = 0; s < UART_SPINS && !gone; s++)
        if (inb(COM1 + UART_LSR) & LSR_TEMT)
            return;
}
