/*
 * tests/fuzz/kv_ro_tar_fuzz.c - libFuzzer target for the tar key-value
 * store (lib/store/tar.c): the input is the content of a block device
 * (zero-padded to whole 512-byte sectors).  Whatever opens is then used:
 * every directory listed, every value read through get, size and digest.
 * A crash, a sanitizer report, a leak or an answer that contradicts
 * another (get returning more than size) fails the run.
 *
 * A mutated header almost never keeps a right checksum, and the parser
 * stops there; so for inputs of even length every 512-byte block with the
 * ustar magic gets its checksum recomputed (odd lengths keep theirs, so
 * the checksum check itself is fuzzed too).
 *
 * Built and run briefly by tests/kv_ro/kv_ro.sh:
 *   clang -fsanitize=fuzzer,address,undefined ... -o fuzz; ./fuzz -runs=N
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/atoll.h"
#include "atoll/kv_ro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dev {
    const uint8_t *data;
    size_t len;
    uint64_t sectors;
};

static int dev_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct dev *d = state;
    struct atoll_block_info info = {512, d->sectors, true, "fuzz"};
    int rc = atoll_block_check_range(&info, sector, n);
    if (rc < 0)
        return rc;
    /* Bytes past the input read as zeroes. */
    uint8_t *out = buf;
    memset(out, 0, n * 512);
    uint64_t off = sector * 512;
    if (off < d->len) {
        size_t k = d->len - off < n * 512 ? d->len - (size_t)off : n * 512;
        memcpy(out, d->data + off, k);
    }
    return 0;
}

static int dev_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    return -ATOLL_EPERM;
}

static int dev_flush(void *state)
{
    return 0;
}

static void dev_info(void *state, struct atoll_block_info *out)
{
    struct dev *d = state;
    *out = (struct atoll_block_info){512, d->sectors, true, "fuzz"};
}

static const struct atoll_block_ops dev_ops = {dev_read, dev_write, dev_flush,
                                               dev_info};

struct visit {
    struct atoll_kv_ro *kv;
    char path[ATOLL_KV_RO_KEY_MAX + 1];
    int depth;
};

static int visit(void *arg, const char *name, enum atoll_kv_ro_kind kind)
{
    struct visit *v = arg;
    size_t len = strlen(v->path), n = strlen(name);
    if (len + 1 + n > ATOLL_KV_RO_KEY_MAX)
        abort(); /* list produced a name longer than any key */
    char *end = v->path + len;
    if (len)
        *end++ = '/';
    memcpy(end, name, n + 1);
    if (kind == ATOLL_KV_RO_DIR) {
        if (v->depth < 64) {
            v->depth++;
            if (atoll_kv_ro_list(v->kv, v->path, visit, v) < 0)
                abort(); /* a listed directory must list */
            v->depth--;
        }
    } else {
        uint64_t size;
        uint8_t buf[700], dg[32];
        if (atoll_kv_ro_size(v->kv, v->path, &size) < 0 ||
            atoll_kv_ro_digest(v->kv, v->path, dg) < 0)
            abort(); /* a listed value must have a size and a digest */
        int got = atoll_kv_ro_get(v->kv, v->path, 0, buf, sizeof buf);
        if (got < 0 || (uint64_t)got > size)
            abort();
    }
    v->path[len] = 0;
    return 0;
}

/* Write the POSIX header checksum of every block at p that carries the
 * ustar magic ("ustar" at 257): the sum of its bytes, the checksum field
 * counted as blanks, in octal. */
static void fix_checksums(uint8_t *p, size_t size)
{
    for (size_t off = 0; off + 512 <= size; off += 512) {
        uint8_t *h = p + off;
        if (memcmp(h + 257, "ustar", 5))
            continue;
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
            sum += h[i];
        for (int i = 5; i >= 0; i--, sum >>= 3)
            h[148 + i] = (uint8_t)('0' + (sum & 7));
        h[154] = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        struct atoll_runtime_opts o = {64u << 20, 1024, "quiet"};
        if (atoll_runtime_init(&o) < 0)
            __builtin_trap();
        ready = true;
    }
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    if (size % 2 == 0)
        fix_checksums(copy, size);
    struct dev d = {copy, size, size / 512 + 1};
    struct atoll_block blk = {&dev_ops, &d};
    struct atoll_mem_stats before, after;
    atoll_mem_stats(&before);
    struct atoll_kv_ro *kv;
    char err[200];
    if (atoll_kv_ro_open_tar_block(&blk, &kv, err, sizeof err) == 0) {
        struct visit *v = malloc(sizeof *v);
        v->kv = kv;
        v->path[0] = 0;
        v->depth = 0;
        if (atoll_kv_ro_list(kv, "", visit, v) < 0)
            abort();
        free(v);
        atoll_kv_ro_close(kv);
    } else if (!err[0]) {
        abort(); /* every refusal says why */
    }
    atoll_mem_stats(&after);
    if (after.in_use != before.in_use)
        abort(); /* the store leaked from the unikernel's heap */
    free(copy);
    return 0;
}
