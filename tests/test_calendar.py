"""The Finnish working calendar (simulation/calendar.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from simulation.scenario.calendar import SimCalendar, add_months, is_finnish_working_day

D = date


@pytest.fixture(scope="module")
def cal2025():
    return SimCalendar.for_years(D(2025, 1, 1), 3)


@pytest.mark.parametrize("day", [
    D(2025, 12, 6),   # Independence Day (a Saturday in 2025)
    D(2024, 12, 6),   # Independence Day on a Friday
    D(2025, 6, 20),   # Midsummer Eve (Friday)
    D(2025, 4, 18),   # Good Friday
    D(2025, 4, 21),   # Easter Monday
    D(2025, 12, 24),  # Christmas Eve (Wednesday)
    D(2025, 12, 25),
    D(2025, 12, 26),
    D(2025, 5, 1),
    D(2025, 5, 29),   # Ascension Day
    D(2026, 1, 6),    # Epiphany
    D(2025, 1, 4),    # a plain Saturday
])
def test_not_working_days(cal2025, day):
    assert cal2025.is_working_day(day) is False
    assert is_finnish_working_day(day) is False


@pytest.mark.parametrize("day", [
    D(2025, 4, 22),   # Tuesday after Easter Monday
    D(2025, 6, 19),   # Thursday before Midsummer Eve
    D(2025, 6, 23),   # Monday after Midsummer
    D(2025, 12, 5),   # Friday before Independence Day
    D(2025, 12, 23),
    D(2025, 12, 29),
    D(2025, 1, 2),
])
def test_working_days(cal2025, day):
    assert cal2025.is_working_day(day) is True
    assert is_finnish_working_day(day) is True


def test_working_array_matches_dates(cal2025):
    i = (D(2025, 4, 21) - cal2025.start).days
    assert not cal2025.working[i]
    assert cal2025.working[i + 1]
    # 2025 has 250 working days in Finnish offices (261 weekdays minus 11 holidays on weekdays)
    n2025 = int(cal2025.working[:365].sum())
    expected = sum(is_finnish_working_day(D(2025, 1, 1) + timedelta(days=k)) for k in range(365))
    assert n2025 == expected
    assert 245 <= n2025 <= 252


def test_is_working_day_outside_precomputed_range(cal2025):
    # far beyond horizon + margin: falls back to the holidays package
    assert cal2025.is_working_day(D(2035, 12, 24)) is False  # Monday, Christmas Eve
    assert cal2025.is_working_day(D(2035, 12, 27)) is True   # Thursday


def _idx(cal, d):
    return (d - cal.start).days


def test_add_working_days_across_midsummer(cal2025):
    mon = _idx(cal2025, D(2025, 6, 16))
    assert cal2025.to_date(cal2025.add_working_days(mon, 1)) == D(2025, 6, 17)
    assert cal2025.to_date(cal2025.add_working_days(mon, 4)) == D(2025, 6, 23)
    assert cal2025.to_date(cal2025.add_working_days(mon, 5)) == D(2025, 6, 24)


def test_add_working_days_across_easter(cal2025):
    # Thursday before Easter: Good Friday and Easter Monday are holidays
    thu = _idx(cal2025, D(2025, 4, 17))
    assert cal2025.to_date(cal2025.add_working_days(thu, 1)) == D(2025, 4, 22)
    # 22-25 Apr, 28-30 Apr, (May Day), 2 May, 5 May, 6 May
    assert cal2025.to_date(cal2025.add_working_days(thu, 8)) == D(2025, 5, 2)  # May Day skipped
    assert cal2025.to_date(cal2025.add_working_days(thu, 10)) == D(2025, 5, 6)


def test_add_working_days_from_a_holiday_does_not_count_it(cal2025):
    eve = _idx(cal2025, D(2025, 12, 24))
    # 25, 26 holidays, 27-28 weekend -> Mon 29 is the first working day after
    assert cal2025.to_date(cal2025.add_working_days(eve, 1)) == D(2025, 12, 29)


def test_add_working_days_beyond_margin_stays_monotone():
    cal = SimCalendar(D(2025, 1, 1), 30, margin_days=10)
    prev = 0
    for n in range(1, 40):
        i = cal.add_working_days(0, n)
        assert i > prev
        prev = i


def test_working_days_between(cal2025):
    a = _idx(cal2025, D(2025, 6, 16))
    b = _idx(cal2025, D(2025, 6, 24))
    assert cal2025.working_days_between(a, b) == 5
    assert cal2025.working_days_between(b, a) == -5
    assert cal2025.working_days_between(a, a) == 0
    # consistency with add_working_days
    for n in (1, 3, 10, 22):
        assert cal2025.working_days_between(a, cal2025.add_working_days(a, n)) == n
    # a full week over Christmas 2025: 22, 23, 29 ... (a, b] = (Dec 21, Dec 28] -> 22, 23 only
    assert cal2025.working_days_between(_idx(cal2025, D(2025, 12, 21)),
                                        _idx(cal2025, D(2025, 12, 28))) == 2


def test_next_working_day(cal2025):
    eve = _idx(cal2025, D(2025, 6, 20))
    assert cal2025.to_date(cal2025.next_working_day(eve)) == D(2025, 6, 23)
    i = _idx(cal2025, D(2025, 6, 19))
    assert cal2025.next_working_day(i) == i


def test_three_year_month_starts(cal2025):
    assert cal2025.days == (D(2028, 1, 1) - D(2025, 1, 1)).days
    ms, labels = cal2025.month_starts, cal2025.month_labels
    assert len(ms) == 36 and len(labels) == 36
    assert ms[0] == 0
    assert labels[0] == "2025-01" and labels[1] == "2025-02" and labels[-1] == "2027-12"
    assert ms == sorted(set(ms))
    for i, lab in zip(ms, labels, strict=True):
        d = cal2025.to_date(i)
        assert d.day == 1 and d.strftime("%Y-%m") == lab
    assert cal2025.month_index(ms[5]) == 5
    assert cal2025.month_index(ms[5] - 1) == 4
    assert cal2025.month_index(cal2025.days - 1) == 35


def test_month_starts_mid_month_start():
    cal = SimCalendar(D(2025, 1, 15), (D(2025, 4, 1) - D(2025, 1, 15)).days)
    assert cal.month_labels == ["2025-01", "2025-02", "2025-03"]
    assert cal.month_starts == [0, 17, 45]


def test_time_conversions(cal2025):
    assert cal2025.to_time(D(2025, 2, 1)) == 31.0
    assert cal2025.to_date(31.9) == D(2025, 2, 1)
    assert cal2025.end == D(2028, 1, 1)


@pytest.mark.parametrize("d,months,expected", [
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2025, 3, 31), 1, D(2025, 4, 30)),
    (D(2025, 1, 15), 1, D(2025, 2, 15)),
    (D(2025, 11, 30), 3, D(2026, 2, 28)),
    (D(2025, 12, 31), 12, D(2026, 12, 31)),
    (D(2025, 1, 1), 36, D(2028, 1, 1)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
])
def test_add_months(d, months, expected):
    assert add_months(d, months) == expected
