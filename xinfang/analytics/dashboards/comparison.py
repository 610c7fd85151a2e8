"""The KPI table with 同比 (same dates a year earlier) and 环比 (previous month or period of equal length)."""

from dataclasses import dataclass
from datetime import date, timedelta

from xinfang.analytics import kpis
from xinfang.analytics.dashboards.filters import Filters, today_or
from xinfang.analytics.dashboards.intake import average_handling_days, overview
from xinfang.analytics.kpis import Period

# --- comparison periods ---------------------------------------------------------------------------------


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def year_ago(period: Period) -> Period:
    """同比: the same dates one year earlier."""
    return Period(_minus_year(period.start), _minus_year(period.end))


def previous(period: Period) -> Period:
    """环比: the previous calendar month for a whole month, else the period of equal length just before."""
    nxt = period.end + timedelta(days=1)
    if (
        period.start.day == 1
        and nxt.day == 1
        and (nxt.year * 12 + nxt.month) - (period.start.year * 12 + period.start.month) == 1
    ):
        last = period.start - timedelta(days=1)
        return Period.month(last.year, last.month)
    length = (period.end - period.start).days + 1
    return period.shifted(-length)


# --- KPI table with 同比 / 环比 -------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiRow:
    code: str
    label: str
    value: float | None  # a rate (0–1) or, for `avg_days`, days
    numerator: int | None
    denominator: int | None
    year_ago: float | None
    previous: float | None
    drill: str = ""  # drill-down figure for the "bad" part of the figure
    is_rate: bool = True

    def _change(self, other):
        if self.value is None or other is None:
            return None
        return round((self.value - other) * (100 if self.is_rate else 1), 1)

    @property
    def yoy(self) -> float | None:
        """同比 change, in percentage points (rates) or days."""
        return self._change(self.year_ago)

    @property
    def mom(self) -> float | None:
        """环比 change, in percentage points (rates) or days."""
        return self._change(self.previous)


def _figures(f: Filters, today: date) -> dict[str, tuple[float | None, int | None, int | None]]:
    rates = kpis.rate_figures(kpis.rate_summary(f.period, scope=f.scope, today=today))
    ov = overview(f)
    return {
        **{code: (r.value, r.numerator, r.denominator) for code, r in rates.items()},
        "repeat": (ov.repeat_rate, ov.rated_repeat, ov.rated_total),
        "avg_days": (average_handling_days(f), None, None),
    }


DRILLS = {
    "bureau_acceptance": "bureau_accept_late",
    "unit_acceptance": "accept_late",
    "completion": "done_late",
    "bureau_satisfaction": "unsatisfied_bureau",
    "unit_satisfaction": "unsatisfied_unit",
    "repeat": "repeat",
}
KPI_LABELS = {  # code: (label, drill-down figure of its "bad" part)
    **{code: (label, DRILLS.get(code, "")) for code, label in kpis.RATE_LABELS.items()},
    "repeat": ("重复信访率", "repeat"),
    "avg_days": ("平均办理时长（天/件）", ""),
}


def kpi_table(f: Filters, *, today: date | None = None) -> list[KpiRow]:
    """The KPIs of P with the same figures one year earlier (同比) and for the previous period (环比).
    The rates come from `kpis.py`; all four filters apply to every figure."""
    today = today_or(today)
    now = _figures(f, today)
    ago = _figures(f.shifted_to(year_ago(f.period)), today)
    prev = _figures(f.shifted_to(previous(f.period)), today)
    return [
        KpiRow(code, label, *now[code], year_ago=ago[code][0], previous=prev[code][0], drill=drill,
               is_rate=code != "avg_days")
        for code, (label, drill) in KPI_LABELS.items()
    ]  # fmt: skip
