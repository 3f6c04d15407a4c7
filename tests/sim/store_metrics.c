/*
 * tests/sim/store_metrics.c - the store's counters (atoll_store_stats) and
 * their Prometheus metrics: on a simulated disk, each set, get and branch
 * moves exactly the counters it should - objects and bytes written and
 * read, durable commits, two device flushes per commit, cache hits on a
 * warm read and misses on a cold one - and the metrics text of a store
 * carries the same numbers (a store left out of struct atoll_metrics has
 * no atoll_store_* lines).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/metrics.h"
#include "atoll/sim.h"
#include "atoll/store.h"
#include "store_util.h"

#define MEM     (64u << 20)
#define SECTORS 4096 /* 2 MiB */

static struct atoll_block *disk;

static struct atoll_store *open_store(void)
{
    struct atoll_store_backend *be;
    struct atoll_store *s;
    CHECK_EQ(atoll_store_block_backend(disk, 0, &be, NULL, 0), 0);
    CHECK_EQ(open_on(be, NULL, &s), 0);
    return s;
}

/* The value of series `name` (with its labels, as written) in the
 * metrics text, or -1 when it is not there. */
static long long series(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (!strncmp(p, name, n) && p[n] == ' ')
            return strtoll(p + n + 1, NULL, 10);
    return -1;
}

static char text[16384];

static void scrape(struct atoll_store *s)
{
    struct atoll_metrics m = {.store = s};
    CHECK(atoll_metrics_format(&m, text, sizeof text) > 0);
}

static int counters(void *arg)
{
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    CHECK_EQ(atoll_sim_disk_create("d", &o, NULL, 0), 0);
    CHECK_EQ(atoll_block_open_default("d", &disk), 0);
    struct atoll_store *s = open_store();
    struct atoll_store_stats a, b;
    atoll_store_stats(s, &a);
    CHECK_EQ(a.objects_written, 0u);
    CHECK_EQ(a.commits, 0u);
    CHECK_EQ(a.flushes, 0u);

    /* A first set: blob, two trees (root, "dir"), commit; one durable
     * transaction of two flushes (log, then superblock). */
    CHECK_EQ(atoll_store_set(s, "main", "dir/k", "value", 5, NULL, NULL), 0);
    atoll_store_stats(s, &b);
    CHECK_EQ(b.objects_written, 4u);
    CHECK(b.bytes_written > 5 + 4 * 6); /* each with its git header */
    CHECK_EQ(b.commits, 1u);
    CHECK_EQ(b.flushes, 2u);

    /* A get of the new commit: commit, root, folder, blob, all from the
     * cache (filled when the commit became durable). */
    a = b;
    void *v;
    size_t n;
    CHECK_EQ(atoll_store_get(s, "main", "dir/k", &v, &n), 0);
    atoll_free(v);
    atoll_store_stats(s, &b);
    CHECK_EQ(b.objects_read, a.objects_read + 4);
    CHECK(b.bytes_read > a.bytes_read + 5);
    CHECK_EQ(b.cache_hits, a.cache_hits + 4);
    CHECK_EQ(b.cache_misses, a.cache_misses);
    CHECK_EQ(b.objects_written, a.objects_written);
    CHECK_EQ(b.commits, a.commits);

    /* A branch is a durable transaction without objects. */
    a = b;
    CHECK_EQ(atoll_store_branch_create(s, "dev", "main"), 0);
    atoll_store_stats(s, &b);
    CHECK_EQ(b.commits, a.commits + 1);
    CHECK_EQ(b.flushes, a.flushes + 2);
    CHECK_EQ(b.objects_written, a.objects_written);

    /* The metrics text says the same. */
    scrape(s);
    CHECK_EQ(series(text, "atoll_store_objects_total{op=\"write\"}"),
             (long long)b.objects_written);
    CHECK_EQ(series(text, "atoll_store_objects_total{op=\"read\"}"),
             (long long)b.objects_read);
    CHECK_EQ(series(text, "atoll_store_bytes_total{op=\"write\"}"),
             (long long)b.bytes_written);
    CHECK_EQ(series(text, "atoll_store_commits_total"), 2);
    CHECK_EQ(series(text, "atoll_store_flushes_total"), 4);
    CHECK_EQ(series(text, "atoll_store_cache_total{result=\"hit\"}"),
             (long long)b.cache_hits);
    CHECK(strstr(text, "# TYPE atoll_store_commits_total counter\n"));
    long long w0 = series(text, "atoll_store_objects_total{op=\"write\"}");
    CHECK_EQ(atoll_store_set(s, "main", "k2", "x", 1, NULL, NULL), 0);
    scrape(s);
    CHECK(series(text, "atoll_store_objects_total{op=\"write\"}") > w0);
    CHECK_EQ(series(text, "atoll_store_commits_total"), 3);
    atoll_store_close(s);

    /* Reopened cold: the counters start again, and the first reads miss
     * the (empty) cache. */
    s = open_store();
    atoll_store_stats(s, &a);
    CHECK_EQ(a.objects_read, 0u);
    CHECK_EQ(a.commits, 0u);
    CHECK_EQ(atoll_store_get(s, "main", "dir/k", &v, &n), 0);
    atoll_free(v);
    atoll_store_stats(s, &b);
    CHECK_EQ(b.cache_misses, a.cache_misses + 4);
    CHECK_EQ(b.objects_read, 4u);

    /* No store given: no store metrics. */
    struct atoll_metrics none = {0};
    CHECK(atoll_metrics_format(&none, text, sizeof text) > 0);
    CHECK(!strstr(text, "atoll_store_"));
    atoll_store_close(s);
    return 0;
}

TEST(store_metrics, "set, get and branch move exactly their counters")
{
    CHECK_EQ(atoll_test_run(MEM, counters, NULL), 0);
}

static int on_memory(void *arg)
{
    struct atoll_store_backend *be;
    struct atoll_store *s;
    CHECK_EQ(atoll_store_mem_backend(&be), 0);
    CHECK_EQ(open_on(be, NULL, &s), 0);
    CHECK_EQ(atoll_store_set(s, "main", "k", "v", 1, NULL, NULL), 0);
    struct atoll_store_stats st;
    atoll_store_stats(s, &st);
    /* blob, root tree, commit; no cache and no device on this backend. */
    CHECK_EQ(st.objects_written, 3u);
    CHECK_EQ(st.commits, 1u);
    CHECK_EQ(st.flushes, 0u);
    CHECK_EQ(st.cache_hits + st.cache_misses, 0u);
    atoll_store_close(s);
    return 0;
}

TEST(store_metrics, "a memory backend counts objects and commits, no flushes")
{
    CHECK_EQ(atoll_test_run(MEM, on_memory, NULL), 0);
}
