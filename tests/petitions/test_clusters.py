"""苗头性问题 (issue 16, across the county): clusters of similar matters in a window, across townships and units,
as each user may see them, and handing a cluster to a backlog campaign or a joint meeting."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from xinfang.petitions import access, clusters, programs, services
from xinfang.petitions.models import CampaignMatter, Deliberation, Event, Matter, Unit

# The same land-compensation problem in the words of villagers of three townships (Ochiai 0.64–0.84).
LAND = [
    ("513223100", "我们是凤仪镇水西村村民，县里修建安置房项目征收了村里集体土地八十亩，土地征收补偿款分配方案没有经过"
                  "村民会议讨论，很多农户至今没有足额领到补偿款。请求公开补偿款分配明细，足额发放。"),
    ("513223101", "南新镇团结村村民反映：安置房项目征收我村集体土地，土地补偿款分配方案未经村民会议讨论通过，部分农户"
                  "没有足额领取补偿款。请求公开分配明细并足额发放补偿款。"),
    ("513223102", "土地征收补偿款分配不公开。叠溪镇较场村集体土地被安置房项目征收，补偿款分配方案没有召开村民会议讨论，"
                  "我们几户农户补偿款没有足额领到。请求公开补偿款分配明细。"),
    ("513223100", "凤仪镇水西村集体土地被征收修建安置房，补偿款分配方案没有经过村民会议讨论，我家补偿款至今没有足额领到，"
                  "请求足额发放土地补偿款并公开分配明细。"),
]  # fmt: skip
OTHERS = [
    "村里通往小学的道路年久失修，雨天泥泞，学生上学很不安全，请求镇政府尽快硬化道路。",
    "某公司拖欠我们十二名农民工的工资共计八万元，包工头已经跑路，请求督促公司支付拖欠的工资。",
    "其家庭五口人，本人患慢性病，家庭收入低于当地低保标准，申请低保未获批准，请求纳入农村最低生活保障。",
]
# Days before today on which the land matters are registered: one in the first half of the 30 days, three in
# the second (a rising trend).
LAND_DAYS_AGO = [20, 10, 6, 1]


def townships():
    gov = Unit.objects.get(code="513223000")
    for code, name in (("513223101", "南新镇"), ("513223102", "叠溪镇")):
        Unit.objects.get_or_create(code=code, defaults=dict(name=name, kind=Unit.Kind.TOWNSHIP, parent=gov))


def register_on(clerk, time_machine, days_ago: int, text: str, township: str = "513223100", **kw) -> Matter:
    """A matter registered `days_ago` days before today (the clock goes back to today afterwards)."""
    now = services.timezone.now()
    time_machine.move_to(now - timedelta(days=days_ago))
    values = dict(title=kw.pop("title", "土地征收补偿款分配问题"), content=text, request="", facts="",
                  township=township, content_class="0202", petitioners=[factories.petitioner_input(id_number="")])  # fmt: skip
    matter = factories.register(clerk, **{**values, **kw})
    time_machine.move_to(now)
    return matter


def land_cluster(clerk, time_machine, *, forward_to=None) -> list[Matter]:
    """The four land matters (and three unrelated ones of the same days); with `forward_to`, each land matter is
    forwarded to that unit."""
    townships()
    land = []
    for (township, text), days in zip(LAND, LAND_DAYS_AGO, strict=True):
        matter = register_on(clerk, time_machine, days, text, township)
        if forward_to is not None:
            matter = services.forward_matter(matter, by=clerk, unit=forward_to)
        land.append(matter)
    for days, text in zip((15, 8, 3), OTHERS, strict=True):
        register_on(clerk, time_machine, days, text, title="其他问题", content_class="03")
    return land


def numbers(matters) -> set[str]:
    return {m.number for m in matters}


# --- finding clusters ---------------------------------------------------------------------------------


def test_a_cluster_across_townships_with_its_size_places_and_trend(clerk, supervisor, time_machine):
    land = land_cluster(clerk, time_machine)
    found = clusters.clusters(supervisor)
    assert len(found) == 1
    c = found[0]
    assert numbers(c.matters) == numbers(land)  # the unrelated matters of the same days are not in it
    assert c.size == 4 and c.townships == ["凤仪镇", "南新镇", "叠溪镇"]
    assert c.content_class and "土地征收补偿款分配" in c.title
    assert (c.first_half, c.second_half, c.trend) == (1, 3, "上升")
    assert sum(c.weeks) == 4 and c.weeks[-1] == 2  # today-6 and today-1 fall in the last 7 days
    assert c.key == land[0].number and clusters.find(supervisor, land[2].number) == c


def test_unrelated_or_too_few_or_one_place_matters_form_no_cluster(clerk, supervisor, time_machine):
    for days, text in ((15, OTHERS[0]), (3, OTHERS[2])):
        register_on(clerk, time_machine, days, text)
    for township, text in LAND[:2]:  # two alike: below the size of a cluster
        townships()
        register_on(clerk, time_machine, 2, text, township)
    assert clusters.clusters(supervisor) == []
    # three alike, but of one township and one unit: not yet a county-wide signal …
    for _ in range(3):
        register_on(clerk, time_machine, 4, OTHERS[1], title="拖欠工资问题", content_class="03")
    assert clusters.clusters(supervisor) == []
    # … five are, wherever they are
    for _ in range(2):
        register_on(clerk, time_machine, 5, OTHERS[1], title="拖欠工资问题", content_class="03")
    (c,) = clusters.clusters(supervisor)
    assert c.size == 5 and c.townships == ["凤仪镇"] and c.title == "拖欠工资问题"


def test_the_window_is_respected(clerk, supervisor, time_machine):
    land = land_cluster(clerk, time_machine)
    old = register_on(clerk, time_machine, 45, LAND[1][1], "513223101")
    (c,) = clusters.clusters(supervisor)
    assert old not in c.matters and c.size == 4
    (wider,) = clusters.clusters(supervisor, days=60)
    assert numbers(wider.matters) == numbers(land) | {old.number}
    # a window ending three weeks ago holds only the first land matter: no cluster
    today = services.today()
    assert clusters.clusters(supervisor, today=today - timedelta(days=15)) == []
    assert clusters.window(today) == (today - timedelta(days=29), today)


def test_a_confidential_matter_is_never_listed_to_whom_it_is_hidden(
    units, clerk, supervisor, unit_officer, time_machine
):
    land = land_cluster(clerk, time_machine, forward_to=units["dept"])
    accusation = register_on(clerk, time_machine, 5, LAND[2][1], "513223102", purpose="02",
                             title="检举某局工作人员截留土地补偿款问题", accused_unit=units["dept"].code)  # fmt: skip
    assert accusation.is_confidential
    # handled where the accused officer works (as if forwarded before the accusation was known), so that only
    # the rule of 条例第三十条第三款 hides it from the unit's officer
    Matter.objects.filter(pk=accusation.pk).update(handling_unit=units["dept"])
    (seen_by_unit,) = clusters.clusters(unit_officer)
    assert numbers(seen_by_unit.matters) == numbers(land)
    assert clusters.find(unit_officer, accusation.number) is None
    (seen_by_supervisor,) = clusters.clusters(supervisor)
    assert accusation.number in numbers(seen_by_supervisor.matters)
    assert seen_by_supervisor.title != accusation.title  # a confidential matter never names the cluster
    assert access.can_view(supervisor, accusation) and not access.can_view(unit_officer, accusation)


# --- handing a cluster over ---------------------------------------------------------------------------


def test_hand_to_a_campaign_lists_the_open_matters_with_an_event_each(
    units, clerk, supervisor, unit_officer, time_machine
):
    land = land_cluster(clerk, time_machine, forward_to=units["dept"])
    cluster = clusters.find(supervisor, land[0].number)
    today = services.today()
    campaign = programs.create_campaign(by=supervisor, name="土地补偿专项化解", start=today,
                                        end=today + timedelta(days=60))  # fmt: skip
    with pytest.raises(PermissionDenied):
        clusters.hand_to_campaign(cluster, by=unit_officer, campaign=campaign)
    items = clusters.hand_to_campaign(cluster, by=supervisor, campaign=campaign)
    assert {i.matter.number for i in items} == numbers(land) and {i.unit for i in items} == {units["dept"]}
    events = Event.objects.filter(kind="cluster:handed_over")
    assert events.count() == 4 and all("苗头性问题" in e.note and campaign.name in e.note for e in events)
    assert Event.objects.filter(kind="campaign:listed").count() == 4
    with pytest.raises(services.WorkflowError):  # nothing left to list: nothing written
        clusters.hand_to_campaign(cluster, by=supervisor, campaign=campaign)
    assert CampaignMatter.objects.count() == 4 and events.count() == 4


def test_hand_to_a_meeting_puts_every_matter_before_it(units, clerk, case_officer, leader, time_machine):
    land = land_cluster(clerk, time_machine)
    cluster = clusters.find(case_officer, land[-1].number)
    meeting = programs.hold_joint_meeting(by=case_officer, on=services.today(), title="信访工作联席会议",
                                          convener=leader, units=[units["township"]])  # fmt: skip
    with pytest.raises(services.WorkflowError):
        clusters.hand_to_meeting(cluster, by=case_officer, meeting=meeting, conclusion=" ")
    assert not Deliberation.objects.exists()
    items = clusters.hand_to_meeting(
        cluster, by=case_officer, meeting=meeting, conclusion="由自然资源局牵头统一答复"
    )
    assert {d.matter.number for d in items} == numbers(land)
    assert all(d.conclusion.startswith("苗头性问题") and "统一答复" in d.conclusion for d in items)
    assert Event.objects.filter(kind="cluster:handed_over").count() == 4
    assert Event.objects.filter(kind="meeting:deliberated").count() == 4


def test_a_matter_merged_into_another_counts_once(clerk, case_officer, supervisor, time_machine):
    land = land_cluster(clerk, time_machine)
    twice = register_on(clerk, time_machine, 9, LAND[1][1], "513223101")  # registered twice by mistake
    (c,) = clusters.clusters(supervisor)
    assert c.size == 5
    services.merge_matter(twice, into=land[1], by=case_officer, reason="同一信访人同一事项重复登记")
    (c,) = clusters.clusters(supervisor)
    assert numbers(c.matters) == numbers(land)
