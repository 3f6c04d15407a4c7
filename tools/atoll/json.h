/*
 * tools/atoll/json.h - a strict JSON reader (RFC 8259) for the tool's
 * inputs, such as trace files written by a unikernel.
 *
 * json_parse reads a whole document into a tree of json_value nodes.
 * Whatever the input, it either returns the tree or fails with a message
 * naming the line and column of the first problem: no recursion deeper
 * than JSON_MAX_DEPTH, strings checked to be UTF-8 with every escape
 * decoded (a \u escape of a lone surrogate is refused), numbers that must
 * fit a double.  Duplicate object keys are kept; json_get returns the
 * first.
 */
#ifndef ATOLL_TOOL_JSON_H
#define ATOLL_TOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64

enum json_type {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_value {
    enum json_type type;
    double num;               /* JSON_NUMBER */
    char *str;                /* JSON_STRING: decoded, NUL-terminated */
    size_t len;               /* JSON_STRING: bytes; ARRAY, OBJECT: members */
    struct json_value *items; /* ARRAY: len values; OBJECT: len values */
    char **keys;              /* OBJECT: len keys (decoded) */
};

/*
 * Parse `len` bytes of `text` as one JSON document.  On success returns
 * the root (free with json_free).  On failure returns NULL and writes
 * "LINE:COL: what is wrong" into err (errlen bytes).
 */
struct json_value *json_parse(const char *text, size_t len, char *err,
                              size_t errlen);
void json_free(struct json_value *v);

/* Member `key` of object `v`, or NULL (also when v is not an object). */
const struct json_value *json_get(const struct json_value *v, const char *key);

/* The name of a type ("a string", "an object") for messages. */
const char *json_type_name(enum json_type t);

#endif
