"""The working-day calendar: official holiday data, make-up working days and counting helpers.

The schedule is read from the database (the migration seeds 2018–2026 from ``cn_holidays.json``), so these
tests use the database; tests/core/test_holiday_schedule.py covers imports, the cache and the fallback."""

import logging
import re
from datetime import date, timedelta

import pytest

from xinfang.core import calendars
from xinfang.core.calendars import (
    add_working_days,
    is_rest_day,
    is_working_day,
    load_schedule,
    next_working_day,
    schedule_years,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = date


@pytest.fixture
def fresh_warnings():
    """Uncovered-year warnings are logged once per process; reset that memory around a test."""
    calendars._warn_uncovered.cache_clear()
    yield
    calendars._warn_uncovered.cache_clear()


# --- the schedule as migrated ---------------------------------------------------------------------


def test_schedule_covers_2018_to_2026():
    assert schedule_years() == list(range(2018, 2027))


def test_every_year_names_its_notice():
    schedule = load_schedule()
    for year in schedule.years:
        # The notice for year Y is issued in Y-1: 国办发明电〔Y-1〕N号.
        assert re.fullmatch(rf"国办发明电〔{year - 1}〕\d+号", schedule.sources[year]), year


def test_make_up_working_days_are_all_weekends():
    schedule = load_schedule()
    assert schedule.work_days
    assert all(d.weekday() >= 5 for d in schedule.work_days)
    assert not schedule.rest_days & schedule.work_days


# Rest days per notice (weekends inside a block included) and make-up working days per notice.
@pytest.mark.parametrize(
    ("year", "rest", "work"),
    [
        (2018, 29, 6),
        (2019, 30, 7),
        (2020, 30, 6),
        (2021, 31, 7),
        (2022, 31, 7),
        (2023, 27, 7),
        (2024, 32, 8),
        (2025, 28, 5),
        (2026, 33, 6),
    ],
)
def test_day_counts_per_notice(year, rest, work):
    import json
    from importlib import resources

    raw = json.loads(resources.files("xinfang.core").joinpath("data", "cn_holidays.json").read_text("utf-8"))
    entry = raw["years"][str(year)]
    assert entry["complete"] is True
    rest_days = [d for h in entry["holidays"] for d in h["rest"]]
    work_days = [d for h in entry["holidays"] for d in h["work"]]
    assert (len(rest_days), len(work_days)) == (rest, work)
    for holiday in entry["holidays"]:
        block = [date.fromisoformat(d) for d in holiday["rest"]]
        assert block == [block[0] + timedelta(days=i) for i in range(len(block))], holiday["name"]


@pytest.mark.parametrize("year", range(2018, 2027))
def test_statutory_days_are_rest_days(year):
    statutory = [D(year, 1, 1), D(year, 5, 1), D(year, 10, 1), D(year, 10, 2), D(year, 10, 3)]
    if year >= 2025:  # 2024 revision of 全国年节及纪念日放假办法 added 5月2日
        statutory.append(D(year, 5, 2))
    assert all(is_rest_day(d) for d in statutory)


# --- single days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rest"),
    [
        (D(2019, 10, 1), True),  # 国庆
        (D(2019, 10, 7), True),  # Monday inside the block
        (D(2019, 10, 8), False),
        (D(2019, 9, 29), False),  # Sunday, 调休上班
        (D(2019, 10, 12), False),  # Saturday, 调休上班
        (D(2019, 10, 13), True),  # ordinary Sunday
        (D(2019, 5, 3), True),  # 2019 劳动节 as amended by 国办发明电〔2019〕3号
        (D(2019, 5, 5), False),  # Sunday worked under the amendment
        (D(2020, 2, 1), True),  # Saturday freed by the 2020 Spring Festival extension
        (D(2020, 2, 2), True),
        (D(2020, 2, 3), False),
        (D(2020, 1, 19), False),
        (D(2024, 2, 9), False),  # 2024 除夕 was only "encouraged", not a holiday
        (D(2024, 2, 18), False),  # Sunday worked
        (D(2025, 1, 28), True),  # 2025 除夕 is a statutory holiday
        (D(2025, 10, 8), True),
        (D(2025, 10, 11), False),
        (D(2026, 2, 23), True),
        (D(2026, 2, 28), False),
        (D(2026, 9, 20), False),
        (D(2026, 6, 19), True),
        (D(2024, 3, 13), False),  # ordinary Wednesday
    ],
)
def test_is_rest_day(day, rest):
    assert is_rest_day(day) is rest
    assert is_working_day(day) is (not rest)


