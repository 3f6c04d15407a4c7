/*
 * tests/unit/kv_ro_tar.c - the tar read-only key-value store
 * (lib/store/tar.c) on archives made by GNU tar in the test (ustar, gnu and
 * pax formats: prefix fields, long names, binary and empty files, nested
 * and empty directories), on block devices of several sector sizes; and on
 * hostile archives (bad checksums, truncation, huge sizes, unterminated
 * fields, '..' names, random mutations), which must be refused with a
 * clear error and never crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/kv_ro.h"
#include "atoll/sha256.h"

/* ---- a block device over a memory buffer -------------------------------- */

struct memdev {
    struct atoll_block blk;
    uint8_t *data;
    uint64_t sectors;
    uint32_t ssize;
    int fail; /* returned by every read when non-zero */
};

static int md_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct memdev *m = state;
    struct atoll_block_info info = {m->ssize, m->sectors, true, "mem"};
    int rc = atoll_block_check_range(&info, sector, n);
    if (rc < 0)
        return rc;
    if (m->fail)
        return m->fail;
    memcpy(buf, m->data + sector * m->ssize, n * m->ssize);
    return 0;
}

static int md_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    return -ATOLL_EPERM;
}

static int md_flush(void *state)
{
    return 0;
}

static void md_info(void *state, struct atoll_block_info *out)
{
    struct memdev *m = state;
    *out = (struct atoll_block_info){m->ssize, m->sectors, true, "mem"};
}

static const struct atoll_block_ops md_ops = {md_read, md_write, md_flush,
                                              md_info};

/* A device holding `len` bytes of `data`, zero-padded to whole sectors
 * (malloc'd: the device lives for the test). */
static struct memdev *memdev(const void *data, size_t len, uint32_t ssize)
{
    struct memdev *m = calloc(1, sizeof *m);
    m->ssize = ssize;
    m->sectors = (len + ssize - 1) / ssize;
    if (m->sectors == 0)
        m->sectors = 1;
    m->data = calloc(m->sectors, ssize);
    memcpy(m->data, data, len);
    m->blk = (struct atoll_block){&md_ops, m};
    return m;
}

/* ---- archives made by GNU tar ------------------------------------------- */

static char tmpdir[64];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        harness_fail(__FILE__, __LINE__, "command failed: %s", cmd);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* 150 bytes with NULs and every byte value, the content of data/bin. */
static uint8_t binary[300];

#define LONGDIR                                                                \
    "a-directory-with-a-rather-long-name-to-need-the-prefix-field/"            \
    "and-another-one-below-it-also-quite-long"
#define LONGFILE                                                               \
    "file-name-longer-than-one-hundred-bytes-so-that-gnu-tar-must-write-"      \
    "an-L-member-before-it-xxxxxxxxxxxxxxxxxxxxxxxxxxx.txt"

/* Make the test tree and archive it with `tar --format=FORMAT`. */
static uint8_t *make_archive(const char *format, size_t *len)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/atoll-kvro.XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    for (size_t i = 0; i < sizeof binary; i++)
        binary[i] = (uint8_t)(i * 7);
    sh("cd %s && mkdir -p data/dir/sub data/emptydir 'data/" LONGDIR "' && "
       "printf 'hunter2\\n' > data/secret.txt && : > data/empty && "
       "printf 'nested' > data/dir/sub/deep.txt && "
       "printf 'b' > data/dir/b && printf 'long' > 'data/" LONGDIR "/x.txt'",
       tmpdir);
    char path[128];
    snprintf(path, sizeof path, "%s/data/bin", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(binary, 1, sizeof binary, f) == sizeof binary);
    fclose(f);
    if (strcmp(format, "ustar")) /* ustar cannot hold a 120-byte name */
        sh("cd %s && printf 'L' > 'data/" LONGFILE "'", tmpdir);
    sh("cd %s/data && tar --format=%s -cf ../a.tar .", tmpdir, format);
    snprintf(path, sizeof path, "%s/a.tar", tmpdir);
    uint8_t *a = slurp(path, len);
    sh("rm -rf %s", tmpdir);
    return a;
}

