"""Backlog campaigns (积案化解) and joint meetings (联席会议), through HTTP."""

import re
from datetime import date, timedelta

import pytest

from tests.programs.helpers import text
from xinfang.petitions import programs, services, workflow
from xinfang.petitions.models import Campaign, CampaignMatter, Deliberation, JointMeeting, JointMeetingMember


@pytest.fixture
def campaign(case_officer):
    today = services.today()
    return programs.create_campaign(
        by=case_officer, name="积案化解攻坚", start=today, end=today + timedelta(days=90)
    )


def test_case_officer_creates_a_campaign(login, case_officer):
    r = login(case_officer).post("/casework/programs/campaigns/", {"do": "create", "name": "2019年积案化解",
                                 "start": "2019-03-01", "end": "2019-12-31", "description": "县级积案5件"})  # fmt: skip
    campaign = Campaign.objects.get()
    assert r.status_code == 302 and (campaign.start, campaign.end) == (date(2019, 3, 1), date(2019, 12, 31))


def test_campaign_end_before_start_is_refused(login, case_officer):
    r = login(case_officer).post("/casework/programs/campaigns/", {"do": "create", "name": "x",
                                 "start": "2019-03-01", "end": "2019-01-01"})  # fmt: skip
    assert "结束日期不能早于开始日期" in text(r) and not Campaign.objects.exists()


def test_clerk_cannot_create_a_campaign(login, clerk):
    r = login(clerk).post("/casework/programs/campaigns/", {"do": "create", "name": "x", "start": "2019-03-01",
                          "end": "2019-12-01"})  # fmt: skip
    assert r.status_code == 403 and not Campaign.objects.exists()


def test_items_progress_and_totals(login, case_officer, leader, units, campaign, in_state):
    a, b, c = (in_state(workflow.INVESTIGATING) for _ in range(3))
    client = login(case_officer)
    url = f"/casework/programs/campaigns/{campaign.pk}/"
    for m in (a, b, c):
        r = client.post(url, {"do": "add", "matter": m.number, "unit": units["dept"].pk, "leader": leader.pk})
        assert r.status_code == 302
    r = client.post(url, {"do": "add", "matter": a.number, "unit": units["dept"].pk})
    assert "该事项已在本次活动的化解清单中。" in text(r) and campaign.items.count() == 3
    r = client.post(url, {"do": "add", "matter": "XF2099000001", "unit": units["dept"].pk})
    assert "信访事项“XF2099000001”不存在或您无权查看。" in text(r)
    items = {i.matter_id: i for i in campaign.items.all()}
    client.post(f"/casework/programs/campaigns/items/{items[a.pk].pk}/progress/",
                {f"i{items[a.pk].pk}-status": "resolved", f"i{items[a.pk].pk}-note": "已支付工资"})  # fmt: skip
    client.post(f"/casework/programs/campaigns/items/{items[b.pk].pk}/progress/",
                {f"i{items[b.pk].pk}-status": "stopped", f"i{items[b.pk].pk}-note": "签订息诉罢访协议"})  # fmt: skip
    page = text(client.get(url))
    assert 'id="t-total">3<' in page and 'id="t-resolved">1<' in page and 'id="t-stopped">1<' in page
    assert 'id="t-pending">1<' in page and "签订息诉罢访协议" in page
    assert CampaignMatter.objects.get(pk=items[a.pk].pk).resolved_on == services.today()


def test_unit_officer_sees_and_updates_only_own_units_items(login, unit_officer, other_unit_officer, case_officer,
                                                             units, campaign, in_state):  # fmt: skip
    m = in_state(workflow.INVESTIGATING)
    item = programs.add_to_campaign(campaign, by=case_officer, matter=m, unit=units["dept"])
    assert m.number in text(login(unit_officer).get(f"/casework/programs/campaigns/{campaign.pk}/"))
    assert m.number not in text(login(other_unit_officer).get(f"/casework/programs/campaigns/{campaign.pk}/"))
    r = login(other_unit_officer).post(f"/casework/programs/campaigns/items/{item.pk}/progress/",
                                       {f"i{item.pk}-status": "resolved"})  # fmt: skip
    assert r.status_code == 404
    item.refresh_from_db()
    assert item.status == "pending"
    r = login(unit_officer).post(f"/casework/programs/campaigns/items/{item.pk}/progress/",
                                 {f"i{item.pk}-status": "resolved", f"i{item.pk}-note": "已化解"})  # fmt: skip
    item.refresh_from_db()
    assert r.status_code == 302 and item.status == "resolved"


def test_member_units_and_meeting_with_deliberation_and_order(login, case_officer, leader, units, in_state):
    JointMeetingMember.objects.create(unit=units["dept"], since=date(2019, 1, 1))
    JointMeetingMember.objects.create(unit=units["legal"], since=date(2019, 1, 1), until=date(2019, 6, 1))
    client = login(case_officer)
    page = text(client.get("/casework/programs/meetings/members/"))
    assert units["dept"].name in page and "2019-06-01" in page
    page = text(client.get("/casework/programs/meetings/"))
    checked = re.findall(r'name="units" value="(\d+)"[^>]*checked', page)
    assert checked == [str(units["dept"].pk)]  # current members are ticked by default
    r = client.post("/casework/programs/meetings/", {"do": "create", "on": "2026-01-08", "title": "信访工作联席会议",
                    "convener": leader.pk, "units": [units["dept"].pk, units["township"].pk],
                    "attendees": "人社局、凤仪镇", "minutes": "研判重要信访案件2件"})  # fmt: skip
    meeting = JointMeeting.objects.get()
    assert r.status_code == 302 and set(meeting.units.all()) == {units["dept"], units["township"]}
    matter = in_state(workflow.INVESTIGATING)
    r = client.post(f"/casework/programs/meetings/{meeting.pk}/", {"do": "deliberate", "matter": matter.number,
                    "conclusion": "由人社局牵头一个月内化解", "order_level": "supervise", "order_unit": ""})  # fmt: skip
    assert r.status_code == 302
    item = Deliberation.objects.get()
    assert (
        item.order is not None and item.order.status == "issued" and item.order.target_unit == units["dept"]
    )
    page = text(client.get(f"/casework/programs/meetings/{meeting.pk}/"))
    assert "由人社局牵头一个月内化解" in page and "督办" in page


def test_meeting_convener_must_be_a_leader_and_conclusion_is_required(login, case_officer, units, in_state):
    client = login(case_officer)
    r = client.post("/casework/programs/meetings/", {"do": "create", "on": "2026-01-08", "title": "x",
                    "convener": case_officer.pk, "units": [units["dept"].pk]})  # fmt: skip
    assert r.status_code == 200 and "召集人" in text(r) and not JointMeeting.objects.exists()


def test_unit_officer_cannot_open_meetings(login, unit_officer):
    assert login(unit_officer).get("/casework/programs/meetings/").status_code == 403
