/*
 * lib/core/error.c - names and messages of the ATOLL_E... codes.
 *
 * Both tables are generated from the X-macro list in atoll/error.h, so a
 * code added there gets its name and message here without further edits.
 */
#include "atoll/error.h"

struct err_entry {
    const char *name;
    const char *msg;
};

static const struct err_entry err_table[ATOLL_ERROR_MAX] = {
#define ATOLL_ERROR_ROW_(sym, num, text) [num] = {#sym, text},
    ATOLL_ERRORS(ATOLL_ERROR_ROW_)
#undef ATOLL_ERROR_ROW_
};

/* Codes are accepted negated (as functions return them) or not. */
static const struct err_entry *lookup(int err)
{
    /* Negate in a wider type: -INT_MIN does not fit an int. */
    long long e = err < 0 ? -(long long)err : err;
    if (e <= 0 || e >= ATOLL_ERROR_MAX || !err_table[e].name)
        return 0;
    return &err_table[e];
}

const char *atoll_errname(int err)
{
    if (err == 0)
        return "ATOLL_OK";
    const struct err_entry *e = lookup(err);
    return e ? e->name : "ATOLL_E?";
}

const char *atoll_strerror(int err)
{
    if (err == 0)
        return "success";
    const struct err_entry *e = lookup(err);
    return e ? e->msg : "unknown error";
}
