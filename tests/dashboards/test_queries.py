"""dashboards.py on a small hand-built county (see conftest.world)."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests import factories
from xinfang.analytics import dashboards as D
from xinfang.analytics import kpis, tallies
from xinfang.analytics.kpis import Period, Scope
from xinfang.petitions.models import Registration

pytestmark = pytest.mark.usefixtures("both_paths")

TODAY = date(2025, 4, 8)
P = Period(date(2025, 1, 1), TODAY)


def numbers(qs):
    return sorted(m.title[0] for m in qs)


def test_clock_status_counts_open_matters_per_clock(world):
    rows = {r.clock: (r.ok, r.due_soon, r.overdue) for r in D.clock_status(D.Filters(P), today=TODAY)}
    assert rows == {"TRIAGE": (0, 0, 1), "NOTIFY": (1, 0, 2), "HANDLE": (1, 0, 0)}
    assert [r.label for r in D.clock_status(D.Filters(P), today=TODAY)] == ["转送交办", "受理告知", "办理"]
    # a township filter narrows it
    rows = {r.clock: r.overdue for r in D.clock_status(D.Filters(P, township="513223101"), today=TODAY)}
    assert rows == {"TRIAGE": 1, "NOTIFY": 0}


def test_intake_trend_by_month_and_channel(world):
    rows = [(r.month, r.channel, r.registrations, r.persons) for r in D.intake_trend(D.Filters(P))]
    assert rows == [("2025-03", "letter", 4, 4), ("2025-03", "phone", 1, 1), ("2025-04", "visit", 1, 6)]
    # the same totals as kpis.intake_counts
    assert sum(r[2] for r in rows) == sum(r.registrations for r in kpis.intake_counts(P, by="channel"))
    # content class filter includes sub-classes: 01 = C (0101) and D (01)
    assert [r.registrations for r in D.intake_trend(D.Filters(P, content_class="01"))] == [2]


def test_intake_by_content_class_and_township_largest_first(world):
    classes = [(r.key, r.label, r.registrations) for r in D.intake_by(D.Filters(P), by="content_class")]
    assert classes == [("03", "劳动社保", 4), ("01", "城乡建设", 2)]
    towns = [(r.key, r.registrations, r.persons) for r in D.intake_by(D.Filters(P), by="township")]
    assert towns == [("513223100", 4, 4), ("513223101", 2, 7)]


def test_overview_first_repeat_collective(world):
    ov = D.overview(D.Filters(P))
    assert (ov.registrations, ov.persons, ov.first, ov.repeat) == (6, 11, 5, 1)
    assert (ov.collective_batches, ov.collective_persons, ov.leapfrog) == (1, 6, 0)
    assert ov.repeat_rate == pytest.approx(1 / 6)


def assert_rows_equal_the_kpis_per_unit(rows: dict, period: Period) -> None:
    """Each league row (unit code → LeagueRow) has the figures of kpis.* scoped to that unit."""
    for code, row in rows.items():
        scope = Scope(unit=code)
        acc = kpis.unit_timely_acceptance(period, scope=scope, today=TODAY)
        done = kpis.on_time_completion(period, scope=scope, today=TODAY)
        ev = kpis.evaluation_stats(period, target="unit", scope=scope, today=TODAY)
        assert (row.accept_on_time, row.accept_late) == (acc.on_time, acc.late + acc.overdue_pending)
        assert row.acceptance_rate == acc.rate
        assert (row.done_on_time, row.done_late, row.done_pending) == (
            done.on_time, done.late + done.overdue_pending, done.pending)  # fmt: skip
        assert row.completion_rate == done.rate  # 未答复 (not yet due) in neither, as on the public page
        assert (row.evaluated, row.expired) == (ev.evaluated, ev.expired)


def test_league_of_units_equals_the_kpis_per_unit(world):
    rows = {r.key: r for r in D.league(D.Filters(P), by="unit", today=TODAY)}
    assert set(rows) == {"513223RSJ", "513223100"}
    dept, town = rows["513223RSJ"], rows["513223100"]
    assert (dept.registered, dept.overdue_now, dept.accept_on_time, dept.accept_late) == (3, 1, 1, 1)
    assert (town.registered, town.overdue_now, town.accept_on_time, town.accept_late) == (1, 1, 0, 1)
    assert dept.repeats == 1 and dept.registrations == 4
    assert_rows_equal_the_kpis_per_unit(rows, P)
    # ranked: most registered first
    assert [r.key for r in D.league(D.Filters(P), by="unit", today=TODAY)] == ["513223RSJ", "513223100"]


def test_league_of_townships(world):
    rows = [(r.key, r.registered, r.overdue_now) for r in D.league(D.Filters(P), by="township", today=TODAY)]
    assert rows == [("513223100", 3, 2), ("513223101", 2, 1)]


def test_completion_and_average_days_after_replies(world, people):
    a = world["A"]
    factories.do("investigate", a, people=people, units=world)
    a = factories.do("reply", a, people=people, units=world)
    f = D.Filters(Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert D.average_handling_days(f) == (a.replied_on - a.accepted_on).days
    row = {r.key: r for r in D.league(f, by="unit", today=TODAY)}["513223RSJ"]
    assert row.done_on_time == 1 and row.completion_rate == 1.0
    assert row.avg_days == (a.replied_on - a.accepted_on).days


def test_kpi_table_matches_kpis_with_year_on_year(world):
    rows = {r.code: r for r in D.kpi_table(D.Filters(P), today=TODAY)}
    s = kpis.rate_summary(P, today=TODAY)
    assert rows["unit_acceptance"].value == s.unit_acceptance.rate
    assert rows["unit_acceptance"].numerator == s.unit_acceptance.on_time
    assert rows["bureau_acceptance"].denominator == s.bureau_acceptance.total
    assert rows["repeat"].value == pytest.approx(1 / 6)
    assert rows["repeat"].year_ago is None and rows["repeat"].yoy is None  # nothing in 2024


def test_comparison_periods():
    assert D.previous(Period.month(2025, 3)) == Period.month(2025, 2)
    assert D.previous(Period.month(2025, 1)) == Period.month(2024, 12)
    assert D.previous(Period(date(2025, 3, 11), date(2025, 3, 20))) == Period(
        date(2025, 3, 1), date(2025, 3, 10)
    )
    assert D.year_ago(Period(date(2024, 2, 29), date(2024, 3, 31))) == Period(
        date(2023, 2, 28), date(2023, 3, 31)
    )


def test_drill_down_goes_through_visible_matters(world, supervisor, unit_officer, other_unit_officer):
    f = D.Filters(P)
    assert numbers(D.drill_down(supervisor, f, figure="overdue", today=TODAY)) == ["B", "C", "D"]
    # the unit officer sees only their own unit's figures, whatever unit they ask for
    assert numbers(D.drill_down(unit_officer, f, figure="overdue", today=TODAY)) == ["B"]
    assert numbers(
        D.drill_down(unit_officer, D.Filters(P, unit="513223100"), figure="overdue", today=TODAY)
    ) == ["B"]
    assert numbers(D.drill_down(other_unit_officer, f, figure="overdue", today=TODAY)) == ["D"]
    assert D.dashboard_filters(unit_officer, D.Filters(P, unit="513223100")).unit == "513223RSJ"
    assert numbers(D.drill_down(supervisor, f, figure="clock", clock="NOTIFY", status="ok", today=TODAY)) == [
        "E"
    ]
    assert numbers(D.drill_down(supervisor, f, figure="intake", month="2025-03", channel="phone")) == ["A"]
    assert numbers(D.drill_down(supervisor, f, figure="collective")) == ["E"]
    assert numbers(D.drill_down(supervisor, f, figure="repeat")) == ["A"]
    assert numbers(D.drill_down(supervisor, f, figure="accept_late", today=TODAY)) == ["B", "D"]
    assert numbers(D.drill_down(supervisor, f, figure="bureau_accept_late", today=TODAY)) == ["C"]


def test_drill_down_count_equals_the_figure(world, supervisor):
    f = D.Filters(P)
    for row in D.league(f, by="township", today=TODAY):
        g = D.Filters(P, township=row.key)
        assert D.drill_down(supervisor, g, figure="overdue", today=TODAY).count() == row.overdue_now
        assert D.drill_down(supervisor, g, figure="registered", today=TODAY).count() == row.registered


def test_roles_without_dashboards_are_refused(world, units):
    finance = factories.make_user("fin1", "finance", unit=units["bureau"])
    with pytest.raises(PermissionDenied):
        D.drill_down(finance, D.Filters(P), figure="overdue")
    with pytest.raises(PermissionDenied):
        D.dashboard_filters(finance, D.Filters(P))


@pytest.mark.parametrize(
    "period",
    [P, Period.year(2025), Period(date(2025, 5, 10), date(2025, 12, 31))],  # future: starts after today
    ids=["to-today", "whole-year", "future"],
)
def test_league_splits_open_counts_at_today(world, people, period):
    """Counts still open on or after `today` (handling due later, acceptance within its 30 days, evaluation
    window still running) are pending in the league as in the KPIs, whether P ends today, later, or starts later."""
    b = factories.do("acknowledge", world["B"], people=people, units=world)
    factories.do("accept", b, people=people, units=world)  # handling due after TODAY
    a = world["A"]
    for action in ("investigate", "reply", "deliver"):  # its evaluation window ends after TODAY
        a = factories.do(action, a, people=people, units=world)
    rows = {r.key: r for r in D.league(D.Filters(period), by="unit", today=TODAY)}
    assert_rows_equal_the_kpis_per_unit(rows, period)
    if period.end > TODAY:  # there are counts to split: B's handling and E's acceptance are still running
        assert sum(r.done_pending for r in rows.values()) >= 1 and a.eval_unit_due > TODAY


@pytest.mark.parametrize(
    "zone, at_utc, month",
    [
        ("Asia/Shanghai", (2025, 3, 31, 15, 59), "2025-03"),  # 23:59 local
        ("Asia/Shanghai", (2025, 3, 31, 16, 0), "2025-04"),  # 00:00 local
        ("Europe/Berlin", (2025, 3, 31, 21, 59), "2025-03"),  # summer time since 30 March: 23:59 local
        ("Europe/Berlin", (2025, 3, 31, 22, 0), "2025-04"),
        ("Europe/Berlin", (2025, 1, 31, 22, 59), "2025-01"),  # winter time
    ],
)
def test_local_month_of_a_registration(world, zone, at_utc, month):
    """The trend's month on the records path: one database function for a zone with one UTC offset over P,
    the months' bounds for a zone that changes it (daylight saving)."""
    reg = world["A"].registrations.first()
    Registration.objects.filter(pk=reg.pk).update(registered_at=datetime(*at_utc, tzinfo=UTC))
    tallies.refresh(reg.matter_id)  # an UPDATE sends no signal
    with timezone.override(zone):
        expr = D._local_month("registered_at", Period.year(2025))
        assert isinstance(expr, D.LocalMonth) == (zone == "Asia/Shanghai")
        assert Registration.objects.annotate(m=expr).get(pk=reg.pk).m == month
