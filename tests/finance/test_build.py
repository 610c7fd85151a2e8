"""Build the 2019 disclosure from the demo facts, re-read it and compare every figure with the seed."""

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from xinfang.finance.checker import check_path
from xinfang.finance.checker.fact_rules import check_facts
from xinfang.finance.demo import load_finance_demo
from xinfang.finance.models import BudgetUnit, FinalAccounts
from xinfang.finance.queries import disclosure_data
from xinfang.finance.render.xlsx import build_tables
from xinfang.finance.review import check_accounts

FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|%|名|个|辆|批次|人次|分)")
# published figures the checker flags as wrong: the ledger holds the consistent value instead
FLAGGED = {("317.42", "万元"), ("274.26", "万元"), ("4.4", "%"), ("6.4", "%"), ("10", "名")}


def figures(text: str) -> set[tuple[Decimal, str]]:
    return {(Decimal(n).normalize(), u) for n, u in FIGURE.findall(text)}


@pytest.fixture(scope="module")
def built(tmp_path_factory, django_db_setup, django_db_blocker):
    out = tmp_path_factory.mktemp("disclosure")
    with django_db_blocker.unblock():
        load_finance_demo()
        call_command("build_disclosure", "--year", "2019", "--out", str(out))
        data = disclosure_data(FinalAccounts.objects.get(year=2019))
        yield out, data
        BudgetUnit.objects.all().delete()


def docx_text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_files_written(built):
    out, _ = built
    for name in ("report.docx", "report.html", "tables.xlsx"):
        assert (out / name).stat().st_size > 1000
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert charts == ["general_budget.png", "structure.png", "three_public.png"]
    assert (out / "charts" / "structure.png").read_bytes()[:4] == b"\x89PNG"


def test_report_reproduces_every_seed_figure(built, seed_text):
    out, _ = built
    text = docx_text(out / "report.docx")
    seed = seed_text.split("一般公共预算拨款数")[0]  # the chart data at the end has no units
    wanted = {(Decimal(n).normalize(), u) for n, u in FIGURE.findall(seed) if (n, u) not in FLAGGED}
    missing = wanted - figures(text)
    assert not missing, sorted(missing)
    for corrected in ("基本支出317.41万元", "人员经费274.25万元", "占4.3%", "占6.3%", "行政人员11名"):
        assert corrected in text
    assert "第一部分 部门概况" in text and "第四部分 附件" in text
    order = [text.index(h) for h in ("第一部分", "第二部分", "第三部分 名词解释", "第四部分 附件")]
    assert order == sorted(order)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "charts/structure.png" in html and "382.31" in html


def test_tables_reread_with_identities(built):
    out, data = built
    wb = load_workbook(out / "tables.xlsx")
    assert len(wb.sheetnames) == 13  # Sichuan set
    t1 = wb["公开01表"]
    rows = {r[0]: r[1] for r in t1.iter_rows(min_row=4, values_only=True) if r[0]}
    right = {r[2]: r[3] for r in t1.iter_rows(min_row=4, values_only=True) if r[2]}
    assert rows["本年收入合计"] == pytest.approx(382.31) == right["本年支出合计"]
    assert right["一般公共服务支出"] == pytest.approx(302.75) and right["住房保障支出"] == pytest.approx(
        24.01
    )
    t3 = [r for r in wb["公开03表"].iter_rows(min_row=4, values_only=True)]
    for _code, _name, total, basic, project, *_ in t3:
        assert total == pytest.approx(basic + project)
    assert t3[0][2:5] == pytest.approx((382.31, 317.41, 64.9))
    t5 = {r[0]: r[3] for r in wb["公开05表"].iter_rows(min_row=4, values_only=True)}
    seed_classes = {"201": 302.75, "204": 2, "208": 36.58, "210": 16.57, "213": 0.4, "221": 24.01}
    assert {k: t5[k] for k in seed_classes} == pytest.approx(seed_classes)
    assert t5["2010301"] == pytest.approx(173.67) and t5["2080505"] == pytest.approx(25.03)
    t6 = {r[1]: r[2] for r in wb["公开06表"].iter_rows(min_row=4, values_only=True)}
    assert (t6["人员经费合计"], t6["公用经费合计"], t6["基本支出合计"]) == pytest.approx(
        (274.25, 43.16, 317.41)
    )
    t7 = {r[0]: r[2] for r in wb["公开07表"].iter_rows(min_row=4, values_only=True)}
    assert (t7["合计"], t7["公务用车购置及运行维护费小计"], t7["公务接待费"]) == pytest.approx(
        (5.07, 3.22, 1.85)
    )
    for sheet in ("公开08表", "公开09表"):
        assert any("本表无数据" in str(r[0]) for r in wb[sheet].iter_rows(values_only=True))


