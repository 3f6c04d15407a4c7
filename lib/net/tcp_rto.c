/*
 * lib/net/tcp_rto.c - the retransmission timeout of RFC 6298: a smoothed
 * round-trip time and its variation from samples (Karn's rule - no samples
 * from retransmitted segments - is applied by the caller), with the
 * floor, ceiling and initial value of atoll/net_tunables.h.
 */
#include "tcp_int.h"

void tcp_rto_init(struct tcp_rto *r)
{
    r->srtt = 0;
    r->rttvar = 0;
    r->rto = TCP_RTO_INITIAL_NS;
}

static atoll_time_t clamp_rto(atoll_time_t v)
{
    if (v < TCP_RTO_MIN_NS)
        return TCP_RTO_MIN_NS;
    if (v > TCP_RTO_MAX_NS)
        return TCP_RTO_MAX_NS;
    return v;
}

void tcp_rto_sample(struct tcp_rto *r, atoll_time_t rtt)
{
    if (rtt < 1)
        rtt = 1;
    if (r->srtt == 0) { /* RFC 6298 2.2 */
        r->srtt = rtt;
        r->rttvar = rtt / 2;
    } else { /* 2.3, alpha = 1/8, beta = 1/4 */
        atoll_time_t d = r->srtt > rtt ? r->srtt - rtt : rtt - r->srtt;
        r->rttvar = (3 * r->rttvar + d) / 4;
        r->srtt = (7 * r->srtt + rtt) / 8;
    }
    /* G, the clock granularity, is 1 ns here: negligible. */
    r->rto = clamp_rto(r->srtt + 4 * r->rttvar);
}

atoll_time_t tcp_rto_backed_off(const struct tcp_rto *r, int backoff)
{
    atoll_time_t v = r->rto;
    for (int i = 0; i < backoff && v < TCP_RTO_MAX_NS; i++)
        v *= 2; /* 5.5: back off the timer */
    return clamp_rto(v);
}
