"""督查督办 pages over HTTP: issue, confirm/dismiss a proposal, follow-up, unit feedback, close, notice, and
403 for the wrong roles with nothing changed."""

import io
from datetime import timedelta

import pytest
from docx import Document as Docx

from tests import factories
from xinfang.core.notify import MemorySender
from xinfang.petitions import supervision, workflow
from xinfang.petitions.models import Event, Notification, SupervisionFollowUp, SupervisionOrder

S = SupervisionOrder.Status


@pytest.fixture
def overdue(people, units, supervisor, time_machine, settings):
    """An accepted matter of the department whose handling clock is overdue, and the sweep's proposal."""
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    time_machine.move_to(matter.handle_due + timedelta(days=1))
    supervision.sweep_deadlines(sender=MemorySender())
    return matter, SupervisionOrder.objects.get()


def snapshot():
    return (
        list(SupervisionOrder.objects.values_list("pk", "status", "number", "feedback", "result")),
        SupervisionFollowUp.objects.count(),
        Event.objects.count(),
    )


def test_list_shows_proposals_first_and_filters(login, overdue, supervisor, units):
    matter, proposal = overdue
    issued = supervision.issue_order(by=supervisor, level="urge", reason="人工督办", unit=units["dept"],
                                     matters=[matter])  # fmt: skip
    page = login(supervisor).get("/casework/supervision/").content.decode()
    assert page.index(f"督办建议#{proposal.pk}") < page.index(issued.number)
    assert "有 1 条督办建议待审核" in page
    page = login(supervisor).get("/casework/supervision/?status=issued&level=urge").content.decode()
    assert issued.number in page and f"督办建议#{proposal.pk}" not in page
    page = login(supervisor).get("/casework/supervision/?trigger=clock").content.decode()
    assert issued.number not in page and f"督办建议#{proposal.pk}" in page


def test_confirm_proposal_follow_up_unit_feedback_close(login, overdue, supervisor, unit_officer):
    matter, order = overdue
    c = login(supervisor)
    detail = c.get(f"/casework/supervision/{order.pk}/").content.decode()
    assert (
        matter.number in detail
        and "办理：已超期1天" in detail
        and "超过法定时限（办理）" in detail
        and 'id="issue-form"' in detail
    )
    r = c.post(f"/casework/supervision/{order.pk}/issue/", {"level": "listed", "reason": ""})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == S.ISSUED and order.level == "listed" and order.number
    r = c.post(
        f"/casework/supervision/{order.pk}/follow-up/",
        {"kind": "onsite", "note": "到单位实地督查"},
        follow=True,
    )
    assert "已记录跟进情况" in r.content.decode() and "实地督查" in r.content.decode()
    assert Notification.objects.filter(user=unit_officer, link=f"/casework/supervision/{order.pk}/").exists()

    u = login(unit_officer)
    assert order.number in u.get("/casework/supervision/", follow=True).content.decode()  # → 督办件
    page = u.get(f"/casework/supervision/{order.pk}/").content.decode()
    assert 'id="answer-form"' in page and 'id="close-form"' not in page
    r = u.post(
        f"/casework/supervision/{order.pk}/answer/", {"feedback": "已于本周内完成调查并答复。"}, follow=True
    )
    assert "已提交书面反馈" in r.content.decode()
    order.refresh_from_db()
    assert order.status == S.ANSWERED and order.feedback_by == unit_officer

    c = login(supervisor)
    assert "已于本周内完成调查并答复。" in c.get(f"/casework/supervision/{order.pk}/").content.decode()
    c.post(f"/casework/supervision/{order.pk}/close/", {"result": "已整改到位"})
    order.refresh_from_db()
    assert order.status == S.CLOSED and order.result == "已整改到位"


def test_dismiss_proposal_needs_a_reason(login, overdue, supervisor):
    _matter, order = overdue
    c = login(supervisor)
    r = c.post(f"/casework/supervision/{order.pk}/dismiss/", {"reason": " "}, follow=True)
    assert "不予督办理由" in r.content.decode() or "请写明" in r.content.decode()
    assert SupervisionOrder.objects.get().status == S.PROPOSED
    c.post(f"/casework/supervision/{order.pk}/dismiss/", {"reason": "事项已于当日答复，系登记延迟"})
    order.refresh_from_db()
    assert order.status == S.DISMISSED and order.result == "事项已于当日答复，系登记延迟"
    # a second dismissal is refused with a Chinese message, nothing changes
    before = snapshot()
    r = c.post(f"/casework/supervision/{order.pk}/dismiss/", {"reason": "再次"}, follow=True)
    assert "只有待审核的督办建议可以不予督办" in r.content.decode() and snapshot() == before


