/*
 * lib/libc/ctype.c - character classes of the "C" locale (<ctype.h>):
 * plain ASCII ranges, no tables.
 */
#include "libc.h"

#include <ctype.h>

int LIBC(isdigit)(int c)
{
    return c >= '0' && c <= '9';
}

int LIBC(isupper)(int c)
{
    return c >= 'A' && c <= 'Z';
}

int LIBC(islower)(int c)
{
    return c >= 'a' && c <= 'z';
}

int LIBC(isalpha)(int c)
{
    return LIBC(isupper)(c) || LIBC(islower)(c);
}

int LIBC(isalnum)(int c)
{
    return LIBC(isalpha)(c) || LIBC(isdigit)(c);
}

int LIBC(isxdigit)(int c)
{
    return LIBC(isdigit)(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int LIBC(isspace)(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int LIBC(iscntrl)(int c)
{
    return (c >= 0 && c < 0x20) || c == 0x7f;
}

int LIBC(isprint)(int c)
{
    return c >= 0x20 && c < 0x7f;
}

int LIBC(isgraph)(int c)
{
    return c > 0x20 && c < 0x7f;
}

int LIBC(ispunct)(int c)
{
    return LIBC(isgraph)(c) && !LIBC(isalnum)(c);
}

int LIBC(tolower)(int c)
{
    return LIBC(isupper)(c) ? c - 'A' + 'a' : c;
}

int LIBC(toupper)(int c)
{
    return LIBC(islower)(c) ? c - 'a' + 'A' : c;
}
