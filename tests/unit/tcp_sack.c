/*
 * tests/unit/tcp_sack.c - RFC 6675 loss recovery on hand-built
 * scoreboards: IsLost() (DupThresh SACKed segments or more than
 * (DupThresh - 1) * SMSS bytes above), SetPipe() (lost octets leave the
 * pipe, retransmitted ones re-enter it, a retransmitted octet not yet
 * lost counts twice), NextSeg() rules (1) to (3) and the rescue
 * segment of rule (4).  Sequence numbers start just below 2^32 so every
 * case also crosses the wrap.
 */
#include "../../lib/net/tcp_int.h"
#include "../harness.h"

#define MSS 1000u
static const uint32_t U = 0xfffff000u; /* HighACK + 1 */

static void sack(struct tcp_scoreboard *sb, uint32_t l, uint32_t r)
{
    tcp_sb_add(sb, U + l, U + r, U, U + 100000);
}

TEST(tcp_sack6675, "IsLost: nothing lost below DupThresh segments")
{
    struct tcp_scoreboard sb = {0};
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U)); /* empty scoreboard */
    CHECK_EQ(tcp_sb_lost_edge(&sb, U, MSS), U);
    sack(&sb, 2000, 3000); /* one segment above */
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U));
    sack(&sb, 4000, 5000); /* two */
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U));
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U + 3000));
    sack(&sb, 6000, 7000); /* three discontiguous segments */
    CHECK(tcp_sb_is_lost(&sb, U, MSS, U));
    CHECK(tcp_sb_is_lost(&sb, U, MSS, U + 1999));
    /* Only two segments lie above the hole at 3000. */
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U + 3000));
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U + 5000));
    CHECK_EQ(tcp_sb_lost_edge(&sb, U, MSS), U + 2000);
}

TEST(tcp_sack6675, "IsLost: byte rule at (DupThresh-1)*SMSS, small segments")
{
    struct tcp_scoreboard sb = {0};
    sack(&sb, 1000, 3000); /* exactly 2 * SMSS: not more than */
    CHECK(!tcp_sb_is_lost(&sb, U, MSS, U));
    sack(&sb, 3000, 3001); /* 2001 bytes */
    CHECK(tcp_sb_is_lost(&sb, U, MSS, U));
    /* Three 100-byte segments: few bytes, but DupThresh segments. */
    struct tcp_scoreboard s2 = {0};
    sack(&s2, 1000, 1100);
    sack(&s2, 1200, 1300);
    CHECK(!tcp_sb_is_lost(&s2, U, MSS, U));
    sack(&s2, 1400, 1500);
    CHECK(tcp_sb_is_lost(&s2, U, MSS, U));
    CHECK(!tcp_sb_is_lost(&s2, U, MSS, U + 1100)); /* two above */
    CHECK(!tcp_sb_is_lost(&s2, U, MSS, U + 1300));
}

TEST(tcp_sack6675, "SetPipe: lost, retransmitted and in-flight octets")
{
    struct tcp_scoreboard sb = {0};
    uint32_t high = U + 10000; /* ten segments out */
    /* No SACK: everything is in flight. */
    CHECK_EQ(tcp_sb_pipe(&sb, U, high, U, MSS), 10000);
    sack(&sb, 2000, 3000);
    CHECK_EQ(tcp_sb_pipe(&sb, U, high, U, MSS), 9000); /* nothing lost */
    sack(&sb, 3000, 5000); /* [2000,5000): three segments above 0..2000 */
    CHECK_EQ(tcp_sb_pipe(&sb, U, high, U, MSS), 5000);
    /* Retransmitting the first lost segment puts it back in the pipe. */
    CHECK_EQ(tcp_sb_pipe(&sb, U, high, U + 1000, MSS), 6000);
    CHECK_EQ(tcp_sb_pipe(&sb, U, high, U + 2000, MSS), 7000);

    /* A retransmitted octet that is not lost counts twice. */
    struct tcp_scoreboard s2 = {0};
    sack(&s2, 1000, 4000); /* three segments: [0,1000) lost */
    sack(&s2, 5000, 6000); /* [4000,5000) has one above: not lost */
    high = U + 8000;
    CHECK_EQ(tcp_sb_lost_edge(&s2, U, MSS), U + 1000);
    /* rxt [0,1000): 1000; not lost [4000,5000) and [6000,8000): 3000 */
    CHECK_EQ(tcp_sb_pipe(&s2, U, high, U + 1000, MSS), 4000);
    /* ... and after a rule (3) retransmission of [4000,5000) */
    CHECK_EQ(tcp_sb_pipe(&s2, U, high, U + 5000, MSS), 5000);
    /* rxt_end below HighACK (a cumulative ACK passed it) adds nothing */
    CHECK_EQ(tcp_sb_pipe(&s2, U, high, U - 500, MSS), 3000);
}

