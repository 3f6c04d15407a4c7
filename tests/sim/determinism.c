/*
 * tests/sim/determinism.c - the sim target's central promise: the same
 * seed gives the same run, byte for byte.
 *
 * A scripted exchange (a pinger and an echoing ponger over a lossy,
 * reordering, corrupting, jittery wire, with payloads from the random
 * device) runs in a fresh child process per run and writes a pcap and the
 * trace JSON.  Two runs with one seed must produce identical files;
 * another seed a different capture.  The capture must open in tshark with
 * one packet per frame put on the wire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/sim.h"
#include "platform.h"

#define PINGS 200

struct script {
    struct atoll_netif *a, *b;
    int replies;
};

static int ponger(void *arg)
{
    struct script *s = arg;
    struct atoll_buf *fr[8];
    for (;;) {
        int n = atoll_netif_recv(s->b, fr, 8, atoll_after(ATOLL_MS(50)));
        if (n == -ATOLL_ETIMEDOUT)
            return 0;
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++) {
            /* Echo with the addresses swapped. */
            uint8_t tmp[6];
            memcpy(tmp, fr[i]->data, 6);
            memcpy(fr[i]->data, fr[i]->data + 6, 6);
            memcpy(fr[i]->data + 6, tmp, 6);
            atoll_netif_send(s->b, &fr[i], 1);
            atoll_buf_free(fr[i]);
        }
    }
}

static int pinger(void *arg)
{
    struct script *s = arg;
    struct atoll_netif_info ia;
    atoll_netif_info(s->a, &ia);
    for (int i = 0; i < PINGS; i++) {
        struct atoll_buf *b = atoll_buf_alloc(ATOLL_BUF_HEADROOM, 100);
        uint8_t *p = atoll_buf_put(b, 60 + (size_t)(i % 40));
        memset(p, 0xff, 6);
        memcpy(p + 6, ia.mac, 6);
        p[12] = 0x88, p[13] = 0xb5;
        atoll_random_fill(atoll_random_platform(), p + 14, b->len - 14,
                          ATOLL_NEVER);
        atoll_netif_send(s->a, &b, 1);
        atoll_buf_free(b);
        struct atoll_buf *fr[8];
        int n = atoll_netif_recv(s->a, fr, 8, atoll_after(ATOLL_MS(5)));
        for (int k = 0; k < n; k++) {
            s->replies++;
            atoll_buf_free(fr[k]);
        }
        atoll_trace_counter("replies", s->replies);
    }
    return 0;
}

static int script_main(void *arg)
{
    struct script *s = arg;
    if (atoll_netif_open_default("a", &s->a) < 0 ||
        atoll_netif_open_default("b", &s->b) < 0)
        return 1;
    atoll_fiber *p, *q;
    if (atoll_fiber_spawn(&q, "ponger", ponger, s, 0) < 0 ||
        atoll_fiber_spawn(&p, "pinger", pinger, s, 0) < 0)
        return 2;
    int r1 = -1, r2 = -1;
    atoll_fiber_join(p, ATOLL_NEVER, &r1);
    atoll_fiber_join(q, ATOLL_NEVER, &r2);
    return r1 == 0 && r2 == 0 && s->replies > 0 ? 0 : 3;
}

/* Run the script with `seed`, writing DIR/NAME.pcap and DIR/NAME.json;
 * returns the number of frames put on the wire (via the exit status's
 * companion file) or fails the test. */
static void run_child(const char *dir, const char *name, uint64_t seed)
{
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char opts[512], path[400], err[256] = "";
        atoll_sim_seed(seed);
        snprintf(opts, sizeof opts,
                 "loss=0.2,dup=0.1,reorder=0.1,corrupt=0.05,delay=1ms,"
                 "jitter=500us,bw=100M,pcap=%s/%s.pcap",
                 dir, name);
        if (plat_option("wire:lan", opts, err, sizeof err) < 0 ||
            plat_net_attach("a", "lan", err, sizeof err) < 0 ||
            plat_net_attach("b", "lan", err, sizeof err) < 0) {
            fprintf(stderr, "setup: %s\n", err);
            harness_exit(10);
        }
        struct script s = {0};
        int rc = atoll_test_run(0, script_main, &s);
        if (rc != 0)
            harness_exit(20 + (rc & 15));
        snprintf(path, sizeof path, "%s/%s.json", dir, name);
        if (plat_trace_write(path, 0) < 0)
            harness_exit(30);
        struct atoll_sim_wire_stats st;
        atoll_sim_wire_stats("lan", &st);
        snprintf(path, sizeof path, "%s/%s.sent", dir, name);
        FILE *f = fopen(path, "w");
        fprintf(f, "%llu\n", (unsigned long long)st.sent);
        fclose(f);
        fflush(NULL);
        harness_exit(0);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        harness_fail(__FILE__, __LINE__, "run %s: status %#x", name, status);
}

static char *slurp(const char *dir, const char *name, const char *ext,
                   size_t *len)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "rb");
    if (!f)
        harness_fail(__FILE__, __LINE__, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    CHECK(fread(p, 1, (size_t)n, f) == (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void cleanup(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

TEST(determinism, "same seed: byte-identical pcap and trace; other seed not")
{
    char dir[] = "/tmp/atoll-det-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    run_child(dir, "one", 7);
    run_child(dir, "two", 7);
    run_child(dir, "other", 8);
    size_t l1, l2, l3, j1, j2;
    char *p1 = slurp(dir, "one", "pcap", &l1);
    char *p2 = slurp(dir, "two", "pcap", &l2);
    char *p3 = slurp(dir, "other", "pcap", &l3);
    char *t1 = slurp(dir, "one", "json", &j1);
    char *t2 = slurp(dir, "two", "json", &j2);
    cleanup(dir);
    CHECK(l1 > 24 + 16 * PINGS);
    CHECK_EQ(l1, l2);
    CHECK_MEM(p1, p2, l1);
    CHECK(j1 > 100);
    CHECK(strstr(t1, "pinger") != NULL);
    CHECK_EQ(j1, j2);
    CHECK_MEM(t1, t2, j1);
    CHECK(l1 != l3 || memcmp(p1, p3, l1) != 0);
}

TEST(determinism, "the capture opens in tshark with one packet per frame")
{
    char dir[] = "/tmp/atoll-pcap-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    run_child(dir, "cap", 3);
    size_t n;
    char *sent = slurp(dir, "cap", "sent", &n);
    long want = atol(sent);
    char cmd[400];
    snprintf(cmd, sizeof cmd,
             "tshark -r '%s/cap.pcap' 2>/dev/null | wc -l; "
             "tshark -r '%s/cap.pcap' -T fields -e eth.type 2>/dev/null | "
             "sort -u",
             dir, dir);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    long got = -1;
    char type[64] = "";
    CHECK(fscanf(p, "%ld %63s", &got, type) == 2);
    int st = pclose(p);
    cleanup(dir);
    CHECK_EQ(st, 0);
    /* Each ping and each echo put on the wire is one record. */
    CHECK(want > PINGS);
    CHECK_EQ(got, want);
    CHECK_STR(type, "0x88b5");
}
