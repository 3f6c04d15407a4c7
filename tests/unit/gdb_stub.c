/*
 * tests/unit/gdb_stub.c - the gdb remote serial protocol of atoll-hvt's
 * stub (tender/common/gdb.c, built for the host: mk/hvt.mk) against a
 * fake guest: registers in a struct, 64 KiB of memory at 1 MiB, a
 * breakpoint table.  Packet framing (acknowledgements, checksums, a
 * packet in pieces, noise between packets, a packet cut by another),
 * each command gdb needs (?, g, G, m, M, c, s, Z0, z0, Z1, z1,
 * qSupported, D, k, ^C), the stop replies (S, T with a breakpoint reason
 * only when gdb offered it, W, X) with what it did to the guest, and bad input
 * refused: wrong checksums, oversized packets, malformed numbers, wrong
 * lengths, addresses outside memory - each answered, none crashing, and the
 * session still working after.  Random bytes last (the san build checks
 * the stub stays inside its buffers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tender/common/gdb.h"
#include "../harness.h"

/* ---- the fake guest --------------------------------------------------------
 */

#define MEM_BASE 0x100000u
#define MEM_SIZE 0x10000u

static struct gdb_regs regs;
static uint8_t mem[MEM_SIZE];
static uint64_t bps[8];
static int nbps, bp_calls;
static bool refuse_bp;

static int get_regs(void *ctx, struct gdb_regs *r)
{
    *r = regs;
    return 0;
}

static int set_regs(void *ctx, const struct gdb_regs *r)
{
    regs = *r;
    return 0;
}

static bool in_mem(uint64_t addr, size_t len)
{
    return addr >= MEM_BASE && len <= MEM_SIZE &&
           addr - MEM_BASE <= MEM_SIZE - len;
}

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    if (!in_mem(addr, len))
        return -1;
    memcpy(buf, mem + (addr - MEM_BASE), len);
    return 0;
}

static int write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    if (!in_mem(addr, len))
        return -1;
    memcpy(mem + (addr - MEM_BASE), buf, len);
    return 0;
}

static int set_bp(void *ctx, uint64_t addr, bool on)
{
    bp_calls++;
    if (refuse_bp || !in_mem(addr, 1))
        return -1;
    if (on) {
        CHECK(nbps < 8);
        bps[nbps++] = addr;
        return 0;
    }
    for (int i = 0; i < nbps; i++)
        if (bps[i] == addr) {
            bps[i] = bps[--nbps];
            return 0;
        }
    CHECK(!"a breakpoint removed that was never set");
    return -1;
}

static const struct gdb_backend fake = {get_regs,  set_regs, read_mem,
                                        write_mem, set_bp,   NULL};

/* The same guest with four hardware breakpoint slots, like x86's debug
 * registers. */
static uint64_t hw[4];
static int nhw;

static int set_hw(void *ctx, uint64_t addr, bool on)
{
    if (on) {
        if (nhw == 4)
            return -1;
        hw[nhw++] = addr;
        return 0;
    }
    for (int i = 0; i < nhw; i++)
        if (hw[i] == addr) {
            hw[i] = hw[--nhw];
            return 0;
        }
    CHECK(!"a hardware breakpoint removed that was never set");
    return -1;
}

static const struct gdb_backend fake_hw = {get_regs,  set_regs, read_mem,
                                           write_mem, set_bp,   set_hw};

/* What the stub sent, since the last take(). */
static char sent[65536];
static size_t nsent;

static int out(void *ctx, const void *buf, size_t len)
{
    CHECK(nsent + len < sizeof sent);
    memcpy(sent + nsent, buf, len);
    nsent += len;
    sent[nsent] = 0;
    return 0;
}

static struct gdb_stub s;

