"""The checker on disclosures with the nine tables, as PDF, Word and Excel, of units other than the seed's
(tests/finance/table_corpus.py): each consistent one has 0 errors; each broken table identity, cross-table
identity, table↔text figure, unit, missing table and unreadable file is found."""

import re
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from xinfang.finance.checker import check_paths
from xinfang.finance.checker.reading import read_document
from xinfang.finance.checker.table_rules import identify

sys.path.insert(0, str(Path(__file__).parent))
import table_corpus as corpus  # noqa: E402

FORMATS = (".pdf", ".docx", ".xlsx")


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def has(findings, rule, *needles):
    return any(
        f.rule == rule and all(n in f.message + f.section + f.excerpt for n in needles) for f in findings
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("corpus")


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("name", sorted(corpus.CORPUS))
def test_consistent_disclosure_has_no_errors(out, name, suffix):
    spec = corpus.CORPUS[name]()
    path = corpus.publish(spec, out / f"{name}{suffix}")
    read = read_document(path)
    assert [identify(t) for t in read.tables] == [f"0{i}" for i in range(1, 10)]
    findings = check_paths([path])
    assert errors(findings) == [], [(f.rule, f.message) for f in errors(findings)]
    assert not has(findings, "TABLE-SET")


def edit(table_list, number, label, col, value):
    """The tables with one cell changed: in table `number`, the first row holding `label`, column `col`."""
    out = []
    for num, title, rows, note in table_list:
        if num == number:
            rows = [list(r) for r in rows]
            row = next(r for r in rows if label in r)
            row[col] = value
        out.append((num, title, rows, note))
    return out


EDU = corpus.education_2021


TABLE_INJECTIONS = [
    # (id, spec, number, row label, column, new value, rule, needle)
    ("收支总计不平衡", EDU, "01", "年末结转和结余", 3, "15.10", "TABLE-SUM", "总计"),
    ("本年收入合计≠各项", EDU, "01", "五、事业收入", 1, "30.50", "TABLE-SUM", "本年收入合计"),
    ("基本+项目≠合计", EDU, "03", "小学教育", 3, "1,200.45", "TABLE-SUM", "小学教育"),
    ("类≠Σ款", EDU, "05", "教育支出", 3, "1,866.00", "TABLE-SUM", "教育支出"),
    ("款≠Σ项", EDU, "02", "普通教育", 2, "1,499.15", "TABLE-SUM", "普通教育"),
    ("公车小计≠购置+运行", EDU, "07", "公务用车购置及运行维护费", 2, "14.00", "TABLE-SUM", "公务用车购置及运行维护费"),
    ("三公合计≠各项", EDU, "07", "合计", 1, "21.00", "TABLE-SUM", "三公"),
    ("人员经费合计≠各款", EDU, "06", "人员经费合计", 2, "1,617.56", "TABLE-SUM", "人员经费"),
    ("财政拨款合计≠各类拨款", EDU, "04", "教育支出", 4, "1.00", "TABLE-SUM", "教育支出"),
    ("基金年末≠年初+收入-支出", EDU, "08", "彩票公益金安排的支出", 7, "3.00", "TABLE-SUM", "年末结转和结余"),
]  # fmt: skip


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(
    ("make", "number", "label", "col", "value", "rule", "needle"),
    [i[1:] for i in TABLE_INJECTIONS],
    ids=[i[0] for i in TABLE_INJECTIONS],
)
def test_broken_table_identity_found(out, suffix, make, number, label, col, value, rule, needle):
    spec = make()
    table_list = edit(corpus.tables(spec), number, label, col, value)
    path = corpus.publish(spec, out / f"broken{suffix}", table_list=table_list)
    findings = check_paths([path])
    assert has(findings, rule, needle), [(f.rule, f.message) for f in findings if f.severity != "info"]


def test_cross_table_difference_found(out):
    """公开04表 一般公共预算 本年支出 ≠ 公开05表 合计 (X4) when the 05 table's totals are all raised."""
    spec = EDU()
    table_list = corpus.tables(spec)
    raised = []
    for num, title, rows, note in table_list:
        if num == "05":
            rows = [list(r) for r in rows]
            for r in rows:
                if r[1] in ("合计", "教育支出", "普通教育", "小学教育"):
                    r[3] = corpus.money(Decimal(r[3].replace(",", "")) + 10)
                    r[4] = corpus.money(Decimal(r[4].replace(",", "")) + 10)
        raised.append((num, title, rows, note))
    findings = check_paths([corpus.publish(spec, out / "cross.pdf", table_list=raised)])
    assert has(findings, "TABLE-X", "公开04表", "公开05表")
    assert not has(findings, "TABLE-SUM", "公开05表")  # the 05 table itself still adds up


TEXT_INJECTIONS = [
    # (id, old text, new text, rule, needle)
    ("三公接待费", "公务接待费6.50万元", "公务接待费6.80万元", "TABLE-TEXT", "公务接待费"),
    ("人员经费", "人员经费1,607.56万元", "人员经费1,706.56万元", "TABLE-TEXT", "人员经费"),
    ("本年支出合计", "本年支出合计2,132.70万元", "本年支出合计2,123.70万元", "TABLE-TEXT", "本年支出合计"),
    ("类支出", "住房保障支出60.74万元", "住房保障支出67.04万元", "TABLE-TEXT", "住房保障支出"),
    ("财政拨款总计", "财政拨款收入支出总计", "财政拨款收入支出总计1", "TABLE-TEXT", "财政拨款收入支出总计"),
    ("单位元写作万元", "公用经费200.44万元", "公用经费200.44元", "TABLE-UNIT", "公用经费"),
]


@pytest.mark.parametrize(
    ("old", "new", "rule", "needle"), [i[1:] for i in TEXT_INJECTIONS], ids=[i[0] for i in TEXT_INJECTIONS]
)
def test_text_figure_against_table_found(out, old, new, rule, needle):
    spec = EDU()
    body = corpus.text(spec)
    assert old in body
    path = corpus.publish(spec, out / "text.pdf", body=body.replace(old, new, 1))
    findings = check_paths([path])
    assert has(findings, rule, needle), [(f.rule, f.message) for f in findings if f.severity != "info"]


def test_text_in_wan_yuan_against_tables_in_yuan(out):
    """The health commission's tables are in 元 and its text in 万元: a figure off by 0.01万元 is found, the
    rounded ones are not."""
    spec = corpus.health_2020()
    body = corpus.text(spec)
    assert "公务接待费1.25万元" in body
    findings = check_paths(
        [
            corpus.publish(
                spec, out / "health.docx", body=body.replace("公务接待费1.25万元", "公务接待费1.26万元")
            )
        ]
    )
    assert has(findings, "TABLE-TEXT", "公务接待费", "12456.78元")
    assert [f.message for f in errors(findings)] == [f.message for f in findings if f.rule == "TABLE-TEXT"]


def test_missing_table_and_unexplained_empty_table(out):
    spec = replace(EDU(), lines=[ln for ln in EDU().lines if not ln.fund])
    table_list = [t for t in corpus.tables(spec) if t[0] != "09"]
    table_list = [(n, ti, r, "" if n == "08" else note) for n, ti, r, note in table_list]
    findings = check_paths([corpus.publish(spec, out / "missing.pdf", table_list=table_list)])
    assert has(findings, "TABLE-SET", "国有资本经营预算财政拨款支出决算表")
    assert has(findings, "TABLE-EMPTY", "政府性基金")


def test_table_year_and_provincial_titles(out):
    """Provincial variants map to the standard tables; a table headed with another year is found."""
    spec = EDU()
    renamed = {
        "01": "部门收支决算总表",
        "04": "财政拨款收入支出决算表",
        "05": "一般公共预算财政拨款收入支出决算表",
        "07": "2020年度一般公共预算财政拨款“三公”经费支出决算表",
    }
    table_list = [(n, renamed.get(n, t), r, note) for n, t, r, note in corpus.tables(spec)]
    findings = check_paths([corpus.publish(spec, out / "variants.docx", table_list=table_list)])
    assert not has(findings, "TABLE-SET")
    assert has(findings, "TABLE-YEAR", "2020", "2021")


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "Word"),
        ("broken.xlsx", b"not a workbook", "Excel"),
        ("scan.pdf", None, "扫描件"),
        ("notes.doc", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
    ],
)
def test_unreadable_file_is_one_finding(tmp_path, name, data, needle):
    path = tmp_path / name
    if data is None:  # a PDF with no text layer
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.rect(10, 10, 50, 50)
        pdf.output(str(path))
    else:
        path.write_bytes(data)
    findings = check_paths([path])
    assert [(f.rule, f.severity) for f in findings] == [("READ", "error")]
    assert needle in findings[0].message


