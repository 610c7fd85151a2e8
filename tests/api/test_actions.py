from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Document, Event, Matter

W = workflow
DEPT, LEGAL = "513223RSJ", "513223ZFW"


def _today():
    return services.today()


# route, starting state, actor, body, expected state (or a check on the detail)
HAPPY = [
    ("forward", W.REGISTERED, "clerk", lambda: {"unit": DEPT}, W.FORWARDED),
    ("assign", W.REGISTERED, "clerk", lambda: {"unit": DEPT, "due": _today() + timedelta(days=20)}, W.ASSIGNED),
    ("redirect", W.REGISTERED, "clerk", lambda: {"to": "legal", "unit": LEGAL}, W.REDIRECTED_LEGAL),
    ("redirect", W.REGISTERED, "clerk", lambda: {"to": "other", "reason": "茂县人民法院"}, W.REDIRECTED_OTHER),
    ("decline", W.REGISTERED, "clerk", lambda: {"reason": "leapfrog"}, W.NOT_ACCEPTED),
    ("report-major", W.REGISTERED, "clerk", lambda: {"note": "涉及人数多"}, W.REPORTED),
    ("acknowledge", W.FORWARDED, "unit_officer", dict, W.RECEIVED_BY_UNIT),
    ("object", W.RECEIVED_BY_UNIT, "unit_officer", lambda: {"reason": "属于乡镇职权"}, W.OBJECTED),
    ("objection-decision", W.OBJECTED, "case_officer", lambda: {"uphold": True}, W.REGISTERED),
    ("objection-decision", W.OBJECTED, "case_officer", lambda: {"uphold": False}, W.RECEIVED_BY_UNIT),
    ("accept", W.RECEIVED_BY_UNIT, "unit_officer", lambda: {"simple": True}, W.ACCEPTED),
    ("channel", W.ACCEPTED, "unit_officer", lambda: {"procedure": "arbitration"}, W.CHANNELED),
    ("investigate", W.ACCEPTED, "unit_officer", dict, W.INVESTIGATING),
    ("reply", W.INVESTIGATING, "unit_officer", lambda: {"outcome": "support", "opinion": "责令支付。"}, W.REPLIED),
    ("deliver", W.REPLIED, "unit_officer",
     lambda: {"method": "in_person", "delivered_on": _today(), "signed": True}, W.DELIVERED),
    ("review-request", W.DELIVERED, "clerk", dict, W.UNDER_REVIEW),
    ("review-decision", W.UNDER_REVIEW, "case_officer", lambda: {"outcome": "support", "opinion": "维持。"},
     W.REVIEW_DECIDED),
    ("recheck-request", W.REVIEW_DECIDED, "clerk", lambda: {"reason": "不服复查意见"}, W.UNDER_RECHECK),
    ("recheck-record", W.UNDER_RECHECK, "case_officer", lambda: {"outcome": "support", "opinion": "维持。"},
     W.TERMINATED),
    ("archive", W.NOT_ACCEPTED, "case_officer", dict, W.ARCHIVED),
]  # fmt: skip


@pytest.mark.parametrize("route,start,who,make_body,target", HAPPY, ids=[f"{h[0]}->{h[4]}" for h in HAPPY])
def test_action_happy_path(api_as, people, units, route, start, who, make_body, target):
    matter = factories.matter_in_state(start, people=people, units=units)
    before = matter.version
    response = api_as(people[who]).act(matter, route, **make_body())
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["state"] == target and out["state_label"] == W.STATES[target]
    assert out["version"] == before + 1
    assert out["timeline"][-1]["to_state"] == target
    assert Matter.objects.get(pk=matter.pk).state == target


def test_recheck_record_keeps_the_higher_levels_document_number(api_as, people, units):
    matter = factories.matter_in_state(W.UNDER_RECHECK, people=people, units=units)
    body = {"outcome": "support", "opinion": "维持复查意见。", "external_number": "阿信复〔2026〕3号"}
    out = api_as(people["case_officer"]).act(matter, "recheck-record", **body).json()
    assert out["state"] == W.TERMINATED
    assert Document.objects.get(matter=matter, kind="recheck_opinion").number == "阿信复〔2026〕3号"


def test_register_received_online_submission(api_as, clerk):
    matter = factories.online_submission()
    assert matter.state == W.RECEIVED
    out = api_as(clerk).act(matter, "register").json()
    assert out["state"] == W.REGISTERED and out["clock"]["code"] == "TRIAGE"


def test_refuse_repeat(api_as, people, units, clerk):
    original = factories.matter_in_state(W.TERMINATED, people=people, units=units)
    matter = factories.register(clerk)
    out = api_as(clerk).act(matter, "refuse-repeat", original=original.number).json()
    assert out["state"] == W.NO_LONGER_ACCEPTED and out["flags"]["repeat_of"] == original.number
    assert [d["kind"] for d in out["documents"]] == ["no_longer_notice"]


def test_close_after_the_review_window_lapsed(api_as, people, units, case_officer, time_machine):
    matter = factories.matter_in_state(W.DELIVERED, people=people, units=units)
    api = api_as(case_officer)
    early = api.act(matter, "close")
    assert early.status_code == 409 and early.json()["detail"] == "申请期限尚未届满，不能办结。"
    time_machine.move_to(timezone.now() + timedelta(days=45))
    out = api.act(matter, "close").json()
    assert out["state"] == W.CLOSED and out["dates"]["closed_on"] == services.today().isoformat()


