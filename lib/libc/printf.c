/*
 * lib/libc/printf.c - formatted output into memory (<stdio.h>): vsnprintf
 * and the functions built on it.
 *
 * One pass over the format; output goes through `put`, which counts every
 * byte but stores only those that fit, so the return value is the length
 * the full output would have had (as the standard requires) and the
 * buffer is always NUL-terminated when size > 0.  Numbers are converted
 * into a small stack buffer from the right, then padded according to the
 * flags, width and precision.  Floating point is not supported (Atoll
 * formats no floats); an unsupported conversion is copied as written.
 */
#include "libc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct out {
    char *buf;
    size_t size; /* capacity including the NUL */
    size_t n;    /* bytes produced so far (stored or not) */
};

static void put(struct out *o, char c)
{
    if (o->n + 1 < o->size)
        o->buf[o->n] = c;
    o->n++;
}

static void put_n(struct out *o, char c, int count)
{
    for (; count > 0; count--)
        put(o, c);
}

static void put_s(struct out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        put(o, s[i]);
}

enum {
    F_LEFT = 1,  /* - */
    F_PLUS = 2,  /* + */
    F_SPACE = 4, /* ' ' */
    F_ALT = 8,   /* # */
    F_ZERO = 16, /* 0 */
};

enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

/* One integer conversion: digits of `v` in `base`, a sign or prefix, the
 * precision's leading zeros and the width's padding. */
static void put_int(struct out *o, uint64_t v, bool neg, unsigned base,
                    bool upper, int flags, int width, int prec, char conv)
{
    char digits[24];
    int nd = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    while (v) {
        digits[nd++] = set[v % base];
        v /= base;
    }
    /* A precision of 0 prints nothing for the value 0 (but "%#.0o" still
     * prints "0"). */
    int zeros = prec >= 0 ? (prec > nd ? prec - nd : 0) : 0;
    if (prec < 0 && nd == 0)
        zeros = 1;

    char prefix[3];
    int np = 0;
    if (neg)
        prefix[np++] = '-';
    else if (flags & F_PLUS)
        prefix[np++] = '+';
    else if (flags & F_SPACE)
        prefix[np++] = ' ';
    if (flags & F_ALT) {
        if (base == 16 && nd > 0) {
            prefix[np++] = '0';
            prefix[np++] = upper ? 'X' : 'x';
        } else if (base == 8 && zeros == 0 &&
                   (nd == 0 || digits[nd - 1] != '0')) {
            zeros = 1;
        }
    }
    if (conv == 'p' && np == 0) {
        prefix[np++] = '0';
        prefix[np++] = 'x';
    }

    int len = np + zeros + nd;
    int pad = width > len ? width - len : 0;
    /* The 0 flag pads with zeros after the sign, unless a precision is
     * given or the output is left-aligned. */
    if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(flags & F_LEFT))
        put_n(o, ' ', pad);
    put_s(o, prefix, (size_t)np);
    put_n(o, '0', zeros);
    while (nd > 0)
        put(o, digits[--nd]);
    if (flags & F_LEFT)
        put_n(o, ' ', pad);
}

static void put_str(struct out *o, const char *s, int flags, int width,
                    int prec)
{
    if (!s)
        s = "(null)";
    size_t len = prec >= 0 ? LIBC(strnlen)(s, (size_t)prec) : LIBC(strlen)(s);
    int pad = width > 0 && (size_t)width > len ? width - (int)len : 0;
    if (!(flags & F_LEFT))
        put_n(o, ' ', pad);
    put_s(o, s, len);
    if (flags & F_LEFT)
        put_n(o, ' ', pad);
}

