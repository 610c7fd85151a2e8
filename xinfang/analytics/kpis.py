"""KPI queries (domain-rules §2.6): aggregate ORM queries that return plain dataclasses.

Every function takes a `Period` (inclusive local dates) and an optional `Scope` (问题属地 township,
有权处理机关 handling unit, by Unit.code, and 内容分类 by Code.code prefix) and `today` (the "now" that decides
what is overdue). No function loops over rows in Python; renderers (portal statistics, dashboards, exports)
never touch the ORM. A scope whose filters match one roll-up of the summary tables (`tallies.rollup`: none,
one, or a pair) reads them — the same populations counted per day and month; other scopes read the
records. Tests run both ways.

The populations come from `populations.py` (one definition shared with the dashboards, the summary
tables and the public page); choices are documented in docs/statistics.md. In short:
- 涉法涉诉 (`Matter.is_legal`) is excluded from every rate; 及时受理率 and 按期办结率 count 初件 only
  (a matter = its first registration; a matter the clerk marked as repeating another, `repeat_of`, is not 初件).
- Matters still waiting for 登记 (state `received`, online submissions) are in no population except the
  bureau's 及时受理率, whose clock runs from receipt.
- Timeliness is measured in calendar days as §2.6 states (收到 + 15 日 / 登记 + 30 日); 按期办结 uses the
  stored 限办截止 `handle_due`, which already contains an approved extension. A figure's "not yet due"
  bucket is reported but is in neither term of its rate.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from xinfang.analytics import populations as P
from xinfang.analytics import tallies
from xinfang.analytics.models import DayTally
from xinfang.analytics.populations import (  # noqa: F401 (public names: kpis.HANDLING_UNIT_KINDS, …)
    BUREAU_ACCEPT_DAYS,
    HANDLING_UNIT_KINDS,
    UNIT_ACCEPT_DAYS,
    DaysBetween,
)
from xinfang.petitions.models import Code, Evaluation, Matter, Registration

# --- inputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive range of local dates."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def year_to_date(cls, year: int, today: date) -> "Period":
        """A year as far as it has gone: 1 January to today for the current year, the whole year before
        it (the default period of the dashboard and the year of the public page)."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        return cls(start, today if start <= today < end else end)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), nxt - timedelta(days=1))

    def shifted(self, days: int) -> "Period":
        return Period(self.start + timedelta(days=days), self.end + timedelta(days=days))

    def datetimes(self) -> tuple[datetime, datetime]:
        """[start 00:00, day after end 00:00) in the current time zone."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


@dataclass(frozen=True)
class Scope:
    """Optional filters: 问题属地 (township Unit.code), 有权处理机关 (handling Unit.code) and 内容分类
    (Code.code; sub-classes included)."""

    township: str = ""
    unit: str = ""
    content_class: str = ""

    def matters(self, qs: QuerySet, prefix: str = "") -> QuerySet:
        """`qs` (matters, or rows reaching them through `prefix`) narrowed to the scope, by the ids of its
        units and classes (no join)."""
        fields = {"township": "township", "unit": "handling_unit", "class": "content_class"}
        qs = qs.filter(
            **{f"{prefix}{fields[dim]}__in": [int(pk) for pk in ids] for dim, ids in self._keys.items()}
        )
        # 合并 (issue 16): a merged matter counts once, as the matter it was merged into. Registrations need no
        # filter (no join): a merged matter has none, they moved to the surviving matter.
        return qs if prefix else qs.filter(merged_into__isnull=True)

    @cached_property
    def _keys(self) -> dict[str, list[str]]:  # looked up once per scope, not per figure
        return tallies.keys(township=self.township, unit=self.unit, content_class=self.content_class)

    def rollup(self, model=DayTally, *, by: str = "") -> "tallies.Rollup | None":
        """The summary rows for this scope grouped `by` a dimension, or None: read the records."""
        return tallies.rollup(model, self._keys, by=by)

    def tallies(self, model=DayTally) -> QuerySet | None:
        """The summary rows for an ungrouped figure in this scope, or None: read the records."""
        r = self.rollup(model)
        return None if r is None else r.rows


ALL = Scope()


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def total(field: str, **extra):
    """Σ field, 0 for no rows."""
    return Coalesce(Sum(field, **extra), 0)


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelyAcceptance:
    """及时受理率 = on_time / (on_time + late + overdue_pending). `not_yet_due` (no decision, deadline not
    passed) is reported but is in neither numerator nor denominator."""

    level: str  # "bureau" (信访部门) | "unit" (责任单位)
    on_time: int
    late: int
    overdue_pending: int
    not_yet_due: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue_pending

    @property
    def rate(self) -> float | None:
        return _ratio(self.on_time, self.total)


@dataclass(frozen=True)
class OnTimeCompletion:
    """按期办结率 = on_time / (on_time + late + overdue_pending). `pending` (未答复: not done, deadline not
    passed) is reported but is in neither term, as 及时受理率 treats "not yet due": a matter that is not yet
    due is not late (§2.6 keeps it in the denominator, which makes a period reaching past today look worse
    the further it reaches; `rate_with_pending` gives that reading)."""

    on_time: int
    late: int
    pending: int  # 未答复: not done, deadline not passed
    overdue_pending: int  # 超期未答复

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue_pending

    @property
    def rate(self) -> float | None:
        return _ratio(self.on_time, self.total)

    @property
    def rate_with_pending(self) -> float | None:
        return _ratio(self.on_time, self.total + self.pending)


@dataclass(frozen=True)
class EvaluationStats:
    """参评率 = evaluated / (evaluated + expired); 满意率 = (satisfied + basically) / evaluated."""

    target: str  # Evaluation.Target: "bureau" (信访部门) | "unit" (责任单位)
    satisfied: int
    basically: int
    unsatisfied: int
    expired: int  # 超期未评价

    @property
    def evaluated(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def participation_rate(self) -> float | None:
        return _ratio(self.evaluated, self.evaluated + self.expired)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied + self.basically, self.evaluated)

    @property
    def dissatisfaction_rate(self) -> float | None:
        return _ratio(self.unsatisfied, self.evaluated)


@dataclass(frozen=True)
class IntakeRow:
    month: int | None  # 1–12, or None for the whole period
    key: str  # channel code / Code.code / Unit.code ("" = not classified)
    label: str
    registrations: int  # 件次
    persons: int  # 人次


@dataclass(frozen=True)
class RateSummary:
    bureau_acceptance: TimelyAcceptance
    unit_acceptance: TimelyAcceptance
    completion: OnTimeCompletion
    bureau_evaluation: EvaluationStats
    unit_evaluation: EvaluationStats
    extra: dict = field(default_factory=dict)


# --- 及时受理率 ---------------------------------------------------------------------------------------


def _acceptance(qs: QuerySet, population: P.Timeliness, period: Period, today: date, level: str):
    counts = population.buckets(period, today).counts(qs)
    return TimelyAcceptance(level=level, **counts)


def _acceptance_tallied(rows: QuerySet, prefix: str, days: int, period: Period, today: date, level: str):
    window = period.shifted(-days)
    cut = today - timedelta(days=days)
    passed = Q(day__lt=cut)
    counts = rows.filter(tallies.window(window.start, window.end, cuts=[cut])).aggregate(
        on_time=total(f"{prefix}_on_time"),
        late=total(f"{prefix}_late"),
        overdue_pending=total(f"{prefix}_open", filter=passed),
        not_yet_due=total(f"{prefix}_open", filter=~passed),
    )
    return TimelyAcceptance(level=level, **counts)


def bureau_timely_acceptance(period: Period, *, scope: Scope = ALL, today: date | None = None):
    """及时受理率 (信访部门): the bureau's first triage decision (转送/交办/转出/不予受理, `triaged_on`) within
    15 days of receipt (收到之日, 条例第二十二条)."""
    if (rows := scope.tallies()) is not None:
        return _acceptance_tallied(rows, "bacc", BUREAU_ACCEPT_DAYS, period, _today(today), "bureau")
    return _acceptance(scope.matters(Matter.objects), P.BUREAU_ACCEPTANCE, period, _today(today), "bureau")


def unit_timely_acceptance(period: Period, *, scope: Scope = ALL, today: date | None = None):
    """及时受理率 (责任单位): 受理 (accepted_on) within 30 days of 登记, for matters forwarded/assigned to a
    department, township or the county government."""
    if (rows := scope.tallies()) is not None:
        return _acceptance_tallied(rows, "uacc", UNIT_ACCEPT_DAYS, period, _today(today), "unit")
    return _acceptance(scope.matters(Matter.objects), P.UNIT_TIMELINESS, period, _today(today), "unit")


# --- 按期办结率 ---------------------------------------------------------------------------------------


def on_time_completion(period: Period, *, scope: Scope = ALL, today: date | None = None) -> OnTimeCompletion:
    """按期办结率 (按期答复率): 初件 whose 限办截止 (handle_due, extension included) falls in P. 办结 = the
    handling opinion (replied_on), or the closing date of a matter channelled into another procedure."""
    today = _today(today)
    if (rows := scope.tallies()) is not None:
        counts = rows.filter(tallies.window(period.start, period.end, cuts=[today])).aggregate(
            on_time=total("done_on_time"),
            late=total("done_late"),
            pending=total("done_open", filter=Q(day__gte=today)),
            overdue_pending=total("done_open", filter=Q(day__lt=today)),
        )
        return OnTimeCompletion(**counts)
    return OnTimeCompletion(**P.completion(period, today).counts(scope.matters(Matter.objects)))


# --- 参评率 / 满意率 ----------------------------------------------------------------------------------


def evaluation_stats(
    period: Period, *, target: str, scope: Scope = ALL, today: date | None = None
) -> EvaluationStats:
    """参评率 and 满意率 of one target. 已评价 = evaluations made in P; 超期未评价 = matters whose window
    (eval_*_due) ended in P, before today, without an evaluation of that target."""
    if target not in P.EVALUATION_DUE:
        raise ValueError(f"unknown evaluation target: {target}")
    today = _today(today)
    if (rows := scope.tallies()) is not None:
        short = "eb" if target == Evaluation.Target.BUREAU else "eu"
        counts = rows.filter(tallies.window(period.start, period.end, cuts=[today])).aggregate(
            satisfied=total(f"{short}_sat"),
            basically=total(f"{short}_basic"),
            unsatisfied=total(f"{short}_unsat"),
            expired=total(f"{short}_open", filter=Q(day__lt=today)),
        )
        return EvaluationStats(target=target, **counts)
    # the RATED conditions on the joined matter (an IN (subquery) would scan every matter)
    evals = scope.matters(
        Evaluation.objects.filter(P.evaluations(target, period)), prefix="matter__"
    ).aggregate(
        satisfied=Count("pk", filter=Q(value=Evaluation.Value.SATISFIED)),
        basically=Count("pk", filter=Q(value=Evaluation.Value.BASICALLY)),
        unsatisfied=Count("pk", filter=Q(value=Evaluation.Value.UNSATISFIED)),
    )
    aliases, condition = P.expired_evaluations(target, period, today)
    expired = scope.matters(Matter.objects).alias(**aliases).filter(condition).count()
    return EvaluationStats(target=target, expired=expired, **evals)


def rate_summary(period: Period, *, scope: Scope = ALL, today: date | None = None) -> RateSummary:
    kw = {"scope": scope, "today": today}
    return RateSummary(
        bureau_acceptance=bureau_timely_acceptance(period, **kw),
        unit_acceptance=unit_timely_acceptance(period, **kw),
        completion=on_time_completion(period, **kw),
        bureau_evaluation=evaluation_stats(period, target=Evaluation.Target.BUREAU, **kw),
        unit_evaluation=evaluation_stats(period, target=Evaluation.Target.UNIT, **kw),
    )


@dataclass(frozen=True)
class Figure:
    """One published rate: value = numerator / denominator (None for an empty denominator)."""

    code: str
    label: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return _ratio(self.numerator, self.denominator)


RATE_LABELS = {
    "bureau_acceptance": "及时受理率（信访部门）",
    "unit_acceptance": "及时受理率（责任单位）",
    "completion": "按期办结率",
    "bureau_participation": "参评率（信访部门）",
    "bureau_satisfaction": "满意率（信访部门）",
    "unit_participation": "参评率（责任单位）",
    "unit_satisfaction": "满意率（责任单位）",
}


def rate_figures(s: RateSummary) -> dict[str, Figure]:
    """The rates as published, numerator and denominator of each defined once for every reader (the
    dashboard's KPI table, the public page)."""
    ba, ua, c, be, ue = (
        s.bureau_acceptance,
        s.unit_acceptance,
        s.completion,
        s.bureau_evaluation,
        s.unit_evaluation,
    )
    terms = {
        "bureau_acceptance": (ba.on_time, ba.total),
        "unit_acceptance": (ua.on_time, ua.total),
        "completion": (c.on_time, c.total),
        "bureau_participation": (be.evaluated, be.evaluated + be.expired),
        "bureau_satisfaction": (be.satisfied + be.basically, be.evaluated),
        "unit_participation": (ue.evaluated, ue.evaluated + ue.expired),
        "unit_satisfaction": (ue.satisfied + ue.basically, ue.evaluated),
    }
    return {code: Figure(code, RATE_LABELS[code], *terms[code]) for code in RATE_LABELS}


# --- 信访总量 -----------------------------------------------------------------------------------------

INTAKE_DIMENSIONS = {
    "channel": ("channel", None),
    "content_class": ("matter__content_class__code", "matter__content_class__name"),
    "purpose": ("matter__purpose__code", "matter__purpose__name"),
    "township": ("matter__township__code", "matter__township__name"),
}


def intake_counts(
    period: Period, *, by: str = "channel", monthly: bool = False, scope: Scope = ALL
) -> list[IntakeRow]:
    """信访总量: 件次 (registrations) and 人次 (Σ head_count) registered in P (登记日期), by a dimension.
    Registrations whose matter still waits for 登记 are not counted; 涉法涉诉 is included (totals, not rates).
    By content class the rows are the top-level classes, their sub-classes included."""
    key_field, label_field = INTAKE_DIMENSIONS[by]
    qs = scope.matters(Registration.objects.filter(P.registrations(period)), prefix="matter__")
    if by == "content_class":  # rolled up: a sub-class counts under its top-level class
        qs, key_field, label_field = qs.annotate(top=P.top_class(key_field)), "top", None
    group = [key_field] + ([label_field] if label_field else [])
    if monthly:
        qs = qs.annotate(month=ExtractMonth("registered_at"))
        group = ["month", *group]
    rows = qs.values(*group).annotate(n=Count("pk"), persons=Sum("head_count")).order_by(*group)
    labels = {
        "channel": lambda: dict(Registration.Channel.choices),
        "content_class": lambda: dict(content_classes()),
    }.get(by, dict)()
    return [
        IntakeRow(
            month=r.get("month"),
            key=r[key_field] or "",
            label=str(labels.get(r[key_field], "") if labels else r[label_field] or "") or "未分类",
            registrations=r["n"],
            persons=r["persons"] or 0,
        )
        for r in rows
    ]


def content_classes() -> list[tuple[str, str]]:
    """(code, name) of the current top-level 内容分类, in order (for table columns)."""
    return list(
        Code.objects.filter(table=Code.Table.CONTENT, is_active=True, parent__isnull=True).values_list(
            "code", "name"
        )
    )
