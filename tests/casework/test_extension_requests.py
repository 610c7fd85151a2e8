"""延期 in the staff UI: the handler requests on the matter page, the 负责人 decides in the worklist (待审批延期);
a refused form is shown again with what was typed."""

from xinfang.petitions import workflow
from xinfang.petitions.models import ExtensionRequest


def _request(client, matter, **data):
    matter.refresh_from_db()
    return client.post(
        f"/casework/matters/{matter.number}/request/extend/",
        {"version": str(matter.version), **data},
        follow=True,
    )


def _decide(client, matter, request, **data):
    matter.refresh_from_db()
    body = {"version": str(matter.version), "request": str(request.pk), **data}
    return client.post(f"/casework/matters/{matter.number}/act/extend/", body, follow=True)


def test_handler_requests_and_an_invalid_request_keeps_the_typed_text(login, in_state, unit_officer):
    matter = in_state(workflow.INVESTIGATING)
    client = login(unit_officer)
    page = client.get(f"/casework/matters/{matter.number}/").content.decode()
    assert f"/casework/matters/{matter.number}/request/extend/" in page
    assert "/act/extend/" not in page  # the handler does not decide

    response = _request(client, matter, days="31", reason="需要调取三年的银行流水")
    html = response.content.decode()
    assert response.status_code == 200 and "需要调取三年的银行流水" in html and "field-error" in html
    assert not ExtensionRequest.objects.exists()

    response = _request(client, matter, days="10", reason="需要调取三年的银行流水")
    request = ExtensionRequest.objects.get()
    assert (request.state, request.days, request.requested_by) == ("pending", 10, unit_officer)
    html = response.content.decode()
    assert "待负责人审批" in html and "申请延期" in html  # the pending notice and the timeline


def test_a_second_request_is_refused_and_keeps_the_typed_text(login, in_state, unit_officer, unit_head):
    matter = in_state(workflow.INVESTIGATING)
    _request(login(unit_officer), matter, days="10", reason="第一次")
    response = _request(login(unit_head), matter, days="5", reason="再申请五日的理由")
    html = response.content.decode()
    assert "已有待审批的延期申请" in html
    assert ExtensionRequest.objects.count() == 1


def test_head_refuses_from_the_worklist_with_a_reason(login, in_state, unit_officer, unit_head):
    matter = in_state(workflow.INVESTIGATING)
    _request(login(unit_officer), matter, days="10", reason="需要现场勘验")
    request = ExtensionRequest.objects.get()
    client = login(unit_head)
    worklist = client.get("/casework/").content.decode()
    assert "待审批延期" in worklist and "需要现场勘验" in worklist and matter.number in worklist

    response = _decide(client, matter, request, decision="refuse", reason="")
    assert "请写明理由" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "pending"

    response = _decide(client, matter, request, decision="refuse", reason="材料已齐备，应按期办结")
    request.refresh_from_db()
    matter.refresh_from_db()
    assert (request.state, request.refusal_reason) == ("refused", "材料已齐备，应按期办结")
    assert matter.state == workflow.INVESTIGATING
    html = response.content.decode()
    assert "不予批准延期" in html and "材料已齐备，应按期办结" in html
    assert "待审批延期" not in client.get("/casework/").content.decode()


def test_head_approves_and_other_staff_see_no_pending_section(
    login, in_state, unit_officer, unit_head, leader, other_unit_officer
):
    matter = in_state(workflow.INVESTIGATING)
    _request(login(unit_officer), matter, days="10", reason="需要现场勘验")
    request = ExtensionRequest.objects.get()
    for user in (unit_officer, leader, other_unit_officer):
        assert "待审批延期" not in login(user).get("/casework/").content.decode()
    _decide(login(unit_head), matter, request, decision="approve")
    matter.refresh_from_db()
    assert matter.state == workflow.EXTENDED and matter.extension_days == 10
    assert matter.documents.filter(kind="extension_notice").exists()
