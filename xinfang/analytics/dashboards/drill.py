"""Drill-down: the matters behind a figure, as the user may see them (`access.visible_matters`)."""

from datetime import date

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)

from xinfang.analytics import populations as P
from xinfang.analytics.dashboards.clocks import _soon
from xinfang.analytics.dashboards.filters import Filters, dashboard_filters, registrations, today_or
from xinfang.analytics.kpis import Period
from xinfang.analytics.tallies import STAFF_CLOCKS
from xinfang.petitions import access, workflow
from xinfang.petitions.models import Evaluation, Registration

# --- drill-down ---------------------------------------------------------------------------------------

DRILL_FIGURES = {
    "intake": "登记的信访事项",
    "repeat": "有重复件的信访事项",
    "collective": "集体访/联名信",
    "leapfrog": "越级访",
    "registered": "期内登记的信访事项",
    "clock": "时限状态",
    "overdue": "当前超期的信访事项",
    "bureau_accept_late": "信访部门超期受理、超期未受理",
    "accept_late": "责任单位超期受理、超期未受理",
    "done_late": "超期答复、超期未答复",
    "unsatisfied_bureau": "对信访部门不满意",
    "unsatisfied_unit": "对责任单位不满意",
}


def drill_down(user, f: Filters, *, figure: str, channel: str = "", month: str = "", clock: str = "",
               status: str = "", today: date | None = None) -> QuerySet:  # fmt: skip
    """The matters behind a figure, as `user` may see them (access.visible_matters), filtered like the
    figure. Raises ValueError for an unknown figure."""
    f = dashboard_filters(user, f)
    today = today_or(today)
    qs = f.matters(access.visible_matters(user)).exclude(state=workflow.RECEIVED)
    p = f.period
    if figure in ("intake", "repeat", "collective", "leapfrog"):
        regs = registrations(f).filter(matter=OuterRef("pk"))
        if channel:
            regs = regs.filter(channel=channel)
        if month:
            year, mon = (int(x) for x in month.split("-"))
            start, end = Period.month(year, mon).datetimes()
            regs = regs.filter(registered_at__gte=start, registered_at__lt=end)
        regs = {
            "intake": regs,
            "repeat": regs.filter(P.q(P.RATED, "matter__")).exclude(disposition=Registration.Disposition.NEW),
            "collective": regs.filter(is_collective=True),
            "leapfrog": regs.filter(is_leapfrog=True),
        }[figure]
        return qs.filter(Exists(regs))
    if figure == "registered":
        return qs.filter(registered_on__gte=p.start, registered_on__lte=p.end)
    if figure in ("clock", "overdue"):
        qs = qs.filter(state__in=workflow.OPEN_STATES, clock__in=STAFF_CLOCKS, clock_due__isnull=False)
        if clock:
            qs = qs.filter(clock=clock)
        if figure == "overdue" or status == "overdue":
            return qs.filter(clock_due__lt=today)
        if status == "due_soon":
            return qs.filter(clock_due__gte=today, clock_due__lte=_soon(today))
        if status == "ok":
            return qs.filter(clock_due__gt=_soon(today))
        return qs
    late = ("late", "overdue_pending")  # the "bad" part of a timeliness figure, as the league counts it
    if figure == "accept_late":
        return P.UNIT_TIMELINESS.buckets(p, today).matters(qs, *late)
    if figure == "bureau_accept_late":  # online submissions waiting for 登记 count here (clock from receipt)
        return P.BUREAU_ACCEPTANCE.buckets(p, today).matters(f.matters(access.visible_matters(user)), *late)
    if figure == "done_late":
        return P.completion(p, today).matters(qs, *late)
    if figure in ("unsatisfied_bureau", "unsatisfied_unit"):
        start, end = p.datetimes()
        target = Evaluation.Target.BUREAU if figure == "unsatisfied_bureau" else Evaluation.Target.UNIT
        bad = Evaluation.objects.filter(matter=OuterRef("pk"), target=target, at__gte=start, at__lt=end,
                                        value=Evaluation.Value.UNSATISFIED)  # fmt: skip
        return qs.filter(P.q(P.RATED)).filter(Exists(bad))
    raise ValueError(f"unknown figure: {figure}")