static void setup(void)
{
    memset(&regs, 0, sizeof regs);
    for (int i = 0; i < 16; i++)
        regs.gpr[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
    regs.rip = 0x100123;
    regs.eflags = 0x246;
    regs.cs = 0x2b;
    for (size_t i = 0; i < MEM_SIZE; i++)
        mem[i] = (uint8_t)(i * 3);
    nbps = bp_calls = nhw = 0;
    refuse_bp = false;
    nsent = 0;
    sent[0] = 0;
    gdb_init(&s, &fake, NULL, out, NULL);
}

/* "$payload#cc" with its right checksum. */
static const char *pkt(const char *payload)
{
    static char b[65536 + 8];
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum += (uint8_t)*p;
    snprintf(b, sizeof b, "$%s#%02x", payload, sum & 0xff);
    return b;
}

/* Feeds `text`, expects every byte used and action `want`. */
static enum gdb_action feed(const char *text)
{
    size_t used = 0;
    enum gdb_action a =
        gdb_feed(&s, (const uint8_t *)text, strlen(text), &used);
    CHECK_EQ(used, strlen(text));
    return a;
}

/* The stub's answer to one command: "+" then the packet's payload (its
 * checksum checked), returned without framing. */
static const char *ask(const char *payload)
{
    static char ans[65536 - 8];
    nsent = 0;
    CHECK_EQ(feed(pkt(payload)), GDB_NONE);
    CHECK(nsent >= 5 && sent[0] == '+' && sent[1] == '$');
    char *hash = strrchr(sent, '#');
    CHECK(hash && hash + 3 == sent + nsent);
    size_t n = (size_t)(hash - (sent + 2));
    memcpy(ans, sent + 2, n);
    ans[n] = 0;
    CHECK_STR(pkt(ans), sent + 1); /* the checksum is right */
    return ans;
}

/* ---- framing
 * ------------------------------------------------------------------ */

TEST(gdb_stub, "a packet is acknowledged and answered with a checksum")
{
    setup();
    CHECK_EQ(feed("$?#3f"), GDB_NONE);
    CHECK_STR(sent, "+$S05#b8");
    CHECK_EQ(s.packets, 1u);
}

TEST(gdb_stub, "a wrong checksum gets '-' and no answer; then it goes on")
{
    setup();
    CHECK_EQ(feed("$?#00"), GDB_NONE);
    CHECK_STR(sent, "-");
    CHECK_EQ(feed("$?#zz"), GDB_NONE); /* not even hex */
    CHECK_STR(sent, "--");
    CHECK_EQ(s.bad_packets, 2u);
    CHECK_STR(ask("?"), "S05");
}

TEST(gdb_stub, "a packet fed byte by byte, with noise around it")
{
    setup();
    const char *in = "++xyz-$qSupported:multiprocess+;swbreak+#";
    for (const char *p = in; *p; p++) {
        size_t used;
        CHECK_EQ(gdb_feed(&s, (const uint8_t *)p, 1, &used), GDB_NONE);
        CHECK_EQ(used, 1u);
    }
    unsigned sum = 0;
    for (const char *p = "qSupported:multiprocess+;swbreak+"; *p; p++)
        sum += (uint8_t)*p;
    char cs[3];
    snprintf(cs, sizeof cs, "%02x", sum & 0xff);
    feed(cs);
    CHECK_EQ(sent[0], '+');
    CHECK_STR(sent + 1, pkt("PacketSize=1000;swbreak+"));
}

TEST(gdb_stub, "a packet cut short by a new one: only the new one counts")
{
    setup();
    CHECK_EQ(feed("$m1000"), GDB_NONE);
    CHECK_EQ(feed(pkt("?")), GDB_NONE);
    CHECK_STR(sent, "+$S05#b8");
    CHECK_EQ(s.bad_packets, 1u);
}

TEST(gdb_stub, "an oversized packet is refused, the session goes on")
{
    setup();
    static char big[GDB_PACKET_MAX + 100];
    memset(big, 'g', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK_EQ(feed(pkt(big)), GDB_NONE);
    CHECK_STR(sent, "-");
    CHECK_STR(ask("?"), "S05");
}

TEST(gdb_stub, "unknown commands and an empty packet get the empty answer")
{
    setup();
    CHECK_STR(ask("vMustReplyEmpty"), "");
    CHECK_STR(ask("qXfer:features:read:target.xml:0,ffb"), "");
    CHECK_STR(ask(""), "");
    CHECK_STR(ask("qAttached"), "1");
    CHECK_STR(ask("Hg0"), "OK");
}

/* ---- registers
 * ---------------------------------------------------------------- */

TEST(gdb_stub, "g gives every register in gdb's amd64 order, little-endian")
{
    setup();
    const char *g = ask("g");
    CHECK_EQ(strlen(g), 2u * GDB_REGS_BYTES);
    CHECK(!strncmp(g, "1111111111111111", 16));           /* rax */
    CHECK(!strncmp(g + 16 * 14, "ffffffffffffffff", 16)); /* r14 */
    CHECK(!strncmp(g + 16 * 15, "1011111111111111", 16)); /* r15 */
    CHECK(!strncmp(g + 16 * 16, "2301100000000000", 16)); /* rip */
    CHECK(!strncmp(g + 16 * 17, "46020000", 8));          /* eflags */
    CHECK(!strncmp(g + 16 * 17 + 8, "2b000000", 8));      /* cs */
}

TEST(gdb_stub, "G sets them; a block of the wrong size or bad hex is refused")
{
    setup();
    char g[2 * GDB_REGS_BYTES + 2];
    snprintf(g, sizeof g, "G%s", ask("g"));
    memcpy(g + 1 + 16 * 16, "efbeadde00000000", 16); /* rip */
    memcpy(g + 1, "0100000000000000", 16);           /* rax */
    CHECK_STR(ask(g), "OK");
    CHECK_EQ(regs.rip, 0xdeadbeefu);
    CHECK_EQ(regs.gpr[0], 1u);
    CHECK_EQ(regs.gpr[1], 0x2222222222222222ull);
    struct gdb_regs before = regs;
    g[strlen(g) - 1] = 0; /* one digit short */
    CHECK_STR(ask(g), "E01");
    g[5] = 'x';
    CHECK_STR(ask(g), "E01");
    CHECK_STR(ask("G00"), "E01");
    CHECK(!memcmp(&before, &regs, sizeof regs));
}

/* ---- memory
 * ------------------------------------------------------------------- */

TEST(gdb_stub, "m reads memory; out of range E14, malformed or too long E01")
{
    setup();
    CHECK_STR(ask("m100000,4"), "00030609");
    CHECK_STR(ask("m10fffe,2"), "fafd");
    CHECK_STR(ask("m10ffff,2"), "E14");           /* runs past the end */
    CHECK_STR(ask("m0,4"), "E14");                /* below */
    CHECK_STR(ask("mffffffffffffffff,2"), "E14"); /* wraps */
    CHECK_STR(ask("m100000,801"), "E01");         /* over GDB_MEM_MAX */
    CHECK_STR(ask("mzz,4"), "E01");
    CHECK_STR(ask("m100000"), "E01");
    CHECK_STR(ask("m,4"), "E01");
    CHECK_STR(ask("m100000,4x"), "E01");
    CHECK_STR(ask("m11111111111111111,4"), "E01"); /* 17 digits */
    CHECK_EQ(strlen(ask("m100000,800")), 2u * 0x800);
}

TEST(gdb_stub, "M writes memory; a length that does not match the data E01")
{
    setup();
    CHECK_STR(ask("M100010,3:aabbcc"), "OK");
    CHECK_EQ(mem[0x10], 0xaa);
    CHECK_EQ(mem[0x12], 0xcc);
    CHECK_STR(ask("M100010,3:aabb"), "E01");
    CHECK_STR(ask("M100010,2:aabbcc"), "E01");
    CHECK_STR(ask("M100010,1:zz"), "E01");
    CHECK_STR(ask("M100010,1"), "E01");
    CHECK_STR(ask("Mfffff,2:0102"), "E14");
    CHECK_EQ(mem[0x13], (uint8_t)(0x13 * 3)); /* nothing else written */
}

/* ---- breakpoints and running
 * -------------------------------------------------- */

TEST(gdb_stub, "Z0 and z0 plant and lift breakpoints; other types unsupported")
{
    setup();
    CHECK_STR(ask("Z0,100123,1"), "OK");
    CHECK_EQ(nbps, 1);
    CHECK_EQ(bps[0], 0x100123u);
    CHECK_STR(ask("Z0,100123,1"), "OK"); /* again: no second plant */
    CHECK_EQ(nbps, 1);
    CHECK_STR(ask("Z0,200000,1"), "E14"); /* the backend refuses */
    CHECK_STR(ask("Z1,100123,1"), "");    /* hardware: not offered */
    CHECK_STR(ask("Z0,100123"), "E01");
    CHECK_STR(ask("Zq"), "E01");
    CHECK_STR(ask("z0,100123,1"), "OK");
    CHECK_EQ(nbps, 0);
    CHECK_STR(ask("z0,100123,1"), "OK"); /* not there: nothing to do */
    CHECK_EQ(nbps, 0);
}

TEST(gdb_stub,
     "c, s, C and S resume (at a new rip if given); D lifts breakpoints")
{
    setup();
    CHECK_EQ(feed(pkt("c")), GDB_CONTINUE);
    CHECK_STR(sent, "+");
    gdb_stopped(&s, GDB_SIGTRAP);
    CHECK_STR(sent, "+$S05#b8");
    nsent = 0;
    CHECK_EQ(feed(pkt("s100200")), GDB_STEP);
    CHECK_EQ(regs.rip, 0x100200u);
    nsent = 0;
    CHECK_EQ(feed(pkt("cxyz")), GDB_NONE);
    CHECK_STR(sent, "+$E01#a6");
    /* With a signal (gdb passes on a fault's): resumes all the same. */
    nsent = 0;
    CHECK_EQ(feed(pkt("C0b")), GDB_CONTINUE);
    CHECK_STR(sent, "+");
    CHECK_EQ(feed(pkt("S05;100500")), GDB_STEP);
    CHECK_EQ(regs.rip, 0x100500u);
    nsent = 0;
    CHECK_EQ(feed(pkt("C")), GDB_NONE);
    CHECK_STR(sent, "+$E01#a6");
    nsent = 0;
    CHECK_EQ(feed(pkt("C0b;xyz")), GDB_NONE);
    CHECK_STR(sent, "+$E01#a6");
    CHECK_STR(ask("Z0,100300,1"), "OK");
    CHECK_STR(ask("Z0,100400,1"), "OK");
    nsent = 0;
    CHECK_EQ(feed(pkt("D")), GDB_DETACH);
    CHECK_STR(sent, "+$OK#9a");
    CHECK_EQ(nbps, 0);
}

TEST(gdb_stub, "^C interrupts, k kills; bytes after a resume are left unread")
{
    setup();
    uint8_t intr = 0x03;
    size_t used;
    CHECK_EQ(gdb_feed(&s, &intr, 1, &used), GDB_INTERRUPT);
    CHECK_EQ(used, 1u);
    char two[64];
    const char *c = pkt("c");
    size_t first = strlen(c);
    memcpy(two, c, first);
    const char *q = pkt("?");
    CHECK(first + strlen(q) < sizeof two);
    memcpy(two + first, q, strlen(q) + 1);
    CHECK_EQ(gdb_feed(&s, (const uint8_t *)two, strlen(two), &used),
             GDB_CONTINUE);
    CHECK_EQ(used, first);
    CHECK_EQ(feed(pkt("k")), GDB_KILL);
}

TEST(gdb_stub, "random bytes: every one consumed, no crash, still answering")
{
    setup();
    srand(16);
    static uint8_t junk[4096];
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            int r = rand();
            /* Mostly protocol characters, so that packets do form. */
            static const char alpha[] = "$#+-0123456789abcdefgGmMcszZqD?,:";
            junk[i] = (r & 3) ? (uint8_t)alpha[(r >> 2) % (sizeof alpha - 1)]
                              : (uint8_t)(r >> 8);
        }
        size_t off = 0;
        while (off < sizeof junk) {
            size_t used;
            gdb_feed(&s, junk + off, sizeof junk - off, &used);
            CHECK(used > 0 && used <= sizeof junk - off);
            off += used;
            nsent = 0;
        }
    }
    /* Whatever state the junk left, a clean packet is understood again
     * (after at most one '-' for the packet the junk had begun). */
    size_t used;
    gdb_feed(&s, (const uint8_t *)"#00", 3, &used);
    if (used < 3)
        gdb_feed(&s, (const uint8_t *)"#00" + used, 3 - used, &used);
    nsent = 0;
    CHECK_STR(ask("?"), "S05");
}

