"""Leader reception days (领导接访日), 包案 and the leader's dashboard, through HTTP."""

from datetime import timedelta

import pytest
import time_machine

from tests import factories
from tests.programs.helpers import intake, text
from xinfang.petitions import programs, services, workflow
from xinfang.petitions.models import Event, Matter, ReceptionDay, Registration

NOW = factories.aware(2026, 3, 10, 10, 30)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def day(clerk, leader):
    return programs.schedule_reception_day(by=clerk, leader=leader, on=services.today(), place="群众接待中心",
                                           topic="劳动保障")  # fmt: skip


def test_clerk_schedules_a_reception_day(login, clerk, leader):
    client = login(clerk)
    on = services.today() + timedelta(days=7)
    r = client.post("/casework/programs/reception/", {"do": "schedule", "leader": leader.pk, "on": on.isoformat(),
                    "place": "县群众接待中心", "topic": "征地拆迁", "publish": "on"})  # fmt: skip
    day = ReceptionDay.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/casework/programs/reception/{day.pk}/"
    assert (day.leader, day.date, day.place, day.is_published) == (leader, on, "县群众接待中心", True)
    page = text(client.get("/casework/programs/reception/"))
    assert "征地拆迁" in page and on.isoformat() in page


def test_schedule_errors_are_summarised_and_nothing_is_saved(login, clerk, case_officer):
    r = login(clerk).post("/casework/programs/reception/", {"do": "schedule", "leader": case_officer.pk,
                          "on": "", "place": ""})  # fmt: skip
    page = text(r)
    assert r.status_code == 200 and 'id="error-summary"' in page
    assert "接访日期：这个字段是必填项。" in page and 'href="#id_receptiondayform_on"' in page
    assert "接访领导" in page and not ReceptionDay.objects.exists()


def test_unit_officer_cannot_open_the_reception_pages(login, unit_officer, day):
    r = login(unit_officer).get("/casework/programs/reception/")
    assert r.status_code == 403 and "您的角色无权使用此页面" in text(r)
    r = login(unit_officer).post(
        f"/casework/programs/reception/{day.pk}/", intake("record", outcome="resolved")
    )
    assert r.status_code == 403 and not Registration.objects.exists()


def test_clerk_records_petitioners_received_and_the_day_counts_batches_and_persons(login, clerk, leader, day):
    client = login(clerk)
    url = f"/casework/programs/reception/{day.pk}/"
    for names, head, outcome in ((["王某某"], "", "resolved"), (["李某某", "赵某某"], "5", "assigned"),
                                 (["孙某某"], "", "explained")):  # fmt: skip
        r = client.post(url, intake("record", names, head_count=head, outcome=outcome))
        assert r.status_code == 302, text(r)
    regs = Registration.objects.filter(reception_day=day)
    assert (
        regs.count() == 3 and {r.leader for r in regs} == {leader} and {r.channel for r in regs} == {"visit"}
    )
    assert all(r.matter.state == workflow.REGISTERED for r in regs)
    page = text(client.get(url))
    assert 'id="day-batches">3<' in page and 'id="day-persons">7<' in page  # 1 + 5 + 1
    assert "李某某、赵某某" in page and "当场解决" in page
    assert page.count('class="petitioner-row"') == 3 + 1  # three rows and the template for "添加一行"


def test_reception_on_another_day_is_refused_in_chinese(login, clerk, day):
    yesterday = NOW - timedelta(days=1)
    r = login(clerk).post(f"/casework/programs/reception/{day.pk}/", intake("record", at=yesterday,
                          outcome="resolved"))  # fmt: skip
    assert r.status_code == 200 and "来访日期须为该领导接访日。" in text(r)
    assert not Registration.objects.exists()


def test_intake_errors_point_at_the_petitioner_rows(login, clerk, day):
    data = intake("record", [""], outcome="")
    r = login(clerk).post(f"/casework/programs/reception/{day.pk}/", data)
    page = text(r)
    assert "接访结果：这个字段是必填项。" in page and not Registration.objects.exists()
    data = intake("record", ["王某某"], outcome="resolved", **{"p-0-id_number": "123"})
    page = text(login(clerk).post(f"/casework/programs/reception/{day.pk}/", data))
    assert 'href="#id_p-0-id_number"' in page and not Registration.objects.exists()


