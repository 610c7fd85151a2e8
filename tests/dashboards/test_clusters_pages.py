"""苗头性问题 on the dashboard: the panel, the drill-down to the matters and handing the cluster over."""

from datetime import timedelta

from tests.petitions.test_clusters import land_cluster
from xinfang.petitions import programs, services
from xinfang.petitions.models import CampaignMatter, Deliberation, Event


def test_panel_drill_down_and_hand_over_to_a_campaign(login, units, clerk, supervisor, time_machine):
    land = land_cluster(clerk, time_machine, forward_to=units["dept"])
    today = services.today()
    campaign = programs.create_campaign(by=supervisor, name="土地补偿专项化解", start=today,
                                        end=today + timedelta(days=60))  # fmt: skip
    programs.create_campaign(by=supervisor, name="去年的活动", start=today - timedelta(days=400),
                             end=today - timedelta(days=40))  # fmt: skip
    client = login(supervisor)
    page = client.get("/analytics/").content.decode()
    assert 'id="table-clusters"' in page and "苗头性问题" in page
    url = f"/analytics/clusters/{land[0].number}/"
    assert url in page and "凤仪镇、南新镇、叠溪镇" in page and "上升（1→3）" in page

    r = client.get(url)
    text = r.content.decode()
    assert r.status_code == 200 and all(m.number in text for m in land)
    assert "茂县人力资源和社会保障局" in text and "已转送" in text and "novalidate" in text
    assert "土地补偿专项化解" in text and "去年的活动" not in text  # only a running campaign

    r = client.post(url, {"do": "campaign", "campaign": campaign.pk, "leader": ""})
    assert r.status_code == 302 and r["Location"] == f"/casework/programs/campaigns/{campaign.pk}/"
    assert {i.matter.number for i in CampaignMatter.objects.filter(campaign=campaign)} == {
        m.number for m in land
    }
    assert Event.objects.filter(kind="cluster:handed_over").count() == 4
    # the same again: the service's refusal on the form, nothing written
    r = client.post(url, {"do": "campaign", "campaign": campaign.pk})
    assert r.status_code == 200 and "没有尚未列入本次活动化解清单的在办事项" in r.content.decode()
    assert CampaignMatter.objects.count() == 4


def test_hand_over_to_a_meeting_and_who_may(
    login, units, clerk, supervisor, leader, unit_officer, time_machine
):
    land = land_cluster(clerk, time_machine)
    meeting = programs.hold_joint_meeting(by=supervisor, on=services.today(), title="信访工作联席会议",
                                          convener=leader, units=[units["township"]])  # fmt: skip
    url = f"/analytics/clusters/{land[1].number}/"
    client = login(supervisor)
    r = client.post(url, {"do": "meeting", "meeting": meeting.pk, "conclusion": ""})
    assert r.status_code == 200 and "field-error" in r.content.decode() and not Deliberation.objects.exists()
    r = client.post(url, {"do": "meeting", "meeting": meeting.pk, "conclusion": "由自然资源局牵头统一答复"})
    assert r.status_code == 302 and r["Location"] == f"/casework/programs/meetings/{meeting.pk}/"
    assert Deliberation.objects.filter(meeting=meeting).count() == 4

    # the clerk sees the cluster but may not hand it over; a unit officer sees none of its matters: 404
    client = login(clerk)
    r = client.get(url)
    assert r.status_code == 200 and "提请研判" not in r.content.decode()
    assert client.post(url, {"do": "meeting", "meeting": meeting.pk, "conclusion": "x"}).status_code == 403
    assert login(unit_officer).get(url).status_code == 404
    # a matter in no cluster, or no matter at all: 404
    client = login(supervisor)
    assert client.get("/analytics/clusters/XF2099999999/").status_code == 404
    assert Deliberation.objects.count() == 4
