"""Statutory clocks through the services, across the 2019 National Day holiday, in both calendar modes.

Official schedule (国办发明电〔2018〕15号): 2019-10-01..07 rest; Sunday 2019-09-29 and Saturday
2019-10-12 are working days (调休). Also used: Mid-Autumn 2019-09-13 rest, New Year 2020-01-01 rest,
Spring Festival 2020 rest 01-24..02-02 (extended by 国办发明电〔2020〕1号), Sunday 2020-01-19 worked.
Every expected date below was counted by hand; the start day is never counted (ADR 0001).

natural = calendar days, a last day on a rest day moves to the next working day;
working = each 日 is a working day. OBJECTION (5 个工作日) counts working days in both modes.
"""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.workflow.conftest import snapshot
from xinfang.petitions import deadlines, services, workflow

D = date
CALENDARS = ["natural", "working"]


@pytest.fixture(params=CALENDARS)
def calendar(request, settings):
    settings.XINFANG_CALENDAR = request.param
    return request.param


@pytest.fixture
def on(time_machine):
    """on(date): the clock reads 10:00 Asia/Shanghai of that day."""

    def travel(day: date) -> None:
        time_machine.move_to(timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0)), tick=False)
        assert services.today() == day

    return travel


def _forwarded(people, units):
    matter = factories.register(people["clerk"])
    return services.forward_matter(matter, by=people["clerk"], unit=units["dept"])


def test_the_holiday_schedule_these_cases_rely_on():
    from xinfang.core.calendars import is_working_day

    assert not any(is_working_day(D(2019, 10, d)) for d in range(1, 8))
    assert is_working_day(D(2019, 9, 29)) and is_working_day(D(2019, 10, 12))  # 调休 Sunday / Saturday
    assert not is_working_day(D(2019, 10, 5)) and not is_working_day(D(2020, 1, 1))
    assert not is_working_day(D(2020, 2, 1)) and is_working_day(D(2020, 1, 19))


# --- registration and triage: 15 日 from 2019-09-20 -----------------------------------------------


@pytest.mark.parametrize(
    ("calendar_mode", "expected_triage", "expected_notify"),
    [
        # natural: 09-20 + 15 = 10-05, a holiday → 10-08 (first working day after the break)
        ("natural", D(2019, 10, 8), D(2019, 10, 8)),
        # working: 09-23..27 (5), 09-29 Sun 调休 (6), 09-30 (7), 10-08..11 (11), 10-12 Sat 调休 (12),
        # 10-14, 15, 16 (15)
        ("working", D(2019, 10, 16), D(2019, 10, 16)),
    ],
)
def test_triage_clock_from_receipt(
    settings, people, units, on, calendar_mode, expected_triage, expected_notify
):
    settings.XINFANG_CALENDAR = calendar_mode
    on(D(2019, 9, 20))
    matter = factories.register(people["clerk"])
    assert matter.registered_on == matter.received_on == D(2019, 9, 20)
    assert (matter.state, matter.clock, matter.clock_due) == (workflow.REGISTERED, "TRIAGE", expected_triage)
    # an online submission's clock runs from its receipt, before a clerk registers it (条例第二十二条)
    online = factories.online_submission()
    assert (online.state, online.clock, online.clock_due) == (workflow.RECEIVED, "TRIAGE", expected_triage)
    online = services.register_received(online, by=people["clerk"])
    assert (online.clock, online.clock_due) == ("TRIAGE", expected_triage)
    # forwarded the same day: the unit's 15-日 notice clock, counted from the transfer
    matter = services.forward_matter(matter, by=people["clerk"], unit=units["dept"])
    assert (matter.clock, matter.clock_due, matter.forwarded_on) == (
        "NOTIFY",
        expected_notify,
        D(2019, 9, 20),
    )


# --- forwarded on 2019-09-27; the unit signs for it only after the holiday ---------------------------
# The unit received the item when the system forwarded it, so both clocks run from the forwarding date
# (条例第二十三条第三款 "自收到之日起"), whenever it signs.


@pytest.mark.parametrize(
    ("calendar_mode", "expected_notify"),
    [
        # natural: 09-27 + 15 = 10-12, the 调休 Saturday: a working day, so it stays
        ("natural", D(2019, 10, 12)),
        # working: 09-29 (1), 09-30 (2), 10-08..12 (7), 10-14..18 (12), 10-21, 22, 23 (15)
        ("working", D(2019, 10, 23)),
    ],
)
def test_acknowledge_starts_objection_window_and_notice_clock(
    settings, people, units, on, calendar_mode, expected_notify
):
    settings.XINFANG_CALENDAR = calendar_mode
    on(D(2019, 9, 27))
    matter = _forwarded(people, units)
    on(D(2019, 10, 8))
    matter = services.acknowledge_matter(matter, by=people["unit_officer"])
    # 5 个工作日 from 09-27 in both modes: 09-29 Sun 调休 (1), 09-30 (2), 10-08 (3), 10-09 (4), 10-10 (5)
    assert matter.objection_due == D(2019, 10, 10)
    assert matter.received_by_unit_on == D(2019, 10, 8)
    assert (matter.state, matter.clock, matter.clock_due) == (
        workflow.RECEIVED_BY_UNIT,
        "NOTIFY",
        expected_notify,
    )


