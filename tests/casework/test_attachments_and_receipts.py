"""Evidence reaches the staff who handle it, and every registration gets a receipt and a 查询码 (issue 12).

Attachments (the petitioner's online uploads and 补充材料, the clerk's scans at intake) are listed on the
matter page with a preview served inline and a download, each audited; a matter the user may not see answers
404. Registering a letter issues a 查询码 (shown once, only a hash stored) that works on the portal, a 登记回执
.docx with the numbers, and an SMS through the sender interface; acceptance sends one too."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Docx

from tests import factories
from tests.casework.test_intake import intake
from xinfang.accounts.models import AuditEntry
from xinfang.core.notify import MemorySender
from xinfang.petitions import citizens, services
from xinfang.petitions.models import Attachment, Matter, Registration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def outbox(settings):
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    MemorySender.outbox = []
    return MemorySender.outbox


@pytest.fixture
def submitted(units):
    """An online petition with a photo and a PDF, then a PDF added later as 补充材料, registered by nobody yet."""
    data = factories.petition_input(channel=Registration.Channel.ONLINE)
    registration, _code = citizens.submit_online(
        data, uploads=[citizens.Upload("现场照片.png", PNG), citizens.Upload("合同.pdf", PDF)]
    )
    citizens.add_information(
        registration.matter, text="补充工资条。", uploads=[citizens.Upload("工资条.pdf", PDF)]
    )
    return registration.matter


def test_the_citizens_attachments_are_listed_on_the_matter_page(login, clerk, submitted):
    html = login(clerk).get(f"/casework/matters/{submitted.number}/").content.decode()
    section = html.split('id="h-attachments"', 1)[1]
    for att in Attachment.objects.filter(matter=submitted):
        assert att.original_name in section
        assert f"/casework/matters/{submitted.number}/attachments/{att.pk}/download/" in section
    photo = Attachment.objects.get(matter=submitted, original_name="现场照片.png")
    contract = Attachment.objects.get(matter=submitted, original_name="合同.pdf")
    # previews load only when opened (static/casework/preview.js): the page itself fetches no file
    assert f'<img data-src="/casework/matters/{submitted.number}/attachments/{photo.pk}/"' in section
    assert f'<iframe data-src="/casework/matters/{submitted.number}/attachments/{contract.pk}/"' in section
    assert ' src="/casework/matters/' not in section
    assert "信访人补充材料" in section and "信访人网上提交" in section


def test_preview_is_inline_and_download_is_an_attachment_both_audited(login, clerk, submitted):
    client = login(clerk)
    att = Attachment.objects.get(matter=submitted, original_name="合同.pdf")
    url = f"/casework/matters/{submitted.number}/attachments/{att.pk}/"
    preview = client.get(url)
    assert preview.status_code == 200
    assert b"".join(preview.streaming_content) == PDF
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    download = client.get(url + "download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    rows = AuditEntry.objects.filter(object_type="petitions.Attachment", object_id=str(att.pk), user=clerk)
    assert sorted(rows.values_list("action", "result")) == [
        ("attachment:download", "success"),
        ("attachment:view", "success"),
    ]


def test_an_attachment_of_a_hidden_matter_answers_404_and_the_refusal_is_audited(
    login, units, clerk, unit_officer
):
    """检举控告 of the officer's own unit: the officer never sees its evidence, as for one that does not exist."""
    data = factories.petition_input(
        purpose="02", accused_unit=units["dept"].code, title="检举某局违规发放补贴"
    )
    registration, _code = citizens.register_incoming(
        data, by=clerk, uploads=[citizens.Upload("证据.pdf", PDF)]
    )
    matter = registration.matter
    assert matter.is_confidential
    att = Attachment.objects.get(matter=matter)
    client = login(unit_officer)
    for url in (f"/casework/matters/{matter.number}/attachments/{att.pk}/",
                f"/casework/matters/{matter.number}/attachments/{att.pk}/download/"):  # fmt: skip
        assert client.get(url).status_code == 404
    other = factories.register(clerk)
    assert (
        client.get(f"/casework/matters/{other.number}/attachments/{att.pk}/").status_code == 404
    )  # not its matter
    denied = AuditEntry.objects.filter(user=unit_officer, result="denied", object_id=str(matter.pk))
    assert sorted(denied.values_list("action", flat=True)) == ["attachment:download", "attachment:view"]
    assert not AuditEntry.objects.filter(
        user=unit_officer, result="success", action__startswith="attachment:"
    )


def test_clerk_registers_a_letter_with_its_scans(login, clerk):
    files = [SimpleUploadedFile("来信第1页.png", PNG, "image/png"),
             SimpleUploadedFile("来信第2页.pdf", PDF, "application/pdf")]  # fmt: skip
    response = login(clerk).post("/casework/register/letter/", {**intake(), "attachments": files})
    assert response.status_code == 302 and response["Location"] == "/casework/register/done/"
    registration = Registration.objects.get()
    saved = Attachment.objects.filter(registration=registration).order_by("original_name")
    assert [a.original_name for a in saved] == ["来信第1页.png", "来信第2页.pdf"]
    assert all(a.uploaded_by == clerk and not a.from_petitioner for a in saved)
    assert [a.file.read() for a in saved] == [PNG, PDF]
    html = login(clerk).get(f"/casework/matters/{registration.matter.number}/").content.decode()
    assert "来信第1页.png" in html and "登记时上传（来信）" in html


