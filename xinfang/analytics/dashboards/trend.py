"""信访总量 by month × 信访形式: the trend chart and table."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Func,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from xinfang.analytics.dashboards.filters import (
    Filters,
    in_period,
    registrations,
)
from xinfang.analytics.kpis import Period
from xinfang.petitions.models import Registration

# --- intake -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    month: str  # "YYYY-MM"
    channel: str
    label: str
    registrations: int  # 件次
    persons: int  # 人次


class LocalMonth(Func):
    """The month ("YYYY-MM") of a datetime in the time zone `zone`, computed by the database: PostgreSQL
    converts with the zone's rules, SQLite shifts by `offset` minutes (the caller checks that the zone keeps
    that offset throughout the rows' period)."""

    output_field = CharField()

    def __init__(self, expression, *, zone: str, offset: int):
        super().__init__(expression)
        self.zone, self.offset = zone, offset

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM')", (*params, self.zone)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime('%%Y-%%m', {sql}, %s)", (*params, f"{self.offset:+d} minutes")


def _local_month(field: str, period: Period) -> Func | Case:
    """The local month ("YYYY-MM") of a datetime in P: `LocalMonth` when the time zone keeps one UTC offset
    through P (Asia/Shanghai always does), else by comparison with the months' bounds (TruncMonth would call
    Python for every row on SQLite)."""
    bounds, month = [period.datetimes()[0]], date(period.start.year, period.start.month, 1)
    while month <= period.end:
        bounds.append(Period.month(month.year, month.month).datetimes()[1])
        month = bounds[-1].date()
    offsets = {b.utcoffset() for b in bounds}
    if len(offsets) == 1:
        return LocalMonth(field, zone=str(timezone.get_current_timezone()),
                          offset=int(offsets.pop().total_seconds()) // 60)  # fmt: skip
    return Case(*(When(**{f"{field}__lt": b}, then=Value(f"{b - timedelta(days=1):%Y-%m}")) for b in bounds[1:]),
                output_field=CharField())  # fmt: skip


def intake_trend(f: Filters) -> list[TrendRow]:
    """信访总量 by month × 信访形式 (件次 and 人次), 登记日期 in P."""
    if (t := f.rollup(by="channel")) is not None:
        folded: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for day, channel, n, persons in (  # month rows and the days of partial months, folded to months
            in_period(t.rows, f.period)
            .values_list("day", t.column)
            .annotate(n=Sum("regs"), persons=Sum("regs_persons"))
            .order_by()
        ):
            month = folded[(f"{day:%Y-%m}", channel)]
            month[0], month[1] = month[0] + n, month[1] + persons
        rows = [dict(m=m, channel=ch, n=n, persons=p) for (m, ch), (n, p) in sorted(folded.items()) if n]
    else:
        rows = (
            registrations(f)
            .annotate(m=_local_month("registered_at", f.period))
            .values("m", "channel")
            .annotate(n=Count("pk"), persons=Sum("head_count"))
            .order_by("m", "channel")
        )
    labels = dict(Registration.Channel.choices)
    return [
        TrendRow(r["m"], r["channel"], str(labels.get(r["channel"], r["channel"])), r["n"],
                 r["persons"] or 0)
        for r in rows
    ]  # fmt: skip
