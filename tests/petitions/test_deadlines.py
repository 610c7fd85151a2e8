"""Statutory clocks: due dates in both calendar modes, clock status, local dates."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from xinfang.petitions.deadlines import (
    CLOCKS,
    ClockSpec,
    clock_due,
    clock_status,
    days_left,
    due_date,
    to_local_date,
)

D = date


# --- the clock table -----------------------------------------------------------------------------


def test_clock_table_has_every_row_of_the_deadline_table():
    assert set(CLOCKS) == {
        "TRIAGE",
        "TRIAGE_COUNTY_SLICE",
        "NOTIFY_DIRECT",
        "NOTIFY",
        "OBJECTION",
        "ASSIGN_REPORT",
        "EXTERNAL_REPORT",
        "HANDLE",
        "EXTENSION_MAX",
        "SIMPLE",
        "REVIEW_REQUEST",
        "REVIEW",
        "RECHECK_REQUEST",
        "RECHECK",
        "SUPERVISION_FEEDBACK",
        "EVALUATION",
    }
    assert all(isinstance(spec, ClockSpec) and spec.code == code for code, spec in CLOCKS.items())


@pytest.mark.parametrize(
    ("code", "days", "unit", "article"),
    [
        ("TRIAGE", 15, "day", "第二十二条"),
        ("TRIAGE_COUNTY_SLICE", 4, "day", "第六条"),
        ("NOTIFY_DIRECT", 15, "day", "第二十三条第二款"),
        ("NOTIFY", 15, "day", "第二十三条第三款"),
        ("OBJECTION", 5, "workday", "第二十三条第三款"),
        ("ASSIGN_REPORT", None, "day", "第二十二条"),
        ("HANDLE", 60, "day", "第三十四条"),
        ("EXTENSION_MAX", 30, "day", "第三十四条"),
        ("SIMPLE", 10, "workday", "简易办理"),
        ("REVIEW_REQUEST", 30, "day", "第三十五条"),
        ("REVIEW", 30, "day", "第三十五条"),
        ("RECHECK_REQUEST", 30, "day", "第三十六条"),
        ("RECHECK", 30, "day", "第三十六条"),
        ("SUPERVISION_FEEDBACK", 30, "day", "第三十六条"),
        ("EVALUATION", 30, "day", "未确认"),
    ],
)
def test_clock_specs(code, days, unit, article):
    spec = CLOCKS[code]
    assert (spec.days, spec.unit) == (days, unit)
    assert article in spec.basis
    assert spec.label


def test_clock_specs_are_frozen():
    with pytest.raises(AttributeError):
        CLOCKS["HANDLE"].days = 90  # type: ignore[misc]


# --- National Day 2019 / 2024 / 2025 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "natural", "working"),
    [
        # 09-20 + 15 = 10-05, inside the 10-01..10-07 holiday -> first working day 10-08.
        # Working: 9-23..27, 9-29 (Sun, worked), 9-30, 10-8..11, 10-12 (Sat, worked), 10-14..16.
        (D(2019, 9, 20), D(2019, 10, 8), D(2019, 10, 16)),
        (D(2024, 9, 20), D(2024, 10, 8), D(2024, 10, 16)),
        # 2025: holiday 10-01..10-08; 9-28 (Sun) and 10-11 (Sat) worked.
        (D(2025, 9, 20), D(2025, 10, 9), D(2025, 10, 16)),
    ],
)
def test_fifteen_day_clock_over_national_day(start, natural, working):
    assert due_date(start, 15, calendar="natural") == natural
    assert due_date(start, 15, calendar="working") == working
    assert clock_due("TRIAGE", start, calendar="natural") == natural
    assert clock_due("TRIAGE", start, calendar="working") == working


def test_deadline_on_a_make_up_saturday_is_not_rolled():
    # 2019-09-27 + 15 = 2019-10-12, a Saturday worked in lieu (调休上班): it stays.
    assert due_date(D(2019, 9, 27), 15, calendar="natural") == D(2019, 10, 12)
    assert due_date(D(2024, 9, 27), 15, calendar="natural") == D(2024, 10, 12)
    # ...and in working mode that Saturday is counted as a working day.
    assert due_date(D(2019, 10, 11), 1, calendar="working") == D(2019, 10, 12)


def test_deadline_on_an_ordinary_weekend_rolls_to_monday():
    # 2024-03-01 + 15 = 2024-03-16 (Saturday) -> Monday 03-18.
    assert due_date(D(2024, 3, 1), 15, calendar="natural") == D(2024, 3, 18)


def test_deadline_on_a_working_day_is_unchanged():
    assert due_date(D(2024, 3, 4), 15, calendar="natural") == D(2024, 3, 19)


# --- objection window: 5 working days ------------------------------------------------------------


def test_objection_window_over_a_weekend():
    # Received Thu 2024-03-14: Fri 15 (1), Mon 18 (2), 19, 20, Thu 21 (5).
    assert clock_due("OBJECTION", D(2024, 3, 14), calendar="natural") == D(2024, 3, 21)


def test_objection_window_over_the_holiday():
    # Received Fri 2025-09-26: Sun 28 worked (1), 29, 30 (3), holiday 10-01..08, Thu 10-09 (4), Fri 10-10 (5).
    for calendar in ("natural", "working"):
        assert clock_due("OBJECTION", D(2025, 9, 26), calendar=calendar) == D(2025, 10, 10)


def test_objection_window_over_the_amended_2019_labour_day():
    # Received Fri 2019-04-26: Sun 04-28 worked (1), 29, 30 (3), 05-01..04 off, Sun 05-05 worked (4), Mon 05-06 (5).
    assert clock_due("OBJECTION", D(2019, 4, 26)) == D(2019, 5, 6)


def test_workday_unit_ignores_the_calendar_setting():
    assert due_date(D(2024, 3, 14), 5, unit="workday", calendar="natural") == D(2024, 3, 21)


def test_simple_handling_ten_working_days():
    # From Fri 2024-09-27: 9-29 (Sun, worked) 1, 9-30 2, 10-8..11 6, 10-12 (Sat, worked) 7, 10-14..16 10.
    assert clock_due("SIMPLE", D(2024, 9, 27)) == D(2024, 10, 16)


# --- leap years and year boundaries --------------------------------------------------------------


def test_leap_years():
    # 2024-02-14 + 15 = 2024-02-29 (Thursday, a working day).
    assert due_date(D(2024, 2, 14), 15, calendar="natural") == D(2024, 2, 29)
    assert due_date(D(2023, 2, 14), 15, calendar="natural") == D(2023, 3, 1)
    # 60-day handling clock from New Year's Day.
    assert clock_due("HANDLE", D(2024, 1, 1), calendar="natural") == D(2024, 3, 1)
    assert clock_due("HANDLE", D(2023, 1, 1), calendar="natural") == D(2023, 3, 2)


def test_year_boundaries():
    # Lands on Sat 2018-12-29, a make-up working day: not rolled.
    assert due_date(D(2018, 12, 14), 15, calendar="natural") == D(2018, 12, 29)
    # Lands on Mon 2018-12-31 (元旦 block 12-30..01-01): rolled into the new year.
    assert due_date(D(2018, 12, 16), 15, calendar="natural") == D(2019, 1, 2)
    # Lands on Sat 2022-12-31 (元旦 block to 2023-01-02).
    assert due_date(D(2022, 12, 16), 15, calendar="natural") == D(2023, 1, 3)
    # 30-day review request window across New Year 2026 (元旦 01-01..03, Sun 01-04 worked).
    assert clock_due("REVIEW_REQUEST", D(2025, 12, 3), calendar="natural") == D(2026, 1, 4)


def test_year_outside_the_schedule_uses_weekends_only():
    # 2030 is not in the table: 2030-10-01 (Tuesday) is not known as a holiday.
    assert due_date(D(2030, 9, 16), 15, calendar="natural") == D(2030, 10, 1)
    # Lands on Saturday 2030-10-05 -> Monday 10-07.
    assert due_date(D(2030, 9, 20), 15, calendar="natural") == D(2030, 10, 7)


# --- overrides, settings, errors -----------------------------------------------------------------


def test_days_override_for_assigned_period_and_recheck_hearing():
    with pytest.raises(ValueError, match="逐件指定"):
        clock_due("ASSIGN_REPORT", D(2024, 3, 4))
    assert clock_due("ASSIGN_REPORT", D(2024, 3, 4), days=10, calendar="natural") == D(2024, 3, 14)
    # Recheck with a 10-day hearing excluded from the 30 days: pass 40.
    assert clock_due("RECHECK", D(2024, 3, 4), days=40, calendar="natural") == D(2024, 4, 15)


def test_calendar_defaults_to_settings(settings):
    settings.XINFANG_CALENDAR = "natural"
    assert due_date(D(2019, 9, 20), 15) == D(2019, 10, 8)
    settings.XINFANG_CALENDAR = "working"
    assert due_date(D(2019, 9, 20), 15) == D(2019, 10, 16)
    assert due_date(D(2019, 9, 20), 15, calendar="natural") == D(2019, 10, 8)


def test_unknown_calendar_in_settings_is_rejected(settings):
    settings.XINFANG_CALENDAR = "lunar"
    with pytest.raises(ValueError, match="未知的期限日历"):
        due_date(D(2024, 3, 4), 15)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": -1}, "不能为负数"),
        ({"days": 15, "calendar": "lunar"}, "未知的期限日历"),
        ({"days": 15, "unit": "week"}, "未知的期限单位"),
    ],
)
def test_due_date_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        due_date(D(2024, 3, 4), **kwargs)


def test_unknown_clock_code():
    with pytest.raises(ValueError, match="未知的期限代码"):
        clock_due("NOPE", D(2024, 3, 4))


def test_zero_days_is_the_start_day_or_next_working_day():
    assert due_date(D(2024, 3, 4), 0, calendar="natural") == D(2024, 3, 4)
    assert due_date(D(2024, 10, 3), 0, calendar="natural") == D(2024, 10, 8)


# --- status --------------------------------------------------------------------------------------

DUE = D(2024, 10, 8)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2024, 10, 4), "ok"),
        (D(2024, 10, 5), "due_soon"),
        (D(2024, 10, 8), "due_soon"),  # the last day runs to 24:00
        (D(2024, 10, 9), "overdue"),
    ],
)
def test_clock_status_running(today, expected):
    assert clock_status(DUE, today=today, due_soon_days=3) == expected


def test_clock_status_done():
    assert clock_status(DUE, today=D(2024, 11, 1), done_on=D(2024, 10, 8)) == "done"
    assert clock_status(DUE, today=D(2024, 11, 1), done_on=D(2024, 10, 9)) == "done_late"


def test_clock_status_threshold_from_settings(settings):
    settings.XINFANG_DUE_SOON_DAYS = 5
    assert clock_status(DUE, today=D(2024, 10, 3)) == "due_soon"
    settings.XINFANG_DUE_SOON_DAYS = 0
    assert clock_status(DUE, today=D(2024, 10, 7)) == "ok"
    assert clock_status(DUE, today=D(2024, 10, 8)) == "due_soon"


def test_clock_status_rejects_negative_threshold():
    with pytest.raises(ValueError, match="不能为负数"):
        clock_status(DUE, today=D(2024, 10, 1), due_soon_days=-1)


def test_days_left():
    assert days_left(DUE, D(2024, 10, 1)) == 7
    assert days_left(DUE, DUE) == 0
    assert days_left(DUE, D(2024, 10, 9)) == -1


# --- local dates ---------------------------------------------------------------------------------


def test_to_local_date_uses_shanghai_time():
    assert to_local_date(datetime(2024, 9, 30, 15, 59, tzinfo=UTC)) == D(2024, 9, 30)
    assert to_local_date(datetime(2024, 9, 30, 16, 0, tzinfo=UTC)) == D(2024, 10, 1)
    assert to_local_date(datetime(2024, 10, 1, 0, 30, tzinfo=timezone(timedelta(hours=8)))) == D(2024, 10, 1)
    assert to_local_date(datetime(2024, 9, 30, 16, 0, tzinfo=UTC), tz="UTC") == D(2024, 9, 30)


def test_to_local_date_follows_settings(settings):
    settings.TIME_ZONE = "UTC"
    assert to_local_date(datetime(2024, 9, 30, 16, 0, tzinfo=UTC)) == D(2024, 9, 30)


def test_to_local_date_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="带时区"):
        to_local_date(datetime(2024, 9, 30, 16, 0))
