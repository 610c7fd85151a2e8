"""回访 and 更正登记内容 through the API (issue 12): the same services, rules and audit rows as the staff pages."""

from django.utils import timezone

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.analytics import tallies
from xinfang.petitions import workflow
from xinfang.petitions.models import Code, Event, FollowUpCall


def test_follow_up_after_the_reply(api_as, people, units, case_officer, unit_officer):
    matter = factories.matter_in_state(workflow.REPLIED, people=people, units=units)
    at = timezone.localtime().replace(microsecond=0).isoformat()
    body = {"called_at": at, "callee": "张三", "outcome": "satisfied", "notes": "对处理结果满意。"}
    refused = api_as(unit_officer).post(f"/matters/{matter.number}/follow-ups", body)
    assert refused.status_code == 403 and "登记回访" in refused.json()["detail"]
    response = api_as(case_officer).post(f"/matters/{matter.number}/follow-ups", body)
    assert response.status_code == 201, response.content
    out = response.json()
    call = FollowUpCall.objects.get()
    assert out["id"] == call.pk and out["outcome_label"] == "满意" and out["called_by"] == str(case_officer)
    assert AuditEntry.objects.filter(action="follow_up:create", object_id=str(call.pk)).count() == 1
    detail = api_as(case_officer).get(f"/matters/{matter.number}").json()
    assert any(e["label"] == "回访" for e in detail["timeline"])


def test_follow_up_before_the_reply_is_409_and_bad_outcome_422(api_as, people, units, case_officer):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    at = timezone.localtime().isoformat()
    early = api_as(case_officer).post(f"/matters/{matter.number}/follow-ups",
                                      {"called_at": at, "callee": "张三", "outcome": "satisfied"})  # fmt: skip
    assert early.status_code == 409 and "尚未答复" in early.json()["detail"]
    bad = api_as(case_officer).post(f"/matters/{matter.number}/follow-ups",
                                    {"called_at": at, "callee": "张三", "outcome": "happy"})  # fmt: skip
    assert bad.status_code == 422 and not FollowUpCall.objects.exists()


def test_correction_by_the_api(api_as, clerk, units):
    matter = factories.register(clerk)
    new_class = Code.objects.filter(table=Code.Table.CONTENT, is_active=True).exclude(
        pk=matter.content_class_id
    )[0]
    api = api_as(clerk)
    unknown = api.post(f"/matters/{matter.number}/registration-correction",
                       {"version": matter.version, "content_class": "NOPE", "reason": "分类有误"})  # fmt: skip
    assert unknown.status_code == 422 and "内容分类代码" in unknown.json()["detail"]
    response = api.post(f"/matters/{matter.number}/registration-correction",
                        {"version": matter.version, "content_class": new_class.code, "township": "",
                         "reason": "分类有误"})  # fmt: skip
    assert response.status_code == 200, response.content
    matter.refresh_from_db()
    assert matter.content_class == new_class and matter.township is None and matter.title == "拖欠工资问题"
    event = Event.objects.get(kind="matter:registration_corrected")
    assert set(event.data["changes"]) == {"内容分类", "问题属地"} and event.data["reason"] == "分类有误"
    assert AuditEntry.objects.filter(action="matter:correct", user=clerk).count() == 1
    assert tallies.check() == []
    stale = api.post(f"/matters/{matter.number}/registration-correction",
                     {"version": matter.version - 1, "title": "x", "reason": "y"})  # fmt: skip
    assert stale.status_code == 409 and stale.json()["code"] == "stale"


def test_the_record_and_its_audit_row_are_one_transaction(api_as, people, units, case_officer, monkeypatch):
    """api.routes.common.audited: when the audit row cannot be written, neither 回访 nor correction is saved."""

    def failing_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    replied = factories.matter_in_state(workflow.REPLIED, people=people, units=units)
    registered = factories.matter_in_state(workflow.REGISTERED, people=people, units=units)
    api = api_as(case_officer)
    monkeypatch.setattr("xinfang.api.routes.common.log_audit", failing_audit)
    at = timezone.localtime().replace(microsecond=0).isoformat()
    call = api.post(
        f"/matters/{replied.number}/follow-ups", {"called_at": at, "callee": "张三", "outcome": "satisfied"}
    )
    assert call.status_code == 500 and not FollowUpCall.objects.exists()
    title = registered.title
    fix = api.post(f"/matters/{registered.number}/registration-correction",
                   {"version": registered.version, "title": "更正后的摘要", "reason": "摘要有误"})  # fmt: skip
    assert fix.status_code == 500
    registered.refresh_from_db()
    assert registered.title == title
    assert not Event.objects.filter(kind="matter:registration_corrected").exists()