def test_case_officer_assigns_owner_and_leader_records_instruction(login, case_officer, leader, in_state):
    matter = in_state(workflow.INVESTIGATING)
    url = f"/casework/programs/matters/{matter.number}/"
    r = login(case_officer).post(url, {"do": "owner", "leader": leader.pk})
    assert r.status_code == 302
    matter.refresh_from_db()
    assert matter.owner == leader and matter.owned_since == services.today()
    r = login(leader).post(url, {"do": "instruction", "text": "请人社局一周内拿出解决方案"})
    assert r.status_code == 302
    page = text(login(leader).get(url))
    assert "请人社局一周内拿出解决方案" in page and str(leader) in page


def test_clerk_cannot_assign_an_owner_and_nothing_changes(login, clerk, leader, in_state):
    matter = in_state(workflow.INVESTIGATING)
    events = Event.objects.count()
    r = login(clerk).post(
        f"/casework/programs/matters/{matter.number}/", {"do": "owner", "leader": leader.pk}
    )
    assert r.status_code == 403 and "无权" in text(r)
    matter.refresh_from_db()
    assert matter.owner is None and Event.objects.count() == events


def test_case_officer_cannot_record_an_instruction(login, case_officer, in_state):
    matter = in_state(workflow.INVESTIGATING)
    r = login(case_officer).post(
        f"/casework/programs/matters/{matter.number}/", {"do": "instruction", "text": "x"}
    )
    assert r.status_code == 403 and "只有领导可以批示。" in text(r)
    assert not matter.events.filter(kind="matter:instruction").exists()


def test_closed_matter_is_not_owned(login, case_officer, leader, in_state):
    matter = in_state(workflow.ARCHIVED)
    r = login(case_officer).post(
        f"/casework/programs/matters/{matter.number}/", {"do": "owner", "leader": leader.pk}
    )
    assert Matter.objects.get(pk=matter.pk).owner is None
    assert r.status_code == 200 and "已办结的事项不需要包案。" in text(r)


def test_unit_officer_of_another_unit_cannot_see_the_matter_page(login, other_unit_officer, in_state):
    matter = in_state(workflow.INVESTIGATING)
    r = login(other_unit_officer).get(f"/casework/programs/matters/{matter.number}/")
    assert r.status_code == 403


def test_leader_dashboard_shows_owned_matters_days_and_counts(
    login, clerk, case_officer, leader, day, in_state
):
    matter = in_state(workflow.INVESTIGATING)
    programs.take_ownership(matter, by=case_officer, leader=leader)
    for name in ("王某某", "李某某"):
        data = factories.petition_input(channel="visit", received_at=NOW - timedelta(minutes=5),
                                        petitioners=[factories.petitioner_input(name=name, id_number="")])  # fmt: skip
        programs.record_reception(day, by=clerk, data=data, outcome="resolved")
    page = text(login(leader).get("/casework/programs/leader/"))
    assert matter.number in page and workflow.STATES[matter.state] in page and 'class="badge' in page
    assert (
        'id="year-batches">2<' in page and 'id="year-persons">2<' in page and 'id="year-resolved">2<' in page
    )
    assert 'id="owned-open">1<' in page and "群众接待中心" in page
    # Another leader's dashboard shows none of it; a case officer may pick the leader.
    other = factories.make_user("leader2", "leader", full_name="副县长")
    assert matter.number not in text(login(other).get("/casework/programs/leader/"))
    page = text(login(case_officer).get(f"/casework/programs/leader/?leader={leader.pk}"))
    assert matter.number in page


def test_unit_officer_has_no_leader_dashboard(login, unit_officer):
    assert login(unit_officer).get("/casework/programs/leader/").status_code == 403


def test_dashboard_ignores_a_malformed_leader_parameter(login, case_officer, leader):
    r = login(case_officer).get("/casework/programs/leader/?leader=abc")
    assert r.status_code == 200 and "请选择领导。" in text(r)
