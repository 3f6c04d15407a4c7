/*
 * tests/unit/kv_ro_baked.c - the baked read-only key-value store
 * (lib/store/baked.c) over hand-written tables like the ones `atoll build`
 * generates, and the rules shared by every kv_ro store (lib/store/kv_ro.c):
 * well-formed keys, the key order that keeps a directory's entries
 * together, lookups of implicit directories, listings, partial reads, and
 * the refusal of tables the tool would never write.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/kv_ro.h"
#include "atoll/sha256.h"

TEST(kv_ro, "well-formed keys")
{
    CHECK_EQ(atoll_kv_ro_check_key("a", false), 0);
    CHECK_EQ(atoll_kv_ro_check_key("a/b.c/d", false), 0);
    CHECK_EQ(atoll_kv_ro_check_key(".hidden/x", false), 0);
    CHECK_EQ(atoll_kv_ro_check_key("", true), 0);
    CHECK_EQ(atoll_kv_ro_check_key("", false), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_check_key("/a", false), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_check_key("a/", false), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_check_key("a//b", false), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_check_key("a/./b", false), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_check_key("a/..", false), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_check_key(NULL, true), -ATOLL_EINVAL);
    char big[ATOLL_KV_RO_KEY_MAX + 2];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK_EQ(atoll_kv_ro_check_key(big, false), -ATOLL_EINVAL);
    big[ATOLL_KV_RO_KEY_MAX] = 0;
    CHECK_EQ(atoll_kv_ro_check_key(big, false), 0);
}

TEST(kv_ro, "key order: '/' sorts first, so a directory's entries follow it")
{
    CHECK(atoll_kv_ro_cmp("a", "a/x") < 0);
    CHECK(atoll_kv_ro_cmp("a/x", "a-b") < 0);
    CHECK(atoll_kv_ro_cmp("a/z", "a.txt") < 0);
    CHECK(atoll_kv_ro_cmp("a-b", "a.txt") < 0);
    CHECK(atoll_kv_ro_cmp("b", "a/x") > 0);
    CHECK_EQ(atoll_kv_ro_cmp("same", "same"), 0);
    CHECK(atoll_kv_ro_cmp("\xff", "a") > 0); /* bytes compare unsigned */
}

static const uint8_t hello[] = "hello, world";
static const uint8_t nuls[] = {0, 1, 0, 2, 0};

/* Sorted as `atoll build` writes it; directory a/b is implied by
 * a/b/c.txt, "hole" is an empty directory. */
static struct atoll_kv_ro_file table[] = {
    {"a", NULL, 0, true, {0}},     {"a/b/c.txt", hello, 12, false, {0}},
    {"a-z", hello, 5, false, {0}}, {"empty", NULL, 0, false, {0}},
    {"hole", NULL, 0, true, {0}},  {"nuls", nuls, 5, false, {0}},
};

static const struct atoll_kv_ro_files files = {"t", table, 6};

struct listing {
    char text[256];
};

static int collect(void *arg, const char *name, enum atoll_kv_ro_kind kind)
{
    struct listing *l = arg;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s%s%s", n ? " " : "", name,
             kind == ATOLL_KV_RO_DIR ? "/" : "");
    return 0;
}

static int stop_at_second(void *arg, const char *name,
                          enum atoll_kv_ro_kind kind)
{
    int *n = arg;
    return ++*n == 2 ? 42 : 0;
}

