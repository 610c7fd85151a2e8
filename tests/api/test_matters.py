import io
import zipfile

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import workflow
from xinfang.petitions.models import Document

ID = "11010519491231002X"


def test_detail_shows_dates_clock_timeline_documents_and_actions(api_as, people, units, unit_officer):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    out = api_as(unit_officer).get(f"/matters/{matter.number}").json()
    assert out["number"] == matter.number and out["version"] == matter.version
    assert out["state_label"] == "已受理" and out["handling_unit"] == {
        "code": "513223RSJ",
        "name": units["dept"].name,
    }
    assert out["dates"]["accepted_on"] == matter.accepted_on.isoformat()
    assert out["dates"]["handle_due"] == matter.handle_due.isoformat()
    assert (
        out["clock"]["code"] == "HANDLE"
        and out["clock"]["status"] == "ok"
        and out["clock"]["text"].startswith("办理")
    )
    assert out["flags"]["is_confidential"] is False
    assert [e["label"] for e in out["timeline"]] == ["登记", "转送", "签收", "受理并书面告知"]
    assert out["registered_at"].endswith("+08:00")
    kinds = [d["kind"] for d in out["documents"]]
    assert kinds == ["transfer_slip", "acceptance_notice"]
    assert out["documents"][1]["download_url"] == f"/api/documents/{out['documents'][1]['id']}.docx"
    codes = {a["action"]: a["url"] for a in out["available_actions"]}
    assert set(codes) == {"channel", "investigate", "reply"}  # 延期 only once requested (extension-requests)
    assert codes["investigate"] == f"/api/matters/{matter.number}/investigate"


def test_petitioners_are_masked_by_default_and_every_read_is_audited(api_as, clerk):
    matter = factories.register(clerk)
    out = api_as(clerk).get(f"/matters/{matter.number}").json()
    person = out["registrations"][0]["petitioners"][0]
    assert person["masked"] is True and person["id_number"] == "1101**********002X"
    assert person["mobile"] != "13912345678" and person["name"] == "张三"
    entry = AuditEntry.objects.get(action="matter:view")
    assert entry.user == clerk and entry.object_id == str(matter.pk) and entry.result == "success"
    assert not AuditEntry.objects.filter(action="petitioner:view_full").exists()


def test_full_personal_data_for_permitted_roles_is_logged(api_as, clerk):
    matter = factories.register(clerk)
    out = api_as(clerk).get(f"/matters/{matter.number}", full=1).json()
    person = out["registrations"][0]["petitioners"][0]
    assert person["masked"] is False and person["id_number"] == ID and person["mobile"] == "13912345678"
    entry = AuditEntry.objects.get(action="petitioner:view_full")
    assert entry.user == clerk and entry.result == "success" and entry.object_id == str(matter.pk)
    assert AuditEntry.objects.filter(action="matter:view").count() == 1


def test_full_personal_data_is_refused_without_permission(api_as, people, units, unit_officer):
    matter = factories.matter_in_state(workflow.FORWARDED, people=people, units=units)
    response = api_as(unit_officer).get(f"/matters/{matter.number}", full="true")
    assert response.status_code == 403 and "完整" in response.json()["detail"]
    assert ID not in response.content.decode()
    assert AuditEntry.objects.get(action="petitioner:view_full").result == "denied"
    assert not AuditEntry.objects.filter(action="matter:view").exists()


def _whistleblower_matter(clerk, units):
    """检举控告 against the township, forwarded to the department."""
    matter = factories.register(clerk, purpose="02", accused_unit=units["township"].code, title="举报镇干部")
    assert matter.is_confidential
    from xinfang.petitions import services

    return services.forward_matter(matter, by=clerk, unit=units["dept"])


def test_whistleblower_matter_is_404_for_the_accused_unit(
    api_as, clerk, supervisor, units, other_unit_officer
):
    matter = _whistleblower_matter(clerk, units)
    # the accused township's officer, even one who supervises the whole county
    inspector = factories.make_user("unit3", "unit_officer", "supervisor", unit=units["township"])
    unknown = api_as(inspector).get("/matters/XF0000000000")
    for user in (other_unit_officer, inspector):
        response = api_as(user).get(f"/matters/{matter.number}")
        assert response.status_code == 404
        assert response.json() == {"detail": f"未找到信访事项“{matter.number}”，或您无权查看。"}
        assert unknown.status_code == 404
        doc = matter.documents.get()
        assert api_as(user).get(f"/documents/{doc.pk}.docx").status_code == 404
        listed = api_as(user).get("/worklist", queue="false").json()
        assert matter.number not in [i["number"] for i in listed["items"]]
    assert not AuditEntry.objects.filter(action="matter:view").exists()
    # a supervisor of another unit does see it
    assert api_as(supervisor).get(f"/matters/{matter.number}").status_code == 200


def test_document_download(api_as, people, units, unit_officer):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    doc = Document.objects.get(matter=matter, kind="acceptance_notice")
    response = api_as(unit_officer).get(f"/documents/{doc.pk}.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    xml = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("word/document.xml").decode()
    assert doc.number in xml and "受理告知书" in xml
    assert AuditEntry.objects.filter(action="document:download", object_id=str(doc.pk)).count() == 1


def test_unknown_document_is_404(api_as, clerk):
    assert api_as(clerk).get("/documents/999999.docx").status_code == 404