def test_issue_new_order_from_matter_numbers(login, people, units, supervisor, unit_officer):
    a = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    b = factories.matter_in_state(workflow.FORWARDED, people=people, units=units)
    c = login(supervisor)
    page = c.get(f"/casework/supervision/new/?matters={a.number}&matters={b.number}").content.decode()
    assert a.number in page and b.number in page
    r = c.post("/casework/supervision/new/", {"matters": f"{a.number}, {b.number}", "level": "supervise",
                                              "reason": "办理进度缓慢", "unit": ""})  # fmt: skip
    order = SupervisionOrder.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/casework/supervision/{order.pk}/"
    assert order.status == S.ISSUED and order.target_unit == units["dept"]
    assert set(order.matters.all()) == {a, b} and order.trigger == "manual"
    # unknown number: error on the page, nothing created
    r = c.post("/casework/supervision/new/", {"matters": "X-404", "level": "urge", "reason": "催办"})
    assert "事项编号“X-404”不存在或您无权查看" in r.content.decode()
    assert SupervisionOrder.objects.count() == 1
    # past deadline: the service's Chinese message
    r = c.post("/casework/supervision/new/", {"matters": a.number, "level": "urge", "reason": "催办",
                                              "deadline": "2000-01-01"})  # fmt: skip
    assert "反馈期限须晚于今天" in r.content.decode() and SupervisionOrder.objects.count() == 1


def test_notice_download(login, overdue, supervisor, unit_officer):
    matter, order = overdue
    assert (
        login(supervisor).get(f"/casework/supervision/{order.pk}/notice.docx").status_code == 403
    )  # proposal
    supervision.issue_order(order, by=supervisor, level="supervise")
    order.refresh_from_db()
    for user in (supervisor, unit_officer):
        r = login(user).get(f"/casework/supervision/{order.pk}/notice.docx")
        assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
        text = "\n".join(p.text for p in Docx(io.BytesIO(r.content)).paragraphs)
        assert order.number in text and matter.number in text


def test_wrong_roles_get_403_and_nothing_changes(login, overdue, supervisor, unit_officer, other_unit_officer,
                                                 clerk, auditor):  # fmt: skip
    matter, order = overdue
    before = snapshot()
    for user in (clerk, unit_officer, auditor):
        c = login(user)
        refused = 404 if user == unit_officer else 403  # a unit never sees a proposal: as if there were none
        r = c.post(f"/casework/supervision/{order.pk}/issue/", {"level": "urge", "reason": "x"})
        assert r.status_code == refused, user
        assert refused == 404 or "403" in r.content.decode()
        assert c.post(f"/casework/supervision/{order.pk}/dismiss/", {"reason": "x"}).status_code == refused
        assert c.post("/casework/supervision/new/", {"matters": matter.number, "level": "urge",
                                                     "reason": "x"}).status_code == 403  # fmt: skip
    assert snapshot() == before
    supervision.issue_order(order, by=supervisor, level="supervise")
    before = snapshot()
    # another unit's officer neither sees nor answers it; a unit officer cannot follow up or close
    c = login(other_unit_officer)
    assert c.get(f"/casework/supervision/{order.pk}/").status_code == 404  # as if there were no such order
    assert c.post(f"/casework/supervision/{order.pk}/answer/", {"feedback": "x"}).status_code == 404
    c = login(unit_officer)
    r = c.post(f"/casework/supervision/{order.pk}/follow-up/", {"kind": "phone", "note": "x"})
    assert r.status_code == 403 and "您的角色无权进行督查督办操作" in r.content.decode()
    assert c.post(f"/casework/supervision/{order.pk}/close/", {"result": "x"}).status_code == 403
    # the supervisor cannot write the unit's feedback
    r = login(supervisor).post(f"/casework/supervision/{order.pk}/answer/", {"feedback": "x"})
    assert r.status_code == 403 and "只有被督办单位的经办人员可以反馈" in r.content.decode()
    assert snapshot() == before
    # a unit officer does not see proposals at all; clerk has no 督办件 page
    assert (
        login(other_unit_officer).get("/casework/supervision/unit/").content.decode().count("督办建议#") == 0
    )
    assert login(clerk).get("/casework/supervision/unit/").status_code == 403


def test_notifications_page_marks_own_notes_read(login, overdue, unit_officer, supervisor):
    notes = Notification.objects.filter(user=unit_officer)
    assert notes.exists() and not notes.exclude(read_at=None).exists()
    c = login(unit_officer)
    page = c.get("/casework/supervision/notifications/").content.decode()
    assert notes.first().text in page and "未读" in page
    c.post(f"/casework/supervision/notifications/{notes.first().pk}/read/")
    assert notes.exclude(read_at=None).count() == 1
    # someone else's notification cannot be marked
    other = Notification.objects.filter(user=supervisor).first()
    c.post(f"/casework/supervision/notifications/{other.pk}/read/")
    other.refresh_from_db()
    assert other.read_at is None
    c.post("/casework/supervision/notifications/read/")
    assert not notes.filter(read_at=None).exists()