def test_a_refused_scan_saves_nothing(login, clerk, settings):
    files = [SimpleUploadedFile("来信.pdf", PDF, "application/pdf"),
             SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")]  # fmt: skip
    response = login(clerk).post("/casework/register/letter/", {**intake(), "attachments": files})
    assert response.status_code == 200
    assert "“病毒.pdf”不是图片（JPG/PNG）或 PDF 文件，已拒绝。" in response.content.decode()
    assert (
        not Registration.objects.exists() and not Matter.objects.exists() and not Attachment.objects.exists()
    )
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_a_failure_after_the_files_were_stored_removes_them(clerk, settings, monkeypatch):
    """Nothing half-saved: when the transaction fails after the files went to storage, they are removed."""

    def boom(*args, **kwargs):
        raise RuntimeError("短信模块故障")

    monkeypatch.setattr("xinfang.petitions.sms.send_registration", boom)
    with pytest.raises(RuntimeError):
        citizens.register_incoming(
            factories.petition_input(), by=clerk, uploads=[citizens.Upload("a.pdf", PDF)]
        )
    assert not Registration.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_scans_are_removed_when_the_audit_row_of_the_registration_fails(login, clerk, settings, monkeypatch):
    """The view's transaction (registration + audit row) is the one that decides whether the scans stay."""

    def failing_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("xinfang.casework.views.log_audit", failing_audit)
    with pytest.raises(RuntimeError):
        login(clerk).post(
            "/casework/register/letter/", {**intake(), "attachments": [SimpleUploadedFile("来信.pdf", PDF)]}
        )
    assert not Registration.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_letter_gets_a_query_code_a_receipt_and_an_sms(
    login, client, clerk, outbox, django_capture_on_commit_callbacks
):
    staff = login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post("/casework/register/letter/", intake())
    registration = Registration.objects.get()
    matter = registration.matter
    page = staff.get("/casework/register/done/").content.decode()
    code = page.split('id="query-code"><strong>', 1)[1].split("<", 1)[0]
    assert len(code) == 12 and registration.number in page
    assert code not in staff.get("/casework/register/done/").content.decode()  # shown once
    registration.refresh_from_db()
    assert registration.query_code_hash and code not in registration.query_code_hash
    # the SMS: numbers and code, nothing about the content
    assert [to for to, _text in outbox] == ["13912345678"]
    assert registration.number in outbox[0][1] and code in outbox[0][1] and matter.title not in outbox[0][1]
    # the receipt, from the matter page
    assert f"/casework/matters/{matter.number}/registrations/{registration.number}/receipt.docx" in (
        staff.get(f"/casework/matters/{matter.number}/").content.decode()
    )
    response = staff.get(
        f"/casework/matters/{matter.number}/registrations/{registration.number}/receipt.docx"
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    doc = Docx(io.BytesIO(response.content))
    text = "\n".join(
        [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    for expected in (registration.number, matter.number, code, "茂县信访局", "来信", matter.title, "十五日内",
                     "/portal/track/"):  # fmt: skip
        assert expected in text, expected
    assert AuditEntry.objects.filter(action="registration:receipt", object_id=str(registration.pk)).exists()
    # the code works on the portal's tracking page
    client.logout()
    tracked = client.post("/portal/track/", {"number": registration.number, "code": code.lower()})
    assert tracked.status_code == 302 and tracked["Location"] == "/portal/track/case/"
    assert matter.number in client.get("/portal/track/case/").content.decode()


def test_the_receipt_of_another_session_does_not_carry_the_code(login, clerk, case_officer):
    registration, code = citizens.register_incoming(factories.petition_input(), by=clerk)
    url = f"/casework/matters/{registration.matter.number}/registrations/{registration.number}/receipt.docx"
    doc = Docx(io.BytesIO(login(case_officer).get(url).content))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert registration.number in text and code not in text and "不保存查询码原文" in text


def test_acceptance_and_the_reply_reach_the_petitioner_by_sms(
    clerk, units, unit_officer, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration, _code = citizens.register_incoming(factories.petition_input(), by=clerk)
        matter = services.forward_matter(registration.matter, by=clerk, unit=units["dept"])
        matter = services.acknowledge_matter(matter, by=unit_officer)
    assert len(outbox) == 1  # registration only: forwarding and signing are not published milestones by SMS
    with django_capture_on_commit_callbacks(execute=True):
        matter = services.accept_matter(matter, by=unit_officer)
    assert len(outbox) == 2
    to, text = outbox[1]
    assert to == "13912345678" and "已受理" in text and matter.number in text and "满意度评价" in text
    assert matter.title not in text
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_matter(matter, by=unit_officer, outcome=Matter.Outcome.SUPPORT, opinion="予以支付。")
    assert "处理意见书" in outbox[2][1]


def test_an_online_submission_sends_its_code_by_sms(units, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration, code = citizens.submit_online(
            factories.petition_input(channel=Registration.Channel.ONLINE)
        )
    assert (
        outbox == [("13912345678", outbox[0][1])]
        and code in outbox[0][1]
        and registration.number in outbox[0][1]
    )


def test_the_portal_says_where_the_code_of_a_letter_or_visit_comes_from(client, db):
    html = client.get("/portal/track/").content.decode()
    assert "登记回执" in html and "工作人员告知" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_preview_is_fetched_only_when_opened(browser_page, live_server, clerk, submitted):
    from tests.browser import CHROMIUM, IN_CI, login

    if not IN_CI and not CHROMIUM.exists():
        pytest.skip("需要 /usr/bin/chromium")
    page, base = browser_page, live_server.url
    login(page, base, clerk.username)
    page.goto(f"{base}/casework/matters/{submitted.number}/")
    page.wait_for_load_state("networkidle")
    views = AuditEntry.objects.filter(action="attachment:view")
    assert views.count() == 0  # the page itself fetched no file
    with page.expect_response(lambda r: "/attachments/" in r.url) as opened:
        page.locator("details.preview summary").first.click()
    assert opened.value.status == 200
    assert views.count() == 1
