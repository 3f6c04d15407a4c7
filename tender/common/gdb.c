/*
 * tender/common/gdb.c - the gdb remote serial protocol (see gdb.h): packet
 * framing and checksums, and the commands, over a backend that reaches
 * the guest's registers and memory.  Nothing here knows KVM or sockets:
 * atoll-hvt feeds it the connection's bytes and gives it a backend on its
 * vCPU (tender/hvt/gdb_kvm.c), and tests/unit/gdb_stub.c a fake one.
 */
#include "gdb.h"

#include <stdio.h>
#include <string.h>

static const char hexd[] = "0123456789abcdef";

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void gdb_init(struct gdb_stub *s, const struct gdb_backend *be, void *ctx,
              int (*out)(void *, const void *, size_t), void *out_ctx)
{
    memset(s, 0, sizeof *s);
    s->be = be;
    s->ctx = ctx;
    s->out = out;
    s->out_ctx = out_ctx;
    s->last_sig = GDB_SIGTRAP;
}

/* Sends `$payload#cc`. */
static void reply_n(struct gdb_stub *s, const char *p, size_t n)
{
    static char buf[2 * GDB_MEM_MAX + 2 * GDB_REGS_BYTES + 8];
    uint8_t sum = 0;
    size_t k = 0;
    buf[k++] = '$';
    for (size_t i = 0; i < n && k < sizeof buf - 3; i++) {
        buf[k++] = p[i];
        sum = (uint8_t)(sum + (uint8_t)p[i]);
    }
    buf[k++] = '#';
    buf[k++] = hexd[sum >> 4];
    buf[k++] = hexd[sum & 15];
    (void)s->out(s->out_ctx, buf, k);
}

static void reply(struct gdb_stub *s, const char *p)
{
    reply_n(s, p, strlen(p));
}

/* A hex number at *p (at least one digit, at most 16), ending at one of
 * `ends` or the end of the payload; *p moves past it. */
static int number(const char **p, const char *end, const char *ends,
                  uint64_t *v)
{
    uint64_t x = 0;
    int digits = 0;
    while (*p < end && !strchr(ends, **p)) {
        int d = hexval(**p);
        if (d < 0 || ++digits > 16)
            return -1;
        x = x << 4 | (uint64_t)d;
        (*p)++;
    }
    if (digits == 0)
        return -1;
    *v = x;
    return 0;
}

static void hex_out(char *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hexd[src[i] >> 4];
        dst[2 * i + 1] = hexd[src[i] & 15];
    }
}

