"""Readers for the programme pages: counts (批/人次), totals per year. Plain data out; matters are always
filtered through `access.visible_matters`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from xinfang.accounts import roles as R
from xinfang.petitions import access, queries, workflow
from xinfang.petitions.models import (
    AssistanceCase,
    CampaignMatter,
    Dispute,
    Matter,
    ReceptionDay,
    Registration,
    VideoSession,
)


@dataclass(frozen=True)
class Counts:
    batches: int  # 批
    persons: int  # 人次
    resolved: int = 0  # 当场解决


def reception_counts(registrations: QuerySet) -> Counts:
    """A batch (批) is one registration; persons (人次) are its head count."""
    agg = registrations.aggregate(
        b=Count("id"), p=Sum("head_count"), r=Count("id", filter=Q(outcome="resolved"))
    )
    return Counts(agg["b"] or 0, agg["p"] or 0, agg["r"] or 0)


def reception_days(leader=None) -> QuerySet:
    qs = ReceptionDay.objects.select_related("leader").annotate(
        batches=Count("registrations"), persons=Sum("registrations__head_count")
    )
    return qs.filter(leader=leader) if leader is not None else qs


def day_registrations(day: ReceptionDay) -> QuerySet:
    return day.registrations.select_related("matter").prefetch_related("petitioners").order_by("received_at")


@dataclass(frozen=True)
class OwnedRow:
    matter: Matter
    state: str
    badge: object


def owned_matters(user, leader) -> list[OwnedRow]:
    qs = access.visible_matters(user).filter(owner=leader).select_related("handling_unit")
    return [OwnedRow(m, workflow.STATES[m.state], queries.clock_badge(m)) for m in qs.order_by("clock_due")]


def owned_counts(user, leader) -> dict:
    qs = access.visible_matters(user).filter(owner=leader)
    return {"total": qs.count(), "open": qs.filter(state__in=workflow.OPEN_STATES).count()}


def campaign_items(campaign, user) -> QuerySet:
    visible = access.visible_matters(user).values("pk")
    return campaign.items.filter(matter__in=visible).select_related("matter", "unit", "leader")


def campaign_totals(items: QuerySet) -> dict:
    agg = items.aggregate(
        total=Count("id"),
        resolved=Count("id", filter=Q(status=CampaignMatter.Status.RESOLVED)),
        stopped=Count("id", filter=Q(status=CampaignMatter.Status.STOPPED)),
    )
    agg["pending"] = agg["total"] - agg["resolved"] - agg["stopped"]
    done = agg["resolved"] + agg["stopped"]
    agg["rate"] = f"{done * 100 / agg['total']:.0f}%" if agg["total"] else "—"
    return agg


# Who may read the dispute register, the fund and the video sessions (the services decide the writes).
BUREAU_SIDE = (R.CLERK, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER, R.AUDITOR)
FUND_READERS = BUREAU_SIDE + (R.FINANCE,)


def disputes(user) -> QuerySet:
    qs = Dispute.objects.select_related("source_unit", "township", "matter")
    if user.has_role(*BUREAU_SIDE):
        return qs
    if user.has_role(R.UNIT_OFFICER) and user.unit_id:
        return qs.filter(source_unit_id=user.unit_id)
    return qs.none()


@dataclass(frozen=True)
class FundYear:
    year: int
    cases: int
    persons: int
    requested: Decimal
    paid: Decimal
    paid_cases: int
    stopped: int


def fund_years() -> list[FundYear]:
    rows = (
        AssistanceCase.objects.annotate(year=ExtractYear("applied_on"))
        .values("year")
        .annotate(
            cases=Count("id"),
            persons=Sum("persons"),
            requested=Sum("amount_requested"),
            paid=Sum("amount_paid"),
            paid_cases=Count("id", filter=Q(status=AssistanceCase.Status.PAID)),
            stopped=Count("id", filter=Q(stopped_petitioning=True)),
        )
        .order_by("-year")
    )
    return [
        FundYear(
            r["year"],
            r["cases"],
            r["persons"] or 0,
            r["requested"] or Decimal(0),
            r["paid"] or Decimal(0),
            r["paid_cases"],
            r["stopped"],
        )  # fmt: skip
        for r in rows
    ]


@dataclass(frozen=True)
class VideoYear:
    year: int
    sessions: int
    held: int
    batches: int
    persons: int


def video_years() -> list[VideoYear]:
    sessions = {
        r["year"]: r
        for r in VideoSession.objects.annotate(year=ExtractYear("scheduled_at"))
        .values("year")
        .annotate(n=Count("id"), held=Count("id", filter=Q(held=True)))
    }
    people = {
        r["year"]: r
        for r in Registration.objects.filter(video_session__isnull=False)
        .annotate(year=ExtractYear("video_session__scheduled_at"))
        .values("year")
        .annotate(b=Count("id"), p=Sum("head_count"))
    }
    return [
        VideoYear(
            y,
            sessions[y]["n"],
            sessions[y]["held"],
            people.get(y, {}).get("b", 0),
            people.get(y, {}).get("p", 0) or 0,
        )  # fmt: skip
        for y in sorted(sessions, reverse=True)
    ]


def video_sessions() -> QuerySet:
    return VideoSession.objects.select_related("township").annotate(
        batches=Count("registrations"), persons=Sum("registrations__head_count")
    )
