"""Issue 12 (ADR 0007): every staff registration — leader reception day, video session, dispute turned into a
petition — issues a 查询码 and an SMS like the clerk's intake; the 登记回执 is an A4 公文 from core.officialdoc;
回访 after the reply is recorded; the bureau corrects the registered summary, 内容分类 and 属地 with a reason,
and the summary tables follow."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests import factories
from tests.officialdoc_checks import body_runs, check_layout, check_signature, title_paragraph
from xinfang.analytics import tallies
from xinfang.analytics.models import DayTally
from xinfang.core.notify import MemorySender
from xinfang.petitions import citizens, events, programs, services, workflow
from xinfang.petitions.models import Code, Event, FollowUpCall, Registration


@pytest.fixture
def outbox(settings):
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    MemorySender.outbox = []
    return MemorySender.outbox


def _with_mobile(**overrides):
    return factories.petition_input(
        petitioners=[factories.petitioner_input(id_number="", mobile="13800001111")], **overrides
    )


@pytest.mark.parametrize("route", ["reception", "video", "dispute"])
def test_every_staff_route_issues_a_query_code_and_an_sms(
    route, clerk, leader, unit_officer, units, outbox, django_capture_on_commit_callbacks
):
    today = services.today()
    with django_capture_on_commit_callbacks(execute=True):
        if route == "reception":
            day = programs.schedule_reception_day(by=clerk, leader=leader, on=today, place="群众接待中心")
            registration, code = programs.record_reception(
                day, by=clerk, data=_with_mobile(), outcome="resolved"
            )
        elif route == "video":
            session = programs.schedule_video_session(by=clerk, township=units["township"], at=timezone.now())
            registration, code = programs.record_video_reception(session, by=clerk, data=_with_mobile())
        else:
            dispute = programs.register_dispute(by=unit_officer, found_on=today, parties="甲村、乙村",
                                                kind="土地边界", summary="林地边界争议")  # fmt: skip
            registration, code = programs.convert_dispute(dispute, by=clerk, data=_with_mobile())
    registration.refresh_from_db()
    assert len(code) == 12 and registration.query_code_hash and code not in registration.query_code_hash
    assert citizens.find_registration(registration.number, code) == registration
    assert [to for to, _text in outbox] == ["13800001111"]
    assert code in outbox[0][1] and registration.number in outbox[0][1]
    assert registration.matter.title not in outbox[0][1]


def test_a_failing_route_leaves_nothing_and_sends_nothing(
    clerk, leader, outbox, django_capture_on_commit_callbacks
):
    day = programs.schedule_reception_day(by=clerk, leader=leader, on=services.today(), place="群众接待中心")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.WorkflowError, match="接访日"),
    ):
        programs.record_reception(
            day, by=clerk, data=_with_mobile(received_at=factories.aware(2019, 1, 1, 9)), outcome="resolved"
        )
    assert not Registration.objects.exists() and outbox == []


def test_the_registration_receipt_is_an_a4_official_document(clerk):
    registration, code = citizens.register_incoming(factories.petition_input(), by=clerk)
    content = citizens.registration_receipt(registration, code=code, portal="网上信访平台“进展查询”")
    doc = check_layout(content)  # A4, GB/T 9704 margins, grid, fonts named in the XML, page numbers
    title_paragraph(doc, "茂县信访局信访事项登记回执")
    assert body_runs(doc) and "您的信访事项已登记" in "\n".join(p.text for p in doc.paragraphs)
    check_signature(doc, "茂县信访局")
    cells = {r.cells[0].text: r.cells[1].text for t in doc.tables for r in t.rows}
    assert cells["查询码"] == code and cells["登记编号"] == registration.number
    assert "。，" not in "".join(p.text for p in doc.paragraphs)


# --- 回访 ------------------------------------------------------------------------------------------------


def test_follow_up_after_the_reply_is_a_staff_event(people, units, clerk, case_officer):
    matter = factories.matter_in_state(workflow.REPLIED, people=people, units=units)
    version = matter.version
    call = services.record_follow_up(
        matter, by=case_officer, called_at=timezone.now() - timedelta(minutes=5), callee="张三",
        outcome=FollowUpCall.Outcome.BASICALLY, notes="对答复基本认可，希望尽快支付。",
    )  # fmt: skip
    assert FollowUpCall.objects.get() == call and call.called_by == case_officer
    event = Event.objects.get(matter=matter, kind="matter:follow_up")
    assert not event.is_public and "基本满意" in event.note and event.actor == case_officer
    assert events.event_label(event) == "回访"
    matter.refresh_from_db()
    assert matter.version == version  # a record about the matter, not a change of it


@pytest.mark.parametrize(
    ("state", "who", "error", "message"),
    [
        (workflow.INVESTIGATING, "case_officer", services.WorkflowError, "尚未答复"),
        (workflow.REPLIED, "unit_officer", PermissionDenied, "登记回访"),
    ],
)
def test_follow_up_refused_before_the_reply_and_to_units(request, people, units, state, who, error, message):
    matter = factories.matter_in_state(state, people=people, units=units)
    with pytest.raises(error, match=message):
        services.record_follow_up(
            matter, by=request.getfixturevalue(who), called_at=timezone.now(), callee="张三",
            outcome=FollowUpCall.Outcome.SATISFIED,
        )  # fmt: skip
    assert not FollowUpCall.objects.exists() and not Event.objects.filter(kind="matter:follow_up").exists()


def test_follow_up_time_is_checked(people, units, case_officer):
    matter = factories.matter_in_state(workflow.REPLIED, people=people, units=units)
    for at, message in ((timezone.now() + timedelta(hours=1), "晚于现在"),
                        (timezone.now() - timedelta(days=400), "早于答复日期")):  # fmt: skip
        with pytest.raises(services.WorkflowError, match=message):
            services.record_follow_up(
                matter, by=case_officer, called_at=at, callee="张三", outcome="satisfied"
            )
    assert not FollowUpCall.objects.exists()


# --- 更正登记内容 -----------------------------------------------------------------------------------------


def test_correction_records_old_and_new_and_keeps_the_tallies(clerk, units):
    matter = factories.register(clerk)
    old_class = matter.content_class
    new_class = Code.objects.filter(table=Code.Table.CONTENT, is_active=True).exclude(pk=old_class.pk).first()
    assert DayTally.objects.filter(dim="class", key=str(old_class.pk)).exists()
    services.correct_registration(
        matter, by=clerk, title="拖欠农民工工资问题", content_class=new_class, township=None,
        reason="登记时分类有误", expected_version=matter.version,
    )  # fmt: skip
    matter.refresh_from_db()
    assert (matter.title, matter.content_class, matter.township) == ("拖欠农民工工资问题", new_class, None)
    event = Event.objects.get(matter=matter, kind="matter:registration_corrected")
    assert not event.is_public and events.event_label(event) == "更正登记内容"
    assert event.data["changes"] == {
        "事项摘要": ["拖欠工资问题", "拖欠农民工工资问题"],
        "内容分类": [str(old_class), str(new_class)],
        "问题属地": ["凤仪镇", ""],
    }
    assert "登记时分类有误" in event.note and "“凤仪镇”更正为“（无）”" in event.note
    assert tallies.check() == []  # the summary tables moved with the UPDATE
    assert DayTally.objects.filter(dim="class", key=str(new_class.pk)).exists()
    assert not DayTally.objects.filter(dim="class", key=str(old_class.pk)).exists()


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("unit", PermissionDenied, "更正登记内容"),
        ("forwarded", services.WorkflowError, "转出信访部门"),
        ("no_reason", services.WorkflowError, "理由"),
        ("same", services.WorkflowError, "无需更正"),
        ("empty_title", services.WorkflowError, "不能为空"),
        ("stale", services.StaleMatter, "刷新"),
    ],
)
def test_correction_refusals_change_nothing(people, units, clerk, unit_officer, case, error, message):
    matter = factories.register(clerk)
    if case in ("unit", "forwarded"):
        matter = services.forward_matter(matter, by=clerk, unit=units["dept"])
    by = unit_officer if case == "unit" else clerk
    args = {"title": "新的摘要", "reason": "更正"}
    if case == "no_reason":
        args["reason"] = " "
    if case == "same":
        args["title"] = matter.title
    if case == "empty_title":
        args["title"] = "  "
    version = matter.version - 1 if case == "stale" else matter.version
    with pytest.raises(error, match=message):
        services.correct_registration(matter, by=by, expected_version=version, **args)
    matter.refresh_from_db()
    assert matter.title == "拖欠工资问题" and matter.version == version + (case == "stale")
    assert not Event.objects.filter(kind="matter:registration_corrected").exists()
