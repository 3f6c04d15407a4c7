/*
 * lib/libc/include/ctype.h - character classes of the "C" locale (the only
 * one a unikernel has).  Arguments are an unsigned char value or EOF.
 */
#ifndef ATOLL_LIBC_CTYPE_H
#define ATOLL_LIBC_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#endif