def test_handler_and_recusal(api_as, people, units, unit_officer, unit_head):
    matter = factories.matter_in_state(W.ACCEPTED, people=people, units=units)
    assert matter.handler == unit_officer
    out = api_as(unit_officer).act(matter, "handler", handler="unithead").json()
    assert out["handler"] == "负责人丁"
    out = api_as(unit_officer).act(matter, "recusals", user="unithead", reason="与信访人系亲属").json()
    assert out["handler"] is None
    assert out["timeline"][-1]["label"] == "回避" and out["timeline"][-1]["note"] == "与信访人系亲属"
    refused = api_as(unit_officer).act(matter, "handler", handler="unithead")
    assert refused.status_code == 409 and "回避" in refused.json()["detail"]


def test_recusal_with_stale_version_changes_nothing(api_as, people, units, unit_officer):
    matter = factories.matter_in_state(W.ACCEPTED, people=people, units=units)
    response = api_as(unit_officer).post(
        f"/matters/{matter.number}/recusals",
        {"version": matter.version - 1, "user": "unit1", "reason": "亲属"},
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"
    assert not matter.recusals.exists()


def _snapshot(matter):
    m = Matter.objects.get(pk=matter.pk)
    return (
        m.state,
        m.version,
        Event.objects.filter(matter=m).count(),
        Document.objects.filter(matter=m).count(),
    )


def test_wrong_state_is_409_and_changes_nothing(api_as, people, units, unit_officer):
    matter = factories.matter_in_state(W.FORWARDED, people=people, units=units)
    before = _snapshot(matter)
    response = api_as(unit_officer).act(matter, "accept")
    assert response.status_code == 409
    assert response.json() == {"detail": "当前状态为“已转送”，不能执行“受理并书面告知”。", "code": "workflow"}
    assert _snapshot(matter) == before


def test_stale_version_is_409_stale_and_changes_nothing(api_as, clerk):
    matter = factories.register(clerk)
    api = api_as(clerk)
    stale = matter.version
    assert (
        api.post(f"/matters/{matter.number}/report-major", {"version": stale, "note": "重大"}).status_code
        == 200
    )
    before = _snapshot(matter)
    response = api.post(f"/matters/{matter.number}/decline", {"version": stale, "reason": "leapfrog"})
    assert response.status_code == 409
    assert response.json()["code"] == "stale" and "刷新" in response.json()["detail"]
    assert _snapshot(matter) == before


def test_service_rule_refusal_is_409(api_as, people, units, unit_officer):
    matter = factories.matter_in_state(W.INVESTIGATING, people=people, units=units)
    before = _snapshot(matter)
    response = api_as(unit_officer).act(matter, "deliver", method="post", delivered_on=_today(), signed=True)
    assert response.status_code == 409 and "不能执行" in response.json()["detail"]
    assert _snapshot(matter) == before


def test_officer_of_another_unit_who_can_see_the_matter_is_403(api_as, people, units):
    # A township officer who also supervises sees every matter of the county, but acts only for his unit.
    inspector = factories.make_user("unit3", "unit_officer", "supervisor", unit=units["township"])
    matter = factories.matter_in_state(W.FORWARDED, people=people, units=units)
    before = _snapshot(matter)
    response = api_as(inspector).act(matter, "acknowledge")
    assert response.status_code == 403
    assert response.json()["detail"] == "只能办理本单位承办的信访事项。"
    assert _snapshot(matter) == before


def test_officer_of_another_unit_does_not_learn_the_matter_exists(api_as, people, units, other_unit_officer):
    matter = factories.matter_in_state(W.FORWARDED, people=people, units=units)
    before = _snapshot(matter)
    response = api_as(other_unit_officer).act(matter, "acknowledge")
    unknown = api_as(other_unit_officer).post("/matters/XF0000000000/acknowledge", {"version": 1})
    assert response.status_code == unknown.status_code == 404
    assert "无权查看" in response.json()["detail"]
    assert _snapshot(matter) == before


def test_wrong_role_is_403(api_as, clerk, people, units):
    matter = factories.matter_in_state(W.FORWARDED, people=people, units=units)
    response = api_as(clerk).act(matter, "acknowledge")
    assert response.status_code == 403 and "角色无权" in response.json()["detail"]


def test_unknown_unit_code_is_422(api_as, clerk):
    matter = factories.register(clerk)
    response = api_as(clerk).act(matter, "forward", unit="nope")
    assert response.status_code == 422
    assert response.json()["errors"] == {"unit": ["单位代码“nope”不存在。"]}
    assert Matter.objects.get(pk=matter.pk).state == W.REGISTERED


def test_version_is_required_and_bad_dates_are_422(api_as, clerk, people, units, unit_officer):
    matter = factories.register(clerk)
    response = api_as(clerk).post(f"/matters/{matter.number}/forward", {"unit": DEPT})
    assert response.status_code == 422 and response.json()["errors"] == {"version": ["此项为必填项。"]}
    replied = factories.matter_in_state(W.REPLIED, people=people, units=units)
    response = api_as(unit_officer).act(
        replied, "deliver", method="post", delivered_on="2024/01/01", signed=True
    )
    assert response.status_code == 422 and "YYYY-MM-DD" in response.json()["errors"]["delivered_on"][0]


def test_every_transition_has_a_route(api_as, clerk):
    paths = set(api_as(clerk).get("/openapi.json").json()["paths"])
    routes = {t.route for t in W.TRANSITIONS} | {t.request_route for t in W.requested_actions()}
    for route in routes | {"handler", "recusals"}:
        assert f"/api/matters/{{number}}/{route}" in paths
