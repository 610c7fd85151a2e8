"""Every action endpoint of the matter page, stale pages, and denials that change nothing."""

from datetime import timedelta

import pytest

from tests import factories
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Event, Matter, Recusal

W = workflow


def today():
    return services.today()


def soon(days=20):
    return (today() + timedelta(days=days)).isoformat()


# action: (starting state, actor fixture, form data, expected state)
CASES = {
    "report_major": (W.REGISTERED, "clerk", {"note": "涉及人数多"}, W.REPORTED),
    "forward": (W.REGISTERED, "clerk", {"unit": "513223RSJ", "note": "请依法处理"}, W.FORWARDED),
    "assign": (W.REGISTERED, "clerk", {"unit": "513223RSJ", "due": soon, "note": ""}, W.ASSIGNED),
    "redirect_legal": (W.REGISTERED, "clerk", {"unit": "513223ZFW"}, W.REDIRECTED_LEGAL),
    "redirect_discipline": (W.REGISTERED, "clerk", {"unit": "513223JW"}, W.REDIRECTED_DISCIPLINE),
    "redirect_other": (W.REGISTERED, "clerk", {"reason": "茂县人民法院"}, W.REDIRECTED_OTHER),
    "decline": (W.REGISTERED, "clerk", {"reason": "leapfrog"}, W.NOT_ACCEPTED),
    "acknowledge": (W.FORWARDED, "unit_officer", {}, W.RECEIVED_BY_UNIT),
    "object": (W.RECEIVED_BY_UNIT, "unit_officer", {"reason": "属于乡镇职权"}, W.OBJECTED),
    "uphold_objection": (W.OBJECTED, "case_officer", {"note": "改由乡镇办理"}, W.REGISTERED),
    "reject_objection": (W.OBJECTED, "case_officer", {}, W.RECEIVED_BY_UNIT),
    "accept": (W.RECEIVED_BY_UNIT, "unit_officer", {"simple": "on"}, W.ACCEPTED),
    "channel": (W.ACCEPTED, "unit_officer", {"procedure": "arbitration"}, W.CHANNELED),
    "investigate": (W.ACCEPTED, "unit_officer", {}, W.INVESTIGATING),
    "extend": (W.INVESTIGATING, "unit_head", {"decision": "approve"}, W.EXTENDED),  # on a pending request
    "reply": (W.INVESTIGATING, "unit_officer",
              {"outcome": "support", "opinion": "责令公司支付工资。", "basis": "劳动合同法"}, W.REPLIED),
    "deliver": (W.REPLIED, "unit_officer",
                {"method": "in_person", "delivered_on": lambda: today().isoformat(), "signed": "on"}, W.DELIVERED),
    "request_review": (W.DELIVERED, "clerk", {"requested_on": lambda: today().isoformat()}, W.UNDER_REVIEW),
    "decide_review": (W.UNDER_REVIEW, "case_officer", {"outcome": "explain", "opinion": "维持。"},
                      W.REVIEW_DECIDED),
    "request_recheck": (W.REVIEW_DECIDED, "clerk", {"reason": "不服复查意见"}, W.UNDER_RECHECK),
    "record_recheck": (W.UNDER_RECHECK, "case_officer", {"outcome": "support", "opinion": "维持复查意见。"},
                       W.TERMINATED),
    "archive": (W.NOT_ACCEPTED, "case_officer", {}, W.ARCHIVED),
}  # fmt: skip


def post_action(client, matter, action, data, version=None):
    payload = {k: (v() if callable(v) else v) for k, v in data.items()}
    payload["version"] = str(matter.version if version is None else version)
    return client.post(f"/casework/matters/{matter.number}/act/{action}/", payload, follow=True)


@pytest.mark.parametrize("action", sorted(CASES))
def test_action_endpoint(request, login, in_state, action):
    start, actor, data, target = CASES[action]
    matter = in_state(start)
    if W.BY_ACTION[action].requested_by:
        pending = services.request_extension(matter, by=matter.handler, days=10, reason="需要调取银行流水")
        data = {**data, "request": str(pending.pk)}
        matter.refresh_from_db()
    client = login(request.getfixturevalue(actor))
    page = client.get(f"/casework/matters/{matter.number}/").content.decode()
    assert f"/act/{action}/" in page  # offered to this actor
    response = post_action(client, matter, action, data)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/casework/matters/{matter.number}/"
    matter.refresh_from_db()
    assert matter.state == target
    assert Event.objects.filter(matter=matter, action=action).count() == 1
    assert "已完成" in response.content.decode()


