"""Clock status: open matters per running staff clock, now (正常 / 临期 / 超期)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Count,
    Q,
    QuerySet,
)

from xinfang.analytics.dashboards.filters import Filters, today_or
from xinfang.analytics.kpis import total
from xinfang.analytics.models import ClockTally
from xinfang.analytics.tallies import STAFF_CLOCKS
from xinfang.petitions import deadlines, workflow
from xinfang.petitions.models import Matter
from xinfang.petitions.queries import CLOCK_SHORT

# The petitioner's own windows are not a risk for the staff: they lapse into closure (the staff's clocks
# are tallies.STAFF_CLOCKS).
PETITIONER_CLOCKS = ("REVIEW_REQUEST", "RECHECK_REQUEST")


# --- clocks -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockRow:
    clock: str
    label: str
    ok: int
    due_soon: int
    overdue: int

    @property
    def total(self) -> int:
        return self.ok + self.due_soon + self.overdue


def _soon(today: date) -> date:
    return today + timedelta(days=int(deadlines._setting("XINFANG_DUE_SOON_DAYS", 3)))


def _open_with_clock(f: Filters) -> QuerySet:
    return f.matters(Matter.objects.filter(state__in=workflow.OPEN_STATES, clock__in=STAFF_CLOCKS,
                                           clock_due__isnull=False))  # fmt: skip


def clock_status(f: Filters, *, today: date | None = None) -> list[ClockRow]:
    """Open matters per running clock, now: 正常 / 临期 / 超期 (the period does not apply)."""
    today = today_or(today)
    soon = _soon(today)
    if (t := f.tallies(ClockTally)) is not None:  # open matters counted per due day
        qs, due, count = t, "day", lambda q: total("n", filter=q)
    else:
        qs, due, count = _open_with_clock(f), "clock_due", lambda q: Count("pk", filter=q)
    rows = {
        r["clock"]: r
        for r in qs.values("clock")
        .annotate(
            overdue=count(Q(**{f"{due}__lt": today})),
            due_soon=count(Q(**{f"{due}__gte": today, f"{due}__lte": soon})),
            ok=count(Q(**{f"{due}__gt": soon})),
        )
        .order_by()
    }
    return [
        ClockRow(c, CLOCK_SHORT.get(c, c), r["ok"], r["due_soon"], r["overdue"])
        for c in STAFF_CLOCKS
        if (r := rows.get(c)) and r["ok"] + r["due_soon"] + r["overdue"]
    ]
