/*
 * tests/sim/store_memfail.c - the versioned store under injected memory
 * failure (tests/sim/memfail.h): a scripted workload of commits, a
 * branch, a batch, a merge, a remove and a revert on a simulated disk
 * runs with the Nth allocation failing, for every N.  Every step must
 * succeed or fail with -ATOLL_ENOMEM; afterwards (injection off) the
 * disk is reopened and must hold exactly what the acknowledged steps
 * made - computed by replaying only those steps on a second disk - so
 * nothing acknowledged is lost and nothing refused was half done; and
 * the run leaks nothing.  The block backend runs with a small object
 * cache (lib/store/objcache.c), evicting as it goes.  The same for the memory
 * backend (without the reopen).
 */
#include "atoll/sim.h"
#include "memfail.h"
#include "store_util.h"

#define SECTORS 512
#define STEPS   10

struct run {
    bool block; /* block backend (else memory) */
    struct atoll_block *disk, *ref;
    bool acked[STEPS];
    int done; /* steps attempted */
};

static struct run the_run;

static int open_block(struct atoll_block *b, struct atoll_store **s)
{
    struct atoll_store_backend *be;
    int rc = atoll_store_block_backend(b, 0, &be, NULL, 0);
    return rc < 0 ? rc : open_on(be, NULL, s);
}

static int open_mem(struct atoll_store **s)
{
    struct atoll_store_backend *be;
    int rc = atoll_store_mem_backend(&be);
    return rc < 0 ? rc : open_on(be, NULL, s);
}

/* Step i of the workload. */
static int step(struct atoll_store *s, int i)
{
    static char big[3000];
    memset(big, 'B', sizeof big);
    char k[32], v[32];
    snprintf(k, sizeof k, "notes/n%d", i % 4);
    snprintf(v, sizeof v, "value %d", i);
    switch (i) {
    case 2:
        return atoll_store_branch_create(s, "dev", "main");
    case 3:
        return atoll_store_set(s, "dev", "big", big, sizeof big, NULL, NULL);
    case 5: {
        struct atoll_store_batch *bt;
        int rc = atoll_store_batch_begin(s, "main", &bt);
        if (rc < 0)
            return rc;
        for (int j = 0; rc == 0 && j < 12; j++) {
            snprintf(k, sizeof k, "batch/%d", j);
            rc = atoll_store_batch_set(bt, k, v, strlen(v));
        }
        if (rc == 0)
            return atoll_store_batch_commit(bt, "batch", NULL);
        atoll_store_batch_abort(bt);
        return rc;
    }
    case 7:
        return atoll_store_merge(s, "main", "dev", atoll_store_merge_lww, NULL,
                                 NULL, NULL, NULL, 0);
    case 8:
        return atoll_store_remove(s, "main", "notes/n1", NULL, NULL);
    case 9:
        return atoll_store_revert(s, "dev", "main", NULL, NULL);
    default:
        return atoll_store_set(s, i == 6 ? "dev" : "main", k, v, strlen(v),
                               NULL, NULL);
    }
}

static void setup(void *arg)
{
    struct run *r = arg;
    memset(r->acked, 0, sizeof r->acked);
    r->done = 0;
    if (!r->block)
        return;
    struct atoll_sim_disk_opts o = {.sectors = SECTORS};
    if (atoll_sim_disk_create("d", &o, NULL, 0) < 0 ||
        atoll_sim_disk_create("ref", &o, NULL, 0) < 0 ||
        atoll_block_open_default("d", &r->disk) < 0 ||
        atoll_block_open_default("ref", &r->ref) < 0)
        exit(3);
}

static int scenario(void *arg, bool sticky)
{
    struct run *r = arg;
    struct atoll_store *s;
    int rc = r->block ? open_block(r->disk, &s) : open_mem(&s);
    if (rc < 0)
        return rc == -ATOLL_ENOMEM ? 0 : rc;
    /* A small object cache, so that filling and evicting it meet the
     * failures too. */
    if (r->block && atoll_store_block_cache(atoll_store_backend_of(s), 4096))
        return -1;
    for (int i = 0; i < STEPS; i++) {
        rc = step(s, i);
        r->done++;
        if (rc == 0) {
            r->acked[i] = true;
        } else if (rc != -ATOLL_ENOMEM &&
                   !(rc == -ATOLL_ENOENT && (i == 2 || i == 3 || i == 6 ||
                                             i == 7 || i == 8 || i == 9))) {
            /* ENOENT only where an earlier refused step left nothing
             * for this one (no main to branch from, no dev to set). */
            printf("       step %d: %s\n", i, atoll_strerror(rc));
            atoll_store_close(s);
            return -1;
        }
    }
    atoll_store_close(s);
    return 0;
}

static int state_of(struct atoll_block *b, struct state *st)
{
    struct atoll_store *s;
    st->text[0] = 0;
    int rc = open_block(b, &s);
    if (rc < 0)
        return rc;
    rc = snapshot(s, st, true);
    atoll_store_close(s);
    return rc;
}

/* The reopened disk equals the acknowledged steps replayed on a fresh
 * one. */
static int check(void *arg)
{
    struct run *r = arg;
    if (!r->block)
        return 0;
    struct atoll_store *s;
    if (open_block(r->ref, &s) < 0)
        return -1;
    for (int i = 0; i < r->done; i++)
        if (r->acked[i] && step(s, i) != 0) {
            atoll_store_close(s);
            return -1;
        }
    atoll_store_close(s);
    struct state got, want;
    int rc = state_of(r->disk, &got);
    if (rc < 0) {
        printf("       reopening: %s\n", atoll_strerror(rc));
        return -1;
    }
    if (state_of(r->ref, &want) < 0 || strcmp(got.text, want.text) != 0) {
        printf("       after the run: %s\n       acknowledged: %s\n", got.text,
               want.text);
        return -1;
    }
    return 0;
}

TEST(store_memfail, "block backend: every failing allocation, once and sticky")
{
    the_run.block = true;
    struct memfail m = {setup, scenario, check, &the_run, 0, 20000};
    CHECK(memfail_loop(&m) > 100);
}

TEST(store_memfail, "memory backend: every failing allocation, once and "
                    "sticky")
{
    the_run.block = false;
    struct memfail m = {setup, scenario, check, &the_run, 0, 20000};
    CHECK(memfail_loop(&m) > 100);
}
