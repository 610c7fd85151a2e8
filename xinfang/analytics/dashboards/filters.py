"""Dashboard filters (period, 问题属地 township, 有权处理机关 unit, 内容分类 with its sub-classes), who may apply
which (unit officers: their own unit only), the form's choices and the shared readers of the filtered records."""

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import (
    QuerySet,
)
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.analytics import kpis, tallies
from xinfang.analytics import populations as P
from xinfang.analytics.kpis import Period, Scope
from xinfang.analytics.models import DayTally
from xinfang.analytics.tallies import Rollup
from xinfang.petitions import access
from xinfang.petitions.models import Code, Matter, Registration, Unit

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


def today_or(today: date | None) -> date:
    return today or timezone.localdate()


def registrations(f: Filters) -> QuerySet:
    """Registrations in the filters' period and scope (`populations.registrations`)."""
    return f.matters(Registration.objects.filter(P.registrations(f.period)), prefix="matter__")


def matters_of(f: Filters) -> QuerySet:
    """Registered matters in the filters' scope (any date: each figure adds its own window)."""
    return f.matters(Matter.objects.filter(state__in=P.REGISTERED_STATES))


def in_period(rows: QuerySet, period: Period) -> QuerySet:
    return rows.filter(tallies.window(period.start, period.end))


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


def describe(f: Filters) -> list[tuple[str, str]]:
    """The filters in words, for an export's heading: (label, value) for period, township, unit and class."""

    def name(model, code: str, **kw) -> str:
        if not code:
            return "全部"
        label = model.objects.filter(code=code, **kw).values_list("name", flat=True).first()
        return f"{label}（{code}）" if label else code

    return [
        ("统计期间", f"{f.period.start:%Y-%m-%d} 至 {f.period.end:%Y-%m-%d}"),
        ("乡镇（问题属地）", name(Unit, f.township)),
        ("责任单位", name(Unit, f.unit)),
        ("内容分类", name(Code, f.content_class, table=Code.Table.CONTENT, is_active=True)
                   + ("（含下级分类）" if f.content_class else "")),
    ]  # fmt: skip
