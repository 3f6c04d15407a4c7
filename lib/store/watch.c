/*
 * lib/store/watch.c - watches: a fiber waits until a branch (or one key
 * on it) changes.
 *
 * Every ref change made through a store calls its on_change hook; the
 * first watch installs a hook that broadcasts the store's event, and each
 * woken watcher re-checks its own condition (so one event serves any
 * number of watchers of any keys).  Kept in its own file because it is
 * the only part of the store that needs the scheduler: the host tool
 * links the rest without it.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "store_int.h"

static void broadcast(struct atoll_store *s)
{
    atoll_event_broadcast(&s->changed);
}

/* The key's blob at commit c (present false if absent or no commit). */
static int key_state(struct atoll_store *s, const atoll_store_id *c, bool have,
                     const char *key, atoll_store_id *blob, bool *present)
{
    *present = false;
    if (!have)
        return 0;
    atoll_store_id tree;
    int rc = store_commit_tree(s, c, &tree);
    if (rc < 0)
        return rc;
    rc = store_key_blob(s, &tree, key, blob);
    *present = rc == 0;
    return rc == -ATOLL_ENOENT ? 0 : rc;
}

int atoll_store_watch(struct atoll_store *s, const char *branch,
                      const char *key, const atoll_store_id *since,
                      atoll_store_id *now, atoll_time_t deadline)
{
    s->on_change = broadcast;
    atoll_store_id base, kb = {{0}};
    bool have_base, kpresent = false;
    if (since) {
        base = *since;
        have_base = true;
    } else {
        have_base = atoll_store_head(s, branch, &base) == 0;
    }
    if (key) {
        int rc = key_state(s, &base, have_base, key, &kb, &kpresent);
        if (rc < 0)
            return rc;
    }
    for (;;) {
        atoll_store_id cur;
        bool have = atoll_store_head(s, branch, &cur) == 0;
        bool moved =
            have != have_base || (have && memcmp(cur.b, base.b, sizeof cur.b));
        if (moved && key) {
            atoll_store_id b;
            bool p;
            int rc = key_state(s, &cur, have, key, &b, &p);
            if (rc < 0)
                return rc;
            moved = p != kpresent || (p && memcmp(b.b, kb.b, sizeof b.b));
        }
        if (moved) {
            if (now)
                *now = cur;
            return 0;
        }
        int rc = atoll_event_wait(&s->changed, deadline);
        if (rc < 0)
            return rc;
    }
}
