/*
 * lib/libc/libc.h - internal to lib/libc: how its functions are named.
 * Every libc source includes it first.
 *
 * In a unikernel (the hvt target) the freestanding C library defines the
 * standard names (memcpy, vsnprintf, ...).  The host unit tests
 * (tests/unit/libc_*.c) link the same sources into an ordinary Linux
 * process next to the host's C library; there they are built with
 * -DATOLL_LIBC_TEST, which renames every libc symbol to "atoll_libc_NAME"
 * (declarations in lib/libc/include and definitions alike), so the two
 * libraries never clash.  LIBC(name) marks definitions and internal calls
 * for the reader; the renaming itself is done by the macros below.
 */
#ifndef ATOLL_LIBC_LIBC_H
#define ATOLL_LIBC_LIBC_H

#ifdef ATOLL_LIBC_TEST
#define memcpy         atoll_libc_memcpy
#define memmove        atoll_libc_memmove
#define memset         atoll_libc_memset
#define memcmp         atoll_libc_memcmp
#define memchr         atoll_libc_memchr
#define strlen         atoll_libc_strlen
#define strnlen        atoll_libc_strnlen
#define strcmp         atoll_libc_strcmp
#define strncmp        atoll_libc_strncmp
#define strcpy         atoll_libc_strcpy
#define strncpy        atoll_libc_strncpy
#define strcat         atoll_libc_strcat
#define strchr         atoll_libc_strchr
#define strrchr        atoll_libc_strrchr
#define strstr         atoll_libc_strstr
#define strspn         atoll_libc_strspn
#define strcspn        atoll_libc_strcspn
#define isalnum        atoll_libc_isalnum
#define isalpha        atoll_libc_isalpha
#define iscntrl        atoll_libc_iscntrl
#define isdigit        atoll_libc_isdigit
#define isgraph        atoll_libc_isgraph
#define islower        atoll_libc_islower
#define isprint        atoll_libc_isprint
#define ispunct        atoll_libc_ispunct
#define isspace        atoll_libc_isspace
#define isupper        atoll_libc_isupper
#define isxdigit       atoll_libc_isxdigit
#define tolower        atoll_libc_tolower
#define toupper        atoll_libc_toupper
#define vsnprintf      atoll_libc_vsnprintf
#define snprintf       atoll_libc_snprintf
#define vsprintf       atoll_libc_vsprintf
#define sprintf        atoll_libc_sprintf
#define abs            atoll_libc_abs
#define labs           atoll_libc_labs
#define llabs          atoll_libc_llabs
#define strtol         atoll_libc_strtol
#define strtoll        atoll_libc_strtoll
#define strtoul        atoll_libc_strtoul
#define strtoull       atoll_libc_strtoull
#define strtod         atoll_libc_strtod
#define atoi           atoll_libc_atoi
#define qsort          atoll_libc_qsort
#define bsearch        atoll_libc_bsearch
#define abort          atoll_libc_abort
#define errno          atoll_libc_errno
#define __assert_fail  atoll_libc___assert_fail
#define panic          atoll_libc_panic
#define libc_sys_write atoll_libc_libc_sys_write
#define libc_sys_crash atoll_libc_libc_sys_crash
#endif

#define LIBC(name) name

#endif
