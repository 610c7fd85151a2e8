"""Seed the holiday schedule with the notices for 2018–2026 transcribed in ``xinfang/core/data/cn_holidays.json``
(the file the calendar read before the schedule moved into the database), so that due dates are unchanged
after ``migrate``. Later years are imported by administrators (``import_holidays``, admin import page)."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "data" / "cn_holidays.json"


def seed(apps, schema_editor):
    HolidayNotice = apps.get_model("core", "HolidayNotice")
    CalendarDay = apps.get_model("core", "CalendarDay")
    raw = json.loads(SEED.read_text(encoding="utf-8"))
    for key, entry in sorted(raw["years"].items()):
        notice = HolidayNotice.objects.create(
            year=int(key),
            source=entry["source"],
            title=entry.get("title", ""),
            published=date.fromisoformat(entry["published"]) if entry.get("published") else None,
            amendments=entry.get("amendments", []),
            complete=bool(entry.get("complete", False)),
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(date=date.fromisoformat(d), kind=kind, holiday=h["name"], notice=notice)
            for h in entry["holidays"]
            for kind in ("rest", "work")
            for d in h[kind]
        )


def unseed(apps, schema_editor):
    years = [int(y) for y in json.loads(SEED.read_text(encoding="utf-8"))["years"]]
    apps.get_model("core", "HolidayNotice").objects.filter(year__in=years).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_holiday_notice_and_calendar_day")]

    operations = [migrations.RunPython(seed, unseed)]