TEST(gdb_stub, "Z1 and z1 use the backend's hardware slots, apart from Z0")
{
    setup();
    gdb_init(&s, &fake_hw, NULL, out, NULL);
    CHECK_STR(ask("Z1,100123,1"), "OK");
    CHECK_STR(ask("Z0,100123,1"), "OK"); /* same address, other kind */
    CHECK_EQ(nhw, 1);
    CHECK_EQ(nbps, 1);
    CHECK_STR(ask("Z1,100200,1"), "OK");
    CHECK_STR(ask("Z1,100201,1"), "OK");
    CHECK_STR(ask("Z1,100202,1"), "OK");
    CHECK_STR(ask("Z1,100203,1"), "E14"); /* the fifth: no slot left */
    CHECK_STR(ask("Z2,100200,8"), "");    /* watchpoints: not offered */
    CHECK_STR(ask("z1,100123,1"), "OK");
    CHECK_EQ(nhw, 3);
    CHECK_EQ(nbps, 1); /* the software one stays */
    CHECK_EQ(bps[0], 0x100123u);
    CHECK_STR(ask("Z1,100203,1"), "OK"); /* the freed slot is used again */
    nsent = 0;
    CHECK_EQ(feed(pkt("D")), GDB_DETACH);
    CHECK_EQ(nhw, 0);
    CHECK_EQ(nbps, 0);
}

