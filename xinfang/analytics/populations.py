"""The population of every KPI, defined once (house style rule 14; definitions in docs/statistics.md).

A population is plain data: keyword lookups on a matter (`RATED`, `INITIAL`, …) plus, for the timeliness
figures, the date it is counted on and its buckets. Every reader takes it from here:

- the ORM readers (`kpis`, the dashboards' league and drill-down, the portal through `kpis`) turn the
  lookups into `Q` objects (`q()`) and the buckets into `Count(filter=…)` / `filter()` conditions;
- the summary tables (`tallies.facts`) evaluate the same lookups on a matter's `values()` row (`holds()`)
  and file each count on the population's own date (`Timeliness.base`, `COMPLETION_DUE`).

Nothing here reads the wall clock: `today` is always an argument.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, FloatField, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Substr

from xinfang.petitions import workflow
from xinfang.petitions.models import Evaluation, Unit

BUREAU_ACCEPT_DAYS = 15  # 条例第二十二条: 收到之日起 15 日 (§2.6: 初件 with 收到 + 15 日 ∈ P)
UNIT_ACCEPT_DAYS = 30  # §2.6: 初件 with 登记 + 30 日 ∈ P (15 信访部门 + 15 条例第二十三条第三款)
HANDLING_UNIT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP, Unit.Kind.COUNTY_GOV)
TOP_CLASS_LENGTH = 2  # a top-level 内容分类 code ("03"); its sub-classes extend it ("0303")

# --- populations as lookups -----------------------------------------------------------------------------

REGISTERED_STATES = tuple(s for s in workflow.STATES if s != workflow.RECEIVED)  # not waiting for 登记
RATED = {"state__in": REGISTERED_STATES, "is_legal": False}  # in the rates: registered, not 涉法涉诉
INITIAL = {**RATED, "repeat_of__isnull": True}  # 初件
# 及时受理率（信访部门）: the bureau's own intake (not registered by a unit directly), from receipt — online
# submissions still waiting for 登记 included (their clock runs)
BUREAU_TRIAGE = {"is_legal": False, "repeat_of__isnull": True, "is_direct": False}
# 及时受理率（责任单位）: 初件 forwarded/assigned to a department, township or the county government
UNIT_ACCEPTANCE = {**INITIAL, "handling_unit__kind__in": HANDLING_UNIT_KINDS, "forwarded_on__isnull": False}
# 按期办结率: 初件 with a 限办截止 (extension included)
COMPLETION = {**INITIAL, "handle_due__isnull": False}
COMPLETION_DUE = "handle_due"


def q(lookups: dict, prefix: str = "") -> Q:
    """The lookups as a Q on matters (or on rows reaching them through `prefix`, e.g. "matter__")."""
    return Q(**{f"{prefix}{k}": v for k, v in lookups.items()})


def holds(lookups: dict, row: dict) -> bool:
    """Whether a matter's `values()` row (foreign keys as `x_id`) meets the lookups: the same definition
    for the summary tables, which compute per matter in Python."""
    for lookup, want in lookups.items():
        field, _, op = lookup.rpartition("__") if lookup.endswith(("__in", "__isnull")) else (lookup, "", "")
        value = row[field] if field in row else row[f"{field}_id"]
        if op == "in":
            ok = value in want
        elif op == "isnull":
            ok = (value is None) == want
        else:
            ok = value == want
        if not ok:
            return False
    return True


def bureau_triage_population(qs: QuerySet) -> QuerySet:
    """The matters of 及时受理率（信访部门） (before its period window)."""
    return qs.filter(q(BUREAU_TRIAGE))


# --- expressions --------------------------------------------------------------------------------------


class DaysBetween(Func):
    """Calendar days from the date `start` to the date `end` (end − start), computed by the database: an
    integer on PostgreSQL, julianday() on SQLite. (A DurationField difference calls a Python function per
    row on SQLite, which costs seconds at a million rows.)"""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(julianday(%(expressions)s))",
                              arg_joiner=") - julianday(", **extra)  # fmt: skip


def top_class(field: str) -> Substr:
    """The top-level 内容分类 code of a Code.code field: sub-classes count under their class."""
    return Substr(field, 1, TOP_CLASS_LENGTH)


def done_on(row: dict):
    """办结 date of a matter row: the handling opinion (答复), or the closing of a matter channelled into
    another procedure. (`DONE_ON` is the same for the ORM.)"""
    return row["replied_on"] or row["closed_on"]


DONE_ON = Coalesce("replied_on", "closed_on")


# --- buckets ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Buckets:
    """A figure's population in a period: `where` (lookups and date window, for `filter()`), the
    expressions its buckets need (`aliases`) and the buckets as conditions."""

    where: Q
    aliases: dict
    buckets: dict[str, Q]

    def of(self, qs: QuerySet) -> QuerySet:
        return qs.filter(self.where).alias(**self.aliases)

    def counts(self, qs: QuerySet) -> dict[str, int]:
        """{bucket: count} in one aggregate query."""
        return self.of(qs).aggregate(**{k: Count("pk", filter=c) for k, c in self.buckets.items()})

    def full(self, *names: str) -> Q:
        """Population, window and the named buckets as one condition (for grouped counts and drill-down)."""
        either = Q()
        for n in names:
            either |= self.buckets[n]
        return self.where & either

    def matters(self, qs: QuerySet, *names: str) -> QuerySet:
        """The matters in the named buckets (a drill-down)."""
        return qs.alias(**self.aliases).filter(self.full(*names))


@dataclass(frozen=True)
class Timeliness:
    """A 及时受理 population: matters meeting `lookups` whose `base` date + `days` falls in P, decided on
    `decided`. Buckets: 及时 (≤ days), 超期受理, 超期未受理 (undecided, today > base + days) and not yet due."""

    name: str  # the summary tables' measure prefix and the alias of the lag
    lookups: dict
    base: str
    decided: str
    days: int

    def buckets(self, period, today: date) -> Buckets:
        window = period.shifted(-self.days)  # base + days ∈ P  ⇔  base ∈ P − days
        lag = f"{self.name}_lag"
        where = q(self.lookups) & Q(**{f"{self.base}__gte": window.start, f"{self.base}__lte": window.end})
        decided = Q(**{f"{self.decided}__isnull": False})
        passed = Q(**{f"{self.base}__lt": today - timedelta(days=self.days)})  # today > base + days
        return Buckets(
            where,
            {lag: DaysBetween(self.decided, self.base)},
            {
                "on_time": decided & Q(**{f"{lag}__lte": self.days}),
                "late": decided & Q(**{f"{lag}__gt": self.days}),
                "overdue_pending": ~decided & passed,
                "not_yet_due": ~decided & ~passed,
            },
        )


BUREAU_ACCEPTANCE = Timeliness("bacc", BUREAU_TRIAGE, "received_on", "triaged_on", BUREAU_ACCEPT_DAYS)
UNIT_TIMELINESS = Timeliness("uacc", UNIT_ACCEPTANCE, "registered_on", "accepted_on", UNIT_ACCEPT_DAYS)


def completion(period, today: date) -> Buckets:
    """按期办结率: COMPLETION with 限办截止 ∈ P. 按期 / 超期答复 / 未答复 (not done, today ≤ due: not yet due,
    in no term of the rate) / 超期未答复."""
    where = q(COMPLETION) & Q(handle_due__gte=period.start, handle_due__lte=period.end)
    done = Q(done_on__isnull=False)
    return Buckets(
        where,
        {"done_on": DONE_ON},
        {
            "on_time": done & Q(done_on__lte=F("handle_due")),
            "late": done & Q(done_on__gt=F("handle_due")),
            "pending": ~done & Q(handle_due__gte=today),
            "overdue_pending": ~done & Q(handle_due__lt=today),
        },
    )


# --- evaluations --------------------------------------------------------------------------------------

EVALUATION_DUE = {Evaluation.Target.BUREAU: "eval_bureau_due", Evaluation.Target.UNIT: "eval_unit_due"}


def evaluations(target: str, period) -> Q:
    """已评价: evaluations (rows of Evaluation) of `target` made in P, on RATED matters."""
    start, end = period.datetimes()
    return Q(target=target, at__gte=start, at__lt=end) & q(RATED, "matter__")


def expired_evaluations(target: str, period, today: date) -> tuple[dict, Q]:
    """超期未评价 as (aliases, condition) on matters: RATED matters without an evaluation of `target` whose
    window ended in P, before today."""
    due = EVALUATION_DUE[target]
    rated = f"rated_{target}"
    aliases = {rated: Exists(Evaluation.objects.filter(matter=OuterRef("pk"), target=target))}
    return aliases, q(RATED) & Q(
        **{rated: False, f"{due}__gte": period.start, f"{due}__lte": period.end, f"{due}__lt": today}
    )


# --- registrations (信访总量) ----------------------------------------------------------------------------


def registrations(period) -> Q:
    """Registrations (rows of Registration) with 登记时间 in P whose matter is registered. 涉法涉诉 included:
    totals, not rates."""
    start, end = period.datetimes()
    return Q(registered_at__gte=start, registered_at__lt=end) & q(
        {"state__in": REGISTERED_STATES}, "matter__"
    )