def test_national_template_has_nine_tables(built):
    _, data = built
    tables = build_tables(replace(data, region="national"))
    assert [t.number for t in tables] == [f"公开0{i}表" for i in range(1, 10)]


def test_built_report_passes_checker(built):
    out, _ = built
    findings = check_path(out / "report.docx")
    assert [f for f in findings if f.severity != "info"] == []


@pytest.mark.django_db
def test_database_check_passes_on_demo_and_finds_broken_facts():
    accounts = load_finance_demo()
    assert [f for f in check_accounts(accounts) if f.severity != "info"] == []
    accounts.reason_operating = ""
    accounts.procurement_sme = Decimal("30")
    accounts.save()
    accounts.economic_items.filter(code="30101").update(amount=Decimal("61.12"))
    rules = {f.rule for f in check_accounts(accounts) if f.severity != "info"}
    assert {"REASON", "PROC", "PERS"} <= rules


def test_fact_rules_pass_and_fail(built):
    _, data = built
    assert [f for f in check_facts(data) if f.severity != "info"] == []
    broken = replace(data, operating_cost=Decimal("50"), vehicles_bought=1)
    assert {"JGYX", "XREF"} <= {f.rule for f in check_facts(broken)}


def finance_rows() -> dict:
    """Every row of every finance model, ordered by id."""
    return {
        m.__name__: list(m.objects.order_by("pk").values())
        for m in apps.get_app_config("finance").get_models()
    }


@pytest.mark.django_db
def test_demo_load_is_idempotent():
    load_finance_demo()
    before = finance_rows()
    with CaptureQueriesContext(connection) as queries:
        load_finance_demo()
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert finance_rows() == before  # same rows, same ids
    assert FinalAccounts.objects.count() == 1
    accounts = FinalAccounts.objects.get()
    assert accounts.projects.count() == 3 and accounts.expenditures.count() == 13
    assert accounts.budget_unit.unit is None  # no casework unit in this database


@pytest.mark.django_db
def test_demo_load_restores_edited_rows_in_place():
    accounts = load_finance_demo()
    ids = finance_rows()
    project = accounts.projects.get(order=1)
    project.indicators.filter(order=1).update(actual_text="改过")
    accounts.expenditures.filter(code="2010301").update(basic=Decimal("1"))
    accounts.vehicles.create(kind="leader", count=1)
    load_finance_demo()
    assert finance_rows() == ids


def test_without_casework_the_stored_text_is_used(built):
    _, data = built
    assert data.casework is None and data.casework_changes == []
    assert data.sources == {
        "achievements": "stored",
        "indicators:信访视频会议系统技术服务费": "stored",
        "indicators:特殊疑难信访问题专项资金": "stored",
        "indicators:信访维稳工作经费": "stored",
    }


def test_report_docx_is_laid_out_as_an_official_document(built):
    """The disclosure report on A4 per GB/T 9704-2012: title 2号小标宋, headings 黑体/楷体, text 3号仿宋, tables and
    charts single-spaced (an exact line height would crop a chart)."""
    from docx.enum.text import WD_LINE_SPACING

    from tests.officialdoc_checks import check_layout, east_asia, title_paragraph

    out, _ = built
    doc = check_layout((out / "report.docx").read_bytes())
    title_paragraph(doc, doc.paragraphs[0].text)
    fonts = {east_asia(r._r) for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert {"方正小标宋简体", "黑体", "仿宋_GB2312"} <= fonts
    pictures = [p for p in doc.paragraphs if "<w:drawing>" in p._p.xml]
    assert pictures and all(p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE for p in pictures)
