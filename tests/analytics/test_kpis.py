"""Every KPI formula of domain-rules §2.6 on small hand-built data (fields set directly, no workflow)."""

from datetime import date, datetime, time
from itertools import count

import pytest
from django.utils import timezone

from xinfang.analytics import kpis
from xinfang.petitions import workflow
from xinfang.petitions.models import Code, Evaluation, Event, Matter, Registration

pytestmark = pytest.mark.usefixtures("both_paths")

JAN = kpis.Period.month(2024, 1)
_seq = count(1)


def local(d: date, hh: int = 10, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=timezone.get_current_timezone())


def mk(registered_on: date, *, state=workflow.ACCEPTED, channel="letter", head_count=1, **fields) -> Matter:
    n = next(_seq)
    matter = Matter.objects.create(
        number=f"XFT{n:05d}", title=f"事项{n}", category=Matter.Category.CLAIM,
        purpose=Code.objects.get(table="purpose", code="04", is_active=True), state=state,
        registered_at=local(registered_on), registered_on=registered_on,
        received_on=fields.pop("received_on", registered_on), **fields,
    )  # fmt: skip
    Registration.objects.create(
        number=f"DJT{n:05d}", matter=matter, channel=channel, received_at=local(registered_on),
        registered_at=local(registered_on), content="内容", head_count=head_count,
    )  # fmt: skip
    return matter


def triage(matter: Matter, at: datetime, action: str = "forward") -> None:
    """A triage decision as services.transition() records it: the Event, and the first decision's local date."""
    Event.objects.create(matter=matter, kind=f"matter:{action}", action=action, at=at, is_public=True)
    if matter.triaged_on is None:
        matter.triaged_on = timezone.localdate(at)
        matter.save(update_fields=["triaged_on"])


def rate(r):
    return None if r is None else round(r, 4)


@pytest.fixture
def dept(units):
    return units["dept"]


# --- 及时受理率 (信访部门) -----------------------------------------------------------------------------


def test_bureau_timely_acceptance(units):
    on_time = mk(date(2023, 12, 20))  # due 2024-01-04
    triage(on_time, local(date(2024, 1, 4), 23, 30))  # the last evening still counts (local date)
    late = mk(date(2023, 12, 20))
    triage(late, local(date(2024, 1, 5), 0, 30))  # UTC is still 01-04; local date decides → late
    twice = mk(date(2023, 12, 21))
    triage(twice, local(date(2023, 12, 22)), "decline")  # the first decision counts
    triage(twice, local(date(2024, 1, 30)), "forward")
    mk(date(2023, 12, 25))  # no decision, due 2024-01-09 < today → 超期未受理
    mk(date(2024, 1, 10))  # no decision, due 2024-01-25 ≥ today → not yet due (not in the denominator)
    # outside the population
    mk(date(2023, 12, 20), is_legal=True)  # 涉法涉诉
    mk(date(2023, 12, 1))  # due 2023-12-16, not in P
    original = mk(date(2023, 1, 5))
    mk(date(2023, 12, 20), repeat_of=original)  # not 初件
    mk(date(2023, 12, 20), state=workflow.RECEIVED_BY_UNIT, is_direct=True)  # a unit's own intake
    # the clock runs from receipt (收到之日), not from 登记: received 12-18, registered 12-28, never triaged
    mk(date(2023, 12, 28), received_on=date(2023, 12, 18))  # due 2024-01-02 → 超期未受理
    mk(date(2024, 1, 10), received_on=date(2023, 12, 10))  # due 2023-12-25, not in P
    # an online submission still waiting for 登记 counts as well: received 12-20, due 01-04 → 超期未受理
    mk(date(2023, 12, 20), state=workflow.RECEIVED)

    r = kpis.bureau_timely_acceptance(JAN, today=date(2024, 1, 20))
    assert (r.on_time, r.late, r.overdue_pending, r.not_yet_due) == (2, 1, 3, 1)
    assert r.total == 6 and r.rate == 0.3333333333333333


def test_rates_are_none_without_population(units):
    r = kpis.bureau_timely_acceptance(JAN, today=date(2024, 2, 1))
    assert r.total == 0 and r.rate is None
    assert kpis.on_time_completion(JAN).rate is None
    assert kpis.evaluation_stats(JAN, target="unit").participation_rate is None


