/*
 * lib/http/date.c - HTTP dates (RFC 9110 5.6.7): IMF-fixdate written for
 * Date and Last-Modified, and all three forms read for If-Modified-Since
 * and If-Range, as a recipient must:
 *
 *     Sun, 06 Nov 1994 08:49:37 GMT     IMF-fixdate
 *     Sunday, 06-Nov-94 08:49:37 GMT    RFC 850 (two-digit year)
 *     Sun Nov  6 08:49:37 1994          asctime
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/wclock.h"
#include "http_int.h"

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static char *put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void atoll_http_date_format(atoll_time_t t, char buf[ATOLL_HTTP_DATE_LEN])
{
    struct atoll_civil c;
    atoll_civil_from_time(t, &c);
    char *p = buf;
    memcpy(p, days[c.weekday % 7], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = put2(p, c.day);
    *p++ = ' ';
    memcpy(p, months[(c.month + 11) % 12], 3);
    p += 3;
    *p++ = ' ';
    unsigned y = c.year < 0 ? 0 : c.year > 9999 ? 9999 : (unsigned)c.year;
    p = put2(p, y / 100);
    p = put2(p, y % 100);
    *p++ = ' ';
    p = put2(p, c.hour);
    *p++ = ':';
    p = put2(p, c.minute);
    *p++ = ':';
    p = put2(p, c.second);
    memcpy(p, " GMT", 5);
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Reads `n` digits; -1 if they are not there. */
static int digits(const char **s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *s += n;
    return v;
}

static bool lit(const char **s, const char *want)
{
    size_t n = strlen(want);
    if (strncmp(*s, want, n))
        return false;
    *s += n;
    return true;
}

static int month(const char **s)
{
    for (int i = 0; i < 12; i++)
        if (!strncmp(*s, months[i], 3)) {
            *s += 3;
            return i + 1;
        }
    return -1;
}

static bool weekday(const char **s, bool long_name)
{
    static const char *const full[7] = {"Sunday",    "Monday",   "Tuesday",
                                        "Wednesday", "Thursday", "Friday",
                                        "Saturday"};
    for (int i = 0; i < 7; i++)
        if (lit(s, long_name ? full[i] : days[i]))
            return true;
    return false;
}

/* hh:mm:ss */
static bool hms(const char **s, int *h, int *m, int *sec)
{
    return (*h = digits(s, 2)) >= 0 && lit(s, ":") &&
           (*m = digits(s, 2)) >= 0 && lit(s, ":") &&
           (*sec = digits(s, 2)) >= 0;
}

int atoll_http_date_parse(const char *s, atoll_time_t *t)
{
    int y, mo, d, h, mi, sec;
    const char *p = s;
    if (weekday(&p, false) && lit(&p, ", ")) {
        /* IMF-fixdate */
        if ((d = digits(&p, 2)) < 0 || !lit(&p, " ") || (mo = month(&p)) < 0 ||
            !lit(&p, " ") || (y = digits(&p, 4)) < 0 || !lit(&p, " ") ||
            !hms(&p, &h, &mi, &sec) || !lit(&p, " GMT"))
            return -ATOLL_EINVAL;
    } else if ((p = s, weekday(&p, true)) && lit(&p, ", ")) {
        /* RFC 850: a two-digit year is the one within 50 years of now;
         * without a clock at hand, 70-99 is 19xx and 00-69 is 20xx. */
        if ((d = digits(&p, 2)) < 0 || !lit(&p, "-") || (mo = month(&p)) < 0 ||
            !lit(&p, "-") || (y = digits(&p, 2)) < 0 || !lit(&p, " ") ||
            !hms(&p, &h, &mi, &sec) || !lit(&p, " GMT"))
            return -ATOLL_EINVAL;
        y += y >= 70 ? 1900 : 2000;
    } else if ((p = s, weekday(&p, false)) && lit(&p, " ")) {
        /* asctime: the day is "SP d" or "dd" */
        if ((mo = month(&p)) < 0 || !lit(&p, " "))
            return -ATOLL_EINVAL;
        if (*p == ' ') {
            p++;
            d = digits(&p, 1);
        } else {
            d = digits(&p, 2);
        }
        if (d < 0 || !lit(&p, " ") || !hms(&p, &h, &mi, &sec) ||
            !lit(&p, " ") || (y = digits(&p, 4)) < 0)
            return -ATOLL_EINVAL;
    } else {
        return -ATOLL_EINVAL;
    }
    if (*p || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -ATOLL_EINVAL;
    int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                   h * 3600 + mi * 60 + sec;
    /* atoll_time_t counts nanoseconds in 64 bits, from September 1677
     * to April 2262; a date outside (a client may send year 9999, or
     * 0899) is not one we can hold, so it is refused like any other
     * invalid date, and the caller ignores the field (RFC 9110 13.1.3). */
    if (secs > INT64_MAX / 1000000000LL || secs < INT64_MIN / 1000000000LL)
        return -ATOLL_EINVAL;
    *t = secs * 1000000000LL;
    return 0;
}
