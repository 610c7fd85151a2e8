"""Plain tables for the dashboard: built from the dataclasses of dashboards.py / kpis.py, rendered as HTML
and as .xlsx by the same data (so the export has the page's numbers). No ORM here."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from xinfang.analytics.dashboards import (
    ClockRow,
    CountRow,
    Filters,
    KpiRow,
    LeagueRow,
    Overview,
    TrendRow,
)

# Column kinds: text | int | rate (0–1) | days | pp (change in percentage points or days)


@dataclass(frozen=True)
class Cell:
    value: object
    link: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (label, kind)
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def values(self) -> list[list[object]]:
        return [[c.value for c in row] for row in self.rows]


def filter_query(f: Filters, **extra) -> dict[str, str]:
    q = {"start": f.period.start.isoformat(), "end": f.period.end.isoformat(), "township": f.township,
         "unit": f.unit, "content_class": f.content_class, **extra}  # fmt: skip
    return {k: v for k, v in q.items() if v}


def drill_url(f: Filters, figure: str, **extra) -> str:
    return f"{reverse('analytics:matters')}?{urlencode(filter_query(f, figure=figure, **extra))}"


def _with(f: Filters, **changes) -> Filters:
    from dataclasses import replace

    return replace(f, **changes)


def kpi_table(rows: list[KpiRow], f: Filters) -> Table:
    t = Table("kpis", "主要指标（同比、环比）", [("指标", "text"), ("本期", "rate"), ("分子", "int"), ("分母", "int"),
              ("上年同期", "rate"), ("同比变化", "pp"), ("上期", "rate"), ("环比变化", "pp")])  # fmt: skip
    for r in rows:
        kind = "rate" if r.is_rate else "days"
        link = drill_url(f, r.drill) if r.drill else ""
        t.rows.append([Cell(r.label, link), Cell((r.value, kind)), Cell(r.numerator), Cell(r.denominator),
                       Cell((r.year_ago, kind)), Cell(r.yoy), Cell((r.previous, kind)), Cell(r.mom)])  # fmt: skip
    return t


def overview_table(ov: Overview, ago: Overview, prev: Overview, f: Filters) -> Table:
    t = Table(
        "overview", "信访总量", [("项目", "text"), ("本期", "int"), ("上年同期", "int"), ("上期", "int")]
    )
    items = [
        ("信访总量（件次）", "registrations", "intake"),
        ("信访总量（人次）", "persons", "intake"),
        ("初件（件次）", "first", ""),
        ("重复件（件次）", "repeat", "repeat"),
        ("集体访/联名信（批次）", "collective_batches", "collective"),
        ("集体访/联名信（人次）", "collective_persons", "collective"),
        ("越级访（件次）", "leapfrog", "leapfrog"),
    ]
    for label, attr, figure in items:
        link = drill_url(f, figure) if figure else ""
        t.rows.append(
            [Cell(label), Cell(getattr(ov, attr), link), Cell(getattr(ago, attr)), Cell(getattr(prev, attr))]
        )
    return t


def trend_table(rows: list[TrendRow], f: Filters) -> Table:
    channels = sorted({(r.channel, r.label) for r in rows})
    months = sorted({r.month for r in rows})
    t = Table("trend", "每月信访量（按信访形式，件次）", [("月份", "text")] + [(c[1], "int") for c in channels]
              + [("合计", "int")])  # fmt: skip
    by = {(r.month, r.channel): r.registrations for r in rows}
    for m in months:
        cells = [Cell(by.get((m, c), 0), drill_url(f, "intake", month=m, channel=c)) for c, _ in channels]
        t.rows.append(
            [Cell(m)] + cells + [Cell(sum(c.value for c in cells), drill_url(f, "intake", month=m))]
        )
    return t


def count_table(key: str, title: str, label: str, rows: list[CountRow], f: Filters, dimension: str) -> Table:
    t = Table(key, title, [(label, "text"), ("件次", "int"), ("人次", "int")])
    for r in rows:
        link = drill_url(_with(f, **{dimension: r.key}), "intake") if r.key else ""
        t.rows.append([Cell(r.label), Cell(r.registrations, link), Cell(r.persons)])
    return t


def clock_table(rows: list[ClockRow], f: Filters) -> Table:
    t = Table("clocks", "时限状态（当前在办事项）", [("时限", "text"), ("正常", "int"), ("临期", "int"), ("超期", "int"),
              ("合计", "int")])  # fmt: skip
    for r in rows:
        t.rows.append([Cell(r.label)] + [
            Cell(getattr(r, s), drill_url(f, "clock", clock=r.clock, status=s)) for s in ("ok", "due_soon", "overdue")
        ] + [Cell(r.total, drill_url(f, "clock", clock=r.clock))])  # fmt: skip
    return t


def league_table(rows: list[LeagueRow], f: Filters, *, by: str) -> Table:
    key, title, first = (
        ("units", "责任单位排名", "责任单位")
        if by == "unit"
        else ("townships", "乡镇（问题属地）排名", "乡镇")
    )
    t = Table(key, title, [(first, "text"), ("登记事项", "int"), ("当前超期", "int"), ("及时受理率", "rate"),
              ("超期受理", "int"), ("按期办结率", "rate"), ("超期办结", "int"), ("参评率", "rate"), ("满意率", "rate"),
              ("重复信访率", "rate"), ("平均办理天数", "days")])  # fmt: skip
    for r in rows:
        g = _with(f, **({"unit": r.key} if by == "unit" else {"township": r.key}))
        t.rows.append([
            Cell(r.label), Cell(r.registered, drill_url(g, "registered")),
            Cell(r.overdue_now, drill_url(g, "overdue")), Cell((r.acceptance_rate, "rate")),
            Cell(r.accept_late, drill_url(g, "accept_late")), Cell((r.completion_rate, "rate")),
            Cell(r.done_late, drill_url(g, "done_late")), Cell((r.participation_rate, "rate")),
            Cell((r.satisfaction_rate, "rate")), Cell((r.repeat_rate, "rate")), Cell((r.avg_days, "days")),
        ])  # fmt: skip
    return t


def plain(value):
    """A cell's value without its kind tag: (0.5, "rate") → 0.5."""
    return value[0] if isinstance(value, tuple) else value


def kind(value, column_kind: str) -> str:
    """A cell's kind: its own tag ((22.0, "days") in a rate column) or its column's."""
    return value[1] if isinstance(value, tuple) else column_kind


# --- chart data (JSON) -----------------------------------------------------------------------------------


def trend_chart(rows: list[TrendRow], f: Filters) -> dict:
    t = trend_table(rows, f)
    months = [r[0].value for r in t.rows]
    series = [{"name": label, "data": [r[i + 1].value for r in t.rows], "links": [r[i + 1].link for r in t.rows]}
              for i, (label, _k) in enumerate(t.columns[1:-1])]  # fmt: skip
    return {"type": "stacked", "categories": months, "series": series}


def count_chart(t: Table) -> dict:
    return {"type": "ranked", "categories": [r[0].value for r in t.rows],
            "series": [{"name": "件次", "data": [r[1].value for r in t.rows], "links": [r[1].link for r in t.rows]}]}  # fmt: skip


def clock_chart(t: Table) -> dict:
    names = [c[0] for c in t.columns[1:4]]
    return {"type": "stacked", "categories": [r[0].value for r in t.rows], "colors": ["#1b6e20", "#d08c00", "#b00020"],
            "series": [{"name": n, "data": [r[i + 1].value for r in t.rows], "links": [r[i + 1].link for r in t.rows]}
                       for i, n in enumerate(names)]}  # fmt: skip
