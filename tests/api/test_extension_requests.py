"""延期 through the API: the request (422 for days outside 1–30) and the 负责人's decision (403/404/409)."""

from tests import factories
from xinfang.petitions import workflow
from xinfang.petitions.models import ExtensionRequest


def test_request_validates_days_and_the_head_approves(api_as, people, units, unit_officer, unit_head):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    officer = api_as(unit_officer)
    for days in (0, 31):
        response = officer.act(matter, "extension-requests", days=days, reason="复杂")
        assert response.status_code == 422 and "days" in response.json()["errors"]
    assert not ExtensionRequest.objects.exists()
    out = officer.act(matter, "extension-requests", days=20, reason="需调取银行流水").json()
    assert out["state"] == workflow.INVESTIGATING
    [request] = out["extension_requests"]
    assert (request["state"], request["days"], request["reason"]) == ("pending", 20, "需调取银行流水")
    assert out["timeline"][-1]["label"] == "申请延期"

    detail = api_as(unit_head).get(f"/matters/{matter.number}").json()
    url = {a["action"]: a["url"] for a in detail["available_actions"]}["extend"]
    assert url == f"/api/matters/{matter.number}/extension-requests/{request['id']}/decision"
    route = f"extension-requests/{request['id']}/decision"
    response = officer.act(matter, route, approve=True)  # the requester and handler
    assert response.status_code == 403
    out = api_as(unit_head).act(matter, route, approve=True).json()
    assert out["state"] == workflow.EXTENDED and out["dates"]["extension_days"] == 20
    assert out["extension_requests"][0]["state"] == "approved"


def test_refusal_keeps_its_reason_and_errors(
    api_as, people, units, unit_officer, unit_head, other_unit_officer
):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    api_as(unit_officer).act(matter, "extension-requests", days=5, reason="复杂")
    request = ExtensionRequest.objects.get()
    route = f"extension-requests/{request.pk}/decision"
    assert api_as(other_unit_officer).act(matter, route, approve=False, reason="x").status_code == 404
    assert (
        api_as(unit_head).act(matter, "extension-requests/999999/decision", approve=True).status_code == 404
    )
    response = api_as(unit_head).act(matter, route, approve=False)
    assert response.status_code == 409 and "理由" in response.json()["detail"]
    out = api_as(unit_head).act(matter, route, approve=False, reason="应按期办结").json()
    assert out["state"] == workflow.INVESTIGATING
    assert (out["extension_requests"][0]["state"], out["extension_requests"][0]["refusal_reason"]) == (
        "refused", "应按期办结",
    )  # fmt: skip
    assert api_as(unit_head).act(matter, route, approve=True).status_code == 409
