"""The PRC working-day calendar: weekends, official public holidays and make-up working days (调休).

The schedule is data (``data/cn_holidays.json``), transcribed from the yearly notices of the
国务院办公厅 (《关于××年部分节假日安排的通知》) and their amendments. A year is *covered* when its
notice is in the file with ``complete: true``; for any other year the calendar falls back to
"Saturday and Sunday are rest days", logs a warning once per year and carries on.

Day counting helpers here know nothing about statutory clocks; see ``xinfang.petitions.deadlines``.
How to add a new year: docs/adr/0001-deadline-counting.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

DATA_FILE = "cn_holidays.json"

# Longest run of consecutive rest days we accept before assuming the data is broken (the longest
# real one is the 2020 Spring Festival: 10 days). Guards the loops below against a bad data file.
_MAX_REST_RUN = 31


@dataclass(frozen=True)
class Schedule:
    """The holiday schedule as loaded from the data file."""

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
def load_schedule() -> Schedule:
    """Read and check the bundled data file (once per process)."""
    text = resources.files("xinfang.core").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return _parse_schedule(json.loads(text))


@cache
def _warn_uncovered(year: int) -> None:
    logger.warning(
        "%s 年的节假日安排不在日历数据中（已收录 %s），按仅周六周日休息计算；请补录该年国务院办公厅放假通知。",
        year,
        ", ".join(str(y) for y in load_schedule().years),
    )


def schedule_years() -> list[int]:
    """Years whose official holiday notice is fully transcribed in the data file."""
    return list(load_schedule().years)


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
