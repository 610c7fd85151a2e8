"""Every .docx the system produces is an A4 公文 laid out per GB/T 9704-2012 (xinfang.core.officialdoc); notices
address one petitioner as 您 and several as 你们, and never double a punctuation mark."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tests import factories
from tests.officialdoc_checks import body_runs, check_layout, check_signature, title_paragraph
from tests.portal.helpers import form_data
from xinfang.core import officialdoc
from xinfang.petitions import documents, programs, services, supervision, workflow
from xinfang.petitions.models import Document, Registration

DOUBLED = re.compile(r"[。，；、][。，；、]")


def test_notice_download_is_a_gbt9704_document(login, in_state, clerk):
    matter = in_state(workflow.ACCEPTED)
    notice = matter.documents.get(kind="acceptance_notice")
    response = login(clerk).get(f"/casework/documents/{notice.pk}.docx")
    doc = check_layout(b"".join(response.streaming_content))
    texts = [p.text for p in doc.paragraphs]
    # 红头, 发文字号 centred under it, then the title, then the addressee with a full-width colon
    number = texts.index(notice.number)
    assert texts.index(notice.issuer.name) < number < texts.index("受理告知书") < texts.index("张三：")
    assert doc.paragraphs[number].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert 'w:color="FF0000"' in doc.paragraphs[number]._p.xml  # the red rule under the 发文字号
    title_paragraph(doc, "受理告知书")
    assert {r.font.size.pt for r in body_runs(doc)} == {16}
    body = doc.paragraphs[texts.index("张三：") + 1]
    assert body.text.startswith("您于") and body.paragraph_format.first_line_indent is not None
    assert check_signature(doc, notice.issuer.name) == officialdoc.document_date(notice.issued_on)


@pytest.mark.parametrize(("names", "head_count", "you"), [
    (["张三"], 1, "您"),
    (["张三", "李四"], 2, "你们"),
    (["张三"], 30, "你们"),  # a collective visit of 30 with one named representative
])  # fmt: skip
def test_notices_address_one_petitioner_as_nin_and_several_as_nimen(people, units, names, head_count, you):
    petitioners = [
        factories.petitioner_input(name=n, id_number="", mobile=f"1391234567{i}") for i, n in enumerate(names)
    ]
    matter = factories.register(
        people["clerk"], petitioners=petitioners, head_count=head_count, is_collective=head_count > 1
    )
    services.decline_matter(matter, by=people["clerk"], reason="leapfrog")
    body = matter.documents.get(kind="non_acceptance_notice").body
    other = "您" if you == "你们" else "你们"
    assert body.startswith(f"{you}于") and "越级走访" in body
    assert other not in body and "您（你们）" not in body


def test_an_extension_reason_ending_in_a_full_stop_is_not_doubled(people, units):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    request = services.request_extension(
        matter, by=people["unit_officer"], days=20, reason="需要调取银行流水。"
    )
    services.decide_extension(request, by=people["unit_head"], approve=True)
    body = matter.documents.get(kind="extension_notice").body
    assert "因需要调取银行流水，经本机关负责人批准" in body and not DOUBLED.search(body)


REASON = "情况复杂，需要进一步调查。"
FACTS = {
    "transfer_slip": {"reason": REASON},
    "assignment_slip": {"reason": REASON, "due": services.today() + timedelta(days=20)},
    "acceptance_notice": {},
    "non_acceptance_notice": {"reason": "您越级走访反映的申诉求决类事项，应当向有权处理的机关提出。"},
    "no_longer_notice": {"terminated_on": services.today(), "original": "XF-1"},
    "extension_notice": {"reason": REASON, "days": 30, "due": services.today() + timedelta(days=90)},
    "handling_opinion": {
        "outcome": "support",
        "opinion": "责令公司支付工资。",
        "basis": "《劳动法》第五十条。",
    },
    "review_opinion": {"outcome": "support", "opinion": "维持原处理意见；", "basis": "《信访工作条例》。"},
    "recheck_opinion": {"outcome": "support", "opinion": "维持复查意见。", "basis": ""},
}


@pytest.mark.parametrize("kind", sorted(workflow.DOCUMENTS))
def test_no_notice_text_doubles_punctuation(people, units, kind):
    assert kind in FACTS, f"{kind}: add its facts here"
    matter = factories.register(people["clerk"])
    facts = dict(FACTS[kind])
    if kind.endswith("_slip"):
        facts["unit"] = units["dept"]
    addressee, body = documents.compose_body(matter, kind, on=services.today(), **facts)
    assert body and not DOUBLED.search(body), body
    assert "您（你们）" not in body


def test_text_helpers():
    assert officialdoc.join_clauses("因病致贫。", "申请救助；", "") == "因病致贫，申请救助。"
    assert officialdoc.sentence("是否同意？") == "是否同意？" and officialdoc.sentence(" 。") == ""
    assert [officialdoc.addressing(n) for n in (0, 1, 2)] == ["您", "您", "你们"]
    assert officialdoc.document_date(services.today().replace(month=1, day=5)).endswith("年1月5日")


def test_supervision_notice_is_a_gbt9704_document(login, people, units, supervisor, unit_officer):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    order = supervision.issue_order(by=supervisor, level="urge", reason="逾期未办结。", unit=units["dept"],
                                    matters=[matter], deadline=services.today() + timedelta(days=10))  # fmt: skip
    response = login(unit_officer).get(f"/casework/supervision/{order.pk}/notice.docx")
    doc = check_layout(response.content)
    texts = [p.text for p in doc.paragraphs]
    title = f"信访事项{order.get_level_display()}通知"
    title_paragraph(doc, title)
    assert texts.index(order.number) < texts.index(title) < texts.index(f"{units['dept'].name}：")
    assert "督办事由：逾期未办结。" in texts and not any(DOUBLED.search(t) for t in texts)
    assert not any(re.search(r"年0\d月|月0\d日", t) for t in texts)  # no leading zeros in dates
    check_signature(doc, services.bureau().name)


def test_fund_case_file_is_a_gbt9704_document(login, case_officer, leader, in_state, units):
    matter = in_state(workflow.INVESTIGATING)
    case = programs.apply_assistance(
        matter, by=case_officer, persons=2, hardship="因病致贫", amount=Decimal("1000")
    )
    finance = factories.make_user("fin1", "finance", unit=units["bureau"], full_name="财务员")
    response = login(finance).get(f"/casework/programs/fund/{case.pk}/file.docx")
    doc = check_layout(response.content)
    title_paragraph(doc, "特殊疑难信访问题专项资金救助卷宗")
    texts = [p.text for p in doc.paragraphs]
    for d in matter.documents.all():  # each document on its own page with its own head and signature
        assert d.number in texts and d.title in texts
    assert sum(1 for p in doc.paragraphs if 'w:type="page"' in p._p.xml) == matter.documents.count()
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0].font.size.pt == 12


def test_portal_receipt_is_a_gbt9704_document(client, units):
    assert client.post("/portal/submit/", form_data()).status_code == 302
    response = client.get("/portal/submit/receipt.docx")
    doc = check_layout(response.content)
    reg = Registration.objects.get()
    title_paragraph(doc, f"{services.bureau().name}网上信访回执")
    assert reg.number in [c.text for row in doc.tables[0].rows for c in row.cells]
    check_signature(doc, services.bureau().name)


def test_every_document_kind_renders(people, units):
    """The renderer takes any issued document (a 复核意见书 with an outside 文号 too)."""
    matter = factories.matter_in_state(workflow.TERMINATED, people=people, units=units)
    for d in Document.objects.filter(matter=matter):
        doc = check_layout(documents.render_docx(d))
        assert d.title in [p.text for p in doc.paragraphs]
        assert doc.paragraphs[-1].text == officialdoc.document_date(d.issued_on)


def test_layout_figures_follow_the_standard():
    doc = Docx(io.BytesIO(officialdoc.to_bytes(officialdoc.new_document(title="标题"))))
    assert doc.paragraphs[0].text == "标题"  # no 红头, no 发文字号: the title first
    # (issuer, date) right indents in characters: the date longer than the issuer, then shorter
    assert officialdoc.signature_indents("茂县信访局", "2026年12月1日") == (5.5, 2.0)
    assert officialdoc.signature_indents("中共茂县县委茂县人民政府信访局", "2026年1月1日") == (2.0, 9.0)
