/*
 * tools/atoll/oci.h - writing an OCI image layout (the OCI image format
 * specification, v1.0): a folder with `oci-layout`, `index.json` and
 * `blobs/sha256/`, which umoci, skopeo (`oci:DIR:TAG`), podman and
 * containerd's importers read.
 *
 * The image has one layer, an uncompressed tar (so its digest is also its
 * diff_id), built in memory from the files given, with fixed owners,
 * times and modes so that the same inputs give the same digests.  The
 * manifest carries the annotations, the image configuration carries them
 * again as labels (where tools that drop manifest annotations still find
 * them), and the index names the manifest with the tag
 * (org.opencontainers.image.ref.name).
 */
#ifndef ATOLL_TOOL_OCI_H
#define ATOLL_TOOL_OCI_H

#include <stddef.h>

struct oci_file {
    const char *path; /* in the image, relative ("atoll/bin/atoll-spt") */
    const char *src;  /* the host file to copy, or NULL: */
    const char *data; /* the content itself, `len` bytes */
    size_t len;
    unsigned mode; /* 0755, 0644 */
};

struct oci_image {
    const struct oci_file *files;
    size_t nfiles;
    char **entrypoint; /* NULL-terminated; NULL for none */
    char **cmd;        /* NULL-terminated; NULL for none */
    const char *const *keys, *const *values; /* annotations */
    size_t nannotations;
    const char *tag;
};

/* Writes `img` as an OCI image layout into `dir`, which must not exist,
 * or be empty, or hold an earlier layout (which is replaced).  0, or -1
 * after printing why. */
int oci_write(const char *dir, const struct oci_image *img);

#endif