static int baked_job(void *arg)
{
    for (size_t i = 0; i < 6; i++)
        atoll_sha256(table[i].data ? table[i].data : (const uint8_t *)"",
                     table[i].size, table[i].digest);
    struct atoll_kv_ro *kv;
    CHECK_EQ(atoll_kv_ro_open_baked("t", &files, &kv), 0);

    char buf[32];
    CHECK_EQ(atoll_kv_ro_get(kv, "a/b/c.txt", 0, buf, sizeof buf), 12);
    CHECK_MEM(buf, "hello, world", 12);
    CHECK_EQ(atoll_kv_ro_get(kv, "a/b/c.txt", 7, buf, 3), 3);
    CHECK_MEM(buf, "wor", 3);
    CHECK_EQ(atoll_kv_ro_get(kv, "a-z", 0, buf, sizeof buf), 5);
    CHECK_EQ(atoll_kv_ro_get(kv, "empty", 0, buf, sizeof buf), 0);
    CHECK_EQ(atoll_kv_ro_get(kv, "nuls", 1, buf, sizeof buf), 4);
    CHECK_MEM(buf, nuls + 1, 4);
    /* map: the image's own bytes, no copy; errors as get's */
    const void *p;
    size_t mlen;
    CHECK_EQ(atoll_kv_ro_map(kv, "a/b/c.txt", 7, &p, &mlen), 0);
    CHECK(p == hello + 7);
    CHECK_EQ(mlen, 5);
    CHECK_EQ(atoll_kv_ro_map(kv, "a/b/c.txt", 12, &p, &mlen), 0);
    CHECK_EQ(mlen, 0);
    CHECK_EQ(atoll_kv_ro_map(kv, "a/b/c.txt", 100, &p, &mlen), 0);
    CHECK_EQ(mlen, 0);
    CHECK_EQ(atoll_kv_ro_map(kv, "missing", 0, &p, &mlen), -ATOLL_ENOENT);
    CHECK_EQ(atoll_kv_ro_map(kv, "a", 0, &p, &mlen), -ATOLL_EINVAL);

    void *v;
    size_t len;
    CHECK_EQ(atoll_kv_ro_read_all(kv, "nuls", &v, &len), 0);
    CHECK_EQ(len, 5);
    CHECK_MEM(v, nuls, 5);
    atoll_free(v);

    uint64_t size;
    CHECK_EQ(atoll_kv_ro_size(kv, "a/b/c.txt", &size), 0);
    CHECK_EQ(size, 12);
    CHECK_EQ(atoll_kv_ro_size(kv, "a/b", &size), -ATOLL_EINVAL); /* dir */
    CHECK_EQ(atoll_kv_ro_size(kv, "a/b/c", &size), -ATOLL_ENOENT);
    CHECK_EQ(atoll_kv_ro_size(kv, "a/b/c.txt/x", &size), -ATOLL_ENOENT);
    CHECK_EQ(atoll_kv_ro_size(kv, "zzz", &size), -ATOLL_ENOENT);

    uint8_t d[32], want[32];
    CHECK_EQ(atoll_kv_ro_digest(kv, "a-z", d), 0);
    atoll_sha256("hello", 5, want);
    CHECK_MEM(d, want, 32);
    CHECK_EQ(atoll_kv_ro_digest(kv, "hole", d), -ATOLL_EINVAL);

    struct listing l = {{0}};
    CHECK_EQ(atoll_kv_ro_list(kv, "", collect, &l), 5);
    CHECK_STR(l.text, "a/ a-z empty hole/ nuls");
    memset(&l, 0, sizeof l);
    CHECK_EQ(atoll_kv_ro_list(kv, "a", collect, &l), 1);
    CHECK_STR(l.text, "b/"); /* implied by a/b/c.txt */
    memset(&l, 0, sizeof l);
    CHECK_EQ(atoll_kv_ro_list(kv, "a/b", collect, &l), 1);
    CHECK_STR(l.text, "c.txt");
    CHECK_EQ(atoll_kv_ro_list(kv, "hole", collect, &l), 0);
    CHECK_EQ(atoll_kv_ro_list(kv, "nuls", collect, &l), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_list(kv, "nope", collect, &l), -ATOLL_ENOENT);
    CHECK_EQ(atoll_kv_ro_list(kv, "a/", collect, &l), -ATOLL_EINVAL);
    int n = 0;
    CHECK_EQ(atoll_kv_ro_list(kv, "", stop_at_second, &n), 42);
    CHECK_EQ(n, 2);
    atoll_kv_ro_close(kv);
    return 0;
}

TEST(kv_ro, "baked: get, size, digest and list over a generated table")
{
    CHECK_EQ(atoll_test_run(0, baked_job, NULL), 0);
}

static int bad_tables_job(void *arg)
{
    struct atoll_kv_ro *kv;
    struct atoll_kv_ro_file unsorted[] = {{"b", hello, 1, false, {0}},
                                          {"a", hello, 1, false, {0}}};
    struct atoll_kv_ro_files t = {"t", unsorted, 2};
    CHECK_EQ(atoll_kv_ro_open_baked("t", &t, &kv), -ATOLL_EINVAL);
    struct atoll_kv_ro_file badkey[] = {{"/etc", hello, 1, false, {0}}};
    t = (struct atoll_kv_ro_files){"t", badkey, 1};
    CHECK_EQ(atoll_kv_ro_open_baked("t", &t, &kv), -ATOLL_EINVAL);
    struct atoll_kv_ro_file both[] = {{"a", hello, 1, false, {0}},
                                      {"a/b", hello, 1, false, {0}}};
    t = (struct atoll_kv_ro_files){"t", both, 2};
    CHECK_EQ(atoll_kv_ro_open_baked("t", &t, &kv), -ATOLL_EINVAL);
    struct atoll_kv_ro_file nodata[] = {{"a", NULL, 3, false, {0}}};
    t = (struct atoll_kv_ro_files){"t", nodata, 1};
    CHECK_EQ(atoll_kv_ro_open_baked("t", &t, &kv), -ATOLL_EINVAL);
    /* An empty folder is a valid, empty store. */
    t = (struct atoll_kv_ro_files){"t", NULL, 0};
    CHECK_EQ(atoll_kv_ro_open_baked("t", &t, &kv), 0);
    struct listing l = {{0}};
    CHECK_EQ(atoll_kv_ro_list(kv, "", collect, &l), 0);
    uint64_t size;
    CHECK_EQ(atoll_kv_ro_size(kv, "x", &size), -ATOLL_ENOENT);
    atoll_kv_ro_close(kv);
    return 0;
}

TEST(kv_ro, "baked: tables the tool would not write are refused")
{
    CHECK_EQ(atoll_test_run(0, bad_tables_job, NULL), 0);
}