/* ---- checks ------------------------------------------------------------- */

struct listing {
    char text[1024]; /* "name/ name ..." ('/' after directories) */
};

static int collect(void *arg, const char *name, enum atoll_kv_ro_kind kind)
{
    struct listing *l = arg;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s%s%s", n ? " " : "", name,
             kind == ATOLL_KV_RO_DIR ? "/" : "");
    return 0;
}

static const char *ls(struct atoll_kv_ro *kv, const char *dir, int *rc)
{
    static struct listing l;
    l.text[0] = 0;
    *rc = atoll_kv_ro_list(kv, dir, collect, &l);
    return l.text;
}

static void check_value(struct atoll_kv_ro *kv, const char *key,
                        const void *want, size_t len)
{
    void *v;
    size_t n;
    CHECK_EQ(atoll_kv_ro_read_all(kv, key, &v, &n), 0);
    CHECK_EQ(n, len);
    CHECK_MEM(v, want, len);
    CHECK_EQ(((char *)v)[n], 0);
    atoll_free(v);
    uint64_t size;
    CHECK_EQ(atoll_kv_ro_size(kv, key, &size), 0);
    CHECK_EQ(size, len);
    uint8_t d[32], w[32];
    CHECK_EQ(atoll_kv_ro_digest(kv, key, d), 0);
    atoll_sha256(want, len, w);
    CHECK_MEM(d, w, 32);
}

/* The whole interface against the archive of make_archive. */
static void check_tree(struct atoll_kv_ro *kv, bool longfile)
{
    int rc;
    check_value(kv, "secret.txt", "hunter2\n", 8);
    check_value(kv, "empty", "", 0);
    check_value(kv, "bin", binary, sizeof binary);
    check_value(kv, "dir/sub/deep.txt", "nested", 6);
    check_value(kv, LONGDIR "/x.txt", "long", 4);
    if (longfile)
        check_value(kv, LONGFILE, "L", 1);

    /* Partial reads: offset and short buffers. */
    char buf[8];
    CHECK_EQ(atoll_kv_ro_get(kv, "secret.txt", 2, buf, 3), 3);
    CHECK_MEM(buf, "nte", 3);
    CHECK_EQ(atoll_kv_ro_get(kv, "secret.txt", 6, buf, 8), 2);
    CHECK_EQ(atoll_kv_ro_get(kv, "secret.txt", 8, buf, 8), 0);
    const void *p; /* values are on the device, not in memory */
    size_t n;
    CHECK_EQ(atoll_kv_ro_map(kv, "secret.txt", 0, &p, &n), -ATOLL_ENOTSUP);
    CHECK_EQ(atoll_kv_ro_get(kv, "secret.txt", 1000, buf, 8), 0);

    /* Errors. */
    uint64_t size;
    CHECK_EQ(atoll_kv_ro_size(kv, "nope", &size), -ATOLL_ENOENT);
    CHECK_EQ(atoll_kv_ro_get(kv, "dir/nope", 0, buf, 1), -ATOLL_ENOENT);
    CHECK_EQ(atoll_kv_ro_size(kv, "dir", &size), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_size(kv, "emptydir", &size), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_size(kv, "/secret.txt", &size), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_size(kv, "dir//b", &size), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_size(kv, "dir/../secret.txt", &size), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_size(kv, "", &size), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_list(kv, "secret.txt", collect, NULL), -ATOLL_EINVAL);
    CHECK_EQ(atoll_kv_ro_list(kv, "nope", collect, NULL), -ATOLL_ENOENT);

    /* Listings: one component per entry, directories marked. */
    const char *root = ls(kv, "", &rc);
    if (longfile) {
        CHECK_STR(root, "a-directory-with-a-rather-long-name-to-need-the-"
                        "prefix-field/ bin dir/ empty emptydir/ " LONGFILE
                        " secret.txt");
        CHECK_EQ(rc, 7);
    } else {
        CHECK_STR(root, "a-directory-with-a-rather-long-name-to-need-the-"
                        "prefix-field/ bin dir/ empty emptydir/ secret.txt");
        CHECK_EQ(rc, 6);
    }
    CHECK_STR(ls(kv, "dir", &rc), "b sub/");
    CHECK_EQ(rc, 2);
    CHECK_STR(ls(kv, "dir/sub", &rc), "deep.txt");
    CHECK_STR(ls(kv, "emptydir", &rc), "");
    CHECK_EQ(rc, 0);
}