@pytest.mark.parametrize("calendar_mode", CALENDARS)
def test_objection_window_counts_the_make_up_saturday(settings, people, units, on, calendar_mode):
    settings.XINFANG_CALENDAR = calendar_mode
    on(D(2019, 10, 8))
    matter = services.acknowledge_matter(_forwarded(people, units), by=people["unit_officer"])
    # 10-09 (1), 10-10 (2), 10-11 (3), 10-12 Sat 调休 (4), 10-14 Mon (5)
    assert matter.objection_due == D(2019, 10, 14)


@pytest.mark.parametrize("calendar_mode", CALENDARS)
def test_objection_on_the_last_day_accepted_the_day_after_refused(settings, people, units, on, calendar_mode):
    settings.XINFANG_CALENDAR = calendar_mode
    on(D(2019, 9, 27))
    in_time, too_late = _forwarded(people, units), _forwarded(people, units)
    on(D(2019, 9, 27))
    in_time = services.acknowledge_matter(in_time, by=people["unit_officer"])
    too_late = services.acknowledge_matter(too_late, by=people["unit_officer"])
    assert in_time.objection_due == too_late.objection_due == D(2019, 10, 10)

    on(D(2019, 10, 10))
    in_time = services.object_matter(in_time, by=people["unit_officer"], reason="属于乡镇职权")
    assert in_time.state == workflow.OBJECTED

    on(D(2019, 10, 11))
    before = snapshot(too_late.pk)
    with pytest.raises(services.WorkflowError, match="已超过5个工作日的异议期限"):
        services.object_matter(too_late, by=people["unit_officer"], reason="属于乡镇职权")
    assert snapshot(too_late.pk) == before


# --- acceptance, extension, reply, delivery, review request -------------------------------------


EXPECTED = {
    "natural": {
        # 10-08 + 60 = 12-07 (Saturday) → Monday 12-09
        "handle": D(2019, 12, 9),
        # the extension is added to the statutory period: 10-08 + 60 + 30 = 2020-01-06 (Monday)
        "extended": D(2020, 1, 6),
        # delivered 12-02: + 30 = 2020-01-01 (New Year) → 01-02
        "review_request": D(2020, 1, 2),
        # requested 01-02: + 30 = 02-01 (Saturday inside the extended Spring Festival break) → 02-03
        "review": D(2020, 2, 3),
    },
    "working": {
        # 10-09..12 (4), 10-14..31 (18), November (39), 12-02..27 (59), 12-30 (60)
        "handle": D(2019, 12, 30),
        # 12-31 (1), 01-02, 03 (3), 01-06..17 (13), 01-19 Sun 调休 (14), 01-20..23 (18),
        # [01-24..02-02 rest], 02-03..14 (28), 02-17 (29), 02-18 (30)
        "extended": D(2020, 2, 18),
        # 12-03..31 (21), 01-02, 03 (23), 01-06..10 (28), 01-13, 14 (30)
        "review_request": D(2020, 1, 14),
        # 01-15..17 (3), 01-19 (4), 01-20..23 (8), 02-03..28 (28), 03-02, 03 (30)
        "review": D(2020, 3, 3),
    },
}


def test_expected_dates_agree_with_deadlines_module(calendar):
    """The hand-counted dates above, checked against the pure functions (no database)."""
    e = EXPECTED[calendar]
    assert deadlines.clock_due("HANDLE", D(2019, 10, 8)) == e["handle"]
    assert deadlines.clock_due("HANDLE", D(2019, 10, 8), days=90) == e["extended"]
    assert deadlines.clock_due("REVIEW_REQUEST", D(2019, 12, 2)) == e["review_request"]
    assert deadlines.clock_due("REVIEW", e["review_request"]) == e["review"]