def test_next_working_day():
    assert next_working_day(D(2019, 10, 1)) == D(2019, 10, 8)
    assert next_working_day(D(2019, 10, 8)) == D(2019, 10, 8)
    assert next_working_day(D(2019, 10, 12)) == D(2019, 10, 12)
    assert next_working_day(D(2020, 1, 24)) == D(2020, 2, 3)
    assert next_working_day(D(2018, 12, 30)) == D(2019, 1, 2)


# --- counting ------------------------------------------------------------------------------------


def test_add_working_days_across_national_day_2019():
    # 9-23..27 (5), 9-29 Sunday worked (6), 9-30 (7), holiday, 10-8..11 (11), 10-12 Saturday worked (12),
    # 10-14..16 (15)
    assert add_working_days(D(2019, 9, 20), 15) == D(2019, 10, 16)


def test_make_up_saturday_counts_as_working_day():
    assert add_working_days(D(2019, 10, 11), 1) == D(2019, 10, 12)
    assert add_working_days(D(2019, 10, 8), 4) == D(2019, 10, 12)


def test_add_working_days_zero_and_negative():
    assert add_working_days(D(2019, 10, 3), 0) == D(2019, 10, 8)
    assert add_working_days(D(2019, 10, 9), 0) == D(2019, 10, 9)
    with pytest.raises(ValueError, match="负数"):
        add_working_days(D(2019, 10, 9), -1)


def test_working_days_between():
    assert working_days_between(D(2019, 9, 30), D(2019, 10, 8)) == 1
    assert working_days_between(D(2019, 9, 20), D(2019, 10, 16)) == 15
    assert working_days_between(D(2019, 10, 16), D(2019, 9, 20)) == -15
    assert working_days_between(D(2024, 3, 13), D(2024, 3, 13)) == 0


def test_working_days_between_inverts_add_working_days():
    start = D(2023, 12, 20)
    for offset in range(0, 60, 3):
        a = start + timedelta(days=offset)
        for n in (1, 5, 15):
            assert working_days_between(a, add_working_days(a, n)) == n


def test_year_boundary_2018_2019():
    # 2018-12-29 (Saturday) worked; 12-30, 12-31 and 2019-01-01 off.
    assert add_working_days(D(2018, 12, 28), 1) == D(2018, 12, 29)
    assert add_working_days(D(2018, 12, 29), 1) == D(2019, 1, 2)


def test_leap_day_is_an_ordinary_working_day():
    assert is_working_day(D(2024, 2, 29))
    assert add_working_days(D(2024, 2, 28), 1) == D(2024, 2, 29)
    assert add_working_days(D(2023, 2, 28), 1) == D(2023, 3, 1)


# --- years outside the table ---------------------------------------------------------------------


def test_uncovered_year_falls_back_to_weekends_and_warns(fresh_warnings, caplog):
    with caplog.at_level(logging.WARNING, logger="xinfang.core.calendars"):
        assert is_rest_day(D(2017, 10, 2)) is False  # a holiday in reality, unknown here
        assert is_rest_day(D(2030, 1, 5)) is True  # Saturday
        assert is_rest_day(D(2030, 1, 7)) is False
    messages = [r.getMessage() for r in caplog.records]
    assert any("2017" in m and "周六周日" in m for m in messages)
    assert sum("2030" in m for m in messages) == 1  # once per year, not once per call


def test_counting_runs_past_the_last_covered_year(fresh_warnings, caplog):
    with caplog.at_level(logging.WARNING, logger="xinfang.core.calendars"):
        # 2027 is not in the table: 2027-01-01 (Friday) counts as a working day in the fallback.
        assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 4)
    assert any("2027" in r.getMessage() for r in caplog.records)


def test_covered_year_does_not_warn(fresh_warnings, caplog):
    with caplog.at_level(logging.WARNING, logger="xinfang.core.calendars"):
        is_rest_day(D(2024, 10, 1))
    assert caplog.records == []
