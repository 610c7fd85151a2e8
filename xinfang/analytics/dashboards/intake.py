"""信访总量 by content class, township or channel; the overview (初件/重复件/集体访/越级访) and average handling days."""

from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from xinfang.analytics import kpis
from xinfang.analytics import populations as P
from xinfang.analytics.dashboards.filters import Filters, in_period, matters_of, registrations
from xinfang.analytics.kpis import DaysBetween, Period, _ratio, total
from xinfang.analytics.tallies import Rollup
from xinfang.petitions.models import Code, Registration, Unit


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
    qs = registrations(f)
    if by == "content_class":
        qs = qs.annotate(k=P.top_class("matter__content_class__code"))
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
        in_period(t.rows, period)
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
        code_of = {str(pk): code[: P.TOP_CLASS_LENGTH] for pk, code in codes}
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
        counts = in_period(t, f.period).aggregate(
            registrations=total("regs"), persons=total("regs_persons"), first=total("regs_new"),
            repeat=total(F("regs") - F("regs_new")), rated_total=total("regs_rated"), rated_repeat=total("regs_rated_repeat"),
            collective_batches=total("regs_coll"), collective_persons=total("regs_coll_persons"), leapfrog=total("regs_leapfrog"),
        )  # fmt: skip
        return Overview(**counts)
    new = Q(disposition=Registration.Disposition.NEW)
    legal = Q(matter__is_legal=True)
    collective = Q(is_collective=True)
    counts = registrations(f).aggregate(
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
        s = in_period(t, f.period).aggregate(n=total("replied"), days=total("replied_days"))
        return round(s["days"] / s["n"], 1) if s["n"] else None
    d = (
        matters_of(f)
        .filter(replied_on__gte=f.period.start, replied_on__lte=f.period.end, accepted_on__isnull=False)
        .aggregate(avg=Avg(DaysBetween("replied_on", "accepted_on")))
    )["avg"]
    return None if d is None else round(float(d), 1)
