"""Statutory clocks (法定期限) as data, and the pure functions that turn them into due dates.

Counting rule (民法典 第二百零一条至第二百零三条, applied by analogy; see
docs/adr/0001-deadline-counting.md): the day the clock starts is not counted, the period runs from
the next day, and the last day ends at 24:00. Two calendars:

* ``"natural"`` (default): calendar days; if the last day is a rest day (official holiday or an
  ordinary Saturday/Sunday, but not a 调休 make-up working day) the deadline moves to the next
  working day.
* ``"working"``: every "日" is counted as a working day.

Clocks whose unit is ``"workday"`` (e.g. the 5-working-day objection window) always count working
days, whatever the calendar. The calendar and the "due soon" threshold default to
``settings.XINFANG_CALENDAR`` / ``settings.XINFANG_DUE_SOON_DAYS`` and can be overridden per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from xinfang.core.calendars import add_working_days, next_working_day

Unit = Literal["day", "workday"]
Calendar = Literal["natural", "working"]
ClockStatus = Literal["done", "done_late", "ok", "due_soon", "overdue"]

CALENDARS: tuple[Calendar, ...] = ("natural", "working")
UNITS: tuple[Unit, ...] = ("day", "workday")

_DEFAULT_CALENDAR: Calendar = "natural"
_DEFAULT_DUE_SOON_DAYS = 3
_DEFAULT_TIME_ZONE = "Asia/Shanghai"

_T = TypeVar("_T")


@dataclass(frozen=True)
class ClockSpec:
    code: str
    label: str
    days: int | None  # None: set per item (e.g. the period an assigning body fixes)
    unit: Unit
    basis: str


_TIAOLI = "《信访工作条例》"

CLOCKS: dict[str, ClockSpec] = {
    spec.code: spec
    for spec in (
        ClockSpec("TRIAGE", "转送交办（收到后15日）", 15, "day", f"{_TIAOLI}第二十二条"),
        ClockSpec(
            "TRIAGE_COUNTY_SLICE",
            "县级转送交办（收到上级转来件后4日）",
            4,
            "day",
            "《信访事项办理群众满意度评价工作办法》（国信发〔2014〕16号）第六条；2022年新办法是否沿用未确认",
        ),
        ClockSpec("NOTIFY_DIRECT", "书面告知（直接收到后15日）", 15, "day", f"{_TIAOLI}第二十三条第二款"),
        ClockSpec("NOTIFY", "书面告知（收到转送交办后15日）", 15, "day", f"{_TIAOLI}第二十三条第三款"),
        ClockSpec(
            "OBJECTION", "提出异议（收到转送交办后5个工作日）", 5, "workday", f"{_TIAOLI}第二十三条第三款"
        ),
        ClockSpec(
            "ASSIGN_REPORT", "交办反馈（指定期限）", None, "day", f"{_TIAOLI}第二十二条（交办，指定办理期限）"
        ),
        ClockSpec(
            "EXTERNAL_REPORT",
            "上级交办期限（上级指定）",
            None,
            "day",
            f"{_TIAOLI}第二十二条（交办，指定办理期限）",
        ),
        ClockSpec("HANDLE", "办理答复（受理后60日）", 60, "day", f"{_TIAOLI}第三十四条"),
        ClockSpec("EXTENSION_MAX", "延期办理（最长30日）", 30, "day", f"{_TIAOLI}第三十四条"),
        ClockSpec(
            "SIMPLE",
            "简易办理（受理后10个工作日）",
            10,
            "workday",
            "《信访事项简易办理办法》2016年试行版；2022年版（国信办发〔2022〕17号）期限未确认",
        ),
        ClockSpec("REVIEW_REQUEST", "申请复查（收到书面答复后30日）", 30, "day", f"{_TIAOLI}第三十五条"),
        ClockSpec("REVIEW", "复查意见（收到复查请求后30日）", 30, "day", f"{_TIAOLI}第三十五条"),
        ClockSpec("RECHECK_REQUEST", "申请复核（收到复查意见后30日）", 30, "day", f"{_TIAOLI}第三十六条"),
        ClockSpec(
            "RECHECK",
            "复核意见（收到复核请求后30日，听证时间不计）",
            30,
            "day",
            f"{_TIAOLI}第三十六条（听证所需时间不计算在期限内）",
        ),
        ClockSpec(
            "SUPERVISION_FEEDBACK",
            "督办反馈（收到改进建议后30日）",
            30,
            "day",
            "《信访条例》（2005）第三十六条；2022年条例第四十条未规定天数",
        ),
        ClockSpec(
            "EVALUATION",
            "满意度评价（答复后30日）",
            30,
            "day",
            "期限未确认：《信访事项办理群众满意度评价工作办法》全文未取得，暂按30日，待核实后调整",
        ),
    )
}


def _setting(name: str, default: _T) -> _T:
    """A project setting, read lazily so this module stays importable (and testable) without Django."""
    from django.conf import settings

    if not settings.configured:
        return default
    value: _T = getattr(settings, name, default)
    return value


def _resolve_calendar(calendar: str | None) -> Calendar:
    value: str = calendar if calendar is not None else _setting("XINFANG_CALENDAR", _DEFAULT_CALENDAR)
    if value == "natural":
        return "natural"
    if value == "working":
        return "working"
    raise ValueError(f"未知的期限日历：{value!r}（应为 natural 或 working）")


def due_date(start: date, days: int, *, unit: str = "day", calendar: str | None = None) -> date:
    """The last day of a period of ``days`` starting on ``start`` (start day not counted).

    The period ends at 24:00 of the returned day.
    """
    if days < 0:
        raise ValueError(f"期限天数不能为负数：{days}")
    if unit not in UNITS:
        raise ValueError(f"未知的期限单位：{unit!r}（应为 day 或 workday）")
    resolved = _resolve_calendar(calendar)
    if unit == "workday" or resolved == "working":
        return add_working_days(start, days)
    return next_working_day(start + timedelta(days=days))


def clock_due(code: str, start: date, *, days: int | None = None, calendar: str | None = None) -> date:
    """Due date of the statutory clock ``code`` started on ``start``.

    ``days`` overrides the length: required for ASSIGN_REPORT (the period the assigning body sets),
    and used for an approved extension shorter than the maximum or for RECHECK plus hearing time.
    """
    spec = CLOCKS.get(code)
    if spec is None:
        raise ValueError(f"未知的期限代码：{code!r}")
    length = days if days is not None else spec.days
    if length is None:
        raise ValueError(f"“{spec.label}”的期限须逐件指定天数")
    return due_date(start, length, unit=spec.unit, calendar=calendar)


def days_left(due: date, today: date) -> int:
    """Calendar days from ``today`` to ``due``: 0 on the due day, negative once overdue."""
    return (due - today).days


def clock_status(
    due: date, *, today: date, done_on: date | None = None, due_soon_days: int | None = None
) -> ClockStatus:
    """Where a clock stands: finished on time or late, or still running (ok / due soon / overdue).

    A clock is due soon when ``0 <= days_left <= due_soon_days``; on the due day itself it is not
    yet overdue (the period ends at 24:00).
    """
    if done_on is not None:
        return "done" if done_on <= due else "done_late"
    threshold = due_soon_days
    if threshold is None:
        threshold = int(_setting("XINFANG_DUE_SOON_DAYS", _DEFAULT_DUE_SOON_DAYS))
    if threshold < 0:
        raise ValueError(f"临期提醒天数不能为负数：{threshold}")
    left = days_left(due, today)
    if left < 0:
        return "overdue"
    if left <= threshold:
        return "due_soon"
    return "ok"


def to_local_date(dt: datetime, *, tz: str | None = None) -> date:
    """The local (settings.TIME_ZONE, normally Asia/Shanghai) calendar date of an aware datetime."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("须为带时区的时间（aware datetime）")
    zone = tz if tz is not None else _setting("TIME_ZONE", _DEFAULT_TIME_ZONE)
    return dt.astimezone(ZoneInfo(zone)).date()