@pytest.fixture(scope="module")
def demo_built(tmp_path_factory, django_db_setup, django_db_blocker):
    from django.core.management import call_command

    from xinfang.finance.demo import load_finance_demo
    from xinfang.finance.models import BudgetUnit, FinalAccounts
    from xinfang.finance.narrative import build_blocks
    from xinfang.finance.queries import disclosure_data
    from xinfang.finance.render.xlsx import build_tables

    out = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock():
        load_finance_demo()
        call_command("build_disclosure", "--year", "2019", "--out", str(out))
        data = disclosure_data(FinalAccounts.objects.get(year=2019))
        yield out, data, build_blocks(data), build_tables(data)
        BudgetUnit.objects.all().delete()


@pytest.mark.django_db  # makes pytest-django create the test database that the module fixture fills
def test_demo_disclosure_docx_with_its_tables_checks_clean(demo_built):
    out, *_ = demo_built
    findings = check_paths([out / "report.docx", out / "tables.xlsx"])
    assert errors(findings) == [], [(f.rule, f.message) for f in errors(findings)]
    assert not any(f.rule.startswith("TABLE") and f.severity != "info" for f in findings)


@pytest.mark.django_db
def test_demo_disclosure_as_pdf_checks_clean_and_a_changed_cell_is_found(demo_built, tmp_path):
    """The demo's report and its tables from our own renderer, published as one PDF."""
    _, data, blocks, tables = demo_built
    body = "\n".join(b.text for b in blocks if b.kind not in ("table", "image"))
    table_list = [
        (t.number[2:4], t.title, [list(t.header)] + [[cell(v) for v in r] for r in t.rows], t.note)
        for t in tables
    ]
    path = corpus.write_pdf(tmp_path / "demo.pdf", body, table_list, money="万元")
    findings = check_paths([path])
    assert errors(findings) == [], [(f.rule, f.message) for f in errors(findings)]
    t5 = next(t for t in table_list if t[0] == "05")
    row = next(r for r in t5[2] if r[1] == "合计")
    row[4] = cell(Decimal(row[4]) + 1)  # 基本支出 of the 合计 row
    findings = check_paths([corpus.write_pdf(tmp_path / "demo_broken.pdf", body, table_list, money="万元")])
    assert has(findings, "TABLE-SUM", "合计")


