/*
 * lib/http/chunked.c - the chunked transfer coding (RFC 9112 7.1),
 * decoded incrementally: bytes are fed as they arrive, data comes back as
 * pointers into the input, and nothing is buffered here.
 *
 *     chunk      = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *     last-chunk = 1*"0" [ chunk-ext ] CRLF
 *     trailer-section, then CRLF
 *
 * A chunk size is 1 to 16 hex digits (more could overflow 64 bits; a
 * size that parsers disagree about is a smuggling shape).  Extensions are
 * checked for their characters and ignored; trailer fields are checked
 * like header fields (no obs-fold, no bare CR or LF) and ignored.
 */
#include "http_int.h"

enum {
    S_SIZE,      /* hex digits */
    S_EXT,       /* after the size: BWS ";" extensions, up to CR */
    S_SIZE_LF,   /* the LF of the size line */
    S_DATA,      /* chunk data */
    S_DATA_CR,   /* the CRLF after the data */
    S_DATA_LF,   /* */
    S_TRAILER,   /* at the start of a trailer line (or the final CRLF) */
    S_TRAILER_L, /* inside a trailer field line */
    S_TRAILER_N, /* a trailer field's name */
    S_LINE_LF,   /* the LF of a trailer field line */
    S_END_LF,    /* the final LF */
    S_DONE,
};

/* Longest chunk-size line (size and extensions). */
#define CHUNK_LINE_MAX 4096

void http_chunked_init(struct http_chunked *c)
{
    *c = (struct http_chunked){.state = S_SIZE};
}

int http_chunked_step(struct http_chunked *c, const uint8_t *in, size_t n,
                      size_t *used, const uint8_t **data, size_t *data_len)
{
    *data = NULL;
    *data_len = 0;
    *used = 0; /* on an error too: nothing is taken */
    size_t i = 0;
    while (i < n && c->state != S_DONE) {
        uint8_t b = in[i];
        switch (c->state) {
        case S_SIZE: {
            int v = http_hexval(b);
            if (v >= 0) {
                if (++c->digits > 16)
                    return -400;
                c->remaining = c->remaining << 4 | (uint64_t)v;
            } else if (!c->digits) {
                return -400; /* no digits: "-1", "0x1", " 1" */
            } else if (b == '\r') {
                c->state = S_SIZE_LF;
            } else if (b == ';' || b == ' ' || b == '\t') {
                c->ext_semicolon = b == ';';
                c->state = S_EXT;
            } else {
                return -400;
            }
            break;
        }
        case S_EXT:
            if (b == '\r') {
                if (!c->ext_semicolon)
                    return -400; /* whitespace after the size, no ';' */
                c->state = S_SIZE_LF;
            } else if (b == ';') {
                c->ext_semicolon = true;
            } else if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f) {
                return -400;
            } else if (!c->ext_semicolon && b != ' ' && b != '\t') {
                return -400; /* "5 x": something other than ';' */
            }
            break;
        case S_SIZE_LF:
            if (b != '\n')
                return -400;
            c->digits = 0;
            c->ext_semicolon = false;
            c->line = 0;
            c->state = c->remaining ? S_DATA : S_TRAILER;
            i++;
            continue;
        case S_DATA: {
            size_t take = n - i;
            if (take > c->remaining)
                take = (size_t)c->remaining;
            *data = in + i;
            *data_len = take;
            c->remaining -= take;
            if (!c->remaining)
                c->state = S_DATA_CR;
            *used = i + take;
            return 0;
        }
        case S_DATA_CR:
            if (b != '\r')
                return -400; /* more data than the size said */
            c->state = S_DATA_LF;
            break;
        case S_DATA_LF:
            if (b != '\n')
                return -400;
            c->state = S_SIZE;
            break;
        case S_TRAILER:
            if (b == '\r') {
                c->state = S_END_LF;
            } else if (b == ' ' || b == '\t' || b == ':' || b == '\n') {
                return -400; /* obs-fold, no name, bare LF */
            } else {
                c->state = S_TRAILER_N;
            }
            break;
        case S_TRAILER_N:
            if (b == ':')
                c->state = S_TRAILER_L;
            else if (b <= 0x20 || b >= 0x7f)
                return -400; /* whitespace before ':' and the like */
            break;
        case S_TRAILER_L:
            if (b == '\r')
                c->state = S_LINE_LF;
            else if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f)
                return -400;
            break;
        case S_LINE_LF:
            if (b != '\n')
                return -400;
            c->state = S_TRAILER;
            break;
        case S_END_LF:
            if (b != '\n')
                return -400;
            c->state = S_DONE;
            break;
        }
        if (c->state <= S_SIZE_LF && ++c->line > CHUNK_LINE_MAX)
            return -400;
        if (c->state >= S_TRAILER && ++c->trailer > HTTP_HEADER_MAX)
            return -431;
        i++;
    }
    *used = i;
    return c->state == S_DONE ? 1 : 0;
}
