"""The citizen portal over HTTP (Django test client, real database)."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document as DocxDocument

from tests.portal.helpers import TO_DELIVERED, advance, form_data, png_bytes, submitted, track
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import workflow
from xinfang.petitions.models import Attachment, Document, Event, Registration
from xinfang.portal.models import ThrottleHit

XSS = '<script>alert("x")</script>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def text_of(response) -> str:
    return response.content.decode()


# --- submit -------------------------------------------------------------------------------------------


def test_submit_page_states_channels_rule_and_has_hidden_honeypot(client, units):
    html = text_of(client.get("/portal/submit/"))
    assert 'lang="zh-Hans"' in html
    for text in (
        "茂县群众接待中心",
        "接待时间",
        "0837-7422345",
        "来信",
        "本级或者上一级",
        "第二十条",
        "申诉求决类",
    ):
        assert text in html
    hp = re.search(r'<div class="hp" aria-hidden="true">.*?</div>', html, re.S).group(0)
    assert 'name="website"' in hp and 'tabindex="-1"' in hp
    assert 'type="file" name="attachments" multiple' in html


def test_submit_claim_gives_receipt_with_code_once_and_docx(client, units):
    data = form_data(attachments=[upload("证据.png", png_bytes())])
    response = client.post("/portal/submit/", data)
    assert response.status_code == 302 and response["Location"] == "/portal/submit/receipt/"
    reg = Registration.objects.get()
    assert reg.channel == "online" and reg.matter.state == workflow.RECEIVED
    assert Attachment.objects.get().original_name == "证据.png"
    html = text_of(client.get("/portal/submit/receipt/"))
    code = re.search(r'id="query-code">([A-Z0-9]{12})<', html).group(1)
    assert reg.number in html and "只显示这一次" in html
    assert code not in text_of(client.get("/portal/submit/receipt/"))  # shown once
    docx = client.get("/portal/submit/receipt.docx")
    assert (
        docx["Content-Disposition"].startswith("attachment") and docx["X-Content-Type-Options"] == "nosniff"
    )
    text = "\n".join(
        c.text for t in DocxDocument(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    )
    assert reg.number in text and code in text and "张*" in text
    # the code works on a fresh client
    assert track(Client(), reg.number, code.lower()).status_code == 302
    assert AuditEntry.objects.filter(action="portal:submit", result="success").count() == 1


def test_claim_without_identity_shows_chinese_errors_with_summary_links(client, units):
    response = client.post("/portal/submit/", form_data(id_number="", mobile="139", title=""))
    html = text_of(response)
    assert response.status_code == 200 and not Registration.objects.exists()
    assert 'id="error-summary"' in html
    assert '<a href="#id_id_number">居民身份证号码：申诉求决类信访须填写身份证号码。</a>' in html
    assert 'href="#id_mobile">手机号码：手机号码不正确' in html
    assert 'href="#id_title">' in html and 'aria-invalid="true"' in html


def test_suggestion_may_be_anonymous(client, units):
    response = client.post("/portal/submit/", form_data(purpose="01", name="", id_number="", mobile=""))
    assert response.status_code == 302
    assert Registration.objects.get().matter.category == "suggestion"


def test_bad_id_number_is_refused_in_chinese(client, units):
    html = text_of(client.post("/portal/submit/", form_data(id_number="130402198207290622")))
    assert "身份证号码不正确" in html and not Registration.objects.exists()


def test_forged_upload_is_refused_and_nothing_saved(client, units):
    response = client.post("/portal/submit/", form_data(attachments=[upload("photo.jpg", EXE)]))
    html = text_of(response)
    assert response.status_code == 200
    assert "“photo.jpg”不是图片（JPG/PNG）或 PDF 文件，已拒绝。" in html
    assert not Registration.objects.exists() and not Attachment.objects.exists()


def test_honeypot_discards_silently(client, units):
    response = client.post("/portal/submit/", form_data(website="http://spam.example"))
    assert response.status_code == 200 and "已提交" in text_of(response)
    assert not Registration.objects.exists()
    assert AuditEntry.objects.filter(action="portal:honeypot").exists()


def test_submissions_are_rate_limited_per_ip(client, units, time_machine, settings):
    settings.PORTAL_SUBMIT_MAX = 2
    for _ in range(2):
        assert client.post("/portal/submit/", form_data()).status_code == 302
    blocked = client.post("/portal/submit/", form_data())
    assert blocked.status_code == 429 and "次数过多" in text_of(blocked)
    assert Registration.objects.count() == 2
    other = Client(REMOTE_ADDR="10.1.1.1")
    assert other.post("/portal/submit/", form_data()).status_code == 302
    time_machine.move_to(timezone.now() + timedelta(hours=1, minutes=1))
    assert client.post("/portal/submit/", form_data()).status_code == 302


def test_csrf_is_enforced(units):
    reg, code = submitted(channel="online")
    c = Client(enforce_csrf_checks=True)
    assert c.post("/portal/submit/", form_data()).status_code == 403
    assert c.post("/portal/track/", {"number": reg.number, "code": code}).status_code == 403
    assert not Registration.objects.exclude(pk=reg.pk).exists()
    page = c.get("/portal/track/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(page)).group(1)
    ok = c.post("/portal/track/", {"number": reg.number, "code": code, "csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    assert c.post("/portal/track/case/appeal/", {"kind": "review"}).status_code == 403
    assert c.post("/portal/track/leave/").status_code == 403


# --- tracking -----------------------------------------------------------------------------------------


def _normalise(html: str, *numbers: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    for n in numbers:
        html = html.replace(n, "NUMBER")
    return html


def test_wrong_or_guessed_codes_reveal_nothing(client, units):
    reg, code = submitted()
    unknown = track(client, "DJ2099000001", "ABCDEFGHJKMN")
    wrong = track(client, reg.number, "ABCDEFGHJKMN")
    assert unknown.status_code == wrong.status_code == 200
    assert _normalise(text_of(unknown), "DJ2099000001") == _normalise(text_of(wrong), reg.number)
    assert "登记编号或查询码不正确" in text_of(wrong) and "拖欠工资" not in text_of(wrong)
    assert client.get("/portal/track/case/").status_code == 302  # nothing in the session
    assert AuditEntry.objects.filter(action="portal:track_failed", result="failure").count() == 2


def test_failed_lookups_are_rate_limited_and_logged(client, units, time_machine):
    reg, code = submitted()
    for _ in range(10):
        assert track(client, reg.number, "WRONGCODE234").status_code == 200
    blocked = track(client, reg.number, code)  # even the right code, while blocked
    assert blocked.status_code == 429 and "请一小时后再试" in text_of(blocked)
    entry = AuditEntry.objects.get(action="portal:track_blocked")
    assert entry.result == "denied" and entry.ip == "127.0.0.1"
    assert "127.0.0.1" not in set(ThrottleHit.objects.values_list("client", flat=True))  # keyed hash only
    time_machine.move_to(timezone.now() + timedelta(hours=1, seconds=1))
    assert track(client, reg.number, code).status_code == 302


def test_tracking_shows_public_milestones_units_and_documents_only(client, units, people):
    reg, code = submitted()
    matter = advance(reg.matter, people, units, "forward")
    Event.objects.filter(matter=matter, action="forward").update(note="内部备注：此人多次上访")
    matter = advance(
        matter, people, units, "acknowledge", "accept", "investigate", "extend", "reply", "deliver"
    )
    track(client, reg.number, code)
    html = text_of(client.get("/portal/track/case/"))
    for text in ("已转送茂县人力资源和社会保障局办理", "茂县人力资源和社会保障局已受理", "办理期限延长30日",
                 "需要调取银行流水", "处理意见书已送达", "受理告知书", "延期告知书", "信访事项处理意见书",
                 "证据.png", "已答复送达"):  # fmt: skip
        assert text in html, text
    for secret in (
        "内部备注",
        "经办人丙",
        "负责人丁",
        "接待员甲",
        "unit1",
        "clerk1",
        "转送单",
        "11010519491231002X",
    ):
        assert secret not in html, secret
    reply = Document.objects.get(kind="handling_opinion")
    download = client.get(f"/portal/track/case/documents/{reply.pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert "处理意见" in "\n".join(
        p.text for p in DocxDocument(io.BytesIO(b"".join(download.streaming_content))).paragraphs
    )
    slip = Document.objects.get(kind="transfer_slip")
    assert client.get(f"/portal/track/case/documents/{slip.pk}/").status_code == 404
    att = Attachment.objects.get()
    file = client.get(f"/portal/track/case/files/{att.pk}/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == png_bytes()
    assert (
        file["Content-Disposition"].startswith("attachment") and file["X-Content-Type-Options"] == "nosniff"
    )


def test_session_is_scoped_to_one_registration(client, units, people):
    mine, code = submitted()
    other, _ = submitted()
    other_matter = advance(other.matter, people, units, "forward", "acknowledge", "accept")
    other_doc = Document.objects.get(matter=other_matter, kind="acceptance_notice")
    other_att = Attachment.objects.get(matter=other_matter)
    assert client.get(f"/portal/track/case/documents/{other_doc.pk}/").status_code == 404  # no session
    track(client, mine.number, code)
    assert client.get(f"/portal/track/case/documents/{other_doc.pk}/").status_code == 404
    assert client.get(f"/portal/track/case/files/{other_att.pk}/").status_code == 404
    assert Client().get(f"/portal/track/case/files/{other_att.pk}/").status_code == 404
    client.post("/portal/track/leave/")
    assert client.get("/portal/track/case/").status_code == 302


def test_script_in_every_text_field_comes_back_escaped(client, units, people):
    data = form_data(title=XSS, facts=XSS, request=XSS, name="张" + XSS, address=XSS)
    assert client.post("/portal/submit/", data).status_code == 302
    receipt = text_of(client.get("/portal/submit/receipt/"))
    assert XSS not in receipt and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in receipt
    reg = Registration.objects.get()
    advance(reg.matter, people, units, *TO_DELIVERED)
    client.post("/portal/track/case/information/", {"text": XSS})
    client.post("/portal/track/case/evaluate/unit/", {"unit-value": "unsatisfied", "unit-reason": "其他",
                                                      "unit-text": XSS})  # fmt: skip
    client.post("/portal/track/case/appeal/", {"kind": "review", "reason": XSS})
    html = text_of(client.get("/portal/track/case/"))
    assert XSS not in html and "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 3  # title, added text, appeal


# --- evaluation, appeals, added information -----------------------------------------------------------


def test_evaluate_unit_unsatisfied_once_with_review_hint(client, units, people):
    reg, code = submitted()
    advance(reg.matter, people, units, *TO_DELIVERED)
    track(client, reg.number, code)
    html = text_of(client.get("/portal/track/case/"))
    assert 'action="/portal/track/case/evaluate/bureau/"' in html and "/evaluate/unit/" in html
    empty = client.post("/portal/track/case/evaluate/unit/", {"unit-value": "unsatisfied"}, follow=True)
    assert "请说明原因" in text_of(empty)
    done = client.post("/portal/track/case/evaluate/unit/",
                       {"unit-value": "unsatisfied", "unit-reason": "诉求未得到解决"}, follow=True)  # fmt: skip
    html = text_of(done)
    assert "评价已提交" in html and "您已评价：<strong>不满意</strong>" in html
    assert "第三十五条" in html and 'href="#appeal"' in html
    again = client.post("/portal/track/case/evaluate/unit/", {"unit-value": "satisfied"}, follow=True)
    assert "只能评价一次" in text_of(again) or "/evaluate/unit/" not in text_of(again)
    assert reg.matter.evaluations.get().reason == "诉求未得到解决"


def test_unrated_after_the_window_shows_overdue(client, units, people, time_machine):
    reg, code = submitted()
    matter = advance(reg.matter, people, units, *TO_DELIVERED)
    track(client, reg.number, code)
    time_machine.move_to(matter.eval_unit_due + timedelta(days=2))
    track(client, reg.number, code)  # the session ended after 30 idle minutes
    html = text_of(client.get("/portal/track/case/"))
    assert html.count("超期未评价") == 2


def test_review_then_recheck_from_the_tracking_page(client, units, people):
    reg, code = submitted()
    matter = advance(reg.matter, people, units, *TO_DELIVERED)
    track(client, reg.number, code)
    html = text_of(
        client.post("/portal/track/case/appeal/", {"kind": "review", "reason": "不服"}, follow=True)
    )
    assert "复查申请已提交" in html
    matter.refresh_from_db()
    assert matter.state == workflow.UNDER_REVIEW
    matter = advance(matter, people, units, "decide_review")
    html = text_of(client.get("/portal/track/case/"))
    assert "信访事项复查意见书" in html and "申请复核" in html
    html = text_of(client.post("/portal/track/case/appeal/", {"kind": "recheck"}, follow=True))
    assert "复核申请已提交" in html
    matter.refresh_from_db()
    assert matter.state == workflow.UNDER_RECHECK


def test_late_review_request_is_refused_with_the_reason(client, units, people, time_machine):
    reg, code = submitted()
    matter = advance(reg.matter, people, units, *TO_DELIVERED)
    track(client, reg.number, code)
    time_machine.move_to(matter.review_request_due + timedelta(days=1))
    track(client, reg.number, code)  # the session ended after 30 idle minutes
    html = text_of(client.post("/portal/track/case/appeal/", {"kind": "review"}, follow=True))
    assert "已超过复查申请期限" in html and f"{matter.review_request_due:%Y年%m月%d日}" in html
    matter.refresh_from_db()
    assert matter.state == workflow.DELIVERED
    assert AuditEntry.objects.filter(action="portal:request_review", result="denied").exists()


def test_add_information_is_recorded_and_forged_files_refused(client, units, people):
    reg, code = submitted()
    advance(reg.matter, people, units, "forward")
    track(client, reg.number, code)
    html = text_of(client.post("/portal/track/case/information/",
                               {"text": "补充工资条", "attachments": [upload("x.jpg", EXE)]}, follow=True))  # fmt: skip
    assert "不是图片" in html and Attachment.objects.count() == 1
    html = text_of(client.post("/portal/track/case/information/",
                               {"text": "补充工资条", "attachments": [upload("工资条.png", png_bytes())]},
                               follow=True))  # fmt: skip
    assert (
        "补充材料已提交" in html
        and "信访人补充材料" in html
        and "补充工资条" in html
        and "工资条.png" in html
    )
    assert Event.objects.filter(kind="matter:information_added", is_public=True).count() == 1


# --- statistics ---------------------------------------------------------------------------------------


def test_public_statistics_page_and_json_without_personal_data(client, units, people):
    reg, _ = submitted()
    advance(reg.matter, people, units, "forward", "acknowledge", "accept")
    year = reg.registered_at.year
    data = client.get(f"/portal/stats/data.json?year={year}").json()
    assert data["year"] == year and data["by_channel"]["total"] == 1
    assert [c["label"] for c in data["by_channel"]["columns"]] == ["网上信访"]
    assert {r["label"] for r in data["rates"]} >= {
        "及时受理率（信访部门）",
        "按期办结率",
        "参评率（信访部门）",
        "满意率（信访部门）",
    }
    html = text_of(client.get(f"/portal/stats/?year={year}"))
    assert "vendor/echarts.min.js" in html and "<table" in html and "网上信访" in html
    for secret in ("张三", "13912345678", "11010519491231002X", "拖欠工资"):
        assert secret not in html and secret not in str(data)
    assert client.get("/portal/stats/?year=abc").status_code == 200


def test_home_lists_published_leader_reception_days(client, units, clerk, leader):
    from datetime import timedelta

    from xinfang.petitions import programs, services

    soon = services.today() + timedelta(days=7)
    programs.schedule_reception_day(by=clerk, leader=leader, on=soon, place="群众接待中心", topic="征地拆迁")
    programs.schedule_reception_day(by=clerk, leader=leader, on=soon, place="内部安排", publish=False)
    html = client.get("/portal/").content.decode()
    assert "领导接访日安排" in html and "征地拆迁" in html and "县领导" in html
    assert "内部安排" not in html


def test_a_submission_is_not_saved_when_its_audit_row_fails(client, units, monkeypatch):
    """One request, one transaction (issue 14): no petition without its audit row."""

    def failing_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("xinfang.portal.views.log_audit", failing_audit)
    with pytest.raises(RuntimeError):
        client.post("/portal/submit/", form_data(attachments=[upload("证据.png", png_bytes())]))
    assert not Registration.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []  # the file stored before the audit write failed is gone too
    monkeypatch.undo()
    assert client.post("/portal/submit/", form_data()).status_code == 302  # the retry saves it once
    assert Registration.objects.count() == 1


def stored_files(top: str = "") -> list[str]:
    """Every file name in the default storage (uploads land there before their transaction commits)."""
    from django.core.files.storage import default_storage

    try:
        dirs, files = default_storage.listdir(top)
    except FileNotFoundError:  # nothing stored yet
        return []
    return [f"{top}{f}" for f in files] + [n for d in dirs for n in stored_files(f"{top}{d}/")]
