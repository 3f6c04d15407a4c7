/*
 * platform/unix/trace_signal.c - SIGUSR1 asks a running unix unikernel to
 * write its trace (`kill -USR1 PID`), without stopping it.
 *
 * The handler only counts the request; the scheduler asks for the count
 * once per round (plat_trace_requests) and writes FILE.n itself
 * (lib/core/trace_dump.c), because the export formats and calls stdio,
 * which a signal handler may not.  epoll_wait is never restarted after a
 * handler (signal(7)), so a unikernel waiting in plat_wait sees EINTR,
 * returns to its loop and answers at once.  The handler is installed
 * whether or not --trace=FILE was given: the default action of SIGUSR1
 * would end the process, and an operator asking for a trace must never
 * kill the service by mistake.
 */
#include <signal.h>
#include <string.h>

#include "platform.h"
#include "unix_int.h"

static unsigned requests;

static void on_usr1(int sig)
{
    (void)sig;
    __atomic_fetch_add(&requests, 1, __ATOMIC_RELAXED);
}

void unix_trace_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
}

unsigned plat_trace_requests(void)
{
    /* A relaxed load first: the exchange is a locked instruction, and this
     * runs once per scheduler round. */
    if (__atomic_load_n(&requests, __ATOMIC_RELAXED) == 0)
        return 0;
    return __atomic_exchange_n(&requests, 0, __ATOMIC_RELAXED);
}
