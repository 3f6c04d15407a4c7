/*
 * tools/atoll/package.c - `atoll package` (see package.h).
 */
#include "package.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "kinds.h"
#include "oci.h"
#include "util.h"

const char package_cmd_help[] =
    "Build if needed, then write the unikernel as an OCI image layout into\n"
    "DIR (default _build/oci), which umoci, skopeo (oci:DIR:TAG) and\n"
    "containerd's importers read.  Configured for hvt or spt: a plain image\n"
    "that any OCI runtime (runc, crun) runs under atoll-spt, its net device\n"
    "on the container's eth0.  Configured for virtio: an image for urunc,\n"
    "with its annotations (unikernelType mirage, hypervisor qemu).  See\n"
    "docs/deploy.md.\n"
    "\n"
    "  -o DIR        where to write the layout (replaced if it holds one)\n"
    "  --tag=TAG     the image's tag (default latest)\n"
    "  --mem=MiB     plain image: the tender's --mem\n"
    "  -- ARGS       the unikernel's default application arguments\n";

#define IMAGE_DIR "atoll"

/* The devices attached at run time, by kind (the runtime's rule). */
static bool attached(const struct mf_device *d, enum atoll_dev_kind kind)
{
    const struct mf_impl *impl = mf_kind_impl(d->kind, d->impl);
    return d->kind->attach == kind && impl && impl->attach;
}

/* The name of argument `tail` ("ipv4") that device `dev` brings, or
 * NULL. */
static const char *device_arg(const struct manifest *m, size_t dev,
                              const char *tail)
{
    for (size_t i = 0; i < m->nargs; i++) {
        const struct mf_arg *a = &m->args[i];
        size_t n = strlen(a->name), t = strlen(tail);
        if (a->device == (int)dev && n >= t && !strcmp(a->name + n - t, tail) &&
            (n == t || a->name[n - t - 1] == '-'))
            return a->name;
    }
    return NULL;
}