TEST(gdb_stub, "stop replies name a breakpoint only if gdb offered the reason")
{
    setup();
    gdb_init(&s, &fake_hw, NULL, out, NULL);
    nsent = 0;
    gdb_stopped_why(&s, GDB_SIGTRAP, GDB_STOP_SWBREAK);
    CHECK_STR(sent, "$S05#b8"); /* no qSupported yet: plain */
    CHECK_STR(
        ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386"),
        "PacketSize=1000;swbreak+;hwbreak+");
    nsent = 0;
    gdb_stopped_why(&s, GDB_SIGTRAP, GDB_STOP_SWBREAK);
    CHECK_STR(sent, pkt("T05swbreak:;"));
    nsent = 0;
    gdb_stopped_why(&s, GDB_SIGTRAP, GDB_STOP_HWBREAK);
    CHECK_STR(sent, pkt("T05hwbreak:;"));
    /* "swbreak+" must be a whole entry; without a hardware backend no
     * hwbreak either. */
    gdb_init(&s, &fake, NULL, out, NULL);
    CHECK_STR(ask("qSupported:xswbreak+;hwbreak+"), "PacketSize=1000");
    nsent = 0;
    gdb_stopped_why(&s, GDB_SIGTRAP, GDB_STOP_HWBREAK);
    CHECK_STR(sent, "$S05#b8");
}

TEST(gdb_stub, "? repeats the last stop; W and X report the guest's end")
{
    setup();
    CHECK_STR(ask("?"), "S05");
    gdb_stopped(&s, 11); /* a crash: SIGSEGV */
    CHECK_STR(ask("?"), "S0b");
    nsent = 0;
    gdb_exited(&s, 3);
    CHECK_STR(sent, pkt("W03"));
    nsent = 0;
    gdb_terminated(&s, 11);
    CHECK_STR(sent, pkt("X0b"));
}
