/*
 * tests/unit/log.c - --log spec parsing, per-source levels, and the line
 * format on the console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"

ATOLL_LOG_SOURCE(log_tcp, "tcp");
ATOLL_LOG_SOURCE(log_arp, "arp");
ATOLL_LOG_SOURCE(log_late, "late");

TEST(log, "levels parse by name")
{
    CHECK_EQ(atoll_log_parse_level("quiet"), ATOLL_LOG_QUIET);
    CHECK_EQ(atoll_log_parse_level("error"), ATOLL_LOG_ERROR);
    CHECK_EQ(atoll_log_parse_level("warn"), ATOLL_LOG_WARN);
    CHECK_EQ(atoll_log_parse_level("info"), ATOLL_LOG_INFO);
    CHECK_EQ(atoll_log_parse_level("debug"), ATOLL_LOG_DEBUG);
    CHECK_EQ(atoll_log_parse_level("loud"), -ATOLL_EINVAL);
    CHECK_EQ(atoll_log_parse_level(""), -ATOLL_EINVAL);
}

TEST(log, "a spec applies left to right, to sources old and new")
{
    char err[128];
    CHECK_EQ(atoll_log_level(&log_tcp), ATOLL_LOG_INFO); /* default */
    CHECK_EQ(atoll_log_configure("warn,tcp:debug,arp:quiet", err, sizeof err),
             0);
    CHECK_EQ(atoll_log_level(&log_tcp), ATOLL_LOG_DEBUG);
    CHECK_EQ(atoll_log_level(&log_arp), ATOLL_LOG_QUIET);
    CHECK_EQ(atoll_log_level(&log_late), ATOLL_LOG_WARN); /* first use */
    CHECK_EQ(atoll_log_configure("late:error", err, sizeof err), 0);
    CHECK_EQ(atoll_log_level(&log_late), ATOLL_LOG_ERROR);
    CHECK_EQ(atoll_log_level(&log_tcp), ATOLL_LOG_DEBUG);
    /* A bare level later in the spec overrides every source. */
    CHECK_EQ(atoll_log_configure("tcp:quiet,info", err, sizeof err), 0);
    CHECK_EQ(atoll_log_level(&log_tcp), ATOLL_LOG_INFO);
    CHECK_EQ(atoll_log_level(&log_arp), ATOLL_LOG_INFO);
}

TEST(log, "bad specs are refused with a message naming the item")
{
    char err[128];
    CHECK_EQ(atoll_log_configure("tcp:debug", err, sizeof err), 0);
    CHECK_EQ(atoll_log_level(&log_tcp), ATOLL_LOG_DEBUG);
    CHECK_EQ(atoll_log_configure("info,tcp:loud", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "unknown log level 'loud' in --log item 'tcp:loud'"));
    /* Nothing of a bad spec is applied. */
    CHECK_EQ(atoll_log_level(&log_tcp), ATOLL_LOG_DEBUG);
    CHECK_EQ(atoll_log_configure("info,,arp:warn", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "empty item"));
    CHECK_EQ(atoll_log_configure(":debug", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "empty source name in --log item ':debug'"));
    CHECK_EQ(atoll_log_configure("", err, sizeof err), -ATOLL_EINVAL);
    CHECK_EQ(atoll_log_configure("bogus", NULL, 0), -ATOLL_EINVAL);
}

static char captured[4096];

static void capture(void (*body)(void))
{
    char path[] = "/tmp/atoll-log-XXXXXX";
    int fd = mkstemp(path);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    body();
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ssize_t n = pread(fd, captured, sizeof captured - 1, 0);
    captured[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

static int evaluated;
static int count_eval(void)
{
    return ++evaluated;
}

static void log_some(void)
{
    char err[128];
    struct atoll_runtime_opts o = {4u << 20, 64, "info"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
    atoll_log_configure("info,arp:debug", err, sizeof err);
    ATOLL_INFO(&log_tcp, "hello %d", 42);
    ATOLL_DEBUG(&log_tcp, "hidden %d", count_eval()); /* filtered */
    ATOLL_DEBUG(&log_arp, "cache miss for %u.%u.%u.%u", 198, 18, 0, 1);
    ATOLL_ERROR(&log_arp, "bad");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ATOLL_WARN(&log_tcp, "%s", big);
}

TEST(log, "lines carry time, level and source; filtered ones cost nothing")
{
    capture(log_some);
    CHECK_EQ(evaluated, 0);
    CHECK(strstr(captured, "] INFO  tcp: hello 42\n"));
    CHECK(strstr(captured, "] DEBUG arp: cache miss for 198.18.0.1\n"));
    CHECK(strstr(captured, "] ERROR arp: bad\n"));
    CHECK(!strstr(captured, "hidden"));
    CHECK(captured[0] == '[' && captured[7] == '.' && captured[14] == ']');
    /* The long line is cut to ATOLL_LOG_LINE_MAX - 1 bytes with "...". */
    char *w = strstr(captured, "WARN  tcp: ");
    CHECK(w != NULL);
    char *line = w;
    while (line > captured && line[-1] != '\n')
        line--;
    char *end = strchr(w, '\n');
    CHECK(end != NULL);
    CHECK_EQ(end + 1 - line, ATOLL_LOG_LINE_MAX - 1);
    CHECK(memcmp(end - 3, "...", 3) == 0);
}
