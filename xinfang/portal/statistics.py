"""阳光信访: the public statistics of one year, as plain JSON-ready data (no personal data). Built from
the KPI queries in analytics.kpis — the same functions, populations and period as the staff dashboard
(tests/dashboards/test_figures_agree.py holds them equal); the page renders it as tables and the same data
feeds the charts."""

from datetime import date

from django.utils import timezone

from xinfang.analytics import kpis
from xinfang.petitions.models import Registration

FIRST_YEAR = 2018


def years() -> list[int]:
    first = Registration.objects.order_by("registered_at").values_list("registered_at", flat=True).first()
    start = max(FIRST_YEAR, timezone.localtime(first).year) if first else timezone.localdate().year
    return list(range(start, timezone.localdate().year + 1))


def _rate(label: str, num: int, den: int, note: str) -> dict:
    return {
        "label": label,
        "numerator": num,
        "denominator": den,
        "value": round(num / den, 4) if den else None,
        "percent": f"{num / den * 100:.1f}%" if den else "—",
        "note": note,
    }


def _monthly(rows: list[kpis.IntakeRow], columns: list[tuple[str, str]]) -> dict:
    """{"columns": [{key, label}], "rows": [{month, values: [...], total}], "totals": [...]}"""
    cell = {(r.month, r.key): r.registrations for r in rows}
    keys = [k for k, _ in columns]
    table = []
    for month in range(1, 13):
        values = [cell.get((month, k), 0) for k in keys]
        table.append({"month": month, "label": f"{month}月", "values": values, "total": sum(values)})
    totals = [sum(r["values"][i] for r in table) for i in range(len(keys))]
    return {
        "columns": [{"key": k, "label": label} for k, label in columns],
        "rows": table,
        "totals": totals,
        "total": sum(totals),
    }


NOTES = {
    "bureau_acceptance": "收到后15日内转送、交办或作出处理的初件占比（尚未到期的不计入）",
    "unit_acceptance": "登记后30日内由责任单位受理的初件占比（尚未到期的不计入）",
    "completion": "在办理期限（含批准延期）内办结的初件占比（尚未到期的不计入）",
    "bureau_participation": "已评价 ÷（已评价 + 超期未评价）",
    "bureau_satisfaction": "（满意 + 基本满意）÷ 已评价",
    "unit_participation": "已评价 ÷（已评价 + 超期未评价）",
    "unit_satisfaction": "（满意 + 基本满意）÷ 已评价",
}


def payload(year: int, *, today: date | None = None) -> dict:
    """The year's figures through the same kpis functions as the staff dashboard, over the same period:
    the year to date (`Period.year_to_date`, the dashboard's default period), county-wide."""
    today = today or timezone.localdate()
    period = kpis.Period.year_to_date(year, today)
    channel_rows = kpis.intake_counts(period, by="channel", monthly=True)
    channels = [
        (c.value, c.label) for c in Registration.Channel if any(r.key == c.value for r in channel_rows)
    ]
    class_rows = kpis.intake_counts(period, by="content_class", monthly=True)  # top-level, sub-classes in
    classes = kpis.content_classes()  # every top-level class, with zeros
    if any(r.key == "" for r in class_rows):
        classes.append(("", "未分类"))
    figures = kpis.rate_figures(kpis.rate_summary(period, today=today))
    rates = [_rate(f.label, f.numerator, f.denominator, NOTES[code]) for code, f in figures.items()]
    return {
        "year": year,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "by_channel": _monthly(channel_rows, channels),
        "by_content_class": _monthly(class_rows, classes),
        "rates": rates,
        "note": f"统计期间：{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}。"
        "统计口径：按登记日期统计件次，内容分类按一级分类汇总（含其下级分类）；各项比率不含涉法涉诉事项，"
        "及时受理率和按期办结率只统计初件，尚未到期的事项不计入。",
    }
