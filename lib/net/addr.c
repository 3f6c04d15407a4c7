/*
 * lib/net/addr.c - atoll_addr_t (atoll/addr.h): text both ways and
 * comparison, by the family's own functions.
 */
#include <string.h>

#include "atoll/addr.h"
#include "atoll/error.h"

int atoll_addr_parse(const char *text, atoll_addr_t *out)
{
    atoll_addr_t a = {0};
    if (!text || !out)
        return -ATOLL_EINVAL;
    if (strchr(text, ':')) {
        if (atoll_ipv6_parse(text, &a.v6, NULL) < 0)
            return -ATOLL_EINVAL;
        a.family = ATOLL_AF_INET6;
    } else {
        if (atoll_ipv4_parse(text, &a.v4, NULL) < 0)
            return -ATOLL_EINVAL;
        a.family = ATOLL_AF_INET;
    }
    *out = a;
    return 0;
}

char *atoll_addr_format(const atoll_addr_t *a, char *buf)
{
    if (a->family == ATOLL_AF_INET6)
        return atoll_ipv6_format(&a->v6, buf);
    if (a->family == ATOLL_AF_INET)
        return atoll_ipv4_format(a->v4, buf);
    strcpy(buf, "-");
    return buf;
}

bool atoll_addr_equal(const atoll_addr_t *a, const atoll_addr_t *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == ATOLL_AF_INET6)
        return !memcmp(&a->v6, &b->v6, sizeof a->v6);
    return a->family != ATOLL_AF_INET || a->v4 == b->v4;
}