def cell(v):
    return "" if v is None else f"{v:.2f}" if isinstance(v, Decimal) else str(v)


# --- no table crashes the table rules ---------------------------------------------------------------------

CELL_WORDS = ["合计", "总计", "本年收入合计", "本年支出合计", "年初结转和结余", "年末结转和结余", "基本支出", "项目支出",
              "人员经费合计", "公用经费合计", "预算数", "决算数", "公务接待费", "公务用车购置及运行维护费", "小计", "类",
              "款", "项", "科目编码", "栏次", "201", "20101", "2010101", "30101", "一、事业收入", "其中：", "", "-"]  # fmt: skip


def random_cells():
    from hypothesis import strategies as st

    number = st.decimals(-(10**9), 10**9, places=2, allow_nan=False, allow_infinity=False).map(
        lambda d: f"{d:,}"
    )
    return st.sampled_from(CELL_WORDS) | number | st.text(max_size=6)


def test_random_tables_never_crash_the_table_rules():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from xinfang.finance.checker.reading import Table
    from xinfang.finance.checker.table_rules import STANDARD, check_tables

    grid = st.lists(st.lists(random_cells(), min_size=1, max_size=9), min_size=1, max_size=8)
    table = st.builds(
        Table,
        title=st.sampled_from([*STANDARD.values(), "", "项目支出决算表", "2020年度收入决算表"]),
        rows=grid,
        unit=st.sampled_from(["", "元", "万元", "亿元"]),
        exact=st.booleans(),
    )

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(table, max_size=10), st.text(max_size=200))
    def run(tables, text):
        findings = check_tables(tables, text + "公务接待费1.50万元，人员经费3万元。", year=2021)
        assert all(f.message and f.severity in ("error", "warning", "info") for f in findings)
        assert not any("无法识别" in f.message for f in findings), [f.message for f in findings]

    run()


# --- 公开05表 by 项 ↔ “一般公共预算财政拨款支出决算具体情况”; shares of a table total ---------------------


def detail_body(spec, *, skip: str = "", amounts: dict | None = None, rates: dict | None = None) -> str:
    """The corpus text with the section that explains every 一般公共预算 项 of 公开05表 (Sichuan wording:
    类（类）款（款）项（项）: 支出决算为X，完成预算Y%), one 项 left out or printed otherwise on request."""
    amounts, rates = amounts or {}, rates or {}
    lines = ["（三）一般公共预算财政拨款支出决算具体情况"]
    for i, ln in enumerate((ln for ln in spec.lines if ln.gpb and ln.code != skip), 1):
        rate = rates.get(ln.code, corpus.money(ln.gpb * 100 / ln.budget) if ln.budget else "")
        done = f"，完成预算{rate}%" if rate else ""
        lines.append(
            f"{i}.{corpus.CLASS_NAMES[ln.code[:3]]}（类）{spec.kuan_names[ln.code[:5]]}（款）{ln.name}（项）: "
            f"支出决算为{amounts.get(ln.code, corpus.in_text(spec, ln.gpb))}{done}。"
        )
    body = corpus.text(spec).split("\n")
    at = next(i for i, line in enumerate(body) if line.startswith("六、"))
    return "\n".join(body[:at] + lines + body[at:])