struct job {
    const char *format;
    uint32_t ssize;
};

static int good_archive(void *arg)
{
    struct job *j = arg;
    size_t len;
    uint8_t *a = make_archive(j->format, &len);
    struct memdev *m = memdev(a, len, j->ssize);
    struct atoll_kv_ro *kv;
    char err[256];
    int rc = atoll_kv_ro_open_tar_block(&m->blk, &kv, err, sizeof err);
    if (rc < 0)
        harness_fail(__FILE__, __LINE__, "open: %s", err);
    check_tree(kv, strcmp(j->format, "ustar") != 0);
    atoll_kv_ro_close(kv);
    free(a);
    return 0;
}

TEST(kv_ro_tar, "a tar --format=ustar archive: values, sizes, lists, digests")
{
    struct job j = {"ustar", 512};
    CHECK_EQ(atoll_test_run(0, good_archive, &j), 0);
}

TEST(kv_ro_tar, "GNU tar's default format: long names in 'L' members")
{
    struct job j = {"gnu", 512};
    CHECK_EQ(atoll_test_run(0, good_archive, &j), 0);
}

TEST(kv_ro_tar, "a pax archive: long names in 'x' path records")
{
    struct job j = {"pax", 512};
    CHECK_EQ(atoll_test_run(0, good_archive, &j), 0);
}

TEST(kv_ro_tar, "4096-byte sectors read the same archive")
{
    struct job j = {"gnu", 4096};
    CHECK_EQ(atoll_test_run(0, good_archive, &j), 0);
}

/* ---- crafted archives --------------------------------------------------- */

