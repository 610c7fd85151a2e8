"""Dispute screening (矛盾纠纷排查化解) and video reception (视频接访), through HTTP."""

from datetime import date, timedelta

import pytest
import time_machine

from tests import factories
from tests.programs.helpers import intake, text
from xinfang.petitions import programs, workflow
from xinfang.petitions.models import Dispute, Registration, VideoSession

NOW = factories.aware(2026, 3, 10, 10, 30)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dispute(unit_officer, units):
    return programs.register_dispute(by=unit_officer, found_on=date(2026, 3, 1), parties="甲村、乙村", kind="土地边界",
                                     summary="林地边界争议", township=units["township"], risk="high")  # fmt: skip


def test_unit_officer_registers_and_mediates_a_dispute(login, unit_officer, units):
    client = login(unit_officer)
    r = client.post("/casework/programs/disputes/new/", {"found_on": "2026-03-09", "township": units["township"].pk,
                    "place": "凤仪镇甲村", "parties": "张某、李某", "kind": "邻里纠纷", "summary": "宅基地滴水纠纷",
                    "risk": "medium"})  # fmt: skip
    d = Dispute.objects.get()
    assert r.status_code == 302 and d.number.startswith("JF2026") and d.source_unit == units["dept"]
    r = client.post(f"/casework/programs/disputes/{d.pk}/", {"do": "mediation", "mediator": "peoples",
                    "result": "resolved", "agreement": "双方签订调解协议"})  # fmt: skip
    d.refresh_from_db()
    assert r.status_code == 302 and (d.result, d.resolved_on) == ("resolved", date(2026, 3, 10))


def test_future_found_on_is_refused(login, unit_officer):
    r = login(unit_officer).post("/casework/programs/disputes/new/", {"found_on": "2026-04-01", "parties": "张某",
                                 "kind": "x", "summary": "y", "risk": "low"})  # fmt: skip
    assert "排查日期不能晚于今天。" in text(r) and not Dispute.objects.exists()


def test_dispute_list_filters(login, clerk, unit_officer, units, dispute):
    programs.register_dispute(
        by=unit_officer, found_on=date(2026, 3, 2), parties="丙", kind="劳资", summary="欠薪"
    )
    client = login(clerk)
    assert 'id="dispute-count">共 2 件' in text(client.get("/casework/programs/disputes/"))
    page = text(client.get("/casework/programs/disputes/", {"risk": "high"}))
    assert 'id="dispute-count">共 1 件' in page and dispute.number in page
    page = text(
        client.get("/casework/programs/disputes/", {"township": units["township"].pk, "result": "resolved"})
    )
    assert 'id="dispute-count">共 0 件' in page


def test_unit_officer_sees_only_own_units_disputes(login, other_unit_officer, dispute):
    client = login(other_unit_officer)
    assert dispute.number not in text(client.get("/casework/programs/disputes/"))
    assert client.get(f"/casework/programs/disputes/{dispute.pk}/").status_code == 404


def test_convert_form_is_prefilled_and_registers_a_matter(login, clerk, dispute):
    client = login(clerk)
    page = text(client.get(f"/casework/programs/disputes/{dispute.pk}/convert/"))
    assert 'value="甲村"' in page and 'value="乙村"' in page and "林地边界争议" in page
    assert page.count('class="petitioner-row"') == 3 + 1
    r = client.post(f"/casework/programs/disputes/{dispute.pk}/convert/",
                    intake("convert", ["甲村"], channel="visit", title="林地边界争议"))  # fmt: skip
    dispute.refresh_from_db()
    assert (
        r.status_code == 302 and dispute.result == "petition" and dispute.matter.state == workflow.REGISTERED
    )
    r = client.post(f"/casework/programs/disputes/{dispute.pk}/convert/", intake("convert", channel="visit"))
    assert "该纠纷已关联信访事项。" in text(r) and Registration.objects.count() == 1


def test_unit_officer_cannot_convert_and_nothing_is_registered(login, unit_officer, dispute):
    r = login(unit_officer).post(
        f"/casework/programs/disputes/{dispute.pk}/convert/", intake("convert", channel="visit")
    )
    assert r.status_code == 403 and not Registration.objects.exists()


def test_link_dispute_to_an_existing_matter(login, clerk, dispute, in_state):
    matter = in_state(workflow.INVESTIGATING)
    r = login(clerk).post(
        f"/casework/programs/disputes/{dispute.pk}/", {"do": "link", "matter": matter.number}
    )
    dispute.refresh_from_db()
    assert r.status_code == 302 and dispute.matter == matter


def test_video_session_reception_and_yearly_counts(login, clerk, units, settings):
    settings.XINFANG_VIDEO_URL = "https://meet.example.cn/room"
    client = login(clerk)
    r = client.post("/casework/programs/video/", {"do": "schedule", "township": units["township"].pk,
                    "at": "2026-03-10T09:00", "kind": "reception", "participants": "县信访局、凤仪镇"})  # fmt: skip
    session = VideoSession.objects.get()
    assert r.status_code == 302
    url = f"/casework/programs/video/{session.pk}/"
    page = text(client.get(url))
    assert f'href="https://meet.example.cn/room/xf-{session.pk}"' in page
    for names, head in ((["村民甲"], "2"), (["村民乙"], "3")):
        r = client.post(url, intake("record", names, at=NOW - timedelta(minutes=30), head_count=head))
        assert r.status_code == 302, text(r)
    assert set(session.registrations.values_list("channel", flat=True)) == {"video"}
    r = client.post(url, {"do": "hold", "outcome": "远程接访2批5人次"})
    session.refresh_from_db()
    assert r.status_code == 302 and session.held
    page = text(client.get("/casework/programs/video/"))
    row = page.split('<th scope="row">2026</th>')[1].split("</tr>")[0]
    assert [c.split(">")[1].split("<")[0] for c in row.split("<td")[1:]] == ["1", "1", "2", "5"]


def test_township_required_and_unit_officer_cannot_schedule(login, clerk, unit_officer, units):
    r = login(clerk).post("/casework/programs/video/", {"do": "schedule", "township": units["dept"].pk,
                          "at": "2026-03-10T09:00", "kind": "reception"})  # fmt: skip
    assert r.status_code == 200 and "乡镇" in text(r) and not VideoSession.objects.exists()
    assert login(unit_officer).get("/casework/programs/video/").status_code == 403