static void base64(struct sbuf *b, const char *s)
{
    static const char al[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 |
                     (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {al[v >> 18 & 63], al[v >> 12 & 63],
                     i + 1 < n ? al[v >> 6 & 63] : '=',
                     i + 2 < n ? al[v & 63] : '='};
        sb_putn(b, q, 4);
    }
}

struct pkg {
    const struct manifest *m;
    const char *root, *bin, *mem;
    struct oci_file files[4];
    size_t nfiles;
    struct argv_list entry, cmd;
    const char *keys[8], *values[8];
    size_t nann;
    char *image_path; /* "/atoll/NAME" */
    struct sbuf json, cmdline;
};

static void annotate(struct pkg *p, const char *key, const char *value)
{
    p->keys[p->nann] = key;
    p->values[p->nann++] = value;
}

static void add_file(struct pkg *p, const char *path, const char *src,
                     unsigned mode)
{
    p->files[p->nfiles++] = (struct oci_file){path, src, NULL, 0, mode};
}

/* The devices of `kind` that are attached at run time: their count, the
 * (last) one's index in *which. */
static size_t count_attached(const struct manifest *m, enum atoll_dev_kind kind,
                             size_t *which)
{
    size_t n = 0;
    for (size_t i = 0; i < m->ndevices; i++)
        if (attached(&m->devices[i], kind)) {
            n++;
            *which = i;
        }
    return n;
}

/* hvt/spt: atoll-spt runs the image; atoll-oci-net gives it eth0. */
static int plain_image(struct pkg *p)
{
    const struct manifest *m = p->m;
    size_t net = 0, blk = 0;
    size_t nnet = count_attached(m, ATOLL_DEV_NET, &net);
    if (nnet > 1) {
        errf("package: a plain image gives the container's one interface "
             "to one net device; '%s' declares %zu",
             m->name, nnet);
        return -1;
    }
    /* The tender and the launcher come from Atoll's bin/ (freed with
     * the file list). */
    char *spt = xasprintf("%s/bin/atoll-spt", p->root);
    char *oci_net = nnet ? xasprintf("%s/bin/atoll-oci-net", p->root) : NULL;
    bool ok = is_regular(spt) && (!oci_net || is_regular(oci_net));
    if (!ok)
        errf("package: %s%s%s is missing: run 'make' in %s first", spt,
             oci_net ? " or " : "", oci_net ? oci_net : "", p->root);
    add_file(p, IMAGE_DIR "/bin/atoll-spt", spt, 0755);
    if (nnet) {
        add_file(p, IMAGE_DIR "/bin/atoll-oci-net", oci_net, 0755);
        av_push(&p->entry, "/" IMAGE_DIR "/bin/atoll-oci-net");
        av_push(&p->entry, "eth0");
    }
    av_push(&p->entry, "/" IMAGE_DIR "/bin/atoll-spt");
    if (p->mem) {
        char *mem = xasprintf("--mem=%s", p->mem);
        av_push(&p->entry, mem);
        free(mem);
    }
    if (nnet) {
        char *a = xasprintf("--net:%s={tap}", m->devices[net].name);
        av_push(&p->entry, a);
        free(a);
    }
    for (size_t i = 0; i < m->ndevices; i++)
        if (attached(&m->devices[i], ATOLL_DEV_BLOCK)) {
            char *a = xasprintf("--block:%s=/" IMAGE_DIR "/disk/%s.img",
                                m->devices[i].name, m->devices[i].name);
            av_push(&p->entry, a);
            free(a);
            blk++;
        }
    av_push(&p->entry, p->image_path);
    av_push(&p->entry, "--"); /* the tender's: the guest's arguments */
    av_push(&p->entry, "--"); /* the guest's: the application's */
    const char *ip = nnet ? device_arg(m, net, "ipv4") : NULL;
    const char *gw = nnet ? device_arg(m, net, "ipv4-gateway") : NULL;
    if (ip) {
        char *a = xasprintf("--%s={ipv4}", ip);
        av_push(&p->entry, a);
        free(a);
    }
    if (gw) {
        char *a = xasprintf("--%s={gateway}", gw);
        av_push(&p->entry, a);
        free(a);
    }
    annotate(p, "org.opencontainers.image.title", m->name);
    annotate(p, "com.atoll.unikernel.tender", "atoll-spt");
    return ok ? 0 : -1;
}

/* virtio: urunc's annotations and urunc.json, the guest's own command line
 * as the process arguments. */
static int urunc_image(struct pkg *p)
{
    const struct manifest *m = p->m;
    size_t net = 0, blk = 0;
    size_t nnet = count_attached(m, ATOLL_DEV_NET, &net);
    if (count_attached(m, ATOLL_DEV_BLOCK, &blk)) {
        errf("package: urunc gives a unikernel of type mirage under QEMU no "
             "block device, and '%s' declares block device '%s'",
             m->name, m->devices[blk].name);
        return -1;
    }
    if (nnet > 1 ||
        (nnet == 1 && (!device_arg(m, net, "ipv4") ||
                       strcmp(device_arg(m, net, "ipv4"), "ipv4")))) {
        errf("package: urunc gives one network interface and passes it "
             "--ipv4=/--ipv4-gateway=: the application must declare at most "
             "one net device, a network stack (device stack NAME)");
        return -1;
    }
    add_file(p, p->image_path + 1, p->bin, 0755);
    /* urunc runs QEMU with virtio-net-pci in a slot of its choice: the
     * guest takes the first virtio-net device it finds. */
    struct argv_list guest = {0};
    if (nnet) {
        char *a = xasprintf("--net:%s=auto", m->devices[net].name);
        av_push(&guest, a);
        free(a);
    }
    av_push(&guest, "--");
    for (size_t i = 0; i < p->cmd.n; i++)
        av_push(&guest, p->cmd.v[i]);
    av_free(&p->cmd);
    p->cmd = guest;
    for (size_t i = 0; i < p->cmd.n; i++)
        sb_printf(&p->cmdline, "%s%s", i ? " " : "", p->cmd.v[i]);
    annotate(p, "com.urunc.unikernel.unikernelType", "mirage");
    annotate(p, "com.urunc.unikernel.hypervisor", "qemu");
    annotate(p, "com.urunc.unikernel.binary", p->image_path);
    annotate(p, "com.urunc.unikernel.cmdline", p->cmdline.p);
    annotate(p, "com.urunc.unikernel.mountRootfs", "false");
    annotate(p, "org.opencontainers.image.title", m->name);
    /* urunc.json: the same, base64-encoded, for runtimes that do not pass
     * image annotations on (urunc reads it from the rootfs). */
    sb_puts(&p->json, "{");
    for (size_t i = 0; i < p->nann; i++) {
        if (strncmp(p->keys[i], "com.urunc.", 10))
            continue;
        sb_printf(&p->json, "%s\"%s\":\"", p->json.len > 1 ? "," : "",
                  p->keys[i]);
        base64(&p->json, p->values[i]);
        sb_puts(&p->json, "\"");
    }
    sb_puts(&p->json, "}\n");
    p->files[p->nfiles++] =
        (struct oci_file){"urunc.json", NULL, p->json.p, p->json.len, 0644};
    return 0;
}

int cmd_package(int argc, char **argv)
{
    const char *dir = BUILD_DIR "/oci", *tag = "latest";
    struct pkg p = {0};
    int i;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strncmp(argv[i], "--tag=", 6) && argv[i][6]) {
            tag = argv[i] + 6;
        } else if (!strncmp(argv[i], "--mem=", 6) && argv[i][6]) {
            p.mem = argv[i] + 6;
        } else {
            errf("package: unknown option '%s' (see 'atoll help package')",
                 argv[i]);
            return EXIT_USAGE;
        }
    }
    for (i++; i < argc; i++)
        av_push(&p.cmd, argv[i]);
    struct config c;
    struct manifest m;
    if (config_read(&c) != 0)
        return EXIT_FAIL;
    int rc = EXIT_FAIL;
    char *bin = NULL;
    if (load_configured(&c, &m) != 0) {
        config_free(&c);
        return EXIT_FAIL;
    }
    const struct target *t = c.target;
    p.m = &m;
    p.root = atoll_root();
    if (t->package == PACKAGE_NONE) {
        errf("package: target %s makes a Linux program, not an image: "
             "configure -t spt (a plain OCI image) or -t virtio (urunc)",
             t->name);
        goto out;
    }
    if (!p.root || build_app(false, &bin) != 0)
        goto out;
    p.bin = bin;
    p.image_path = xasprintf("/" IMAGE_DIR "/%s", m.name);
    if (t->package == PACKAGE_SPT) {
        add_file(&p, p.image_path + 1, bin, 0755);
        if (plain_image(&p) != 0)
            goto out;
    } else if (urunc_image(&p) != 0) {
        goto out;
    }
    struct oci_image img = {
        .files = p.files,
        .nfiles = p.nfiles,
        .entrypoint = p.entry.n ? p.entry.v : NULL,
        .cmd = p.cmd.v,
        .keys = p.keys,
        .values = p.values,
        .nannotations = p.nann,
        .tag = tag,
    };
    if (oci_write(dir, &img) != 0)
        goto out;
    fprintf(stderr,
            "atoll: packaged '%s' (target %s) as %s, an OCI image "
            "layout (tag %s)\n",
            m.name, t->name,
            t->package == PACKAGE_SPT ? "a plain image run by atoll-spt"
                                      : "an image for urunc (QEMU)",
            tag);
    printf("%s\n", dir);
    rc = 0;
out:
    for (size_t f = 0; f < p.nfiles; f++)
        if (p.files[f].src && p.files[f].src != bin)
            free((char *)p.files[f].src);
    free(p.image_path);
    free(bin);
    av_free(&p.entry);
    av_free(&p.cmd);
    sb_free(&p.json);
    sb_free(&p.cmdline);
    manifest_free(&m);
    config_free(&c);
    return rc;
}
