"""The PRC working-day calendar: weekends, official public holidays and make-up working days (调休).

The schedule is data an administrator maintains: ``HolidayNotice`` / ``CalendarDay`` rows (core app),
imported from the yearly notices of the 国务院办公厅 (《关于××年部分节假日安排的通知》) with
``manage import_holidays`` or the admin's import page. A year is *covered* when its notice is stored
with ``complete`` set; for any other year the calendar falls back to "Saturday and Sunday are rest
days", logs a warning once per year and carries on. ``data/cn_holidays.json`` (2018–2026) is only the
seed of the migration ``0002_seed_holiday_notices`` and the fallback described below.

Caching (one copy per process): ``load_schedule()`` keeps the schedule it read and, at most every
``RECHECK_SECONDS``, reads a cheap version of the tables (row counts and latest ``updated`` of notices
and days, two aggregate queries) and reloads when it changed. ``services.import_holiday_notices`` clears
the cache of its own process at once; other processes see an import within ``RECHECK_SECONDS``.

Fallback: when the tables cannot be read (before ``migrate``, during ``makemigrations --check``, before
the app registry is ready, a database without access) or hold no notice at all (a test database
flushed by a transactional test), the bundled JSON is used and a warning logged; the calendar never
raises because of its data source.

Day counting helpers here know nothing about statutory clocks; see ``xinfang.petitions.deadlines``.
How to add a new year: docs/adr/0001-deadline-counting.md.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

DATA_FILE = "cn_holidays.json"

# How often (seconds) a process checks whether the schedule in the database changed.
RECHECK_SECONDS = 60

# Longest run of consecutive rest days we accept before assuming the data is broken (the longest
# real one is the 2020 Spring Festival: 10 days). Guards the loops below against a bad data file.
_MAX_REST_RUN = 31


@dataclass(frozen=True)
class Schedule:
    """The holiday schedule: all rest and make-up working days, and which notice years are complete."""

    rest_days: frozenset[date]
    work_days: frozenset[date]
    years: tuple[int, ...]  # notice years with complete=true
    sources: dict[int, str]  # notice year -> notice number, e.g. 2019 -> "国办发明电〔2018〕15号"


def _parse_schedule(raw: dict[str, Any]) -> Schedule:
    rest: set[date] = set()
    work: set[date] = set()
    years: list[int] = []
    sources: dict[int, str] = {}
    for key, entry in raw["years"].items():
        year = int(key)
        sources[year] = entry["source"]
        if entry.get("complete", False):
            years.append(year)
        for holiday in entry["holidays"]:
            rest.update(date.fromisoformat(s) for s in holiday["rest"])
            work.update(date.fromisoformat(s) for s in holiday["work"])
    clash = rest & work
    if clash:
        raise ValueError(f"节假日数据错误：以下日期既是放假日又是调休上班日：{sorted(clash)}")
    return Schedule(frozenset(rest), frozenset(work), tuple(sorted(years)), sources)


@cache
def bundled_schedule() -> Schedule:
    """The JSON shipped with the code (seed of the migration; fallback when the database is unusable)."""
    text = resources.files("xinfang.core").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return _parse_schedule(json.loads(text))


def _database_version() -> tuple[Any, ...]:
    from django.db.models import Count, Max

    from xinfang.core.models import CalendarDay, HolidayNotice

    notices = HolidayNotice.objects.aggregate(n=Count("id"), last=Max("updated"))
    days = CalendarDay.objects.aggregate(n=Count("id"), last=Max("updated"))
    return (notices["n"], notices["last"], days["n"], days["last"])


def _database_schedule() -> Schedule:
    from xinfang.core.models import CalendarDay, HolidayNotice

    rest: set[date] = set()
    work: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (rest if kind == CalendarDay.Kind.REST else work).add(day)
    notices = list(HolidayNotice.objects.values_list("year", "source", "complete"))
    years = tuple(sorted(y for y, _source, complete in notices if complete))
    return Schedule(frozenset(rest), frozenset(work), years, {y: source for y, source, _c in notices})


# (schedule, version it was read at or None for the fallback, monotonic time of the last check)
_cached: tuple[Schedule, tuple[Any, ...] | None, float] | None = None
_lock = threading.Lock()


def clear_schedule_cache() -> None:
    """Forget the cached schedule: the next call reads the database again."""
    global _cached
    _cached = None


def _fallback(reason: str) -> Schedule:
    _warn_fallback(reason)
    return bundled_schedule()


@cache
def _warn_fallback(reason: str) -> None:
    logger.warning("节假日安排无法从数据库读取（%s），暂按随程序附带的 %s 计算。", reason, DATA_FILE)


def load_schedule() -> Schedule:
    """The schedule in the database, cached per process and re-validated every ``RECHECK_SECONDS``."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - cached[2] < RECHECK_SECONDS:
        return cached[0]
    with _lock:
        cached = _cached
        if cached is not None and now - cached[2] < RECHECK_SECONDS:
            return cached[0]
        try:
            from django.db import transaction

            with transaction.atomic():  # a savepoint: a failed read leaves an outer transaction usable
                version = _database_version()
                if cached is not None and cached[1] == version:
                    schedule = cached[0]
                elif version[0] == 0:
                    schedule, version = _fallback("数据库中尚无任何节假日安排通知"), None
                else:
                    schedule = _database_schedule()
        except Exception as e:  # noqa: BLE001 — before migrate / registry not ready / no DB: never crash
            schedule, version = _fallback(f"{type(e).__name__}: {e}"), None
        _cached = (schedule, version, now)
        return schedule