@pytest.mark.parametrize("name", sorted(corpus.CORPUS))
def test_every_item_of_table_05_explained_in_the_text(out, name):
    spec = corpus.CORPUS[name]()
    findings = check_paths([corpus.publish(spec, out / f"detail_{name}.pdf", body=detail_body(spec))])
    assert errors(findings) == [], [(f.rule, f.message) for f in errors(findings)]
    assert not has(findings, "TABLE-ITEM")


def test_item_missing_amount_differing_or_wrong_completion_found(out):
    spec = EDU()
    bare = check_paths([corpus.publish(spec, out / "detail_none.pdf")])
    assert has(bare, "TABLE-ITEM", "具体情况") and not errors(bare)  # no section: a warning, not an error
    skipped = check_paths(
        [corpus.publish(spec, out / "detail_skip.pdf", body=detail_body(spec, skip="2101101"))]
    )
    assert [(f.severity, f.excerpt) for f in skipped if f.rule == "TABLE-ITEM"] == [("warning", "2101101")]
    changed = detail_body(spec, amounts={"2050202": "1,289.45万元"})  # 1,298.45 in the table
    findings = check_paths([corpus.publish(spec, out / "detail_amount.pdf", body=changed)])
    assert has(findings, "TABLE-ITEM", "2050202 小学教育", "1289.45万元", "1298.45万元")
    assert [f.severity for f in findings if f.rule == "TABLE-ITEM"] == ["error"]
    rate = detail_body(spec, rates={"2050101": "100.00"})  # 412.36 / 400.00 = 103.09 %
    findings = check_paths([corpus.publish(spec, out / "detail_rate.docx", body=rate)])
    assert has(findings, "TABLE-ITEM", "2050101 行政运行", "完成预算100.00%", "103.09%")


def test_share_of_a_table_total_checked_against_the_table(out):
    """“X，占本年支出合计的p%” when the text itself does not state 本年支出合计: p against 公开03表."""
    spec = EDU()
    body = re.sub(r"本年支出合计[\d,.]+万元，", "", corpus.text(spec))
    assert "本年支出合计" not in body
    right = body + "\n八、其他\n住房公积金60.74万元，占本年支出合计的2.85%。"  # 60.74 / 2,132.70
    findings = check_paths([corpus.publish(spec, out / "share_right.pdf", body=right)])
    assert not has(findings, "TABLE-SHARE") and errors(findings) == []
    wrong = right.replace("2.85%", "3.85%")
    findings = check_paths([corpus.publish(spec, out / "share_wrong.pdf", body=wrong)])
    assert has(findings, "TABLE-SHARE", "本年支出合计", "2132.70", "2.85%", "3.85%")


@pytest.mark.django_db
def test_demo_item_explanation_changed_is_found(demo_built, tmp_path):
    _, data, blocks, tables = demo_built
    body = "\n".join(b.text for b in blocks if b.kind not in ("table", "image"))
    table_list = [
        (t.number[2:4], t.title, [list(t.header)] + [[cell(v) for v in r] for r in t.rows], t.note)
        for t in tables
    ]
    item = next(ln for ln in body.split("\n") if "（项）" in ln and "支出决算为" in ln)
    amount = re.search(r"支出决算为([\d.]+)万元", item).group(1)
    changed = body.replace(item, item.replace(f"为{amount}万元", f"为{Decimal(amount) + 1}万元"))
    findings = check_paths([corpus.write_pdf(tmp_path / "demo_item.pdf", changed, table_list, money="万元")])
    assert [f.severity for f in findings if f.rule == "TABLE-ITEM"] == ["error"]


# --- old-style .xls (xlrd): the education workbook converted by LibreOffice (make_corpus_files.py) ----------


def test_xls_workbook_reads_as_the_xlsx(out):
    xls = Path(__file__).parent / "fixtures" / "education_2021.xls"
    xlsx = corpus.publish(EDU(), out / "education_2021.xlsx")
    assert [identify(t) for t in read_document(xls).tables] == [f"0{i}" for i in range(1, 10)]
    from_xls, from_xlsx = check_paths([xls]), check_paths([xlsx])
    assert errors(from_xls) == []
    assert sorted((f.rule, f.severity, f.message) for f in from_xls) == sorted(
        (f.rule, f.severity, f.message) for f in from_xlsx
    )


def test_broken_cell_found_in_an_xls(out, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("libreoffice"):
        pytest.skip("libreoffice is not installed")
    spec = EDU()
    broken = corpus.publish(
        spec, tmp_path / "broken.xlsx", table_list=edit(corpus.tables(spec), "03", "小学教育", 3, "1,200.45")
    )
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(broken)],
        check=True,
        capture_output=True,
    )
    assert has(check_paths([tmp_path / "broken.xls"]), "TABLE-SUM", "小学教育")
