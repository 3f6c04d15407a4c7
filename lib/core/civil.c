/*
 * lib/core/civil.c - nanoseconds since the epoch to a UTC calendar date.
 *
 * Proleptic Gregorian calendar, valid for negative times too.  The day ->
 * date step counts in 400-year eras (146097 days each) starting on
 * 0000-03-01, so that the leap day is the last day of the counting year and
 * month lengths follow a simple linear formula.
 */
#include "atoll/wclock.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void atoll_civil_from_time(atoll_time_t t, struct atoll_civil *out)
{
    const int64_t ns_per_day = 86400LL * 1000000000LL;
    int64_t days = floor_div(t, ns_per_day);
    int64_t rem = t - days * ns_per_day; /* 0 .. ns_per_day-1 */
    int64_t secs = rem / 1000000000LL;

    out->nanosecond = (uint32_t)(rem % 1000000000LL);
    out->hour = (uint8_t)(secs / 3600);
    out->minute = (uint8_t)(secs / 60 % 60);
    out->second = (uint8_t)(secs % 60);
    /* 1970-01-01 was a Thursday (4). */
    out->weekday = (uint8_t)(((days % 7) + 11) % 7);

    /* Shift the origin to 0000-03-01. */
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097; /* 0..146096 */
    int64_t yoe =
        (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);     /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153; /* 0..11, March=0 */
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);

    out->year = (int32_t)year;
    out->month = (uint8_t)month;
    out->day = (uint8_t)day;
}
