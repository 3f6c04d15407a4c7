/*
 * tools/atoll/image.c - compile and link flags of freestanding images (see
 * image.h).  They match what mk/hvt.mk compiles the platform's libraries
 * with: no host header, no PIC, no red zone, the stack protector with a
 * global guard.
 */
#include "image.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The compiler's own include directory (stddef.h, stdint.h, stdarg.h...),
 * from `CC -print-file-name=include`. */
static char *compiler_include(const char *cc)
{
    char *cmd = xasprintf("%s -print-file-name=include", cc);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return NULL;
    char line[4096];
    char *out = NULL;
    if (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '/')
            out = xstrdup(line);
    }
    pclose(p);
    return out;
}

static void push_prefix_map(struct argv_list *av, const char *dir)
{
    char *map = xasprintf("-fdebug-prefix-map=%s=.", dir);
    av_push(av, map);
    free(map);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

void image_compile_flags(struct argv_list *av, const char *cc, const char *root)
{
    av_push_words(av, "-ffreestanding -nostdinc -fno-pic -fno-pie "
                      "-mno-red-zone -fno-omit-frame-pointer "
                      "-fstack-protector-strong "
                      "-mstack-protector-guard=global "
                      "-fno-asynchronous-unwind-tables -fcf-protection=none");
    char *inc = compiler_include(cc);
    if (inc) {
        av_push(av, "-isystem");
        av_push(av, inc);
        free(inc);
    }
    char *libc = xasprintf("%s/lib/libc/include", root);
    char *plat = xasprintf("%s/platform", root);
    av_push(av, "-I");
    av_push(av, libc);
    av_push(av, "-I");
    av_push(av, plat);
    free(libc);
    free(plat);
    /* The debug information names the folder the compiler ran in
     * (DW_AT_comp_dir): GCC takes $PWD when it names the current folder
     * (through a symbolic link, say), else getcwd(). */
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
        push_prefix_map(av, cwd);
    const char *pwd = getenv("PWD");
    if (pwd && pwd[0] == '/' && strcmp(pwd, cwd) && same_file(pwd, "."))
        push_prefix_map(av, pwd);
}

void image_link_flags(struct argv_list *av, const char *ld)
{
    av_push_words(av, "-nostdlib -static -Wl,--build-id=none "
                      "-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack "
                      "-Wl,--gc-sections");
    char *t = xasprintf("-Wl,-T,%s", ld);
    av_push(av, t);
    free(t);
}
