/*
 * lib/net/tcp_cc.c - congestion window arithmetic: RFC 5681 slow start
 * and congestion avoidance (NewReno's window, RFC 6582, whose recovery
 * logic lives in tcp_in.c) and RFC 9438 CUBIC, chosen per stack
 * (atoll_tcp_set_cc).  Loss recovery itself (what to retransmit) is not
 * here: this file only answers "how big may the window be", and is the
 * only place that changes the window: tcp_in.c and tcp_timer.c report
 * events (an ACK, a loss, a duplicate ACK or a partial ACK in recovery,
 * the end of recovery, a timeout) and read cwnd.
 */
#include "tcp_int.h"

#define CUBIC_C    (TCP_CUBIC_C_MILLI / 1000.0)
#define CUBIC_BETA (TCP_CUBIC_BETA_MILLI / 1000.0)

void tcp_cc_init(struct tcp_cc *cc, enum atoll_tcp_cc algo, uint32_t mss)
{
    cc->algo = algo;
    cc->mss = mss;
    cc->cwnd = TCP_INIT_CWND_SEGS * mss; /* RFC 6928 */
    cc->ssthresh = UINT32_MAX / 2;       /* RFC 5681 3.1: arbitrarily high */
    cc->acked_accum = 0;
    cc->w_max = cc->w_last_max = cc->k = cc->w_est = 0;
    cc->epoch = 0;
}

/* Cube root by Newton's method (no libm in the library). */
static double cbrt_pos(double x)
{
    if (x <= 0)
        return 0;
    double y = x > 1 ? x / 3 : 1;
    for (int i = 0; i < 100; i++) {
        double ny = (2 * y + x / (y * y)) / 3;
        if (ny >= y - 1e-9 && ny <= y + 1e-9)
            return ny;
        y = ny;
    }
    return y;
}

static void cubic_on_ack(struct tcp_cc *cc, uint32_t acked, atoll_time_t now,
                         atoll_time_t srtt)
{
    double mss = cc->mss;
    double cwnd = cc->cwnd / mss; /* segments */
    if (cc->epoch == 0) {         /* RFC 9438 4.2: a new congestion epoch */
        cc->epoch = now;
        if (cc->w_max / mss < cwnd) {
            cc->k = 0;
            cc->w_max = cc->cwnd;
        } else {
            cc->k = cbrt_pos((cc->w_max / mss - cwnd) / CUBIC_C);
        }
        cc->w_est = cc->cwnd;
    }
    double t = (double)(now - cc->epoch + srtt) / 1e9;
    double d = t - cc->k;
    double target = CUBIC_C * d * d * d + cc->w_max / mss; /* segments */
    /* 4.3: the Reno-friendly estimate grows by alpha per window. */
    double alpha = 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
    if (cc->w_est < cc->w_max)
        cc->w_est += alpha * acked * mss / cc->cwnd;
    else
        cc->w_est += acked * mss / cc->cwnd;
    if (cc->w_est / mss > target) {
        target = cc->w_est / mss; /* 4.3 Reno-friendly region */
    } else {
        if (target > 1.5 * cwnd) /* 4.4: at most 1.5x per RTT */
            target = 1.5 * cwnd;
        if (target < cwnd)
            target = cwnd;
    }
    /* cwnd += (target - cwnd) / cwnd per acknowledged segment */
    double inc = (target - cwnd) / cwnd * ((double)acked / mss) * mss;
    if (inc > 0)
        cc->cwnd += (uint32_t)inc;
}

void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight,
                   atoll_time_t now, atoll_time_t srtt)
{
    if (cc->cwnd < cc->ssthresh) {
        /* Slow start with RFC 3465 byte counting, L = 2 segments. */
        uint32_t inc = acked < 2 * cc->mss ? acked : 2 * cc->mss;
        cc->cwnd += inc;
        return;
    }
    if (cc->algo == ATOLL_TCP_CUBIC) {
        cubic_on_ack(cc, acked, now, srtt);
    } else {
        /* Congestion avoidance: one segment per window acknowledged. */
        cc->acked_accum += acked;
        if (cc->acked_accum >= cc->cwnd) {
            cc->acked_accum -= cc->cwnd;
            cc->cwnd += cc->mss;
        }
    }
    if (cc->cwnd > (uint32_t)TCP_SNDBUF_MAX * 4)
        cc->cwnd = TCP_SNDBUF_MAX * 4; /* keep arithmetic far from wrap */
}

void tcp_cc_on_loss(struct tcp_cc *cc, uint32_t flight)
{
    if (cc->algo == ATOLL_TCP_CUBIC) {
        double cwnd = cc->cwnd;
        /* 4.7 fast convergence */
        if (cwnd < cc->w_last_max)
            cc->w_max = cwnd * (1 + CUBIC_BETA) / 2;
        else
            cc->w_max = cwnd;
        cc->w_last_max = cwnd;
        cc->epoch = 0;
        uint32_t ss = (uint32_t)(cwnd * CUBIC_BETA);
        cc->ssthresh = ss > 2 * cc->mss ? ss : 2 * cc->mss;
    } else {
        /* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
        uint32_t half = flight / 2;
        cc->ssthresh = half > 2 * cc->mss ? half : 2 * cc->mss;
    }
    cc->acked_accum = 0;
}

void tcp_cc_enter_recovery(struct tcp_cc *cc, uint32_t flight, bool sack)
{
    tcp_cc_on_loss(cc, flight);
    /* RFC 6675 5 step (4.2): cwnd = ssthresh; RFC 5681 3.2 step 4 /
     * RFC 6582: ssthresh plus the three segments that left the network. */
    cc->cwnd = sack ? cc->ssthresh : cc->ssthresh + 3 * cc->mss;
}

void tcp_cc_on_dupack_in_recovery(struct tcp_cc *cc)
{
    cc->cwnd += cc->mss; /* RFC 5681 3.2 step 5: inflate */
}

void tcp_cc_on_partial_ack(struct tcp_cc *cc, uint32_t acked)
{
    /* RFC 6582 3.2 step 5: deflate by the amount acknowledged, add back
     * one segment if that was at least one segment; never below one. */
    cc->cwnd = cc->cwnd > acked ? cc->cwnd - acked : 0;
    if (acked >= cc->mss)
        cc->cwnd += cc->mss;
    if (cc->cwnd < cc->mss)
        cc->cwnd = cc->mss;
}

void tcp_cc_on_timeout(struct tcp_cc *cc, uint32_t flight)
{
    tcp_cc_on_loss(cc, flight);
    cc->cwnd = cc->mss; /* RFC 5681 (5): the loss window */
}

void tcp_cc_on_recovery_end(struct tcp_cc *cc, uint32_t flight, bool sack)
{
    if (sack) {
        cc->cwnd = cc->ssthresh; /* RFC 6675 5: recovery ends */
    } else {
        /* RFC 6582 3.2 step 3, option 1: min(ssthresh, FlightSize +
         * SMSS). */
        uint32_t f = flight + cc->mss;
        cc->cwnd = f < cc->ssthresh ? f : cc->ssthresh;
    }
    cc->epoch = 0;
}