def test_handling_extension_reply_and_review_window(calendar, people, units, on):
    e = EXPECTED[calendar]
    clerk, unit_officer, unit_head = people["clerk"], people["unit_officer"], people["unit_head"]
    on(D(2019, 9, 20))
    matter = _forwarded(people, units)
    on(D(2019, 9, 27))
    matter = services.acknowledge_matter(matter, by=unit_officer)

    on(D(2019, 10, 8))  # first working day after the holiday
    matter = services.accept_matter(matter, by=unit_officer)
    assert matter.accepted_on == D(2019, 10, 8)
    assert (matter.clock, matter.clock_due, matter.handle_due) == ("HANDLE", e["handle"], e["handle"])
    assert matter.documents.get(kind="acceptance_notice").issued_on == D(2019, 10, 8)

    on(D(2019, 11, 1))
    matter = services.start_investigation(matter, by=unit_officer)
    assert matter.clock_due == e["handle"]
    old_due = matter.handle_due
    matter = factories.extend(matter, requester=unit_officer, head=unit_head, days=30)
    assert matter.extension_days == 30
    assert (matter.clock, matter.clock_due, matter.handle_due) == ("HANDLE", e["extended"], e["extended"])
    if calendar == "natural":
        assert matter.handle_due - old_due <= timedelta(days=30)  # the extension adds at most 30 日
    notice = matter.documents.get(kind="extension_notice")
    assert notice.issued_on == D(2019, 11, 1) and notice.is_public

    on(D(2019, 12, 2))
    matter = services.reply_matter(matter, by=unit_officer, outcome="support", opinion="责令公司支付工资。")
    assert matter.clock_due == e["extended"]  # the handling clock runs until delivery
    matter = services.deliver_reply(
        matter, by=unit_officer, method="in_person", delivered_on=D(2019, 12, 2), signed=True
    )
    due = e["review_request"]
    assert (matter.clock, matter.clock_due, matter.review_request_due) == ("REVIEW_REQUEST", due, due)

    # the day after the last day: refused, nothing changes
    on(due + timedelta(days=1))
    before = snapshot(matter.pk)
    with pytest.raises(services.WorkflowError, match="已超过复查申请期限"):
        services.request_review(matter, by=clerk)
    assert snapshot(matter.pk) == before
    # …and closing is now possible (not tried here, it would end the matter)

    # on the last day: accepted; the reviewing organ has 30 日
    on(due)
    with pytest.raises(services.WorkflowError, match="尚未届满"):
        services.close_matter(matter)
    matter = services.request_review(matter, by=clerk)
    assert matter.review_requested_on == due
    assert (matter.state, matter.clock, matter.clock_due, matter.review_due) == (
        workflow.UNDER_REVIEW,
        "REVIEW",
        e["review"],
        e["review"],
    )


def test_lapsed_review_window_closes_the_matter(calendar, people, units, on):
    e = EXPECTED[calendar]
    on(D(2019, 12, 2))
    matter = factories.matter_in_state(workflow.DELIVERED, people=people, units=units)
    assert matter.review_request_due == e["review_request"]
    on(e["review_request"])
    assert services.close_lapsed_matters() == 0
    on(e["review_request"] + timedelta(days=1))
    assert services.close_lapsed_matters() == 1
    matter.refresh_from_db()
    assert (matter.state, matter.closed_on, matter.clock, matter.clock_due) == (
        workflow.CLOSED,
        e["review_request"] + timedelta(days=1),
        "",
        None,
    )


# --- 2026 (国办发明电〔2025〕7号, as the migration stores it in the database) --------------------------
# Spring Festival 02-15..23 rest, Saturdays 02-14 and 02-28 worked; Mid-Autumn 09-25..27 and National Day
# 10-01..07 rest, Sunday 09-20 and Saturday 10-10 worked.


@pytest.mark.parametrize(
    ("calendar_mode", "expected"),
    [
        # natural: 02-06 + 15 = 02-21, inside the break → Tuesday 02-24
        ("natural", D(2026, 2, 24)),
        # working: 02-09..13 (5), 02-14 Sat 调休 (6), 02-24..27 (10), 02-28 Sat 调休 (11), 03-02..05 (15)
        ("working", D(2026, 3, 5)),
    ],
)
def test_triage_and_notice_clocks_over_the_2026_spring_festival(
    settings, people, units, on, calendar_mode, expected
):
    settings.XINFANG_CALENDAR = calendar_mode
    on(D(2026, 2, 6))
    matter = factories.register(people["clerk"])
    assert (matter.clock, matter.clock_due) == ("TRIAGE", expected)
    matter = services.forward_matter(matter, by=people["clerk"], unit=units["dept"])
    assert (matter.clock, matter.clock_due) == ("NOTIFY", expected)


@pytest.mark.parametrize(
    ("calendar_mode", "expected_notify"),
    [
        # natural: 09-18 + 15 = 10-03, a holiday → Thursday 10-08
        ("natural", D(2026, 10, 8)),
        # working: 09-20 Sun 调休 (1), 09-21..24 (5), 09-28..30 (8), 10-08, 09 (10), 10-10 Sat 调休 (11),
        # 10-12..15 (15)
        ("working", D(2026, 10, 15)),
    ],
)
def test_notice_clock_over_mid_autumn_and_national_day_2026(
    settings, people, units, on, calendar_mode, expected_notify
):
    settings.XINFANG_CALENDAR = calendar_mode
    on(D(2026, 9, 18))
    matter = _forwarded(people, units)
    on(D(2026, 9, 21))
    matter = services.acknowledge_matter(matter, by=people["unit_officer"])
    # 5 个工作日 in both modes: 09-20 Sun 调休 (1), 09-21 (2), 09-22 (3), 09-23 (4), 09-24 (5)
    assert matter.objection_due == D(2026, 9, 24)
    assert (matter.clock, matter.clock_due) == ("NOTIFY", expected_notify)
