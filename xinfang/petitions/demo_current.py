"""Demo work of the current year, relative to the day the demo is loaded (issue 12): the leader's published
reception days (past ones of this year and the coming weeks, shown on the portal), 包案 of hard open matters
(the leader workbench), this year's backlog campaign, video sessions and 督办 orders (/casework/supervision/).

It uses the open matters the generic demo (demo.py) left running today and creates no matter or registration,
so neither the 2018–2019 figures (demo_history) nor the generic demo's counts change. Every write goes through
the services, at the end of yesterday (time-machine), so that the matters' timelines stay in the past.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.calendars import next_working_day
from xinfang.petitions import programs, supervision, workflow
from xinfang.petitions.models import Matter, SupervisionFollowUp, SupervisionOrder, Unit

RECEPTION_PLACE = "茂县群众接待中心"
UPCOMING_WEEKS = 4
UNIT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP)


@dataclass
class CurrentYear:
    reception_days: int = 0
    owned: int = 0
    campaign_items: int = 0
    video_sessions: int = 0
    orders: int = 0


def reception_dates(today: date) -> list[date]:
    """A reception day in the middle of every month of this year (the 15th, or the next working day), and one a
    week for the coming weeks (from today; they may run into next year)."""
    monthly = {next_working_day(date(today.year, month, 15)) for month in range(1, 13)}
    weekly = {next_working_day(today + timedelta(weeks=k)) for k in range(UPCOMING_WEEKS)}
    return sorted(monthly | weekly)


def _open_unit_matters(before: datetime) -> list[Matter]:
    """Open matters being handled by a county unit, not confidential, whose last step happened before `before`
    (so a step written at `before` comes last on their timeline), the longest-running first."""
    qs = (
        Matter.objects.filter(state__in=workflow.OPEN_STATES, handling_unit__kind__in=UNIT_KINDS,
                              is_confidential=False)
        .exclude(events__at__gte=before)
        .select_related("handling_unit")
        .order_by("registered_on", "pk")
    )  # fmt: skip
    return list(qs)


def load_current(users: dict[str, User], units: dict[str, Unit], *, today: date | None = None) -> CurrentYear:
    today = today or timezone.localdate()
    result = CurrentYear()
    clerk, officer, leader, inspector = users["jiedai"], users["banan"], users["lingdao"], users["ducha"]
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(18, 30)))
    with time_machine.travel(moment, tick=False):
        # 领导接访日: published, this year's and the coming weeks'
        for on in reception_dates(today):
            programs.schedule_reception_day(by=clerk, leader=leader, on=on, place=RECEPTION_PLACE,
                                            topic="县级领导接访日")  # fmt: skip
            result.reception_days += 1
        candidates = _open_unit_matters(moment)
        by_clock = sorted(candidates, key=lambda m: (m.clock_due or today, m.pk))
        # 包案: the leader owns the three matters whose clocks ran out first
        owned = by_clock[:3]  # the same three get the 督办 orders below
        for m in owned:
            programs.take_ownership(m, by=leader, leader=leader)
        if owned:
            programs.record_instruction(owned[0], by=leader, text="请责任单位倒排时间，本月内拿出化解方案。")
        result.owned = len(owned)
        # this year's backlog campaign: the five longest-running open matters, one already resolved
        campaign = programs.create_campaign(
            by=officer, name=f"{today.year}年信访积案化解攻坚", start=date(today.year, 1, 1),
            end=date(today.year, 12, 31), description="县级领导包案，责任单位限期化解。",
        )  # fmt: skip
        for i, m in enumerate(candidates[:5]):
            item = programs.add_to_campaign(campaign, by=officer, matter=m, unit=m.handling_unit,
                                            leader=leader if m in owned else None)  # fmt: skip
            if i == 0:
                programs.record_campaign_progress(
                    item, by=officer, status="resolved", note="经包案领导协调化解"
                )
            result.campaign_items += 1
        # 视频接访: a county-to-township meeting held each past quarter of this year, reception sessions ahead
        townships = [u for u in units.values() if u.kind == Unit.Kind.TOWNSHIP]
        for i, month in enumerate(m for m in (2, 5, 8, 11) if date(today.year, m, 20) < today):
            on = next_working_day(date(today.year, month, 20))
            at = timezone.make_aware(datetime.combine(on, time(14)))
            session = programs.schedule_video_session(by=clerk, township=townships[i % len(townships)], at=at,
                                                      kind="meeting", participants="县信访局、各乡镇信访干部")  # fmt: skip
            if on < today:
                programs.hold_video_session(session, by=clerk, outcome="县到乡镇信访视频会议")
            result.video_sessions += 1
        for k in range(1, 3):
            on = next_working_day(today + timedelta(weeks=k))
            at = timezone.make_aware(datetime.combine(on, time(10)))
            programs.schedule_video_session(by=clerk, township=townships[k], at=at)
            result.video_sessions += 1
        # 督办: orders on the same three matters (overdue ones first), one answered by the unit, one followed up
        levels = [
            SupervisionOrder.Level.LISTED,
            SupervisionOrder.Level.SUPERVISE,
            SupervisionOrder.Level.URGE,
        ]
        for i, m in enumerate(by_clock[:3]):
            late = m.clock_due is not None and m.clock_due < today
            order = supervision.issue_order(
                by=inspector, level=levels[i], unit=m.handling_unit, matters=[m],
                reason="超过法定办理期限未办结，请说明原因并加快办理。" if late else "办理期限临近，请加快办理并按期答复。",
            )  # fmt: skip
            if i == 1:
                supervision.add_follow_up(
                    order,
                    by=inspector,
                    kind=SupervisionFollowUp.Kind.PHONE,
                    note="电话督促责任单位加快办理。",
                )
            if i == 2 and (unit_officer := _unit_officer(users, m.handling_unit)) is not None:
                supervision.answer_order(
                    order, by=unit_officer, feedback="已成立专班，正在调查核实，月底前答复。"
                )
            result.orders += 1
    return result


def _unit_officer(users: dict[str, User], unit: Unit) -> User | None:
    return next((u for u in users.values() if u.unit_id == unit.pk and u.has_role("unit_officer")), None)
