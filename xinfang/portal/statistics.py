"""阳光信访: the public statistics of one year, as plain JSON-ready data (no personal data). Built from
the KPI queries in analytics.kpis; the page renders it as tables and the same data feeds the charts."""

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


def payload(year: int) -> dict:
    period = kpis.Period.year(year)
    channel_rows = kpis.intake_counts(period, by="channel", monthly=True)
    channels = [
        (c.value, c.label) for c in Registration.Channel if any(r.key == c.value for r in channel_rows)
    ]
    class_rows = kpis.intake_counts(period, by="content_class", monthly=True)
    present = {r.key for r in class_rows}
    classes = [(code, name) for code, name in kpis.content_classes() if code in present]
    if "" in present:
        classes.append(("", "未分类"))
    s = kpis.rate_summary(period)
    b, u = s.bureau_evaluation, s.unit_evaluation
    rates = [
        _rate("及时受理率（信访部门）", s.bureau_acceptance.on_time, s.bureau_acceptance.total,
              "登记后15日内转送、交办或作出处理的初件占比"),
        _rate("及时受理率（责任单位）", s.unit_acceptance.on_time, s.unit_acceptance.total,
              "登记后30日内由责任单位受理的初件占比"),
        _rate("按期办结率", s.completion.on_time, s.completion.total, "在办理期限（含批准延期）内办结的初件占比"),
        _rate("参评率（信访部门）", b.evaluated, b.evaluated + b.expired, "已评价 ÷（已评价 + 超期未评价）"),
        _rate("满意率（信访部门）", b.satisfied + b.basically, b.evaluated, "（满意 + 基本满意）÷ 已评价"),
        _rate("参评率（责任单位）", u.evaluated, u.evaluated + u.expired, "已评价 ÷（已评价 + 超期未评价）"),
        _rate("满意率（责任单位）", u.satisfied + u.basically, u.evaluated, "（满意 + 基本满意）÷ 已评价"),
    ]  # fmt: skip
    return {
        "year": year,
        "by_channel": _monthly(channel_rows, channels),
        "by_content_class": _monthly(class_rows, classes),
        "rates": rates,
        "note": "统计口径：按登记日期统计件次；各项比率不含涉法涉诉事项，及时受理率和按期办结率只统计初件。",
    }
