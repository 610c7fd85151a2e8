"""Dashboard queries (督查督办 and leaders' screens): aggregate ORM queries returning plain dataclasses.

Each function takes `Filters` (a `kpis.Period`, 问题属地 township, 有权处理机关 unit and 内容分类 code; a
content class includes its sub-classes) and groups in the database (`values().annotate()`); no Python loop
over matters. A figure reads the summary tables (`tallies.py`: counts per day and per township, unit,
content class or channel) when its filters and grouping fit one roll-up, and the records otherwise; tests
check both give the same figures. `drill_down` returns the matters behind a figure, always through
`access.visible_matters`.
Who may see which figures is decided by `dashboard_filters` (unit officers: their own unit only).

Definitions follow docs/statistics.md; the league tables reuse the KPI populations of `kpis.py` grouped by
unit or township (tests check that a unit's row equals `kpis.*(scope=Scope(unit=…))`).
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.analytics import kpis, tallies
from xinfang.analytics.kpis import DaysBetween, Period, Scope, _ratio, total
from xinfang.analytics.models import ClockTally, DayTally
from xinfang.analytics.tallies import STAFF_CLOCKS, Rollup
from xinfang.petitions import access, deadlines, workflow
from xinfang.petitions.models import Code, Evaluation, Matter, Registration, Unit
from xinfang.petitions.queries import CLOCK_SHORT

# The petitioner's own windows are not a risk for the staff: they lapse into closure (the staff's clocks
# are tallies.STAFF_CLOCKS).
PETITIONER_CLOCKS = ("REVIEW_REQUEST", "RECHECK_REQUEST")


# --- inputs and access --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: Period
    township: str = ""  # Unit.code of the 问题属地
    unit: str = ""  # Unit.code of the 有权处理机关
    content_class: str = ""  # Code.code; sub-classes included

    @cached_property
    def scope(self) -> Scope:
        return Scope(township=self.township, unit=self.unit, content_class=self.content_class)

    def matters(self, qs: QuerySet, prefix: str = "") -> QuerySet:
        return self.scope.matters(qs, prefix)

    def tallies(self, model=DayTally) -> QuerySet | None:
        """Summary rows for an ungrouped figure (`tallies.rollup`), or None: read the records."""
        return self.scope.tallies(model)

    def rollup(self, model=DayTally, *, by: str) -> Rollup | None:
        """Summary rows for a figure grouped by a roll-up dimension, or None: read the records."""
        return self.scope.rollup(model, by=by)

    def shifted_to(self, period: Period) -> "Filters":
        shifted = replace(self, period=period)
        shifted.__dict__["scope"] = self.scope  # same filters: keep the keys looked up for them
        return shifted


def is_county_wide(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*access.COUNTY_WIDE))


def dashboard_filters(user, filters: Filters) -> Filters:
    """The filters a user may apply: county-wide roles as asked, a unit officer only their own unit."""
    if is_county_wide(user):
        return filters
    if user and user.is_authenticated and user.has_role(R.UNIT_OFFICER) and user.unit_id:
        return replace(filters, unit=user.unit.code)
    raise PermissionDenied("您的角色无权查看统计分析。")


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _registrations(f: Filters) -> QuerySet:
    start, end = f.period.datetimes()
    qs = Registration.objects.filter(registered_at__gte=start, registered_at__lt=end).exclude(
        matter__state=workflow.RECEIVED
    )
    return f.matters(qs, prefix="matter__")


def _matters(f: Filters) -> QuerySet:
    return f.matters(Matter.objects.exclude(state=workflow.RECEIVED))


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


def _in_period(rows: QuerySet, period: Period) -> QuerySet:
    return rows.filter(tallies.window(period.start, period.end))


def intake_trend(f: Filters) -> list[TrendRow]:
    """信访总量 by month × 信访形式 (件次 and 人次), 登记日期 in P."""
    if (t := f.rollup(by="channel")) is not None:
        folded: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for day, channel, n, persons in (  # month rows and the days of partial months, folded to months
            _in_period(t.rows, f.period)
            .values_list("day", t.column)
            .annotate(n=Sum("regs"), persons=Sum("regs_persons"))
            .order_by()
        ):
            month = folded[(f"{day:%Y-%m}", channel)]
            month[0], month[1] = month[0] + n, month[1] + persons
        rows = [dict(m=m, channel=ch, n=n, persons=p) for (m, ch), (n, p) in sorted(folded.items()) if n]
    else:
        rows = (
            _registrations(f)
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


@dataclass(frozen=True)
class CountRow:
    key: str  # Code.code / Unit.code / channel ("" = not classified)
    label: str
    registrations: int
    persons: int


def _top_classes() -> dict[str, str]:
    return dict(kpis.content_classes())


def intake_by(f: Filters, *, by: str) -> list[CountRow]:
    """信访总量 by top-level 内容分类 (`content_class`), 问题属地 (`township`) or 形式 (`channel`), largest first."""
    dim = {"content_class": "class", "township": "township", "channel": "channel"}.get(by)
    if dim and (t := f.rollup(by=dim)) is not None:
        return _intake_by_tallied(t, f.period, by)
    qs = _registrations(f)
    if by == "content_class":
        qs = qs.annotate(k=Substr("matter__content_class__code", 1, 2))
        labels = _top_classes()
    elif by == "township":
        qs = qs.annotate(k=F("matter__township__code"))
        labels = dict(Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).values_list("code", "name"))
    elif by == "channel":
        qs = qs.annotate(k=F("channel"))
        labels = {k: str(v) for k, v in Registration.Channel.choices}
    else:
        raise ValueError(f"unknown dimension: {by}")
    rows = qs.values("k").annotate(n=Count("pk"), persons=Sum("head_count")).order_by("-n", "k")
    return [
        CountRow(r["k"] or "", labels.get(r["k"] or "", "未分类"), r["n"], r["persons"] or 0) for r in rows
    ]


def _intake_by_tallied(t: Rollup, period: Period, by: str) -> list[CountRow]:
    """The same rows from the roll-up: keys are Unit/Code ids, mapped to codes here (a few hundred rows)."""
    sums = (
        _in_period(t.rows, period)
        .values(k=F(t.column))
        .annotate(n=Sum("regs"), persons=Sum("regs_persons"))
        .filter(n__gt=0)
        .order_by()
    )
    if by == "channel":
        code_of, labels = {}, {k: str(v) for k, v in Registration.Channel.choices}
    elif by == "township":
        units = Unit.objects.filter(pk__in=[int(r["k"]) for r in sums if r["k"]]).values_list(
            "pk", "code", "name"
        )
        code_of = {str(pk): code for pk, code, _ in units}
        labels = {code: name for _, code, name in units}
    else:
        codes = Code.objects.filter(pk__in=[int(r["k"]) for r in sums if r["k"]]).values_list("pk", "code")
        code_of = {str(pk): code[:2] for pk, code in codes}
        labels = _top_classes()
    merged: dict[str, list[int]] = {}
    for r in sums:
        n = merged.setdefault(code_of.get(r["k"], r["k"]), [0, 0])
        n[0] += r["n"]
        n[1] += r["persons"]
    return sorted(
        (CountRow(k, labels.get(k, "未分类"), n, p) for k, (n, p) in merged.items()),
        key=lambda r: (-r.registrations, r.key),
    )


@dataclass(frozen=True)
class Overview:
    registrations: int  # 件次
    persons: int  # 人次
    first: int  # 初件 (a registration that opened a matter)
    repeat: int  # 重复件 (joined an existing matter)
    rated_total: int  # 件次 without 涉法涉诉 (denominator of 重复信访率)
    rated_repeat: int
    collective_batches: int  # 集体访/联名信 批次
    collective_persons: int  # 人次
    leapfrog: int  # 越级访 件次

    @property
    def repeat_rate(self) -> float | None:
        """重复信访率 = 重复件次 / 总件次, 涉法涉诉 excluded (§2.6)."""
        return _ratio(self.rated_repeat, self.rated_total)


def overview(f: Filters) -> Overview:
    if (t := f.tallies()) is not None:
        counts = _in_period(t, f.period).aggregate(
            registrations=total("regs"), persons=total("regs_persons"), first=total("regs_new"),
            repeat=total(F("regs") - F("regs_new")), rated_total=total("regs_rated"), rated_repeat=total("regs_rated_repeat"),
            collective_batches=total("regs_coll"), collective_persons=total("regs_coll_persons"), leapfrog=total("regs_leapfrog"),
        )  # fmt: skip
        return Overview(**counts)
    new = Q(disposition=Registration.Disposition.NEW)
    legal = Q(matter__is_legal=True)
    collective = Q(is_collective=True)
    counts = _registrations(f).aggregate(
        registrations=Count("pk"),
        persons=Coalesce(Sum("head_count"), 0),
        first=Count("pk", filter=new),
        repeat=Count("pk", filter=~new),
        rated_total=Count("pk", filter=~legal),
        rated_repeat=Count("pk", filter=~legal & ~new),
        collective_batches=Count("pk", filter=collective),
        collective_persons=Coalesce(Sum("head_count", filter=collective), 0),
        leapfrog=Count("pk", filter=Q(is_leapfrog=True)),
    )
    return Overview(**counts)


def average_handling_days(f: Filters) -> float | None:
    """平均办理时长 (天/件): mean of 答复日期 − 受理日期 over matters replied in P."""
    if (t := f.tallies()) is not None:
        s = _in_period(t, f.period).aggregate(n=total("replied"), days=total("replied_days"))
        return round(s["days"] / s["n"], 1) if s["n"] else None
    d = (
        _matters(f)
        .filter(replied_on__gte=f.period.start, replied_on__lte=f.period.end, accepted_on__isnull=False)
        .aggregate(avg=Avg(DaysBetween("replied_on", "accepted_on")))
    )["avg"]
    return None if d is None else round(float(d), 1)


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
    today = _today(today)
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
        return _ratio(self.done_on_time, self.done_on_time + self.done_late + self.done_pending)

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


def _accept_q(period: Period, today: date) -> dict[str, Q]:
    """The buckets of `kpis.unit_timely_acceptance` as Count filters (needs the `lag` alias)."""
    window = period.shifted(-kpis.UNIT_ACCEPT_DAYS)
    limit = kpis.UNIT_ACCEPT_DAYS
    population = (
        Q(is_legal=False, repeat_of__isnull=True, forwarded_on__isnull=False)
        & Q(handling_unit__kind__in=kpis.HANDLING_UNIT_KINDS)
        & Q(registered_on__gte=window.start, registered_on__lte=window.end)
    )
    decided = Q(accepted_on__isnull=False)
    return {
        "on_time": population & decided & Q(lag__lte=limit),
        "late": population
        & ((decided & Q(lag__gt=limit)) | (~decided & Q(registered_on__lt=today - timedelta(days=limit)))),
    }


def _done_q(period: Period, today: date) -> dict[str, Q]:
    """The buckets of `kpis.on_time_completion` (needs the `done_on` alias)."""
    population = Q(is_legal=False, repeat_of__isnull=True, handle_due__gte=period.start,
                   handle_due__lte=period.end)  # fmt: skip
    done = Q(done_on__isnull=False)
    return {
        "on_time": population & done & Q(done_on__lte=F("handle_due")),
        "late": population & ((done & Q(done_on__gt=F("handle_due"))) | (~done & Q(handle_due__lt=today))),
        "pending": population & ~done & Q(handle_due__gte=today),
    }


def league(f: Filters, *, by: str, today: date | None = None) -> list[LeagueRow]:
    """League table of handling units (`by="unit"`, 县直部门/乡镇/县委县政府) or of townships (问题属地),
    most registered first; units and townships with no figure in P are left out. From the roll-up: two
    grouped queries (day counts, open clocks); from the records: three (matters, evaluations, registrations),
    merged by key."""
    today = _today(today)
    if (t := f.rollup(by=by)) is not None:
        return _ranked(_league_tallied(f, t, f.rollup(ClockTally, by=by), by, today))
    group = LEAGUES[by]
    p = f.period
    matters = _matters(f).filter(**{f"{group}__isnull": False})
    if by == "unit":
        matters = matters.filter(handling_unit__kind__in=kpis.HANDLING_UNIT_KINDS)
    acc, done = _accept_q(p, today), _done_q(p, today)
    unit_rated = Evaluation.objects.filter(matter=OuterRef("pk"), target=Evaluation.Target.UNIT)
    rows = (
        matters.alias(
            lag=DaysBetween("accepted_on", "registered_on"),
            done_on=Coalesce("replied_on", "closed_on"),
            handling=DaysBetween("replied_on", "accepted_on"),
            unit_rated=Exists(unit_rated),
        )
        .values(f"{group}__code", f"{group}__name")
        .annotate(
            registered=Count("pk", filter=Q(registered_on__gte=p.start, registered_on__lte=p.end)),
            overdue_now=Count(
                "pk", filter=Q(state__in=workflow.OPEN_STATES, clock__in=STAFF_CLOCKS, clock_due__lt=today)
            ),  # fmt: skip
            accept_on_time=Count("pk", filter=acc["on_time"]),
            accept_late=Count("pk", filter=acc["late"]),
            done_on_time=Count("pk", filter=done["on_time"]),
            done_late=Count("pk", filter=done["late"]),
            done_pending=Count("pk", filter=done["pending"]),
            expired=Count(
                "pk",
                filter=Q(
                    is_legal=False,
                    unit_rated=False,
                    eval_unit_due__gte=p.start,
                    eval_unit_due__lte=p.end,
                    eval_unit_due__lt=today,
                ),
            ),  # fmt: skip
            avg=Avg(
                "handling",
                filter=Q(replied_on__gte=p.start, replied_on__lte=p.end, accepted_on__isnull=False),
            ),  # fmt: skip
        )
        .order_by()
    )
    start, end = p.datetimes()
    evals = {
        r["k"]: r
        for r in f.matters(
            Evaluation.objects.filter(
                target=Evaluation.Target.UNIT, at__gte=start, at__lt=end, matter__is_legal=False
            ),
            prefix="matter__",
        )
        .exclude(matter__state=workflow.RECEIVED)
        .values(k=F(f"matter__{group}__code"))
        .annotate(
            evaluated=Count("pk"),
            satisfied=Count("pk", filter=~Q(value=Evaluation.Value.UNSATISFIED)),
        )
        .order_by()
    }
    regs = {
        r["k"]: r
        for r in _registrations(f)
        .filter(matter__is_legal=False)
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
        _in_period(t.rows, p), t.column, registered="matters", done_on_time="done_on_time",
        done_late="done_late", done_open="done_open", eu_sat="eu_sat", eu_basic="eu_basic", eu_unsat="eu_unsat",
        eu_open="eu_open", registrations="regs_rated", repeats="regs_rated_repeat", replied="replied",
        replied_days="replied_days",
    )  # fmt: skip
    in_acc = _grouped(_in_period(t.rows, acc), t.column, acc_on_time="uacc_on_time", acc_late="uacc_late",
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
    s = kpis.rate_summary(f.period, scope=f.scope, today=today)
    ov = overview(f)
    ba, ua, c, be, ue = (
        s.bureau_acceptance,
        s.unit_acceptance,
        s.completion,
        s.bureau_evaluation,
        s.unit_evaluation,
    )
    return {
        "bureau_acceptance": (ba.rate, ba.on_time, ba.total),
        "unit_acceptance": (ua.rate, ua.on_time, ua.total),
        "completion": (c.rate, c.on_time, c.total),
        "bureau_participation": (be.participation_rate, be.evaluated, be.evaluated + be.expired),
        "bureau_satisfaction": (be.satisfaction_rate, be.satisfied + be.basically, be.evaluated),
        "unit_participation": (ue.participation_rate, ue.evaluated, ue.evaluated + ue.expired),
        "unit_satisfaction": (ue.satisfaction_rate, ue.satisfied + ue.basically, ue.evaluated),
        "repeat": (ov.repeat_rate, ov.rated_repeat, ov.rated_total),
        "avg_days": (average_handling_days(f), None, None),
    }


KPI_LABELS = {
    "bureau_acceptance": ("及时受理率（信访部门）", "bureau_accept_late"),
    "unit_acceptance": ("及时受理率（责任单位）", "accept_late"),
    "completion": ("按期办结率", "done_late"),
    "bureau_participation": ("参评率（信访部门）", ""),
    "bureau_satisfaction": ("满意率（信访部门）", "unsatisfied_bureau"),
    "unit_participation": ("参评率（责任单位）", ""),
    "unit_satisfaction": ("满意率（责任单位）", "unsatisfied_unit"),
    "repeat": ("重复信访率", "repeat"),
    "avg_days": ("平均办理时长（天/件）", ""),
}


def kpi_table(f: Filters, *, today: date | None = None) -> list[KpiRow]:
    """The KPIs of P with the same figures one year earlier (同比) and for the previous period (环比).
    The rates come from `kpis.py`; all four filters apply to every figure."""
    today = _today(today)
    now = _figures(f, today)
    ago = _figures(f.shifted_to(year_ago(f.period)), today)
    prev = _figures(f.shifted_to(previous(f.period)), today)
    return [
        KpiRow(code, label, *now[code], year_ago=ago[code][0], previous=prev[code][0], drill=drill,
               is_rate=code != "avg_days")
        for code, (label, drill) in KPI_LABELS.items()
    ]  # fmt: skip


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
    today = _today(today)
    qs = f.matters(access.visible_matters(user)).exclude(state=workflow.RECEIVED)
    p = f.period
    if figure in ("intake", "repeat", "collective", "leapfrog"):
        regs = _registrations(f).filter(matter=OuterRef("pk"))
        if channel:
            regs = regs.filter(channel=channel)
        if month:
            year, mon = (int(x) for x in month.split("-"))
            start, end = Period.month(year, mon).datetimes()
            regs = regs.filter(registered_at__gte=start, registered_at__lt=end)
        regs = {
            "intake": regs,
            "repeat": regs.filter(matter__is_legal=False).exclude(disposition=Registration.Disposition.NEW),
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
    if figure == "accept_late":
        qs = qs.filter(handling_unit__kind__in=kpis.HANDLING_UNIT_KINDS)
        return qs.alias(lag=DaysBetween("accepted_on", "registered_on")).filter(_accept_q(p, today)["late"])
    if figure == "bureau_accept_late":  # online submissions waiting for 登记 count here (clock from receipt)
        window = p.shifted(-kpis.BUREAU_ACCEPT_DAYS)
        limit = kpis.BUREAU_ACCEPT_DAYS
        qs = kpis.bureau_triage_population(f.matters(access.visible_matters(user)))
        qs = qs.filter(received_on__gte=window.start, received_on__lte=window.end).alias(
            lag=DaysBetween("triaged_on", "received_on"),
        )
        return qs.filter(
            Q(triaged_on__isnull=False, lag__gt=limit)
            | Q(triaged_on__isnull=True, received_on__lt=today - timedelta(days=limit))
        )
    if figure == "done_late":
        return qs.alias(done_on=Coalesce("replied_on", "closed_on")).filter(_done_q(p, today)["late"])
    if figure in ("unsatisfied_bureau", "unsatisfied_unit"):
        start, end = p.datetimes()
        target = Evaluation.Target.BUREAU if figure == "unsatisfied_bureau" else Evaluation.Target.UNIT
        bad = Evaluation.objects.filter(matter=OuterRef("pk"), target=target, at__gte=start, at__lt=end,
                                        value=Evaluation.Value.UNSATISFIED)  # fmt: skip
        return qs.filter(is_legal=False).filter(Exists(bad))
    raise ValueError(f"unknown figure: {figure}")


# --- choices for the filter form -------------------------------------------------------------------------


def filter_choices(user) -> dict[str, list[tuple[str, str]]]:
    units = Unit.objects.filter(kind__in=kpis.HANDLING_UNIT_KINDS, is_active=True).order_by("kind", "code")
    if not is_county_wide(user):
        units = units.filter(pk=user.unit_id)
    return {
        "township": list(
            Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, is_active=True)
            .order_by("code")
            .values_list("code", "name")
        ),  # fmt: skip
        "unit": list(units.values_list("code", "name")),
        "content_class": list(
            Code.objects.filter(table=Code.Table.CONTENT, is_active=True)
            .order_by("code")
            .values_list("code", "name")
        ),
    }