# --- 及时受理率 (责任单位) -----------------------------------------------------------------------------


def test_unit_timely_acceptance(units, dept):
    fwd = {"handling_unit": dept, "forwarded_on": date(2023, 12, 10)}
    mk(date(2023, 12, 5), accepted_on=date(2024, 1, 4), **fwd)  # due 01-04 → on time
    mk(date(2023, 12, 5), accepted_on=date(2024, 1, 5), **fwd)  # late
    mk(date(2023, 12, 8), state=workflow.RECEIVED_BY_UNIT, **fwd)  # due 01-07, not accepted → 超期未受理
    mk(date(2023, 12, 28), state=workflow.FORWARDED, **fwd)  # due 01-27 → not yet due on 01-20
    mk(date(2023, 12, 5), accepted_on=date(2023, 12, 20), is_legal=True, **fwd)  # 涉法涉诉 excluded
    mk(date(2023, 12, 5), state=workflow.REDIRECTED_LEGAL, handling_unit=units["legal"],
       forwarded_on=date(2023, 12, 6))  # fmt: skip  # not a handling unit
    mk(date(2023, 12, 5), state=workflow.REGISTERED)  # never forwarded

    r = kpis.unit_timely_acceptance(JAN, today=date(2024, 1, 20))
    assert (r.on_time, r.late, r.overdue_pending, r.not_yet_due) == (1, 1, 1, 1)
    assert rate(r.rate) == rate(1 / 3)
    other = kpis.unit_timely_acceptance(
        JAN, scope=kpis.Scope(unit=units["township"].code), today=date(2024, 1, 20)
    )
    assert other.total == 0 and other.not_yet_due == 0


# --- 按期办结率 ---------------------------------------------------------------------------------------


def test_on_time_completion_with_extension_and_not_yet_due(units, dept):
    base = {"handling_unit": dept, "accepted_on": date(2023, 11, 10)}
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 9), replied_on=date(2024, 1, 9), **base)  # on the day
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 9), replied_on=date(2024, 1, 10), **base)  # late
    # extended by 30 days: the original due (2023-12-10) passed, but the extended one counts
    mk(date(2023, 10, 1), handle_due=date(2024, 1, 9), extension_days=30, replied_on=date(2024, 1, 2), **base)
    # channelled into arbitration: 办结 by its closing date
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 15), closed_on=date(2024, 1, 3), state=workflow.CHANNELED,
       **base)  # fmt: skip
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 12), state=workflow.INVESTIGATING, **base)  # 超期未答复
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 25), state=workflow.INVESTIGATING, **base)  # 未答复
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 20), state=workflow.EXTENDED, **base)  # due today: 未答复
    mk(date(2023, 11, 1), handle_due=date(2024, 1, 9), is_legal=True, **base)  # 涉法涉诉 excluded
    mk(date(2023, 11, 1), handle_due=date(2024, 2, 9), replied_on=date(2024, 1, 9), **base)  # due not in P

    r = kpis.on_time_completion(JAN, today=date(2024, 1, 20))
    assert (r.on_time, r.late, r.pending, r.overdue_pending) == (3, 1, 2, 1)
    # 未答复 (not yet due) is in neither term, as the dashboard and the public page publish it (issue 12)
    assert r.total == 5 and rate(r.rate) == rate(3 / 5)
    assert rate(r.rate_with_pending) == rate(3 / 7)  # §2.6's reading keeps 未答复 in the denominator


# --- 参评率 / 满意率 ----------------------------------------------------------------------------------


def evaluate(matter: Matter, target: str, value: str, on: date) -> None:
    Evaluation.objects.create(matter=matter, target=target, value=value, at=local(on, 23, 50))


