"""Scans at every staff intake (issue 12): the leader reception day, the video reception and the conversion of a
dispute take the materials handed over, as the letter registration does — the same checks by content, the
same audit row, nothing half-saved. Through HTTP."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.casework.test_attachments_and_receipts import PDF, PNG
from tests.programs.helpers import intake, text
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import programs, services
from xinfang.petitions.models import Attachment, Matter, Registration

NOW = factories.aware(2026, 3, 10, 10, 30)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=["reception", "video", "dispute"])
def page(request, clerk, leader, unit_officer, units):
    """(url, POST data without files, the channel registered) of each intake page of the programmes."""
    if request.param == "reception":
        day = programs.schedule_reception_day(
            by=clerk, leader=leader, on=services.today(), place="群众接待中心"
        )
        return f"/casework/programs/reception/{day.pk}/", intake("record", outcome="resolved"), "visit"
    if request.param == "video":
        session = programs.schedule_video_session(by=clerk, township=units["township"], at=NOW)
        return f"/casework/programs/video/{session.pk}/", intake("record"), "video"
    dispute = programs.register_dispute(by=unit_officer, found_on=date(2026, 3, 1), parties="甲村、乙村",
                                        kind="土地边界", summary="林地边界争议", township=units["township"],
                                        risk="high")  # fmt: skip
    return f"/casework/programs/disputes/{dispute.pk}/convert/", intake("convert", channel="letter"), "letter"


def files(*names_and_contents):
    return [SimpleUploadedFile(name, content) for name, content in names_and_contents]


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_the_form_takes_files(login, clerk, page):
    url, _data, _channel = page
    html = text(login(clerk).get(url))
    form = html.split('enctype="multipart/form-data"', 1)[1].split("</form>", 1)[0]
    assert 'type="file" name="attachments"' in form and "仅限 JPG、PNG 图片或 PDF 文件" in form


def test_scans_are_registered_with_the_petition_and_audited(login, clerk, page):
    url, data, channel = page
    response = login(clerk).post(url, {**data, "attachments": files(("材料1.png", PNG), ("材料2.pdf", PDF))})
    assert response.status_code == 302 and response["Location"] == "/casework/register/done/", text(response)
    registration = Registration.objects.get()
    assert registration.channel == channel
    saved = Attachment.objects.filter(registration=registration).order_by("original_name")
    assert [(a.original_name, a.file.read()) for a in saved] == [("材料1.png", PNG), ("材料2.pdf", PDF)]
    assert all(a.matter_id == registration.matter_id and a.uploaded_by == clerk and not a.from_petitioner
               for a in saved)  # fmt: skip
    assert AuditEntry.objects.filter(action="registration:create", object_id=str(registration.pk), user=clerk)
    html = text(login(clerk).get(f"/casework/matters/{registration.matter.number}/"))
    assert "材料1.png" in html.split('id="h-attachments"', 1)[1]


def test_a_refused_file_saves_nothing_and_says_why_next_to_the_field(login, clerk, page, settings):
    url, data, _channel = page
    response = login(clerk).post(
        url, {**data, "attachments": files(("材料.pdf", PDF), ("病毒.pdf", b"MZ\x90\x00 not a pdf"))}
    )
    assert response.status_code == 200
    html = text(response)
    scans = html.split('id="scans"', 1)[1].split("</fieldset>", 1)[0]
    assert "“病毒.pdf”不是图片（JPG/PNG）或 PDF 文件，已拒绝。" in scans
    assert "已选择的文件也未保存：请重新选择文件。" in scans
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert (
        '<a href="#id_attachments">扫描件和材料：“病毒.pdf”不是图片（JPG/PNG）或 PDF 文件，已拒绝。</a>'
        in summary
    )
    assert (
        not Registration.objects.exists() and not Matter.objects.exists() and not Attachment.objects.exists()
    )
    assert not stored_files(settings)


def test_too_many_files_are_refused_by_the_form(login, clerk, page):
    url, data, _channel = page
    response = login(clerk).post(url, {**data, "attachments": files(*[(f"{i}.pdf", PDF) for i in range(6)])})
    assert response.status_code == 200 and not Registration.objects.exists()
    assert "最多" in text(response).split('id="scans"', 1)[1].split("</fieldset>", 1)[0]


def test_the_scans_are_removed_when_the_audit_row_fails(login, clerk, page, settings, monkeypatch):
    """The registration, its scans and its audit row: all or nothing (citizens.removing_on_failure)."""

    def failing_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("xinfang.casework.programs.views.log_audit", failing_audit)
    url, data, _channel = page
    with pytest.raises(RuntimeError):
        login(clerk).post(url, {**data, "attachments": files(("材料.pdf", PDF))})
    assert not Registration.objects.exists() and not Attachment.objects.exists()
    assert not stored_files(settings)


def test_a_refusal_by_the_service_keeps_nothing_of_the_files(login, clerk, leader, settings):
    """A reception on another day is refused after the files were read: no registration, no stored file."""
    day = programs.schedule_reception_day(by=clerk, leader=leader, on=services.today(), place="群众接待中心")
    data = intake("record", outcome="resolved", at=NOW - timedelta(days=1))
    response = login(clerk).post(f"/casework/programs/reception/{day.pk}/",
                                 {**data, "attachments": files(("材料.pdf", PDF))})  # fmt: skip
    assert response.status_code == 200 and "来访日期须为该领导接访日。" in text(response)
    assert not Registration.objects.exists() and not stored_files(settings)