def test_register_online_submission(login, clerk, units):
    matter = factories.online_submission()
    assert matter.state == W.RECEIVED
    post_action(login(clerk), matter, "register", {})
    matter.refresh_from_db()
    assert matter.state == W.REGISTERED and matter.clock == "TRIAGE"


def test_refuse_repeat_of_terminated_matter(login, in_state, clerk):
    original = in_state(W.TERMINATED)
    matter = factories.register(clerk)
    post_action(login(clerk), matter, "refuse_repeat", {"original": original.number})
    matter.refresh_from_db()
    assert matter.state == W.NO_LONGER_ACCEPTED and matter.repeat_of == original


def test_close_after_review_window(login, in_state, case_officer, time_machine):
    matter = in_state(W.DELIVERED)
    client = login(case_officer)
    response = post_action(client, matter, "close", {})
    assert "申请期限尚未届满" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == W.DELIVERED
    time_machine.move_to(matter.review_request_due + timedelta(days=1))
    client = login(case_officer)  # the session has expired meanwhile
    post_action(client, matter, "close", {})
    matter.refresh_from_db()
    assert matter.state == W.CLOSED


def test_assign_handler_and_recusal(login, in_state, unit_officer, unit_head):
    matter = in_state(W.ACCEPTED)
    client = login(unit_officer)
    post_action(client, matter, "assign_handler", {"handler": unit_head.pk})
    matter.refresh_from_db()
    assert matter.handler == unit_head
    stale = matter.version - 1
    response = post_action(
        client, matter, "recusal", {"person": unit_head.pk, "reason": "亲属"}, version=stale
    )
    assert "页面已过期" in response.content.decode() and not Recusal.objects.exists()
    response = post_action(client, matter, "recusal", {"person": unit_head.pk, "reason": "与信访人系亲属"})
    matter.refresh_from_db()
    assert Recusal.objects.filter(matter=matter, user=unit_head).exists() and matter.handler is None
    assert "已完成：登记回避" in response.content.decode()


def test_stale_version_is_refused_with_message_and_no_change(login, in_state, clerk, units):
    matter = in_state(W.REGISTERED)
    stale = matter.version
    services.forward_matter(matter, by=clerk, unit=units["dept"])  # someone else acted meanwhile
    matter.refresh_from_db()
    before = (matter.state, matter.version, matter.events.count())
    response = post_action(login(clerk), matter, "report_major", {"note": "重大"}, version=stale)
    assert "页面已过期" in response.content.decode()
    matter.refresh_from_db()
    assert (matter.state, matter.version, matter.events.count()) == before


def test_form_error_is_reported_and_nothing_changes(login, in_state, unit_officer):
    matter = in_state(W.INVESTIGATING)
    response = post_action(login(unit_officer), matter, "reply", {"outcome": "support", "opinion": ""})
    html = response.content.decode()
    assert "出具处理意见书" in html and "msg-error" in html
    matter.refresh_from_db()
    assert matter.state == W.INVESTIGATING


def test_workflow_rule_message_is_shown(login, in_state, unit_officer):
    matter = in_state(W.INVESTIGATING)
    data = {"method": "post", "delivered_on": today().isoformat()}
    response = post_action(login(unit_officer), matter, "deliver", data)
    assert "不能执行" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == W.INVESTIGATING


def test_missing_version_is_refused(login, in_state, clerk):
    matter = in_state(W.REGISTERED)
    response = login(clerk).post(
        f"/casework/matters/{matter.number}/act/report_major/", {"note": "x"}, follow=True
    )
    assert "页面缺少版本信息" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == W.REGISTERED


def test_wrong_role_gets_403_with_reason_and_no_change(login, in_state, clerk):
    matter = in_state(W.RECEIVED_BY_UNIT)
    before = Matter.objects.values_list("state", "version").get(pk=matter.pk)
    response = post_action(login(clerk), matter, "accept", {})
    assert response.status_code == 403 and "无权执行“受理并书面告知”" in response.content.decode()
    assert Matter.objects.values_list("state", "version").get(pk=matter.pk) == before


def test_other_unit_officer_cannot_act(login, in_state, other_unit_officer):
    matter = in_state(W.FORWARDED)
    response = post_action(login(other_unit_officer), matter, "acknowledge", {})
    assert response.status_code == 404 and matter.title not in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == W.FORWARDED


def test_unknown_action_is_404_and_get_not_allowed(login, in_state, clerk):
    matter = in_state(W.REGISTERED)
    client = login(clerk)
    assert client.post(f"/casework/matters/{matter.number}/act/explode/", {"version": "1"}).status_code == 404
    assert client.get(f"/casework/matters/{matter.number}/act/forward/").status_code == 405