def test_evaluation_participation_and_satisfaction(units, dept):
    u = {"handling_unit": dept, "state": workflow.DELIVERED}
    evaluate(
        mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 5), **u), "unit", "satisfied", date(2024, 1, 2)
    )
    evaluate(
        mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 5), **u), "unit", "basically", date(2024, 1, 31)
    )
    evaluate(
        mk(date(2023, 11, 1), eval_unit_due=date(2024, 2, 5), **u), "unit", "unsatisfied", date(2024, 1, 8)
    )
    evaluate(
        mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 5), **u), "bureau", "satisfied", date(2024, 1, 8)
    )
    # evaluated in December: not in January's population
    evaluate(
        mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 5), **u), "unit", "satisfied", date(2023, 12, 31)
    )
    mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 10), **u)  # window over, unrated → 超期未评价
    mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 19), **u)  # the last day was yesterday → 超期未评价
    mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 20), **u)  # window still open today → not counted
    mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 10), is_legal=True, **u)  # 涉法涉诉 excluded
    legal = mk(date(2023, 11, 1), eval_unit_due=date(2024, 1, 10), is_legal=True, **u)
    evaluate(legal, "unit", "unsatisfied", date(2024, 1, 3))

    r = kpis.evaluation_stats(JAN, target="unit", today=date(2024, 1, 20))
    assert (r.satisfied, r.basically, r.unsatisfied, r.expired) == (1, 1, 1, 3)
    # the bureau-rated matter above was not rated for the unit and its window ended 01-05: expired too
    assert r.evaluated == 3 and r.participation_rate == 0.5
    assert rate(r.satisfaction_rate) == rate(2 / 3) and rate(r.dissatisfaction_rate) == rate(1 / 3)

    b = kpis.evaluation_stats(JAN, target="bureau", today=date(2024, 1, 20))
    assert (b.satisfied, b.evaluated, b.expired) == (1, 1, 0)
    with pytest.raises(ValueError):
        kpis.evaluation_stats(JAN, target="nobody")


def test_scope_filters_by_township_and_unit(units, dept):
    town = units["township"]
    evaluate(mk(date(2023, 11, 1), township=town, handling_unit=dept, eval_unit_due=date(2024, 1, 5)),
             "unit", "satisfied", date(2024, 1, 2))  # fmt: skip
    evaluate(mk(date(2023, 11, 1), handling_unit=town, eval_unit_due=date(2024, 1, 5)),
             "unit", "unsatisfied", date(2024, 1, 2))  # fmt: skip
    by_town = kpis.evaluation_stats(JAN, target="unit", scope=kpis.Scope(township=town.code))
    by_unit = kpis.evaluation_stats(JAN, target="unit", scope=kpis.Scope(unit=town.code))
    assert (by_town.satisfied, by_town.unsatisfied) == (1, 0)
    assert (by_unit.satisfied, by_unit.unsatisfied) == (0, 1)
    summary = kpis.rate_summary(JAN, today=date(2024, 2, 1))
    assert summary.unit_evaluation.evaluated == 2 and summary.bureau_evaluation.evaluated == 0


# --- 信访总量 -----------------------------------------------------------------------------------------


def test_intake_counts_by_month_channel_and_content_class(units):
    labour = Code.objects.get(table="content", code="03", is_active=True)
    mk(date(2024, 1, 3), channel="online", content_class=labour)
    mk(date(2024, 1, 31), channel="visit", head_count=6, content_class=labour)
    mk(date(2024, 2, 1), channel="visit", head_count=2)
    mk(date(2024, 2, 2), channel="online", is_legal=True)  # totals include 涉法涉诉
    mk(date(2024, 2, 3), channel="online", state=workflow.RECEIVED)  # not yet 登记
    mk(date(2023, 12, 31), channel="letter")  # other year

    year = kpis.Period.year(2024)
    rows = kpis.intake_counts(year, by="channel", monthly=True)
    assert [(r.month, r.key, r.label, r.registrations, r.persons) for r in rows] == [
        (1, "online", "网上信访", 1, 1),
        (1, "visit", "来访", 1, 6),
        (2, "online", "网上信访", 1, 1),
        (2, "visit", "来访", 1, 2),
    ]
    classes = kpis.intake_counts(year, by="content_class")
    assert {(r.key, r.label, r.registrations, r.persons) for r in classes} == {
        ("03", "劳动社保", 2, 7),
        ("", "未分类", 2, 3),
    }
    assert ("03", "劳动社保") in kpis.content_classes()


def test_period_helpers():
    assert kpis.Period.month(2024, 12) == kpis.Period(date(2024, 12, 1), date(2024, 12, 31))
    assert kpis.Period.month(2024, 2).end == date(2024, 2, 29)
    start, end = kpis.Period.year(2024).datetimes()
    assert timezone.localtime(start).date() == date(2024, 1, 1) and (end - start).days == 366