/* A signed argument of the given length, widened. */
static int64_t arg_signed(va_list *ap, enum len l)
{
    switch (l) {
    case L_HH:
        return (signed char)va_arg(*ap, int);
    case L_H:
        return (short)va_arg(*ap, int);
    case L_L:
        return va_arg(*ap, long);
    case L_LL:
        return va_arg(*ap, long long);
    case L_Z:
        return (int64_t)va_arg(*ap, size_t); /* ssize_t has the same size */
    case L_J:
        return va_arg(*ap, intmax_t);
    case L_T:
        return va_arg(*ap, ptrdiff_t);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t arg_unsigned(va_list *ap, enum len l)
{
    switch (l) {
    case L_HH:
        return (unsigned char)va_arg(*ap, unsigned);
    case L_H:
        return (unsigned short)va_arg(*ap, unsigned);
    case L_L:
        return va_arg(*ap, unsigned long);
    case L_LL:
        return va_arg(*ap, unsigned long long);
    case L_Z:
        return va_arg(*ap, size_t);
    case L_J:
        return va_arg(*ap, uintmax_t);
    case L_T:
        return (uint64_t)va_arg(*ap, ptrdiff_t);
    default:
        return va_arg(*ap, unsigned);
    }
}

int LIBC(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt,
                    va_list ap0)
{
    struct out o = {buf, size, 0};
    va_list ap;
    va_copy(ap, ap0);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        const char *start = p++;
        int flags = 0;
        for (;; p++) {
            if (*p == '-')
                flags |= F_LEFT;
            else if (*p == '+')
                flags |= F_PLUS;
            else if (*p == ' ')
                flags |= F_SPACE;
            else if (*p == '#')
                flags |= F_ALT;
            else if (*p == '0')
                flags |= F_ZERO;
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == INT32_MIN ? INT32_MAX : -width;
            }
            p++;
        } else {
            for (; *p >= '0' && *p <= '9'; p++)
                width = width < 100000000 ? width * 10 + (*p - '0') : width;
        }
        int prec = -1;
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1; /* "as if omitted" */
                p++;
            } else {
                for (; *p >= '0' && *p <= '9'; p++)
                    prec = prec < 100000000 ? prec * 10 + (*p - '0') : prec;
            }
        }
        enum len l = L_NONE;
        if (*p == 'h') {
            l = p[1] == 'h' ? L_HH : L_H;
            p += l == L_HH ? 2 : 1;
        } else if (*p == 'l') {
            l = p[1] == 'l' ? L_LL : L_L;
            p += l == L_LL ? 2 : 1;
        } else if (*p == 'z') {
            l = L_Z;
            p++;
        } else if (*p == 'j') {
            l = L_J;
            p++;
        } else if (*p == 't') {
            l = L_T;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&ap, l);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            put_int(&o, mag, v < 0, 10, false, flags, width, prec, *p);
            break;
        }
        case 'u':
            put_int(&o, arg_unsigned(&ap, l), false, 10, false,
                    flags & ~(F_PLUS | F_SPACE), width, prec, *p);
            break;
        case 'o':
            put_int(&o, arg_unsigned(&ap, l), false, 8, false,
                    flags & ~(F_PLUS | F_SPACE), width, prec, *p);
            break;
        case 'x':
        case 'X':
            put_int(&o, arg_unsigned(&ap, l), false, 16, *p == 'X',
                    flags & ~(F_PLUS | F_SPACE), width, prec, *p);
            break;
        case 'p': {
            void *ptr = va_arg(ap, void *);
            if (!ptr)
                put_str(&o, "(nil)", flags, width, -1);
            else
                put_int(&o, (uint64_t)(uintptr_t)ptr, false, 16, false,
                        flags & ~F_ALT, width, prec, 'p');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            int pad = width > 1 ? width - 1 : 0;
            if (!(flags & F_LEFT))
                put_n(&o, ' ', pad);
            put(&o, c);
            if (flags & F_LEFT)
                put_n(&o, ' ', pad);
            break;
        }
        case 's':
            put_str(&o, va_arg(ap, const char *), flags, width, prec);
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            /* Unsupported or malformed: copy it as written.  (The
             * argument, if any, is not consumed.) */
            put_s(&o, start, (size_t)(p - start) + (*p ? 1 : 0));
            if (!*p)
                p--;
            break;
        }
    }
    va_end(ap);
    if (size > 0)
        buf[o.n < size ? o.n : size - 1] = 0;
    return o.n > INT32_MAX ? -1 : (int)o.n;
}

int LIBC(snprintf)(char *restrict buf, size_t size, const char *restrict fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = LIBC(vsnprintf)(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int LIBC(vsprintf)(char *restrict buf, const char *restrict fmt, va_list ap)
{
    return LIBC(vsnprintf)(buf, SIZE_MAX, fmt, ap);
}

int LIBC(sprintf)(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = LIBC(vsnprintf)(buf, SIZE_MAX, fmt, ap);
    va_end(ap);
    return n;
}
