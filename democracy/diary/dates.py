"""Swedish deadline arithmetic for the meeting diary.

An appeal against a municipal decision (laglighetsprövning, kommunallagen 13 kap. 5 §) must
reach the administrative court within three weeks of the day the approved minutes were
announced on the notice board. Under lagen (1930:173) om beräkning av lagstadgad tid, a
deadline that ends on a Saturday, a Sunday, a public holiday, Midsummer Eve, Christmas Eve or
New Year's Eve moves to the next working day.
"""

from datetime import date, timedelta
from functools import lru_cache

APPEAL_PERIOD = timedelta(weeks=3)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_weekday_between(year: int, month: int, first_day: int, weekday: int) -> date:
    day = date(year, month, first_day)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@lru_cache(maxsize=64)
def non_working_days(year: int) -> frozenset[date]:
    """Public holidays and the days the 1930 act treats like them (weekends not included)."""
    easter = easter_sunday(year)
    midsummer_day = _first_weekday_between(year, 6, 20, 5)  # Saturday 20–26 June
    all_saints = _first_weekday_between(year, 10, 31, 5)  # Saturday 31 Oct – 6 Nov
    return frozenset(
        {
            date(year, 1, 1),  # nyårsdagen
            date(year, 1, 6),  # trettondedag jul
            easter - timedelta(days=2),  # långfredagen
            easter,  # påskdagen
            easter + timedelta(days=1),  # annandag påsk
            date(year, 5, 1),  # första maj
            easter + timedelta(days=39),  # Kristi himmelsfärdsdag
            easter + timedelta(days=49),  # pingstdagen
            date(year, 6, 6),  # Sveriges nationaldag
            midsummer_day - timedelta(days=1),  # midsommarafton
            midsummer_day,  # midsommardagen
            all_saints,  # alla helgons dag
            date(year, 12, 24),  # julafton
            date(year, 12, 25),  # juldagen
            date(year, 12, 26),  # annandag jul
            date(year, 12, 31),  # nyårsafton
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in non_working_days(day.year)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def appeal_deadline(announced_on: date) -> date:
    """The last day an appeal can arrive, for minutes announced on ``announced_on``."""
    return next_working_day(announced_on + APPEAL_PERIOD)
