"""Files live in the storage, local or S3 (issue 13): every test runs on a local directory and on a real S3
server (SeaweedFS, tests/storage/conftest.py). A citizen's upload lands in the storage; staff who may see the
matter download the same bytes through the application, nobody else gets them; the bucket refuses anonymous
reads; a notice's .docx is stored at its first download and served from the storage after; the finance build's
status and files are kept there too."""

import io
import zipfile
from pathlib import PurePosixPath

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.portal.helpers import TO_DELIVERED, advance, form_data, png_bytes
from xinfang.core import files
from xinfang.finance import jobs
from xinfang.finance.build import write_disclosure
from xinfang.petitions import citizens, documents, workflow
from xinfang.petitions.models import Attachment, Document, Registration

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def submit_with_photo(client, photo: bytes) -> Attachment:
    upload = SimpleUploadedFile("现场照片.png", photo, content_type="image/png")
    assert client.post("/portal/submit/", form_data(attachments=[upload])).status_code == 302
    return Attachment.objects.get(registration=Registration.objects.latest("pk"))


def test_a_portal_upload_lands_in_the_storage_and_only_those_who_may_see_the_matter_get_it(
    backend, client, units, people, other_unit_officer, login
):
    photo = png_bytes()
    att = submit_with_photo(client, photo)
    assert att.file.name.startswith("attachments/") and backend.stored(att.file.name) == photo
    matter = advance(att.matter, people, units, "forward")  # now the county 人社局's (units["dept"])
    url = f"/casework/matters/{matter.number}/attachments/{att.pk}/download/"

    client.logout()
    anonymous = client.get(url)  # the staff side: to the login page, never the file
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client.get(f"/portal/track/case/files/{att.pk}/").status_code == 404  # no tracking session

    for user in (people["clerk"], people["unit_officer"]):
        response = login(user).get(url)
        assert response.status_code == 200 and body(response) == photo
        assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]
    refused = login(other_unit_officer).get(url)  # a township's officer: as if it did not exist
    assert refused.status_code == 404 and not refused.streaming


@pytest.mark.parametrize("backend", ["s3"], indirect=True)  # a local directory is not served at all
def test_the_bucket_refuses_anonymous_reads(backend, client, units):
    att = submit_with_photo(client, png_bytes())
    assert backend.anonymous_status(att.file.name) == 403
    assert backend.anonymous_status("") == 403  # nor may anyone list the bucket


def test_the_same_photo_twice_is_two_objects_and_removing_one_keeps_the_other(backend, client, units):
    """No overwriting: a failed transaction removes what it stored, and must never take another upload's file."""
    photo = png_bytes()
    first, second = submit_with_photo(client, photo), submit_with_photo(client, photo)
    assert first.file.name != second.file.name
    default_storage.delete(second.file.name)
    assert backend.stored(first.file.name) == photo and backend.stored(second.file.name) is None


def test_a_submission_that_fails_after_storing_files_leaves_none(backend, units, monkeypatch):
    """Nothing half-saved: the second attachment's row fails after both files went to the storage."""
    saves = []
    original = Attachment.save

    def second_fails(self, *args, **kwargs):
        saves.append(self.file.name)
        if len(saves) == 2:
            raise RuntimeError("数据库故障")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", second_fails)
    uploads = [citizens.Upload("a.png", png_bytes()), citizens.Upload("b.pdf", b"%PDF-1.4\n%%EOF\n")]
    with pytest.raises(RuntimeError):
        citizens.submit_online(factories.petition_input(), uploads=uploads)
    assert len(saves) == 2 and not Attachment.objects.exists() and backend.names() == []


def test_a_notice_is_stored_at_its_first_download_and_served_from_the_storage(
    backend, in_state, clerk, login, monkeypatch
):
    matter = in_state(workflow.ACCEPTED)
    notice = matter.documents.get(kind="acceptance_notice")
    name = documents.stored_name(notice)
    assert backend.stored(name) is None  # issuing renders nothing
    first = login(clerk).get(f"/casework/documents/{notice.pk}.docx")
    assert first.status_code == 200 and first["Content-Type"] == DOCX
    content = body(first)
    assert backend.stored(name) == content and backend.names() == [name]
    assert notice.number in zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()

    def no_rendering(document):
        raise AssertionError("rendered again")

    monkeypatch.setattr(documents, "render_docx", no_rendering)
    assert body(login(clerk).get(f"/casework/documents/{notice.pk}.docx")) == content
    response = login(clerk).get(f"/api/documents/{notice.pk}.docx")  # the API: the same file (ADR 0003)
    assert response.status_code == 200 and body(response) == content


def test_the_petitioner_downloads_the_stored_reply(backend, client, units, people):
    from tests.portal.helpers import submitted, track

    registration, code = submitted()
    advance(registration.matter, people, units, *TO_DELIVERED)
    reply = Document.objects.get(matter=registration.matter, kind="handling_opinion")
    assert track(client, registration.number, code).status_code == 302
    response = client.get(f"/portal/track/case/documents/{reply.pk}/")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert backend.stored(documents.stored_name(reply)) == body(response)


def test_a_restored_row_never_gets_another_documents_file(backend, in_state):
    """The stored name carries a digest of what the file is made of: other text, other file."""
    notice = in_state(workflow.ACCEPTED).documents.get(kind="acceptance_notice")
    with documents.stored_docx(notice) as f:
        assert f.read()[:2] == b"PK"
    notice.body += "（更正）"
    assert documents.stored_name(notice) != documents.stored_name(Document.objects.get(pk=notice.pk))


def test_build_status_is_replaced_in_place(backend):
    jobs.write_status("7-abc", state="running", step=1, total=5)
    jobs.write_status("7-abc", state="done", step=5, total=5, files=["report.docx"])
    assert jobs.read_status("7-abc") == {"state": "done", "step": 5, "total": 5, "files": ["report.docx"]}
    assert backend.names() == ["finance/builds/7-abc/status.json"]  # no second name, no temporary file left
    assert jobs.read_status("8-none") is None
    with pytest.raises(ValueError):
        jobs.job_dir("../etc")


def test_a_build_stores_its_files_and_the_page_downloads_them(backend, db, login, units):
    from xinfang.finance.demo import load_finance_demo
    from xinfang.finance.queries import disclosure_data

    accounts = load_finance_demo()
    job = f"{accounts.pk}-0123abcd"
    built = write_disclosure(disclosure_data(accounts), out_dir=jobs.job_dir(job) / "out")
    stored = sorted(str(p.relative_to(built.out_dir)) for p in built.files)
    assert {"report.docx", "report.html", "tables.xlsx", "charts/structure.png"} <= set(stored)
    assert all(isinstance(p, PurePosixPath) for p in built.files)
    assert backend.names() == sorted(f"finance/builds/{job}/out/{n}" for n in stored)
    jobs.write_status(job, state="done", step=5, total=5, files=stored, unit_name="茂县信访局", year=2019)
    finance = factories.make_user("fin1", "finance", unit=units["bureau"], full_name="财务员")
    response = login(finance).get(f"/finance/builds/{job}/files/tables.xlsx")
    assert response.status_code == 200
    assert body(response) == backend.stored(f"finance/builds/{job}/out/tables.xlsx")
    assert login(finance).get(f"/finance/builds/{job}/files/status.json").status_code == 404


def test_replace_writes_exactly_the_name(backend):
    files.replace("a/b.json", b"1")
    files.replace("a/b.json", b"22")
    assert backend.names() == ["a/b.json"] and backend.stored("a/b.json") == b"22"
