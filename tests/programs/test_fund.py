"""The special assistance fund (专项资金救助, 一案一卷), through HTTP."""

import io
from decimal import Decimal

import pytest
from docx import Document as Docx

from tests.programs.helpers import text
from xinfang.petitions import programs, services, workflow
from xinfang.petitions.models import AssistanceCase


@pytest.fixture
def case(case_officer, in_state):
    matter = in_state(workflow.INVESTIGATING)
    return programs.apply_assistance(
        matter, by=case_officer, persons=2, hardship="因病致贫", amount=Decimal("50000")
    )


def _state(case):
    case.refresh_from_db()
    return case.status, case.amount_approved, case.amount_paid


def test_case_officer_applies_on_the_matter_page(login, case_officer, in_state):
    matter = in_state(workflow.INVESTIGATING)
    r = login(case_officer).post(f"/casework/programs/matters/{matter.number}/",
                                 {"do": "assistance", "persons": "2", "hardship": "长期患病，无劳动能力",
                                  "amount": "30000"})  # fmt: skip
    case = AssistanceCase.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/casework/programs/fund/{case.pk}/"
    assert (case.matter, case.persons, case.amount_requested, case.status) == (
        matter,
        2,
        Decimal("30000"),
        "applied",
    )


def test_payment_before_approval_is_refused_in_chinese(login, case_officer, case):
    r = login(case_officer).post(f"/casework/programs/fund/{case.pk}/",
                                 {"do": "pay", "paid_on": services.today().isoformat(), "amount": "1000"})  # fmt: skip
    assert (
        r.status_code == 200 and "只有已批准的申请才能拨付。" in text(r) and 'id="error-summary"' in text(r)
    )
    assert _state(case) == ("applied", None, None)


@pytest.mark.parametrize("who", ["unit_officer", "case_officer", "clerk"])
def test_only_a_leader_approves_fund_money(request, login, who, case):
    user = request.getfixturevalue(who)
    r = login(user).post(
        f"/casework/programs/fund/{case.pk}/", {"do": "decide", "approve": "1", "amount": "40000"}
    )
    assert r.status_code == 403
    assert _state(case) == ("applied", None, None)


def test_approval_payment_totals_and_case_file(login, leader, finance, case):
    r = login(leader).post(f"/casework/programs/fund/{case.pk}/",
                           {"do": "decide", "approve": "1", "amount": "40000", "note": "同意救助"})  # fmt: skip
    assert r.status_code == 302 and _state(case) == ("approved", Decimal("40000"), None)
    r = login(finance).post(f"/casework/programs/fund/{case.pk}/", {"do": "pay", "paid_on": services.today(),
                            "amount": "40001"})  # fmt: skip
    assert "拨付金额不能超过批准金额。" in text(r) and _state(case)[0] == "approved"
    r = login(finance).post(f"/casework/programs/fund/{case.pk}/", {"do": "pay", "paid_on": services.today(),
                            "amount": "40000", "stopped_petitioning": "on"})  # fmt: skip
    assert r.status_code == 302 and _state(case) == ("paid", Decimal("40000"), Decimal("40000"))
    page = text(login(finance).get("/casework/programs/fund/"))
    year = services.today().year
    row = page.split(f'<th scope="row">{year}</th>')[1].split("</tr>")[0]
    assert [c.split(">")[1].split("<")[0] for c in row.split("<td")[1:]] == [
        "1",
        "2",
        "50000.00",
        "1",
        "40000.00",
        "1",
    ]
    r = login(finance).get(f"/casework/programs/fund/{case.pk}/file.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Docx(io.BytesIO(r.content))
    assert case.number in "\n".join(p.text for p in doc.paragraphs)
    assert "同意救助" in "\n".join(c.text for row in doc.tables[0].rows for c in row.cells)


def test_rejected_application_cannot_be_paid(login, leader, case_officer, case):
    login(leader).post(
        f"/casework/programs/fund/{case.pk}/", {"do": "decide", "approve": "0", "note": "不符合条件"}
    )
    assert _state(case) == ("rejected", None, None)
    r = login(case_officer).post(f"/casework/programs/fund/{case.pk}/", {"do": "pay", "paid_on": services.today(),
                                 "amount": "100"})  # fmt: skip
    assert "只有已批准的申请才能拨付。" in text(r) and _state(case)[0] == "rejected"


def test_unit_officer_cannot_read_the_fund(login, unit_officer, case):
    assert login(unit_officer).get("/casework/programs/fund/").status_code == 403
    assert login(unit_officer).get(f"/casework/programs/fund/{case.pk}/file.docx").status_code == 403
