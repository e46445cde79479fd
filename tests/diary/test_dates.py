from datetime import date

import pytest

from democracy.diary.dates import appeal_deadline, easter_sunday, is_working_day


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))],
)
def test_easter(year, expected):
    assert easter_sunday(year) == expected


@pytest.mark.parametrize(
    ("announced", "deadline"),
    [
        # Plain three weeks, inside a month.
        (date(2026, 3, 2), date(2026, 3, 23)),
        # Across a month end: 20 January + 21 days = 10 February (Tuesday).
        (date(2026, 1, 20), date(2026, 2, 10)),
        # Across February in a leap year: 15 Feb 2028 + 21 = 7 March 2028 (Tuesday).
        (date(2028, 2, 15), date(2028, 3, 7)),
        # Across a year end: 15 Dec 2026 + 21 = 5 Jan 2027 (Tuesday).
        (date(2026, 12, 15), date(2027, 1, 5)),
        # Ends on a Saturday: 10 Oct 2026 + 21 = 31 Oct (Saturday, All Saints' Day) → Monday 2 Nov.
        (date(2026, 10, 10), date(2026, 11, 2)),
        # Ends on Christmas Eve (Thursday 24 Dec 2026): 25 Dec and 26 Dec are holidays,
        # 27 Dec is a Sunday → Monday 28 December.
        (date(2026, 12, 3), date(2026, 12, 28)),
        # Ends on Good Friday 2027 (26 March) → Easter Monday is 29 March → Tuesday 30 March.
        (date(2027, 3, 5), date(2027, 3, 30)),
        # Ends on Midsummer Eve 2026 (Friday 19 June) → Monday 22 June.
        (date(2026, 5, 29), date(2026, 6, 22)),
    ],
)
def test_appeal_deadline(announced, deadline):
    assert appeal_deadline(announced) == deadline


def test_working_days():
    assert is_working_day(date(2026, 11, 23))  # Monday
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert not is_working_day(date(2026, 6, 6))  # National Day
    assert not is_working_day(date(2026, 5, 14))  # Ascension Day 2026
