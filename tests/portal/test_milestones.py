"""Issue 12 item 5: a citizen who registered by letter (查询码 from the clerk, ADR 0007) sees on the tracking page
each published milestone as it happens — 受理告知 with the window to evaluate the bureau, 延期 with the new due
date and its reason, 答复, 送达 with the window to evaluate the unit and the review deadline — with the notice to
download, and nothing internal."""

from tests import factories
from tests.portal.helpers import advance
from xinfang.petitions import citizens


def text_of(response) -> str:
    return response.content.decode()


def on(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def test_each_published_milestone_reaches_the_tracking_page(client, units, people):
    registration, code = citizens.register_incoming(factories.petition_input(), by=people["clerk"])
    client.post("/portal/track/", {"number": registration.number, "code": code})

    def milestones() -> str:
        return text_of(client.get("/portal/track/case/")).split('id="milestones"', 1)[1].split("</ol>", 1)[0]

    assert "已登记" in milestones()
    matter = advance(registration.matter, people, units, "forward", "acknowledge")
    assert "已受理" not in milestones()
    matter = advance(matter, people, units, "accept")
    shown = milestones()
    assert (
        f"茂县人力资源和社会保障局已受理，您可在{on(matter.eval_bureau_due)}前对信访部门的工作进行满意度评价"
        in shown
    )
    assert "受理告知书" in shown
    page = text_of(client.get("/portal/track/case/"))
    assert 'action="/portal/track/case/evaluate/bureau/"' in page  # the window is open
    matter = advance(matter, people, units, "investigate", "extend")
    shown = milestones()
    assert f"办理期限延长30日，延长至{on(matter.handle_due)}" in shown and "延期告知书" in shown
    assert "需要调取银行流水" in shown  # the reason the law says to tell them
    matter = advance(matter, people, units, "reply")
    shown = milestones()
    assert "茂县人力资源和社会保障局已出具处理意见书" in shown and "信访事项处理意见书" in shown
    matter = advance(matter, people, units, "deliver")
    shown = milestones()
    assert (
        f"处理意见书已送达，您可在{on(matter.eval_unit_due)}前对责任单位进行满意度评价；"
        f"如不服处理意见，可在{on(matter.review_request_due)}前请求复查"
    ) in shown
    for internal in ("接待员甲", "经办人丙", "负责人丁", "转送单"):
        assert internal not in shown
