"""合并 through the API (issue 16): the same services, rules and audit rows as the matter page."""

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.analytics import tallies
from xinfang.petitions import workflow
from xinfang.petitions.models import Registration


def test_merge_and_unmerge_by_the_api(api_as, people, units, case_officer, clerk):
    a = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    b = factories.matter_in_state(workflow.REGISTERED, people=people, units=units)
    denied = api_as(clerk).act(b, "merge", into=a.number, reason="重复登记")
    assert denied.status_code == 403 and "只有信访局办案人员可以合并事项" in denied.json()["detail"]
    api = api_as(case_officer)
    unknown = api.act(b, "merge", into="XF0000", reason="重复登记")
    assert unknown.status_code == 404
    stale = api.post(
        f"/matters/{b.number}/merge", {"version": b.version + 1, "into": a.number, "reason": "重复"}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    done = api.act(b, "merge", into=a.number, reason="重复登记")
    assert done.status_code == 200, done.content
    assert done.json()["flags"]["merged_into"] == a.number
    assert AuditEntry.objects.filter(action="matter:merge", user=case_officer).count() == 1
    again = api.act(b, "merge", into=a.number, reason="重复登记")
    assert again.status_code == 409 and f"该事项已并入{a.number}" in again.json()["detail"]
    acted = api_as(clerk).act(b, "forward", unit=units["dept"].code)
    assert acted.status_code == 409 and "该事项已并入" in acted.json()["detail"]
    assert tallies.check() == []
    undone = api.act(b, "unmerge", reason="并非同一事项")
    assert undone.status_code == 200 and undone.json()["flags"]["merged_into"] is None
    assert AuditEntry.objects.filter(action="matter:unmerge", user=case_officer).count() == 1
    assert tallies.check() == []


def test_an_online_submission_joins_by_the_api(api_as, people, units, clerk):
    a = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    b = factories.online_submission()
    response = api_as(clerk).act(b, "join", into=a.number, reason="同一证件号")
    assert response.status_code == 200, response.content
    assert Registration.objects.get(merged_from=b).matter == a
    assert AuditEntry.objects.filter(action="matter:join", user=clerk).count() == 1
