"""Clocks run from the day of receipt (收到之日) and every clock the 条例 names is tracked: the triage clock of
an online submission waiting for 登记, the county's slice of an item from above, the deadline the level above
set, the notice clock of a unit that received a petition directly, hearing time in the 复核, and the head
count from which a visit is collective."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from xinfang.analytics import kpis
from xinfang.analytics.kpis import Period
from xinfang.petitions import deadlines, queries, services, supervision, workflow
from xinfang.petitions.models import ClockAlert, Matter, Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SH)


def submit_online(received: datetime, **kw):
    return services.register_petition(
        factories.petition_input(channel="online", received_at=received, **kw), by=None
    ).matter


# --- triage from receipt, in both calendar modes, at month ends and across the long holidays ------------

# (received, natural due, working due): 15 日 from the day after receipt (ADR 0001)
TRIAGE_CASES = [
    ("2019-09-20", "2019-10-08", "2019-10-16"),  # National Day 2019: 10-05 is a holiday; 09-29, 10-12 worked
    ("2026-02-05", "2026-02-24", "2026-03-04"),  # Spring Festival 2026: 02-15..23 rest; 02-14, 02-28 worked
    ("2026-01-31", "2026-02-24", "2026-02-27"),  # a month end whose 15th day falls in the Spring Festival
    ("2025-09-30", "2025-10-15", "2025-10-28"),  # National Day 2025 (10-01..08 rest; 09-28, 10-11 worked)
    ("2026-03-31", "2026-04-15", "2026-04-22"),  # a plain month end
]


@pytest.mark.parametrize("calendar", ["natural", "working"])
@pytest.mark.parametrize(("received", "natural", "working"), TRIAGE_CASES)
def test_triage_clock_runs_from_receipt_not_registration(
    clerk, settings, time_machine, calendar, received, natural, working
):
    settings.XINFANG_CALENDAR = calendar
    expected = date.fromisoformat(natural if calendar == "natural" else working)
    time_machine.move_to(at(received, 16))
    online = submit_online(at(received, 9))
    assert (online.state, online.clock, online.clock_due) == (workflow.RECEIVED, "TRIAGE", expected)
    assert online.received_on == date.fromisoformat(received)
    # the clerk registers it days later: the clock keeps its due date
    time_machine.move_to(at(received, 9) + timedelta(days=6))
    online = services.register_received(online, by=clerk)
    assert (online.state, online.clock, online.clock_due) == (workflow.REGISTERED, "TRIAGE", expected)
    assert online.registered_on == date.fromisoformat(received) + timedelta(days=6)
    # a letter received on that day and registered a week later has the same clock
    letter = factories.register(clerk, received_at=at(received, 9))
    assert (letter.clock, letter.clock_due, letter.received_on) == ("TRIAGE", expected, online.received_on)


def test_online_submission_waiting_for_registration_raises_alerts_and_counts_in_the_kpi(
    clerk, case_officer, time_machine
):
    time_machine.move_to(at("2026-03-02"))
    waiting = submit_online(at("2026-03-02", 8))
    due = waiting.clock_due
    time_machine.move_to(at(due.isoformat()) + timedelta(days=1))
    result = supervision.sweep_deadlines()
    assert ClockAlert.objects.filter(matter=waiting, clock="TRIAGE", level=ClockAlert.Level.OVERDUE).exists()
    assert result.alerts >= 1
    assert Notification.objects.filter(user__in=[clerk, case_officer], text__contains=waiting.number).exists()
    # 及时受理率（信访部门）: a period whose 15-day window holds the receipt counts it as overdue pending
    period = Period(date(2026, 3, 1), date(2026, 3, 31))
    stats = kpis.bureau_timely_acceptance(period, today=due + timedelta(days=1))
    assert stats.overdue_pending == 1 and stats.on_time == stats.late == 0


# --- items from above: the county slice and the level above's own deadline ---------------------------


def test_item_from_above_has_the_county_slice_and_the_external_deadline(clerk, case_officer, units, settings,
                                                                        time_machine):  # fmt: skip
    time_machine.move_to(at("2026-04-20"))
    kw = dict(channel="assigned", source_unit=units["prefecture"].code, external_number="阿信访交〔2026〕7号",
              received_at=at("2026-04-20", 9), external_due=date(2026, 5, 20))  # fmt: skip
    matter = factories.register(clerk, **kw)
    assert (matter.clock, matter.clock_due) == ("TRIAGE_COUNTY_SLICE", date(2026, 4, 24))
    badge = queries.external_badge(matter)
    assert (badge.code, badge.due, badge.status) == ("EXTERNAL_REPORT", date(2026, 5, 20), "ok")
    settings.XINFANG_TRIAGE_COUNTY_SLICE_DAYS = 0
    ordinary = factories.register(clerk, **kw)
    assert (ordinary.clock, ordinary.clock_due) == (
        "TRIAGE",
        deadlines.clock_due("TRIAGE", date(2026, 4, 20)),
    )
    # the sweep reminds the bureau of the level above's deadline, once
    time_machine.move_to(at("2026-05-18"))
    supervision.sweep_deadlines()
    supervision.sweep_deadlines()
    alerts = ClockAlert.objects.filter(matter=matter, clock="EXTERNAL_REPORT")
    assert [(a.due, a.level) for a in alerts] == [(date(2026, 5, 20), ClockAlert.Level.DUE_SOON)]
    assert Notification.objects.filter(user=case_officer, text__contains="上级交办期限").exists()


def test_external_deadline_stops_once_the_reply_exists(in_state):
    matter = in_state(workflow.REPLIED)
    assert queries.external_due(matter) is None


# --- a unit registers what it received directly (条例第二十三条第一、二款) -------------------------------


def test_unit_registers_a_petition_it_received_directly(
    unit_officer, other_unit_officer, clerk, time_machine
):
    time_machine.move_to(at("2026-06-01", 15))
    registration = services.register_petition(
        factories.petition_input(channel="visit", received_at=at("2026-06-01", 9)), by=unit_officer
    )
    matter = registration.matter
    assert matter.state == workflow.RECEIVED_BY_UNIT and matter.is_direct
    assert matter.handling_unit == unit_officer.unit and matter.received_by_unit_on == date(2026, 6, 1)
    assert (matter.clock, matter.clock_due) == (
        "NOTIFY_DIRECT",
        deadlines.clock_due("NOTIFY_DIRECT", date(2026, 6, 1)),
    )
    assert matter.number.startswith("XF2026")  # numbered in the county's sequence: the county counts it
    # the unit goes on with its own acceptance; the bureau's triage KPI does not count it
    accepted = services.accept_matter(matter, by=unit_officer)
    assert accepted.state == workflow.ACCEPTED
    period = Period(date(2026, 6, 1), date(2026, 6, 30))
    assert kpis.bureau_timely_acceptance(period, today=date(2026, 7, 31)).total == 0
    with pytest.raises(PermissionDenied):  # another township's officer neither sees nor registers for it
        services.accept_matter(matter, by=other_unit_officer)


def test_bureau_staff_still_register_for_the_bureau(clerk):
    matter = factories.register(clerk)
    assert matter.state == workflow.REGISTERED and not matter.is_direct and matter.handling_unit is None


# --- hearing time is not counted in the 复核 period (条例第三十六条) -----------------------------------


def test_hearing_days_push_the_recheck_deadline_back(in_state, case_officer, clerk, time_machine):
    matter = in_state(workflow.UNDER_RECHECK)
    requested = matter.recheck_requested_on
    assert matter.recheck_due == deadlines.clock_due("RECHECK", requested)
    time_machine.move_to(at(requested.isoformat()) + timedelta(days=10))
    with pytest.raises(PermissionDenied):
        services.record_hearing(matter, by=clerk, held_from=requested + timedelta(days=2),
                                held_to=requested + timedelta(days=4))  # fmt: skip
    with pytest.raises(services.WorkflowError, match="起止日期"):
        services.record_hearing(matter, by=case_officer, held_from=requested + timedelta(days=4),
                                held_to=requested + timedelta(days=2))  # fmt: skip
    matter = services.record_hearing(matter, by=case_officer, held_from=requested + timedelta(days=2),
                                     held_to=requested + timedelta(days=4), note="组织听证")  # fmt: skip
    expected = deadlines.clock_due("RECHECK", requested, days=33)
    assert (matter.recheck_hearing_days, matter.recheck_due, matter.clock_due) == (3, expected, expected)
    assert matter.events.filter(kind="matter:hearing_recorded", data__days=3).exists()
    done = factories.do("record_recheck", matter, people={"clerk": clerk, "case_officer": case_officer,
                        "unit_officer": None, "unit_head": None}, units={})  # fmt: skip
    with pytest.raises(services.WorkflowError, match="复核中"):
        services.record_hearing(done, by=case_officer, held_from=requested, held_to=requested)


# --- 集体访 from a configurable head count; the clerk's explicit choice wins ------------------------


@pytest.mark.parametrize(
    ("head_count", "explicit", "minimum", "collective"),
    [(4, None, 5, False), (5, None, 5, True), (12, False, 5, False), (2, True, 5, True), (3, None, 3, True)],
)
def test_collective_visit_by_head_count_unless_the_clerk_says(clerk, settings, head_count, explicit, minimum,
                                                              collective):  # fmt: skip
    settings.XINFANG_COLLECTIVE_MIN_PERSONS = minimum
    people = [factories.petitioner_input(name="代表", id_number="", is_representative=True)]
    matter = factories.register(clerk, channel="visit", head_count=head_count, is_collective=explicit,
                                petitioners=people)  # fmt: skip
    assert matter.registrations.get().is_collective is collective


def test_a_letter_is_never_collective_by_head_count(clerk):
    people = [factories.petitioner_input(name=f"村民{i}", id_number="") for i in range(6)]
    matter = factories.register(clerk, channel="letter", petitioners=people)
    assert not matter.registrations.get().is_collective


# --- through the staff pages -------------------------------------------------------------------------


def test_case_officer_records_a_hearing_on_the_matter_page(
    login, in_state, case_officer, clerk, time_machine
):
    matter = in_state(workflow.UNDER_RECHECK)
    requested = matter.recheck_requested_on
    time_machine.move_to(at(requested.isoformat()) + timedelta(days=5))
    assert (
        "id_record_hearing_held_from"
        not in login(clerk).get(f"/casework/matters/{matter.number}/").content.decode()
    )
    client = login(case_officer)
    assert "id_record_hearing_held_from" in client.get(f"/casework/matters/{matter.number}/").content.decode()
    data = {"version": matter.version, "held_from": (requested + timedelta(days=1)).isoformat(),
            "held_to": (requested + timedelta(days=2)).isoformat(), "note": "听证"}  # fmt: skip
    response = client.post(f"/casework/matters/{matter.number}/act/record_hearing/", data)
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.recheck_hearing_days == 2
    assert matter.recheck_due == deadlines.clock_due("RECHECK", requested, days=32)


def test_unit_officer_registers_through_the_intake_page(login, unit_officer):
    from tests.casework.test_intake import intake

    client = login(unit_officer)
    assert "/casework/register/" in client.get("/casework/").content.decode()
    response = client.post("/casework/register/letter/", intake("letter"))
    assert response.status_code == 302
    matter = Matter.objects.get()
    assert matter.is_direct and matter.handling_unit == unit_officer.unit and matter.clock == "NOTIFY_DIRECT"
    assert client.get(f"/casework/matters/{matter.number}/").status_code == 200


def test_matter_page_shows_the_receipt_date_and_the_triage_due_from_it(login, clerk, time_machine):
    time_machine.move_to(at("2026-03-09", 15))
    matter = factories.register(clerk, received_at=at("2026-03-02", 9))  # a letter received a week ago
    html = login(clerk).get(f"/casework/matters/{matter.number}/").content.decode()
    dates = html.split("收到日期", 1)[1]
    assert "2026-03-02" in dates.split("登记日期", 1)[0]
    assert matter.clock_due == deadlines.clock_due("TRIAGE", date(2026, 3, 2))
    assert matter.clock_due.isoformat() in dates.split("转送交办期限", 1)[1].split("</", 2)[1]
