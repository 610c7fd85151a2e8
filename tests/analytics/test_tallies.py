"""The summary tables (analytics/tallies.py) stay equal to a fresh computation from the records whatever
the services do, and the rebuild/check command finds and repairs a difference."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from xinfang.analytics import dashboards as D
from xinfang.analytics import kpis, tallies
from xinfang.analytics.models import ClockTally, DayTally, MatterTally
from xinfang.petitions import citizens, services, workflow
from xinfang.petitions.models import Evaluation, Registration


@pytest.fixture
def crowd(people, units):
    """One matter in every state the services can reach, two evaluations, a repeat registration."""
    states = [
        s
        for s in workflow.STATES
        if s not in (workflow.RECEIVED, workflow.CLOSED, workflow.NO_LONGER_ACCEPTED)
    ]
    matters = {s: factories.matter_in_state(s, people=people, units=units) for s in states}
    delivered = matters[workflow.DELIVERED]
    citizens.evaluate(
        delivered, target=Evaluation.Target.UNIT, value=Evaluation.Value.UNSATISFIED, reason="x"
    )
    citizens.evaluate(delivered, target=Evaluation.Target.BUREAU, value=Evaluation.Value.SATISFIED)
    factories.register(people["clerk"], repeat_of=matters[workflow.ACCEPTED].number)
    unclassified = factories.register(people["clerk"], township="", content_class="")
    factories.do("forward", unclassified, people=people, units=units)
    return matters


def test_services_keep_the_tallies_equal_to_the_records(crowd):
    assert DayTally.objects.filter(dim="").exists() and ClockTally.objects.exists()
    assert tallies.check() == []
    assert not DayTally.objects.filter(**dict.fromkeys(tallies.MEASURES, 0)).exists()  # emptied rows go
    assert (
        MatterTally.objects.count() == len(crowd) + 1
    )  # + the unclassified one; the repeat joined its matter


def test_both_paths_give_the_same_dashboard(crowd, settings, units):
    year = kpis.Period.year(services.today().year)
    today = services.today() + timedelta(days=60)  # clocks have run out: overdue figures are not zero
    cases = [D.Filters(year), D.Filters(year, unit=units["dept"].code), D.Filters(year, content_class="01"),
             D.Filters(year, township=units["township"].code),
             D.Filters(year, township=units["township"].code, unit=units["dept"].code),
             D.Filters(year, unit=units["dept"].code, content_class="03")]  # fmt: skip

    def figures():
        return [
            (D.kpi_table(f, today=today), D.overview(f), D.intake_trend(f), D.clock_status(f, today=today),
             D.intake_by(f, by="content_class"), D.intake_by(f, by="township"), D.average_handling_days(f),
             D.league(f, by="unit", today=today), D.league(f, by="township", today=today))
            for f in cases
        ]  # fmt: skip

    settings.XINFANG_TALLIES = True
    from_tallies = figures()
    settings.XINFANG_TALLIES = False
    assert figures() == from_tallies
    assert from_tallies[0][3], "the open matters' clocks are counted"


def test_a_rolled_back_change_leaves_the_tallies_alone(people, units):
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.register(people["clerk"])
        assert DayTally.objects.exists()
        raise RuntimeError
    assert not DayTally.objects.exists() and not MatterTally.objects.exists()


def test_a_deleted_registration_is_taken_out(people, units):
    original = factories.register(people["clerk"])
    factories.register(people["clerk"], repeat_of=original.number)
    row = DayTally.objects.get(dim="", key="", grain="d")
    assert row.regs == 2
    Registration.objects.filter(matter=original).order_by("-id").first().delete()
    row.refresh_from_db()
    assert row.regs == 1 and tallies.check() == []


def test_once_reads_no_snapshot_and_no_evaluation_only_for_a_matter_created_in_the_block(db, monkeypatch):
    """Issue 14: at the end of `tallies.once()` a matter created in the block is refreshed without reading (and
    locking) its snapshot and its evaluations — it has none — unless an evaluation of it was saved in the block."""
    seen = []
    monkeypatch.setattr(tallies, "_refresh", lambda pk, fresh=False: seen.append((pk, fresh)))
    with tallies.once():
        tallies.changed(1, created=True)  # the new matter's post_save …
        tallies.changed(1)  # … then its registration's and its event's
        tallies.changed(2, created=True)
        tallies.changed(2, evaluation=True)  # evaluated in the same block: read as usual
        tallies.changed(3)  # an existing matter
    assert seen == [(1, True), (2, False), (3, False)]


def test_a_registration_writes_its_summary_rows_in_one_statement_per_table(people, units):
    """Issue 14: the day rows and the clock rows of a new matter, each table in one upsert — on PostgreSQL one
    statement (UNNEST of one array per column; was one statement per row, 25 for a registration), on SQLite one
    executemany — and the rows are right."""
    factories.register(people["clerk"])
    with CaptureQueriesContext(connection) as queries:
        factories.register(people["clerk"])
    upserts = [q["sql"] for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]
    assert len(upserts) == 2, upserts
    if connection.vendor == "postgresql":
        assert not any(" times: " in s[:12] for s in upserts), upserts  # not an executemany
    assert tallies.check() == [] and DayTally.objects.get(dim="", key="", grain="d").regs == 2


def test_rebuild_and_check_command(crowd, people, capsys):
    before = sorted(DayTally.objects.values_list("dim", "key", "key2", "grain", "day", *tallies.MEASURES))
    DayTally.objects.filter(dim="").update(regs=999)
    ClockTally.objects.all().delete()
    with pytest.raises(CommandError, match="不一致"):
        call_command("rebuild_tallies", "--check")
    assert "regs: stored 999" in capsys.readouterr().out
    call_command("rebuild_tallies")
    call_command("rebuild_tallies", "--check")
    assert "一致" in capsys.readouterr().out
    assert (
        sorted(DayTally.objects.values_list("dim", "key", "key2", "grain", "day", *tallies.MEASURES))
        == before
    )
    with connection.cursor() as c:  # the indexes the rebuild dropped for the load are back
        names = set(connection.introspection.get_constraints(c, DayTally._meta.db_table))
    assert {i.name for i in DayTally._meta.indexes} <= names
    services.register_received(factories.online_submission(), by=people["clerk"])
    assert tallies.check() == []  # the upsert path works on the rebuilt tables


def test_online_submission_counts_in_the_triage_kpi_at_once_and_in_intake_once_registered(people, units):
    matter = factories.online_submission()
    assert matter.state == workflow.RECEIVED
    # waiting for 登记: only the bureau's triage timeliness, from the day of receipt (its clock runs)
    waiting = DayTally.objects.get(dim="", key="", grain="d")
    assert (waiting.day, waiting.bacc_open, waiting.regs, waiting.matters) == (matter.received_on, 1, 0, 0)
    assert tallies.check() == []
    services.register_received(matter, by=people["clerk"])
    assert DayTally.objects.get(dim="", key="", grain="d", day=matter.registered_on).regs == 1
    assert tallies.check() == []


def test_measures_are_counted_on_their_own_dates(people, units):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    rows = {(r.dim, r.key): r for r in DayTally.objects.filter(grain="d", day=matter.registered_on)}
    county, unit = rows[("", "")], rows[("unit", str(units["dept"].pk))]
    assert (county.regs, county.matters, county.bacc_on_time, county.uacc_on_time) == (1, 1, 1, 1)
    assert (unit.regs, unit.uacc_on_time) == (1, 1)
    assert ("channel", matter.registrations.get().channel) in rows
    assert ("channel", matter.registrations.get().channel) not in {
        (r.dim, r.key) for r in DayTally.objects.filter(grain="d", matters__gt=0)
    }
    due = DayTally.objects.get(dim="", grain="d", day=matter.handle_due)
    assert due.done_open == 1 and due.regs == 0
    month = DayTally.objects.get(dim="", grain="m", day=matter.handle_due.replace(day=1))
    assert month.done_open == 1  # and the month row holds the same counts


def test_window_reads_whole_months_from_month_rows_and_cut_months_by_day():
    from datetime import date

    from django.db.models import Q

    q = tallies.window(date(2024, 1, 15), date(2024, 4, 30), cuts=[date(2024, 3, 10)])
    assert q == (
        Q(grain="d", day__gte=date(2024, 1, 15), day__lte=date(2024, 1, 31))
        | Q(grain="d", day__gte=date(2024, 3, 1), day__lte=date(2024, 3, 31))
        | Q(grain="m", day__in=[date(2024, 2, 1), date(2024, 4, 1)])
    )
    assert tallies.window(date(2024, 1, 1), date(2024, 1, 31), cuts=[date(2024, 1, 1)]) == Q(
        grain="m", day__in=[date(2024, 1, 1)]
    )  # a cut on the 1st does not split the month: every row is on one side of it


def test_an_online_submission_registered_days_later_counts_on_its_day_of_registration(
    people, units, time_machine
):
    """register_received sets the registrations' 登记时间 as well: the tallies must see it (issue 14)."""
    matter = factories.online_submission()
    time_machine.move_to(timezone.now() + timedelta(days=3))
    services.register_received(matter, by=people["clerk"])
    matter.refresh_from_db()
    assert DayTally.objects.get(dim="", key="", grain="d", day=matter.registered_on).regs == 1
    assert tallies.check() == []


def test_a_recheck_hearing_moves_the_recheck_clock_in_the_tallies(in_state, case_officer, time_machine):
    """record_hearing moves clock_due with a conditional UPDATE; its event row brings the tallies along."""
    matter = in_state(workflow.UNDER_RECHECK)
    requested = matter.recheck_requested_on
    time_machine.move_to(timezone.now() + timedelta(days=10))
    services.record_hearing(
        matter,
        by=case_officer,
        held_from=requested + timedelta(days=2),
        held_to=requested + timedelta(days=4),
    )
    assert tallies.check() == []
