/*
 * tools/atoll/store_cmd.h - `atoll store`: inspect a versioned store on a
 * disk image (log, ls, cat, branches) and export it as a git repository.
 */
#ifndef ATOLL_TOOL_STORE_CMD_H
#define ATOLL_TOOL_STORE_CMD_H

int cmd_store(int argc, char **argv);

/* The help text of `atoll help store`. */
extern const char store_cmd_help[];

/* zlib framing with stored (uncompressed) deflate blocks: a valid zlib
 * stream that any inflater reads.  *out from malloc. */
int zlib_stored(const void *data, size_t len, unsigned char **out,
                size_t *outlen);

#endif
