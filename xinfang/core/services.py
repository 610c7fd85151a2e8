"""Writers of the core app: the holiday schedule (节假日安排).

``import_holiday_notices`` is the one way a year's schedule enters the database (management command
``import_holidays``, the admin's import page, the seed migration's data). It replaces each given year's
notice and days in one transaction (all years or none) and then clears the process's calendar cache;
other processes notice the change within ``calendars.RECHECK_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from xinfang.core import calendars
from xinfang.core.holiday_notices import Notice, NoticeError, check_notice, parse_notice
from xinfang.core.models import CalendarDay, HolidayNotice


def import_holiday_notices(notices: Iterable[Notice], *, by=None) -> list[HolidayNotice]:
    """Store (or replace) the notices; raises ``NoticeError`` listing every problem, changing nothing."""
    notices = list(notices)
    errors: list[str] = []
    for notice in notices:
        try:
            check_notice(notice)
        except NoticeError as e:
            errors.extend(e.errors)
    years = [n.year for n in notices]
    if len(set(years)) != len(years):
        errors.append("同一年度的通知重复出现")
    if errors:
        raise NoticeError(errors)

    stored: list[HolidayNotice] = []
    with transaction.atomic():
        # Dates another year's notice already holds (e.g. 12-31 of the previous year) may not be claimed.
        claimed = {
            d: y
            for d, y in CalendarDay.objects.exclude(notice__year__in=years).values_list(
                "date", "notice__year"
            )
        }
        clashes = [
            f"{n.year}年：{d:%Y-%m-%d}已由{claimed[d]}年的通知安排"
            for n in notices
            for h in n.holidays
            for d in h.rest + h.work
            if d in claimed
        ]
        if clashes:
            raise NoticeError(clashes)
        now = timezone.now()
        for n in notices:
            row, _ = HolidayNotice.objects.update_or_create(
                year=n.year,
                defaults={
                    "source": n.source,
                    "title": n.title,
                    "published": n.published,
                    "amendments": n.amendments,
                    "complete": n.complete,
                    "imported_at": now,
                    "imported_by": by,
                },
            )
            row.days.all().delete()
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(date=d, kind=kind, holiday=h.name, notice=row)
                    for h in n.holidays
                    for kind, dates in ((CalendarDay.Kind.REST, h.rest), (CalendarDay.Kind.WORK, h.work))
                    for d in dates
                ]
            )
            stored.append(row)
    calendars.clear_schedule_cache()
    return stored


def import_holiday_file(text: str, *, year: int | None = None, by=None) -> list[HolidayNotice]:
    """The import command's and the admin page's entry: JSON or the notice's plain text."""
    return import_holiday_notices(parse_notice(text, year=year), by=by)