static void set_checksum(uint8_t *h)
{
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* A POSIX ustar header; name copied without a NUL if it fills the
 * field. */
static void header(uint8_t *h, const char *name, uint64_t size, char type)
{
    memset(h, 0, 512);
    memcpy(h, name, strnlen(name, 100));
    memcpy(h + 100, "0000644", 7);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    h[156] = (uint8_t)type;
    memcpy(h + 257,
           "ustar\0"
           "00",
           8);
    set_checksum(h);
}

struct crafted {
    uint8_t a[16 * 512];
    size_t len;      /* bytes of the device */
    int want;        /* expected result of open */
    const char *msg; /* expected in the error text */
    char err[256];
};

static int open_crafted(void *arg)
{
    struct crafted *c = arg;
    struct memdev *m = memdev(c->a, c->len, 512);
    struct atoll_kv_ro *kv = NULL;
    struct atoll_mem_stats before, after;
    atoll_mem_stats(&before);
    int rc = atoll_kv_ro_open_tar_block(&m->blk, &kv, c->err, sizeof c->err);
    if (rc == 0)
        atoll_kv_ro_close(kv);
    /* Nothing may be left allocated either way. */
    atoll_mem_stats(&after);
    if (after.in_use != before.in_use)
        return 1000;
    return rc;
}

static void expect_open(struct crafted *c)
{
    int rc = atoll_test_run(0, open_crafted, c);
    if (rc != c->want)
        harness_fail(__FILE__, __LINE__, "open gave %s (%s), want %s",
                     atoll_errname(rc), c->err, atoll_errname(c->want));
    if (c->msg && !strstr(c->err, c->msg))
        harness_fail(__FILE__, __LINE__, "error '%s' lacks '%s'", c->err,
                     c->msg);
}

static struct crafted *one_file(void)
{
    static struct crafted c;
    memset(&c, 0, sizeof c);
    header(c.a, "f.txt", 5, '0');
    memcpy(c.a + 512, "hello", 5);
    c.len = 4 * 512;
    return &c;
}

TEST(kv_ro_tar, "a crafted one-file archive opens; so does an empty device")
{
    struct crafted *c = one_file();
    expect_open(c);
    memset(c->a, 0, sizeof c->a);
    expect_open(c);
}

TEST(kv_ro_tar, "a corrupted checksum is refused with its position")
{
    struct crafted *c = one_file();
    header(c->a + 1024, "g.txt", 0, '0');
    c->a[1024 + 3] ^= 0x20;
    c->want = -ATOLL_EBADMSG;
    c->msg = "byte 1024: bad checksum";
    expect_open(c);
}

TEST(kv_ro_tar, "random bytes are not an archive")
{
    struct crafted *c = one_file();
    for (size_t i = 0; i < c->len; i++)
        c->a[i] = (uint8_t)(i * 2654435761u >> 13);
    c->want = -ATOLL_EBADMSG;
    c->msg = "checksum";
    expect_open(c);
}

TEST(kv_ro_tar, "a member cut short by the end of the device is refused")
{
    struct crafted *c = one_file();
    header(c->a, "f.txt", 5000, '0');
    c->want = -ATOLL_EBADMSG;
    c->msg = "past the end of the device";
    expect_open(c);
}

TEST(kv_ro_tar, "sizes that overflow (octal and base-256) are refused")
{
    struct crafted *c = one_file();
    memcpy(c->a + 124, "77777777777", 11);
    set_checksum(c->a);
    c->want = -ATOLL_EBADMSG;
    c->msg = "past the end";
    expect_open(c);
    c = one_file();
    memset(c->a + 124, 0xff, 12); /* negative base-256 */
    set_checksum(c->a);
    c->want = -ATOLL_EBADMSG;
    c->msg = "bad size";
    expect_open(c);
    c = one_file();
    memset(c->a + 124, 0x7f, 12);
    c->a[124] = 0x80; /* base-256, 2^88-ish */
    set_checksum(c->a);
    c->want = -ATOLL_EBADMSG;
    c->msg = "bad size";
    expect_open(c);
    c = one_file();
    memcpy(c->a + 124, "12x45", 5); /* not octal */
    set_checksum(c->a);
    c->want = -ATOLL_EBADMSG;
    c->msg = "bad size";
    expect_open(c);
}

TEST(kv_ro_tar, "unterminated name fields are read within their bounds")
{
    struct crafted *c = one_file();
    char name[101];
    memset(name, 'n', 100);
    name[100] = 0;
    header(c->a, name, 5, '0');
    memset(c->a + 345, 'p', 155); /* prefix, unterminated too */
    set_checksum(c->a);
    expect_open(c);
    CHECK_EQ(c->want, 0);
}

TEST(kv_ro_tar, "a '..' name and a bad magic are refused")
{
    struct crafted *c = one_file();
    header(c->a, "../etc/passwd", 5, '0');
    c->want = -ATOLL_EBADMSG;
    c->msg = "'..'";
    expect_open(c);
    c = one_file();
    memcpy(c->a + 257, "ustaR", 5);
    set_checksum(c->a);
    c->want = -ATOLL_EBADMSG;
    c->msg = "no ustar magic";
    expect_open(c);
}

TEST(kv_ro_tar, "GNU long names: too long or unterminated is refused")
{
    struct crafted *c = one_file();
    header(c->a, "././@LongLink", 2000, 'L');
    c->len = 16 * 512;
    c->want = -ATOLL_EBADMSG;
    c->msg = "long name";
    expect_open(c);
    c = one_file();
    header(c->a, "././@LongLink", ATOLL_KV_RO_KEY_MAX + 1, 'L');
    memset(c->a + 512, 'x', ATOLL_KV_RO_KEY_MAX + 1); /* no NUL */
    header(c->a + 512 * 4, "f", 0, '0');
    c->len = 16 * 512;
    c->want = -ATOLL_EBADMSG;
    c->msg = "long name";
    expect_open(c);
}

TEST(kv_ro_tar, "malformed pax records are refused")
{
    struct crafted *c = one_file();
    header(c->a, "PaxHeader", 12, 'x');
    memcpy(c->a + 512, "99 path=abc\n", 12);
    header(c->a + 1024, "f", 0, '0');
    c->want = -ATOLL_EBADMSG;
    c->msg = "pax";
    expect_open(c);
}

static int conflict_job(void *arg)
{
    struct crafted *c = arg;
    struct memdev *m = memdev(c->a, c->len, 512);
    struct atoll_kv_ro *kv;
    int rc = atoll_kv_ro_open_tar_block(&m->blk, &kv, c->err, sizeof c->err);
    if (rc < 0)
        return rc;
    char buf[16];
    rc = atoll_kv_ro_get(kv, "f.txt", 0, buf, sizeof buf);
    atoll_kv_ro_close(kv);
    return rc == 3 && !memcmp(buf, "new", 3) ? 0 : 100;
}

TEST(kv_ro_tar, "a name given twice takes the later member, as tar does")
{
    struct crafted *c = one_file();
    header(c->a + 1024, "./f.txt", 3, '0');
    memcpy(c->a + 1536, "new", 3);
    CHECK_EQ(atoll_test_run(0, conflict_job, c), 0);
}

TEST(kv_ro_tar, "a name that is both a file and a directory is refused")
{
    struct crafted *c = one_file();
    header(c->a + 1024, "f.txt/inner", 0, '0');
    c->want = -ATOLL_EBADMSG;
    c->msg = "both a file and a directory";
    expect_open(c);
}

static int busy_job(void *arg)
{
    struct crafted *c = arg;
    struct memdev *m = memdev(c->a, c->len, 512);
    m->fail = -ATOLL_EBUSY;
    struct atoll_kv_ro *kv;
    return atoll_kv_ro_open_tar_block(&m->blk, &kv, c->err, sizeof c->err);
}

TEST(kv_ro_tar, "a device that fails its reads fails the open with its error")
{
    struct crafted *c = one_file();
    CHECK_EQ(atoll_test_run(0, busy_job, c), -ATOLL_EBUSY);
    CHECK(strstr(c->err, "cannot read the device") != NULL);
}

/* ---- a short fuzz loop -------------------------------------------------- */

static int walk(void *arg, const char *name, enum atoll_kv_ro_kind kind)
{
    (void)arg, (void)name, (void)kind;
    return 0;
}

static int fuzz_job(void *arg)
{
    size_t len;
    uint8_t *a = make_archive("gnu", &len);
    uint8_t *m = malloc(len);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    int opened = 0;
    struct atoll_mem_stats before, st;
    atoll_mem_stats(&before);
    for (int round = 0; round < 3000; round++) {
        memcpy(m, a, len);
        int flips = 1 + round % 8;
        for (int i = 0; i < flips; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            size_t at = (size_t)(seed >> 33) % (len < 8192 ? len : 8192);
            m[at] = (uint8_t)(seed >> 20);
            /* Half the time fix the checksum of the header hit, so the
             * fields behind it are reached. */
            if (round & 1)
                set_checksum(m + at / 512 * 512);
        }
        struct memdev *d = memdev(m, len, round % 3 ? 512 : 1024);
        struct atoll_kv_ro *kv;
        char err[256];
        if (atoll_kv_ro_open_tar_block(&d->blk, &kv, err, sizeof err) == 0) {
            opened++;
            atoll_kv_ro_list(kv, "", walk, NULL);
            atoll_kv_ro_list(kv, "dir", walk, NULL);
            uint8_t dg[32];
            char buf[64];
            atoll_kv_ro_digest(kv, "bin", dg);
            atoll_kv_ro_get(kv, "secret.txt", 0, buf, sizeof buf);
            atoll_kv_ro_close(kv);
        }
        free(d->data);
        free(d);
    }
    free(a);
    free(m);
    atoll_mem_stats(&st);
    /* Every open was undone by close or by the failure path. */
    if (st.allocs - before.allocs != st.frees - before.frees)
        return 100;
    return opened > 0 ? 0 : 101;
}

TEST(kv_ro_tar, "3000 mutated archives: no crash, no leak")
{
    CHECK_EQ(atoll_test_run(64u << 20, fuzz_job, NULL), 0);
}
