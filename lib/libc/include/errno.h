/*
 * lib/libc/include/errno.h - errno for the few standard functions that set
 * it (strtol and friends: ERANGE).  Atoll code itself returns negative
 * ATOLL_E... codes and never looks at errno.
 */
#ifndef ATOLL_LIBC_ERRNO_H
#define ATOLL_LIBC_ERRNO_H

extern int errno;

#define EINVAL 22
#define ERANGE 34

#endif
