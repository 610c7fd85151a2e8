"""League tables of handling units and townships: the KPI populations grouped by unit or township."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    When,
)

from xinfang.analytics import kpis, tallies
from xinfang.analytics import populations as P
from xinfang.analytics.dashboards.filters import (
    Filters,
    in_period,
    matters_of,
    registrations,
    today_or,
)
from xinfang.analytics.kpis import DaysBetween, _ratio, total
from xinfang.analytics.models import ClockTally
from xinfang.analytics.tallies import STAFF_CLOCKS
from xinfang.petitions import workflow
from xinfang.petitions.models import Evaluation, Registration, Unit

# --- league tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeagueRow:
    key: str  # Unit.code
    label: str
    registered: int  # matters registered in P
    overdue_now: int  # open matters whose staff clock is overdue today
    accept_on_time: int  # 及时受理 (责任单位)
    accept_late: int  # 超期受理 + 超期未受理
    done_on_time: int  # 按期办结
    done_late: int  # 超期答复 + 超期未答复
    done_pending: int  # 未答复 (not yet due)
    evaluated: int  # 责任单位 evaluations in P
    satisfied: int  # 满意 + 基本满意
    expired: int  # 超期未评价
    registrations: int  # 件次 in P (涉法涉诉 excluded)
    repeats: int  # of which 重复件
    avg_days: float | None  # 平均办理时长

    @property
    def acceptance_rate(self) -> float | None:
        return _ratio(self.accept_on_time, self.accept_on_time + self.accept_late)

    @property
    def completion_rate(self) -> float | None:
        """As `kpis.OnTimeCompletion.rate`: 未答复 (not yet due) is in neither term."""
        return _ratio(self.done_on_time, self.done_on_time + self.done_late)

    @property
    def participation_rate(self) -> float | None:
        return _ratio(self.evaluated, self.evaluated + self.expired)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied, self.evaluated)

    @property
    def repeat_rate(self) -> float | None:
        return _ratio(self.repeats, self.registrations)


LEAGUES = {"unit": "handling_unit", "township": "township"}


def league(f: Filters, *, by: str, today: date | None = None) -> list[LeagueRow]:
    """League table of handling units (`by="unit"`, 县直部门/乡镇/县委县政府) or of townships (问题属地),
    most registered first; units and townships with no figure in P are left out. From the roll-up: two
    grouped queries (day counts, open clocks); from the records: three (matters, evaluations, registrations),
    merged by key."""
    today = today_or(today)
    if (t := f.rollup(by=by)) is not None:
        return _ranked(_league_tallied(f, t, f.rollup(ClockTally, by=by), by, today))
    group = LEAGUES[by]
    p = f.period
    matters = matters_of(f).filter(**{f"{group}__isnull": False})
    if by == "unit":
        matters = matters.filter(handling_unit__kind__in=kpis.HANDLING_UNIT_KINDS)
    # the populations of kpis.unit_timely_acceptance, on_time_completion and evaluation_stats(target=unit)
    acc, done = P.UNIT_TIMELINESS.buckets(p, today), P.completion(p, today)
    expired_aliases, expired = P.expired_evaluations(Evaluation.Target.UNIT, p, today)
    rows = (
        matters.alias(
            **acc.aliases,
            **done.aliases,
            **expired_aliases,
            handling=DaysBetween("replied_on", "accepted_on"),
        )
        .values(f"{group}__code", f"{group}__name")
        .annotate(
            registered=Count("pk", filter=Q(registered_on__gte=p.start, registered_on__lte=p.end)),
            overdue_now=Count(
                "pk", filter=Q(state__in=workflow.OPEN_STATES, clock__in=STAFF_CLOCKS, clock_due__lt=today)
            ),  # fmt: skip
            accept_on_time=Count("pk", filter=acc.full("on_time")),
            accept_late=Count("pk", filter=acc.full("late", "overdue_pending")),
            done_on_time=Count("pk", filter=done.full("on_time")),
            done_late=Count("pk", filter=done.full("late", "overdue_pending")),
            done_pending=Count("pk", filter=done.full("pending")),
            expired=Count("pk", filter=expired),
            avg=Avg(
                "handling",
                filter=Q(replied_on__gte=p.start, replied_on__lte=p.end, accepted_on__isnull=False),
            ),  # fmt: skip
        )
        .order_by()
    )
    evals = {
        r["k"]: r
        for r in f.matters(
            Evaluation.objects.filter(P.evaluations(Evaluation.Target.UNIT, p)), prefix="matter__"
        )
        .values(k=F(f"matter__{group}__code"))
        .annotate(
            evaluated=Count("pk"),
            satisfied=Count("pk", filter=~Q(value=Evaluation.Value.UNSATISFIED)),
        )
        .order_by()
    }
    regs = {
        r["k"]: r
        for r in registrations(f)
        .filter(P.q(P.RATED, "matter__"))
        .values(k=F(f"matter__{group}__code"))
        .annotate(n=Count("pk"), repeats=Count("pk", filter=~Q(disposition=Registration.Disposition.NEW)))
        .order_by()
    }
    out = []
    for r in rows:
        key = r[f"{group}__code"]
        e, g = evals.get(key, {}), regs.get(key, {})
        out.append(
            LeagueRow(
                key=key, label=r[f"{group}__name"], registered=r["registered"], overdue_now=r["overdue_now"],
                accept_on_time=r["accept_on_time"], accept_late=r["accept_late"],
                done_on_time=r["done_on_time"], done_late=r["done_late"], done_pending=r["done_pending"],
                evaluated=e.get("evaluated", 0), satisfied=e.get("satisfied", 0), expired=r["expired"],
                registrations=g.get("n", 0), repeats=g.get("repeats", 0),
                avg_days=None if r["avg"] is None else round(float(r["avg"]), 1),
            )
        )  # fmt: skip
    return _ranked(out)


def _ranked(rows: list[LeagueRow]) -> list[LeagueRow]:
    active = [r for r in rows if r.registered or r.overdue_now or r.accept_on_time or r.accept_late
              or r.done_on_time or r.done_late or r.done_pending or r.evaluated or r.expired or r.registrations
              or r.avg_days is not None]  # fmt: skip
    return sorted(active, key=lambda x: (-x.registered, -x.overdue_now, x.key))


def _grouped(rows: QuerySet, column: str, **sums) -> dict[str, dict]:
    """{key: {name: Σ}} of plain sums over `rows` grouped by `column`."""
    out = {}
    for r in rows.values(k=F(column)).annotate(**{n: total(m) for n, m in sums.items()}).order_by():
        out[r.pop("k")] = r
    return out


def _league_tallied(
    f: Filters, t: tallies.Rollup, c: tallies.Rollup, by: str, today: date
) -> list[LeagueRow]:
    """The league from the roll-up rows of one dimension: the same populations as `_accept_q`/`_done_q`.
    Plain sums over whole months: P's rows, the acceptance window's rows, and the day rows on or after the
    cut dates (a count still open there is not yet overdue), subtracted from the open counts."""
    p, acc = f.period, f.period.shifted(-kpis.UNIT_ACCEPT_DAYS)
    acc_cut = today - timedelta(days=kpis.UNIT_ACCEPT_DAYS)
    in_p = _grouped(
        in_period(t.rows, p), t.column, registered="matters", done_on_time="done_on_time",
        done_late="done_late", done_open="done_open", eu_sat="eu_sat", eu_basic="eu_basic", eu_unsat="eu_unsat",
        eu_open="eu_open", registrations="regs_rated", repeats="regs_rated_repeat", replied="replied",
        replied_days="replied_days",
    )  # fmt: skip
    in_acc = _grouped(in_period(t.rows, acc), t.column, acc_on_time="uacc_on_time", acc_late="uacc_late",
                      acc_open="uacc_open")  # fmt: skip
    in_p_later = Q(day__gte=max(today, p.start), day__lte=p.end)
    in_acc_later = Q(day__gte=max(acc_cut, acc.start), day__lte=acc.end)
    later = _grouped(  # day rows only: a cut falls on a day
        t.rows.filter(in_p_later | in_acc_later, grain="d"),
        t.column,
        later_done_open=Case(When(in_p_later, then="done_open"), default=0),
        later_eu_open=Case(When(in_p_later, then="eu_open"), default=0),
        later_acc_open=Case(When(in_acc_later, then="uacc_open"), default=0),
    )
    overdue = dict(
        c.rows.filter(day__lt=today)
        .values(k=F(c.column))
        .annotate(n=Sum("n"))
        .values_list("k", "n")
        .order_by()
    )
    units = Unit.objects.filter(pk__in=[int(k) for k in {*in_p, *in_acc, *overdue} if k])  # "" = none
    if by == "unit":
        units = units.filter(kind__in=kpis.HANDLING_UNIT_KINDS)
    out = []
    for pk, code, name in units.values_list("pk", "code", "name"):
        n = defaultdict(int, {**in_p.get(str(pk), {}), **in_acc.get(str(pk), {}), **later.get(str(pk), {})})
        out.append(LeagueRow(
            key=code, label=name, overdue_now=overdue.get(str(pk), 0), registered=n["registered"],
            accept_on_time=n["acc_on_time"], accept_late=n["acc_late"] + n["acc_open"] - n["later_acc_open"],
            done_on_time=n["done_on_time"], done_late=n["done_late"] + n["done_open"] - n["later_done_open"],
            done_pending=n["later_done_open"], evaluated=n["eu_sat"] + n["eu_basic"] + n["eu_unsat"],
            satisfied=n["eu_sat"] + n["eu_basic"], expired=n["eu_open"] - n["later_eu_open"],
            registrations=n["registrations"], repeats=n["repeats"],
            avg_days=round(n["replied_days"] / n["replied"], 1) if n["replied"] else None,
        ))  # fmt: skip
    return out
