"""The matter page: access, masking of personal data and its audit, timeline, documents."""

import io

import docx
import pytest

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import workflow
from xinfang.petitions.models import Document, Event, Matter

FULL_ID = "11010519491231002X"
MASKED_ID = "1101**********002X"


def url(matter):
    return f"/casework/matters/{matter.number}/"


def snapshot(matter):
    m = Matter.objects.get(pk=matter.pk)
    return (m.state, m.version, Event.objects.filter(matter=m).count())


def test_matter_page_masks_personal_data_and_logs_the_view(login, clerk):
    matter = factories.register(clerk)
    response = login(clerk).get(url(matter))
    html = response.content.decode()
    assert response.status_code == 200
    assert matter.number in html and "已登记待分流" in html
    assert FULL_ID not in html and "13912345678" not in html
    assert MASKED_ID in html and "139****5678" in html
    assert "显示完整证件号码和电话" in html
    entry = AuditEntry.objects.get(action="matter:view")
    assert entry.user == clerk and entry.object_id == str(matter.pk) and entry.result == "success"
    assert not AuditEntry.objects.filter(action="petitioner:view_full").exists()


def test_full_personal_data_for_permitted_user_is_logged(login, clerk):
    matter = factories.register(clerk)
    html = login(clerk).get(url(matter), {"full": "1"}).content.decode()
    assert FULL_ID in html and "13912345678" in html
    entry = AuditEntry.objects.get(action="petitioner:view_full")
    assert entry.user == clerk and entry.result == "success" and entry.object_id == str(matter.pk)
    assert AuditEntry.objects.filter(action="matter:view", user=clerk).count() == 1


def test_unit_officer_sees_masked_data_only(login, in_state, unit_officer):
    matter = in_state(workflow.FORWARDED)
    html = login(unit_officer).get(url(matter)).content.decode()
    assert "显示完整证件号码和电话" not in html and FULL_ID not in html and MASKED_ID in html
    response = login(unit_officer).get(url(matter), {"full": "1"})
    assert response.status_code == 403 and FULL_ID not in response.content.decode()
    assert AuditEntry.objects.get(action="petitioner:view_full").result == "denied"


@pytest.mark.parametrize("who", ["other_unit_officer", "admin_user"])
def test_matter_page_refused_as_not_found_and_nothing_changes(request, login, in_state, who):
    """A matter the user may not see answers the same 404 as a number that does not exist (条例第三十条第三款:
    with sequential numbers, a different answer would tell the accused that a matter exists)."""
    matter = in_state(workflow.FORWARDED)
    before = snapshot(matter)
    client = login(request.getfixturevalue(who))
    response = client.get(url(matter))
    html = response.content.decode()
    missing = client.get("/casework/matters/XF0000/")
    assert response.status_code == missing.status_code == 404
    assert html == missing.content.decode().replace("XF0000", matter.number)
    assert matter.title not in html and FULL_ID not in html and MASKED_ID not in html
    assert snapshot(matter) == before
    assert AuditEntry.objects.get(action="matter:view").result == "denied"


def test_unknown_matter_is_404(login, clerk, units):
    assert login(clerk).get("/casework/matters/XF0000/").status_code == 404


def test_page_shows_dates_clock_badge_and_actions(login, in_state, unit_officer):
    matter = in_state(workflow.ACCEPTED)
    html = login(unit_officer).get(url(matter)).content.decode()
    assert "办理：剩" in html and 'class="badge ok"' in html
    for label in ("转送交办日期", "受理告知期限", "异议截止日期", "办理期限", matter.handle_due.isoformat()):
        assert label in html
    # the unit's available actions, each a form posting to its endpoint with the page's version
    for action in ("channel", "investigate", "reply"):
        assert f'action="/casework/matters/{matter.number}/act/{action}/"' in html
    assert f'name="version" value="{matter.version}"' in html
    assert "/act/forward/" not in html  # not available to a unit officer in this state
    # handler and recusal forms for the handling unit's staff
    assert "/act/assign_handler/" in html and "/act/recusal/" in html


def test_timeline_labels_actors_and_document_links(login, in_state, clerk):
    matter = in_state(workflow.DELIVERED)
    html = login(clerk).get(url(matter)).content.decode()
    timeline = html[html.index('id="timeline"') :]
    for label in ("登记", "转送", "签收", "受理并书面告知", "开始调查核实", "出具处理意见书", "送达"):
        assert f'<span class="what">{label}</span>' in timeline
    assert "经办人丙" in timeline and "茂县人力资源和社会保障局" in timeline
    for doc in matter.documents.all():
        assert f'href="/casework/documents/{doc.pk}.docx"' in html


def test_document_download_is_docx_with_chinese_filename(login, in_state, clerk):
    matter = in_state(workflow.ACCEPTED)
    doc = matter.documents.get(kind="acceptance_notice")
    response = login(clerk).get(f"/casework/documents/{doc.pk}.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "%E5%8F%97%E7%90%86%E5%91%8A%E7%9F%A5%E4%B9%A6" in disposition  # 受理告知书
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs
    )
    assert "受理告知书" in text and doc.number in text
    entry = AuditEntry.objects.get(action="document:download")
    assert entry.user == clerk and entry.object_id == str(doc.pk)


def test_document_download_refused_to_other_unit(login, in_state, other_unit_officer):
    matter = in_state(workflow.ACCEPTED)
    doc = matter.documents.first()
    response = login(other_unit_officer).get(f"/casework/documents/{doc.pk}.docx")
    assert response.status_code == 404 and doc.number not in response.content.decode()
    assert AuditEntry.objects.get(action="document:download").result == "denied"


def test_document_download_unknown_is_404(login, clerk, units):
    assert not Document.objects.exists()
    assert login(clerk).get("/casework/documents/999.docx").status_code == 404