@cache
def _warn_uncovered(year: int) -> None:
    logger.warning(
        "%s 年的节假日安排尚未录入（已录入 %s），按仅周六周日休息计算；请管理员导入该年国务院办公厅放假通知。",
        year,
        ", ".join(str(y) for y in load_schedule().years),
    )


def schedule_years() -> list[int]:
    """Years whose official holiday notice is stored complete."""
    return list(load_schedule().years)


# From this day of the year on, a missing schedule for next year is reported (the notice usually appears
# between late October and early December).
WARN_NEXT_YEAR_FROM = (11, 1)


def missing_schedule_warnings(*, today: date) -> list[str]:
    """Warnings for staff and administrators: this year's schedule missing (always), next year's
    missing (from 1 November on). ``today`` is the local date (``timezone.localdate()``)."""
    years = [today.year]
    if (today.month, today.day) >= WARN_NEXT_YEAR_FROM:
        years.append(today.year + 1)
    covered = set(load_schedule().years)
    return [
        f"{y}年节假日安排尚未录入，期限按仅周六周日休息计算，请管理员导入国务院办公厅通知。"
        for y in years
        if y not in covered
    ]


def is_rest_day(d: date) -> bool:
    """True on an official holiday, or on a Saturday/Sunday that is not a make-up working day (调休上班日)."""
    schedule = load_schedule()
    if d.year not in schedule.years:
        _warn_uncovered(d.year)
    if d in schedule.work_days:
        return False
    if d in schedule.rest_days:
        return True
    return d.weekday() >= 5


def is_working_day(d: date) -> bool:
    return not is_rest_day(d)


def next_working_day(d: date) -> date:
    """``d`` itself if it is a working day, otherwise the first working day after it."""
    for _ in range(_MAX_REST_RUN):
        if is_working_day(d):
            return d
        d += timedelta(days=1)
    raise RuntimeError(f"{d} 之前连续 {_MAX_REST_RUN} 天都是休息日，节假日数据可能有误")


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (start itself is not counted; the day after is day 1).

    ``n == 0`` gives ``next_working_day(start)``, so the result is always a working day.
    """
    if n < 0:
        raise ValueError(f"工作日天数不能为负数：{n}")
    if n == 0:
        return next_working_day(start)
    d = start
    counted = 0
    while counted < n:
        d = next_working_day(d + timedelta(days=1))
        counted += 1
    return d


def working_days_between(a: date, b: date) -> int:
    """Number of working days in the half-open interval (a, b]; negative if b is before a.

    Consistent with ``add_working_days``: ``working_days_between(a, add_working_days(a, n)) == n``
    for n >= 1.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    d = a + timedelta(days=1)
    while d <= b:
        if is_working_day(d):
            count += 1
        d += timedelta(days=1)
    return count
