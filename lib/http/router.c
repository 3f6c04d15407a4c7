/*
 * lib/http/router.c - the routes of a server: a method (or GET and HEAD)
 * and a path or path prefix, tried in the order they were added.  A path
 * that only other methods' routes match gets 405 with the Allow field
 * RFC 9110 15.5.6 asks for.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "http_int.h"

int http_routes_add(struct http_routes *t, const char *method,
                    const char *pattern, atoll_http_handler fn, void *arg)
{
    if (!pattern || pattern[0] != '/' || !fn ||
        (method && (!*method || strlen(method) >= sizeof t->r[0].method)))
        return -ATOLL_EINVAL;
    if (t->n == HTTP_ROUTES_MAX)
        return -ATOLL_E2BIG;
    size_t len = strlen(pattern);
    bool prefix = pattern[len - 1] == '*';
    if (strchr(pattern, '*') != (prefix ? pattern + len - 1 : NULL))
        return -ATOLL_EINVAL; /* a '*' anywhere but at the end */
    char *copy = atoll_malloc(len + 1);
    if (!copy)
        return -ATOLL_ENOMEM;
    memcpy(copy, pattern, len + 1);
    if (prefix)
        copy[len - 1] = 0;
    struct http_route *r = &t->r[t->n++];
    memset(r, 0, sizeof *r);
    if (method)
        strcpy(r->method, method);
    r->pattern = copy;
    r->prefix = prefix;
    r->fn = fn;
    r->arg = arg;
    return 0;
}

void http_routes_free(struct http_routes *t)
{
    for (size_t i = 0; i < t->n; i++)
        atoll_free(t->r[i].pattern);
    t->n = 0;
}

static bool path_matches(const struct http_route *r, const char *path)
{
    if (r->prefix)
        return !strncmp(path, r->pattern, strlen(r->pattern));
    return !strcmp(path, r->pattern);
}

static bool method_matches(const struct http_route *r, const char *m)
{
    if (!r->method[0])
        return !strcmp(m, "GET") || !strcmp(m, "HEAD");
    return !strcmp(m, r->method);
}

/* Append `m` to the Allow list unless it is there. */
static void allow_add(char *allow, size_t cap, const char *m)
{
    size_t ml = strlen(m), al = strlen(allow);
    for (const char *p = allow; (p = strstr(p, m)) != NULL; p += ml)
        if ((p == allow || p[-1] == ' ') && (p[ml] == ',' || !p[ml]))
            return;
    if (al + ml + 3 > cap)
        return;
    if (al) {
        strcpy(allow + al, ", ");
        al += 2;
    }
    strcpy(allow + al, m);
}

int http_routes_dispatch(struct http_routes *t, struct atoll_http_req *r)
{
    char allow[128] = "";
    for (size_t i = 0; i < t->n; i++) {
        const struct http_route *rt = &t->r[i];
        if (!path_matches(rt, r->path))
            continue;
        if (method_matches(rt, r->method))
            return rt->fn(rt->arg, r);
        if (rt->method[0]) {
            allow_add(allow, sizeof allow, rt->method);
        } else {
            allow_add(allow, sizeof allow, "GET");
            allow_add(allow, sizeof allow, "HEAD");
        }
    }
    if (!allow[0])
        return http_send_error(r, 404);
    int e = atoll_http_add_header(r, "Allow", allow);
    return e < 0 ? e : http_send_error(r, 405);
}
