"""The staff pages of issue 12: a registration on a leader's reception day, a video session or from a dispute
shows its 查询码 once and offers the 登记回执 (ADR 0007); 回访 after the reply and the correction of what was
registered are forms on the matter page for the bureau's staff, audited, on the staff timeline and in print,
never on the portal."""

import io

import pytest
from django.utils import timezone
from docx import Document as Docx

from tests import factories
from tests.programs.helpers import intake
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import citizens, programs, services, workflow
from xinfang.petitions.models import Code, Event, FollowUpCall, Registration


def page(client, matter) -> str:
    return client.get(f"/casework/matters/{matter.number}/").content.decode()


def act(client, matter, action, **data):
    matter.refresh_from_db()
    return client.post(
        f"/casework/matters/{matter.number}/act/{action}/", {"version": matter.version, **data}
    )


@pytest.mark.parametrize("route", ["reception", "video", "dispute"])
def test_programme_registrations_show_the_code_once_and_offer_the_receipt(
    route, login, clerk, leader, unit_officer, units
):
    client = login(clerk)
    at = timezone.localtime().replace(second=0, microsecond=0)
    if route == "reception":
        day = programs.schedule_reception_day(by=clerk, leader=leader, on=services.today(), place="接待中心")
        url, data, back = (
            f"/casework/programs/reception/{day.pk}/",
            intake("record", outcome="resolved"),
            "返回领导接访日",
        )
    elif route == "video":
        session = programs.schedule_video_session(by=clerk, township=units["township"], at=at)
        url, data, back = f"/casework/programs/video/{session.pk}/", intake("record"), "返回视频接访"
    else:
        dispute = programs.register_dispute(by=unit_officer, found_on=services.today(), parties="甲村",
                                            kind="土地边界", summary="林地边界争议")  # fmt: skip
        url, data, back = (
            f"/casework/programs/disputes/{dispute.pk}/convert/",
            intake("convert", channel="visit"),
            "返回矛盾纠纷",
        )
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == "/casework/register/done/"
    registration = Registration.objects.get()
    assert (
        AuditEntry.objects.filter(action="registration:create", object_id=str(registration.pk)).count() == 1
    )
    done = client.get("/casework/register/done/").content.decode()
    code = done.split('id="query-code"><strong>', 1)[1].split("<", 1)[0]
    assert citizens.find_registration(registration.number, code) == registration
    assert back in done and f'href="{url.removesuffix("convert/")}"' in done
    receipt = client.get(
        f"/casework/matters/{registration.matter.number}/registrations/{registration.number}/receipt.docx"
    )
    cells = {
        r.cells[0].text: r.cells[1].text for t in Docx(io.BytesIO(receipt.content)).tables for r in t.rows
    }
    assert cells["查询码"] == code
    assert code not in client.get("/casework/register/done/").content.decode()  # shown once


def test_follow_up_form_records_the_call_audited_on_the_timeline_and_in_print(
    login, client, people, units, case_officer, unit_officer
):
    matter = factories.matter_in_state(workflow.REPLIED, people=people, units=units)
    assert 'id="h-act-follow_up"' not in page(login(unit_officer), matter)  # units do not call for the bureau
    staff = login(case_officer)
    html = page(staff, matter)
    assert 'id="h-act-follow_up"' in html and "回访结果（信访人在电话中的表态）" in html
    at = timezone.localtime().replace(second=0, microsecond=0)
    response = act(staff, matter, "follow_up", called_at=at.strftime("%Y-%m-%dT%H:%M"), callee="张三（本人）",
                   outcome="unsatisfied", notes="认为补偿标准偏低，要求再核实。")  # fmt: skip
    assert response.status_code == 302
    call = FollowUpCall.objects.get()
    assert (call.callee, call.outcome, call.called_by) == ("张三（本人）", "unsatisfied", case_officer)
    assert AuditEntry.objects.filter(
        action="follow_up:create", object_id=str(call.pk), user=case_officer
    ).exists()
    html = page(staff, matter)
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "回访" in timeline and "认为补偿标准偏低" in timeline
    records = html.split('id="h-follow-ups"', 1)[1].split("</section>", 1)[0]  # a card the print keeps
    assert "张三（本人）" in records and "不满意" in records and str(case_officer) in records
    assert 'aria-labelledby="h-follow-ups"' in html and "h-actions" not in records
    # the petitioner's tracking page shows neither the call nor its notes
    registration = matter.registrations.get()
    code = citizens.issue_query_code(registration)
    client.logout()
    client.post("/portal/track/", {"number": registration.number, "code": code})
    tracked = client.get("/portal/track/case/").content.decode()
    assert matter.number in tracked and "认为补偿标准偏低" not in tracked and "回访" not in tracked


def test_follow_up_errors_in_chinese_and_nothing_saved(login, people, units, case_officer):
    matter = factories.matter_in_state(workflow.REPLIED, people=people, units=units)
    staff = login(case_officer)
    response = act(staff, matter, "follow_up", called_at="", callee="", outcome="")
    assert response.status_code == 302
    html = page(staff, matter)
    assert "登记回访：这个字段是必填项。" in html and not FollowUpCall.objects.exists()
    assert not AuditEntry.objects.filter(action="follow_up:create").exists()


def test_bureau_corrects_the_registration_with_a_reason(login, clerk, unit_officer, units):
    matter = factories.register(clerk)
    staff = login(clerk)
    html = page(staff, matter)
    assert 'id="h-act-correct_registration"' in html
    new_class = Code.objects.filter(table=Code.Table.CONTENT, is_active=True).exclude(
        pk=matter.content_class_id
    )[0]
    response = act(staff, matter, "correct_registration", title="拖欠农民工工资问题", content_class=new_class.code,
                   township=units["township"].code, reason="来信人电话补充说明")  # fmt: skip
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.title == "拖欠农民工工资问题" and matter.content_class == new_class
    event = Event.objects.get(kind="matter:registration_corrected")
    assert list(event.data["changes"]) == ["事项摘要", "内容分类"]  # 属地 unchanged: not recorded
    assert AuditEntry.objects.filter(action="matter:correct", user=clerk).count() == 1
    timeline = page(staff, matter).split('id="timeline"', 1)[1]
    assert "更正登记内容" in timeline and "“拖欠工资问题”更正为“拖欠农民工工资问题”" in timeline
    # once forwarded, neither the bureau's form nor a unit's post corrects anything
    matter = services.forward_matter(matter, by=clerk, unit=units["dept"])
    assert 'id="h-act-correct_registration"' not in page(staff, matter)
    response = act(login(unit_officer), matter, "correct_registration", title="别的摘要", reason="x")
    assert response.status_code == 403 and "只有信访部门" in response.content.decode()
    matter.refresh_from_db()
    assert (
        matter.title == "拖欠农民工工资问题"
        and Event.objects.filter(kind="matter:registration_corrected").count() == 1
    )


def test_correction_without_a_reason_is_refused_in_chinese(login, clerk):
    matter = factories.register(clerk)
    staff = login(clerk)
    act(staff, matter, "correct_registration", title="新摘要", reason="")
    html = page(staff, matter)
    assert "更正登记内容：这个字段是必填项。" in html
    matter.refresh_from_db()
    assert matter.title == "拖欠工资问题" and not AuditEntry.objects.filter(action="matter:correct").exists()
