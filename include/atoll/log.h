/*
 * atoll/log.h - leveled, per-source logging.
 *
 * DESCRIPTION
 *     Each part of a unikernel logs through a named source:
 *
 *         ATOLL_LOG_SOURCE(log_arp, "arp");
 *         ...
 *         ATOLL_DEBUG(&log_arp, "cache miss for %u.%u.%u.%u", a, b, c, d);
 *
 *     Lines go to the console as
 *
 *         [     1.000123] INFO  arp: message
 *
 *     with the monotonic time in seconds.  A message below its source's
 *     level costs one comparison (the arguments are not evaluated).
 *
 *     Levels are set at run time with --log=SPEC, where SPEC is a
 *     comma-separated list of LEVEL (every source) or SOURCE:LEVEL, applied
 *     left to right:  --log=info,tcp:debug,arp:quiet.  The default level is
 *     info.
 */
#ifndef ATOLL_LOG_H
#define ATOLL_LOG_H

#include <stdbool.h>

enum atoll_log_level {
    ATOLL_LOG_QUIET = 0, /* nothing */
    ATOLL_LOG_ERROR = 1,
    ATOLL_LOG_WARN = 2,
    ATOLL_LOG_INFO = 3,
    ATOLL_LOG_DEBUG = 4,
};

struct atoll_log_src {
    const char *name;
    int level;                  /* -1 until first use: resolved from --log */
    struct atoll_log_src *next; /* registry link, set on first use */
};

#define ATOLL_LOG_SOURCE(var, name_literal)                                    \
    static struct atoll_log_src var = {(name_literal), -1, 0}

/* Level currently in force for `src` (registers it on first call). */
int atoll_log_level(struct atoll_log_src *src);

void atoll_logf(struct atoll_log_src *src, enum atoll_log_level level,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define ATOLL_LOG_AT_(src, lvl, ...)                                           \
    do {                                                                       \
        if (atoll_log_level(src) >= (lvl))                                     \
            atoll_logf((src), (lvl), __VA_ARGS__);                             \
    } while (0)

#define ATOLL_ERROR(src, ...) ATOLL_LOG_AT_(src, ATOLL_LOG_ERROR, __VA_ARGS__)
#define ATOLL_WARN(src, ...)  ATOLL_LOG_AT_(src, ATOLL_LOG_WARN, __VA_ARGS__)
#define ATOLL_INFO(src, ...)  ATOLL_LOG_AT_(src, ATOLL_LOG_INFO, __VA_ARGS__)
#define ATOLL_DEBUG(src, ...) ATOLL_LOG_AT_(src, ATOLL_LOG_DEBUG, __VA_ARGS__)

/*
 * Apply a --log SPEC (see above).  Returns 0, or -ATOLL_EINVAL with a
 * message naming the bad item written to `err` (errlen bytes, may be 0).
 */
int atoll_log_configure(const char *spec, char *err, unsigned errlen);

/* Parse "quiet|error|warn|info|debug"; -ATOLL_EINVAL if none. */
int atoll_log_parse_level(const char *name);

#endif
