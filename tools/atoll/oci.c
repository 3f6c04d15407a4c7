/*
 * tools/atoll/oci.c - an OCI image layout from a set of files (see oci.h).
 */
#include "oci.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atoll/sha256.h"
#include "util.h"

/* ---- the layer: a ustar archive --------------------------------------- */

#define TAR_BLOCK 512

/* width - 1 octal digits and a NUL, as ustar readers expect (the caller
 * keeps v within them). */
static void octal(char *field, size_t width, uint64_t v)
{
    field[width - 1] = 0;
    for (size_t i = width - 1; i-- > 0; v >>= 3)
        field[i] = (char)('0' + (v & 7));
}

/* One header: type '0' (file) or '5' (folder).  Names stay under 100
 * bytes (checked by the caller). */
static void tar_header(struct sbuf *t, const char *name, char type,
                       unsigned mode, uint64_t size)
{
    char h[TAR_BLOCK];
    memset(h, 0, sizeof h);
    snprintf(h, 100, "%s", name);
    octal(h + 100, 8, mode);
    octal(h + 108, 8, 0); /* uid */
    octal(h + 116, 8, 0); /* gid */
    octal(h + 124, 12, size);
    octal(h + 136, 12, 0); /* mtime: fixed, for reproducible digests */
    h[156] = type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "root", 4);
    memcpy(h + 297, "root", 4);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof h; i++)
        sum += (unsigned char)h[i];
    octal(h + 148, 7, sum);
    h[155] = ' ';
    sb_putn(t, h, sizeof h);
}

static void tar_pad(struct sbuf *t, size_t len)
{
    static const char zero[TAR_BLOCK];
    if (len % TAR_BLOCK)
        sb_putn(t, zero, TAR_BLOCK - len % TAR_BLOCK);
}

/* Every folder above `path` that is not in the archive yet. */
static void tar_dirs(struct sbuf *t, const char *path, char ***seen,
                     size_t *nseen)
{
    for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
        char *dir = xstrndup(path, (size_t)(s - path) + 1);
        bool have = false;
        for (size_t i = 0; i < *nseen && !have; i++)
            have = !strcmp((*seen)[i], dir);
        if (have) {
            free(dir);
            continue;
        }
        tar_header(t, dir, '5', 0755, 0);
        *seen = xrealloc(*seen, (*nseen + 1) * sizeof **seen);
        (*seen)[(*nseen)++] = dir;
    }
}

static int build_layer(const struct oci_image *img, struct sbuf *t)
{
    char **seen = NULL;
    size_t nseen = 0;
    int rc = 0;
    for (size_t i = 0; i < img->nfiles && rc == 0; i++) {
        const struct oci_file *f = &img->files[i];
        if (strlen(f->path) >= 100 || f->path[0] == '/') {
            errf("package: bad path in the image: %s", f->path);
            rc = -1;
            break;
        }
        char *data = (char *)f->data;
        size_t len = f->len;
        if (f->src && read_whole_file(f->src, 256u << 20, &data, &len) != 0) {
            errf("package: cannot read %s: %s", f->src, strerror(errno));
            rc = -1;
            break;
        }
        tar_dirs(t, f->path, &seen, &nseen);
        tar_header(t, f->path, '0', f->mode, len);
        sb_putn(t, data, len);
        tar_pad(t, len);
        if (f->src)
            free(data);
    }
    static const char end[2 * TAR_BLOCK];
    sb_putn(t, end, sizeof end);
    for (size_t i = 0; i < nseen; i++)
        free(seen[i]);
    free(seen);
    return rc;
}

/* ---- JSON --------------------------------------------------------------- */

static void json_str(struct sbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            sb_printf(b, "\\%c", *c);
        else if (*c < 0x20)
            sb_printf(b, "\\u%04x", *c);
        else
            sb_putn(b, (const char *)c, 1);
    }
    sb_puts(b, "\"");
}

static void json_strings(struct sbuf *b, char **v)
{
    sb_puts(b, "[");
    for (size_t i = 0; v && v[i]; i++) {
        if (i)
            sb_puts(b, ",");
        json_str(b, v[i]);
    }
    sb_puts(b, "]");
}

static void json_map(struct sbuf *b, const struct oci_image *img)
{
    sb_puts(b, "{");
    for (size_t i = 0; i < img->nannotations; i++) {
        if (i)
            sb_puts(b, ",");
        json_str(b, img->keys[i]);
        sb_puts(b, ":");
        json_str(b, img->values[i]);
    }
    sb_puts(b, "}");
}