TEST(tcp_sack6675, "NextSeg: lost holes, then new data, then other holes")
{
    struct tcp_scoreboard sb = {0};
    uint32_t seq = 0, len = 0;
    /* Empty scoreboard: only new data. */
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U, MSS, true, &seq, &len),
             TCP_NEXTSEG_NEW);
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U, MSS, false, &seq, &len),
             TCP_NEXTSEG_NONE);

    sack(&sb, 1000, 4000);
    sack(&sb, 5000, 6000);
    /* Rule (1): the lowest lost hole above HighRxt, before new data. */
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U, MSS, true, &seq, &len),
             TCP_NEXTSEG_LOST);
    CHECK_EQ(seq, U);
    CHECK_EQ(len, MSS);
    /* HighRxt past it: the hole [4000,5000) is not lost, so rule (2)... */
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U + 1000, MSS, true, &seq, &len),
             TCP_NEXTSEG_NEW);
    /* ... and rule (3) when there is no new data to send. */
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U + 1000, MSS, false, &seq, &len),
             TCP_NEXTSEG_HOLE);
    CHECK_EQ(seq, U + 4000);
    CHECK_EQ(len, MSS);
    /* Nothing un-SACKed above HighRxt below the highest SACK. */
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U + 5000, MSS, false, &seq, &len),
             TCP_NEXTSEG_NONE);

    /* A hole longer than SMSS goes out one SMSS at a time; a short one
     * as it is. */
    struct tcp_scoreboard s2 = {0};
    sack(&s2, 2500, 6000);
    CHECK_EQ(tcp_sb_next_seg(&s2, U, U, MSS, true, &seq, &len),
             TCP_NEXTSEG_LOST);
    CHECK_EQ(seq, U);
    CHECK_EQ(len, MSS);
    CHECK_EQ(tcp_sb_next_seg(&s2, U, U + 2000, MSS, true, &seq, &len),
             TCP_NEXTSEG_LOST);
    CHECK_EQ(seq, U + 2000);
    CHECK_EQ(len, 500);
}

TEST(tcp_sack6675, "a full scoreboard stays consistent")
{
    struct tcp_scoreboard sb = {0};
    for (uint32_t i = 0; i < 100; i++)
        sack(&sb, 1000 + 2000 * i, 2000 + 2000 * i);
    CHECK_EQ(sb.n, TCP_SACK_RANGES_MAX);
    uint32_t high = U + 2000 * TCP_SACK_RANGES_MAX + 1000;
    /* All but the two highest holes are lost. */
    CHECK_EQ(tcp_sb_lost_edge(&sb, U, MSS),
             U + 1000 + 2000 * (TCP_SACK_RANGES_MAX - 3));
    uint32_t seq, len;
    CHECK_EQ(tcp_sb_next_seg(&sb, U, U + 3000, MSS, false, &seq, &len),
             TCP_NEXTSEG_LOST);
    CHECK_EQ(seq, U + 4000);
    /* pipe: the two non-lost holes and the 1000 bytes above the highest
     * SACK, nothing retransmitted */
    CHECK_EQ(tcp_sb_pipe(&sb, U, high, U, MSS), 3000);
}

TEST(tcp_sack6675, "rescue segment: the highest un-SACKed SMSS")
{
    struct tcp_scoreboard sb = {0};
    uint32_t seq = 0, len = 0;
    /* Nothing SACKed: the last SMSS below HighData. */
    CHECK(tcp_sb_rescue_seg(&sb, U, U + 5000, MSS, &seq, &len));
    CHECK_EQ(seq, U + 4000);
    CHECK_EQ(len, MSS);
    /* SACKed up to HighData: it ends below the top ranges touching it. */
    sack(&sb, 3000, 5000);
    CHECK(tcp_sb_rescue_seg(&sb, U, U + 5000, MSS, &seq, &len));
    CHECK_EQ(seq, U + 2000);
    CHECK_EQ(len, MSS);
    /* A short hole at HighACK + 1: never below it. */
    sack(&sb, 500, 3000);
    CHECK(tcp_sb_rescue_seg(&sb, U, U + 5000, MSS, &seq, &len));
    CHECK_EQ(seq, U);
    CHECK_EQ(len, 500);
    /* Everything SACKed: no rescue. */
    sack(&sb, 0, 500);
    CHECK(!tcp_sb_rescue_seg(&sb, U, U + 5000, MSS, &seq, &len));
}