/* n bytes from 2n hex digits; -1 on a bad digit. */
static int hex_in(uint8_t *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(src[2 * i]), lo = hexval(src[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        dst[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* The `g` block: little-endian, in struct gdb_regs order. */
static void regs_pack(const struct gdb_regs *r, uint8_t *b)
{
    size_t k = 0;
    for (int i = 0; i < 16; i++, k += 8)
        for (int j = 0; j < 8; j++)
            b[k + j] = (uint8_t)(r->gpr[i] >> (8 * j));
    for (int j = 0; j < 8; j++)
        b[k + j] = (uint8_t)(r->rip >> (8 * j));
    k += 8;
    const uint32_t seg[7] = {r->eflags, r->cs, r->ss, r->ds,
                             r->es,     r->fs, r->gs};
    for (int i = 0; i < 7; i++, k += 4)
        for (int j = 0; j < 4; j++)
            b[k + j] = (uint8_t)(seg[i] >> (8 * j));
}

static void regs_unpack(const uint8_t *b, struct gdb_regs *r)
{
    size_t k = 0;
    for (int i = 0; i < 16; i++, k += 8) {
        r->gpr[i] = 0;
        for (int j = 0; j < 8; j++)
            r->gpr[i] |= (uint64_t)b[k + j] << (8 * j);
    }
    r->rip = 0;
    for (int j = 0; j < 8; j++)
        r->rip |= (uint64_t)b[k + j] << (8 * j);
    k += 8;
    uint32_t *seg[7] = {&r->eflags, &r->cs, &r->ss, &r->ds,
                        &r->es,     &r->fs, &r->gs};
    for (int i = 0; i < 7; i++, k += 4) {
        *seg[i] = 0;
        for (int j = 0; j < 4; j++)
            *seg[i] |= (uint32_t)b[k + j] << (8 * j);
    }
}

static void cmd_g(struct gdb_stub *s)
{
    struct gdb_regs r;
    uint8_t b[GDB_REGS_BYTES];
    char h[2 * GDB_REGS_BYTES];
    if (s->be->get_regs(s->ctx, &r) < 0) {
        reply(s, "E14");
        return;
    }
    regs_pack(&r, b);
    hex_out(h, b, sizeof b);
    reply_n(s, h, sizeof h);
}

static void cmd_G(struct gdb_stub *s, const char *p, size_t n)
{
    uint8_t b[GDB_REGS_BYTES];
    struct gdb_regs r;
    if (n != 2 * GDB_REGS_BYTES || hex_in(b, p, GDB_REGS_BYTES) < 0) {
        reply(s, "E01");
        return;
    }
    regs_unpack(b, &r);
    reply(s, s->be->set_regs(s->ctx, &r) < 0 ? "E14" : "OK");
}

/* m addr,len and M addr,len:hex */
static void cmd_mem(struct gdb_stub *s, bool write, const char *p,
                    const char *end)
{
    static uint8_t b[GDB_MEM_MAX];
    static char h[2 * GDB_MEM_MAX];
    uint64_t addr, len;
    if (number(&p, end, ",", &addr) < 0 || p == end || *p++ != ',' ||
        number(&p, end, ":", &len) < 0 || len > GDB_MEM_MAX) {
        reply(s, "E01");
        return;
    }
    if (!write) {
        if (p != end) {
            reply(s, "E01");
            return;
        }
        if (s->be->read_mem(s->ctx, addr, b, len) < 0) {
            reply(s, "E14");
            return;
        }
        hex_out(h, b, len);
        reply_n(s, h, 2 * len);
        return;
    }
    if (p == end || *p++ != ':' || (size_t)(end - p) != 2 * len ||
        hex_in(b, p, len) < 0) {
        reply(s, "E01");
        return;
    }
    reply(s, s->be->write_mem(s->ctx, addr, b, len) < 0 ? "E14" : "OK");
}

/* c[addr] and s[addr]: a new rip first, if given. */
static int resume_at(struct gdb_stub *s, const char *p, const char *end)
{
    if (p == end)
        return 0;
    uint64_t addr;
    struct gdb_regs r;
    if (number(&p, end, "", &addr) < 0 || s->be->get_regs(s->ctx, &r) < 0)
        return -1;
    r.rip = addr;
    return s->be->set_regs(s->ctx, &r);
}

static int bp_find(const struct gdb_stub *s, uint64_t addr, bool hw)
{
    for (unsigned i = 0; i < s->nbp; i++)
        if (s->bp[i] == addr && s->bp_hw[i] == hw)
            return (int)i;
    return -1;
}

static int bp_set(struct gdb_stub *s, uint64_t addr, bool hw, bool on)
{
    return hw ? s->be->set_hw_breakpoint(s->ctx, addr, on)
              : s->be->set_breakpoint(s->ctx, addr, on);
}

/* Z0/Z1,addr,kind and z0/z1,addr,kind; other types are not supported. */
static void cmd_bp(struct gdb_stub *s, bool on, const char *p, const char *end)
{
    uint64_t type, addr, kind;
    if (number(&p, end, ",", &type) < 0) {
        reply(s, "E01");
        return;
    }
    bool hw = type == 1;
    if (type > 1 || (hw && s->be->set_hw_breakpoint == NULL)) {
        reply(s, "");
        return;
    }
    if (p == end || *p++ != ',' || number(&p, end, ",", &addr) < 0 ||
        p == end || *p++ != ',' || number(&p, end, ";", &kind) < 0) {
        reply(s, "E01");
        return;
    }
    int i = bp_find(s, addr, hw);
    if (on) {
        if (i >= 0) {
            reply(s, "OK"); /* already there: gdb may insert twice */
            return;
        }
        if (s->nbp == GDB_BP_MAX || bp_set(s, addr, hw, true) < 0) {
            reply(s, "E14");
            return;
        }
        s->bp_hw[s->nbp] = hw;
        s->bp[s->nbp++] = addr;
    } else if (i >= 0) {
        if (bp_set(s, addr, hw, false) < 0) {
            reply(s, "E14");
            return;
        }
        s->nbp--;
        s->bp[i] = s->bp[s->nbp];
        s->bp_hw[i] = s->bp_hw[s->nbp];
    }
    reply(s, "OK");
}

void gdb_clear_breakpoints(struct gdb_stub *s)
{
    while (s->nbp > 0) {
        s->nbp--;
        (void)bp_set(s, s->bp[s->nbp], s->bp_hw[s->nbp], false);
    }
}

void gdb_stopped_why(struct gdb_stub *s, int sig, enum gdb_stop_reason why)
{
    char p[24];
    s->last_sig = sig & 0xff;
    if (why == GDB_STOP_SWBREAK && s->swbreak)
        snprintf(p, sizeof p, "T%02xswbreak:;", sig & 0xff);
    else if (why == GDB_STOP_HWBREAK && s->hwbreak)
        snprintf(p, sizeof p, "T%02xhwbreak:;", sig & 0xff);
    else
        snprintf(p, sizeof p, "S%02x", sig & 0xff);
    reply(s, p);
}

void gdb_stopped(struct gdb_stub *s, int sig)
{
    gdb_stopped_why(s, sig, GDB_STOP_SIGNAL);
}

void gdb_exited(struct gdb_stub *s, int status)
{
    char p[8];
    snprintf(p, sizeof p, "W%02x", status & 0xff);
    reply(s, p);
}

void gdb_terminated(struct gdb_stub *s, int sig)
{
    char p[8];
    snprintf(p, sizeof p, "X%02x", sig & 0xff);
    reply(s, p);
}

/* True when gdb's feature list `p`..`end` (after "qSupported:") holds
 * `what` ("swbreak+") as a whole entry. */
static bool offered(const char *p, const char *end, const char *what)
{
    size_t k = strlen(what);
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *e = semi ? semi : end;
        if ((size_t)(e - p) == k && memcmp(p, what, k) == 0)
            return true;
        p = e + 1;
    }
    return false;
}

/* qSupported[:features]: our packet size, and the stop reasons gdb
 * offered (we may only use those it understands). */
static void cmd_supported(struct gdb_stub *s, const char *p, const char *end)
{
    p += strlen("qSupported");
    if (p < end && *p == ':')
        p++;
    s->swbreak = offered(p, end, "swbreak+");
    s->hwbreak = offered(p, end, "hwbreak+") && s->be->set_hw_breakpoint;
    char r[64];
    snprintf(r, sizeof r, "PacketSize=1000%s%s", s->swbreak ? ";swbreak+" : "",
             s->hwbreak ? ";hwbreak+" : "");
    reply(s, r);
}

static bool prefix(const char *p, size_t n, const char *what)
{
    size_t k = strlen(what);
    return n >= k && memcmp(p, what, k) == 0;
}

/* One packet's payload: answers it, returns what the guest does next. */
static enum gdb_action command(struct gdb_stub *s, const char *p, size_t n)
{
    const char *end = p + n;
    if (n == 0) {
        reply(s, "");
        return GDB_NONE;
    }
    switch (p[0]) {
    case '?':
        gdb_stopped(s, s->last_sig);
        return GDB_NONE;
    case 'g':
        cmd_g(s);
        return GDB_NONE;
    case 'G':
        cmd_G(s, p + 1, n - 1);
        return GDB_NONE;
    case 'm':
    case 'M':
        cmd_mem(s, p[0] == 'M', p + 1, end);
        return GDB_NONE;
    case 'c':
    case 's':
        if (resume_at(s, p + 1, end) < 0) {
            reply(s, "E01");
            return GDB_NONE;
        }
        return p[0] == 'c' ? GDB_CONTINUE : GDB_STEP;
    case 'C':
    case 'S': {
        /* Csig[;addr]: gdb passes on the signal the guest stopped with
         * (after a fault, the one a process would die of).  A guest has
         * no signals to deliver, so it is a plain continue or step; the
         * tender ends a crashed guest with that signal (gdb.h). */
        const char *q = p + 1;
        while (q < end && *q != ';')
            q++;
        if (q == p + 1 || resume_at(s, q < end ? q + 1 : q, end) < 0) {
            reply(s, "E01");
            return GDB_NONE;
        }
        return p[0] == 'C' ? GDB_CONTINUE : GDB_STEP;
    }
    case 'Z':
    case 'z':
        cmd_bp(s, p[0] == 'Z', p + 1, end);
        return GDB_NONE;
    case 'H':
        reply(s, "OK"); /* one thread: any thread is it */
        return GDB_NONE;
    case 'D':
        gdb_clear_breakpoints(s);
        reply(s, "OK");
        return GDB_DETACH;
    case 'k':
        gdb_clear_breakpoints(s);
        return GDB_KILL;
    case 'q':
        if (prefix(p, n, "qSupported"))
            cmd_supported(s, p, end);
        else if (prefix(p, n, "qAttached"))
            reply(s, "1");
        else
            reply(s, "");
        return GDB_NONE;
    default:
        reply(s, "");
        return GDB_NONE;
    }
}

enum gdb_action gdb_feed(struct gdb_stub *s, const uint8_t *buf, size_t len,
                         size_t *used)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        switch (s->state) {
        case GDB_IDLE:
            if (c == '$') {
                s->state = GDB_DATA;
                s->len = 0;
                s->sum = 0;
                s->overflow = false;
            } else if (c == 0x03) {
                *used = i + 1;
                return GDB_INTERRUPT;
            }
            /* '+', '-' and noise between packets: nothing to do (we
             * never resend: a lost answer makes gdb ask again). */
            break;
        case GDB_DATA:
            if (c == '#') {
                s->state = GDB_SUM1;
            } else if (c == '$') {
                /* A new packet inside one: the first was cut short. */
                s->bad_packets++;
                s->len = 0;
                s->sum = 0;
                s->overflow = false;
            } else {
                s->sum = (uint8_t)(s->sum + c);
                if (s->len < GDB_PACKET_MAX)
                    s->pkt[s->len++] = (char)c;
                else
                    s->overflow = true;
            }
            break;
        case GDB_SUM1:
        case GDB_SUM2: {
            int d = hexval((char)c);
            if (s->state == GDB_SUM1) {
                s->want = (uint8_t)((d < 0 ? 0 : d) << 4);
                s->overflow |= d < 0;
                s->state = GDB_SUM2;
                break;
            }
            s->state = GDB_IDLE;
            s->want |= (uint8_t)(d < 0 ? 0 : d);
            if (d < 0 || s->overflow || s->want != s->sum) {
                s->bad_packets++;
                (void)s->out(s->out_ctx, "-", 1);
                break;
            }
            s->packets++;
            (void)s->out(s->out_ctx, "+", 1);
            s->pkt[s->len] = '\0';
            enum gdb_action a = command(s, s->pkt, s->len);
            if (a != GDB_NONE) {
                *used = i + 1;
                return a;
            }
            break;
        }
        }
    }
    *used = len;
    return GDB_NONE;
}