/* ---- blobs ----------------------------------------------------------------
 */

/* Writes `data` as blobs/sha256/HEX under dir; its digest in `digest`
 * ("sha256:" and 64 hex digits). */
static int put_blob(const char *dir, const char *data, size_t len,
                    char digest[72])
{
    uint8_t d[ATOLL_SHA256_LEN];
    atoll_sha256(data, len, d);
    strcpy(digest, "sha256:");
    for (int i = 0; i < ATOLL_SHA256_LEN; i++)
        snprintf(digest + 7 + 2 * i, 3, "%02x", d[i]);
    char *path = xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
    int rc = write_file_if_changed(path, data, len);
    free(path);
    return rc;
}

/* dir must not exist, be empty, or hold a layout (which goes). */
static int prepare_dir(const char *dir)
{
    if (path_exists(dir)) {
        char *layout = xasprintf("%s/oci-layout", dir);
        bool ours = is_regular(layout);
        free(layout);
        DIR *d = ours ? NULL : opendir(dir);
        bool empty = true;
        struct dirent *e;
        while (d && empty && (e = readdir(d)) != NULL)
            empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        if (d)
            closedir(d);
        if (!ours && !empty) {
            errf("package: %s exists and is not an OCI image layout; not "
                 "replacing it",
                 dir);
            return -1;
        }
        if (ours && remove_tree(dir) != 0)
            return -1;
    }
    const char *parts[] = {"", "/blobs", "/blobs/sha256"};
    for (int i = 0; i < 3; i++) {
        char *p = xasprintf("%s%s", dir, parts[i]);
        int rc = mkdir(p, 0755);
        if (rc != 0 && errno != EEXIST) {
            errf("package: cannot create %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        free(p);
    }
    return 0;
}

int oci_write(const char *dir, const struct oci_image *img)
{
    struct sbuf layer = {0}, config = {0}, manifest = {0}, index = {0};
    char ldig[72], cdig[72], mdig[72];
    int rc = -1;
    if (prepare_dir(dir) != 0 || build_layer(img, &layer) != 0 ||
        put_blob(dir, layer.p, layer.len, ldig) != 0)
        goto out;

    sb_puts(&config, "{\"architecture\":\"amd64\",\"os\":\"linux\","
                     "\"config\":{\"Entrypoint\":");
    json_strings(&config, img->entrypoint);
    sb_puts(&config, ",\"Cmd\":");
    json_strings(&config, img->cmd);
    sb_puts(&config, ",\"WorkingDir\":\"/\",\"Labels\":");
    json_map(&config, img);
    sb_printf(&config,
              "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},"
              "\"history\":[{\"created_by\":\"atoll package\"}]}",
              ldig);
    if (put_blob(dir, config.p, config.len, cdig) != 0)
        goto out;

    sb_printf(&manifest,
              "{\"schemaVersion\":2,"
              "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
              "\"config\":{\"mediaType\":"
              "\"application/vnd.oci.image.config.v1+json\","
              "\"digest\":\"%s\",\"size\":%zu},"
              "\"layers\":[{\"mediaType\":"
              "\"application/vnd.oci.image.layer.v1.tar\","
              "\"digest\":\"%s\",\"size\":%zu}],\"annotations\":",
              cdig, config.len, ldig, layer.len);
    json_map(&manifest, img);
    sb_puts(&manifest, "}");
    if (put_blob(dir, manifest.p, manifest.len, mdig) != 0)
        goto out;

    sb_printf(&index,
              "{\"schemaVersion\":2,"
              "\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
              "\"manifests\":[{\"mediaType\":"
              "\"application/vnd.oci.image.manifest.v1+json\","
              "\"digest\":\"%s\",\"size\":%zu,\"platform\":"
              "{\"architecture\":\"amd64\",\"os\":\"linux\"},"
              "\"annotations\":{\"org.opencontainers.image.ref.name\":",
              mdig, manifest.len);
    json_str(&index, img->tag);
    sb_puts(&index, "}}]}");
    char *ip = xasprintf("%s/index.json", dir);
    char *lp = xasprintf("%s/oci-layout", dir);
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    rc = write_file_if_changed(ip, index.p, index.len);
    if (rc == 0)
        rc = write_file_if_changed(lp, layout, sizeof layout - 1);
    free(ip);
    free(lp);
out:
    sb_free(&layer);
    sb_free(&config);
    sb_free(&manifest);
    sb_free(&index);
    return rc;
}
