/*
 * tests/tool/tunables/main.c - the probe of tests/tool/tunables.sh.
 *
 * Says which ATOLL_NET_FRAME_MAX it was compiled with, then receives
 * frames for a few seconds and prints the largest frame the library
 * handed over and how many frames it dropped.  The library sizes its
 * receive buffers by its own ATOLL_NET_FRAME_MAX, so the two numbers
 * show whether application and library agree.
 */
#include <stdio.h>

#include "atoll/tunables.h"
#include "atoll_app.h"

int app_main(struct app *a)
{
    printf("probe: compiled with ATOLL_NET_FRAME_MAX %d, ready\n",
           ATOLL_NET_FRAME_MAX);
    fflush(stdout);
    atoll_time_t end = atoll_after(ATOLL_SEC(a->args.seconds));
    size_t largest = 0;
    long frames = 0;
    for (;;) {
        struct atoll_buf *b[16];
        int n = atoll_netif_recv(a->wire, b, 16, end);
        if (n == -ATOLL_ETIMEDOUT)
            break;
        if (n < 0) {
            printf("probe: recv: %s\n", atoll_strerror(n));
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (b[i]->len > largest)
                largest = b[i]->len;
            frames++;
            atoll_buf_free(b[i]);
        }
    }
    struct atoll_netif_stats st;
    atoll_netif_stats(a->wire, &st);
    printf("probe: frames %ld largest %zu dropped %llu\n", frames, largest,
           (unsigned long long)st.rx_dropped);
    return 0;
}
