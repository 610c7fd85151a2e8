"""The statutory reports on the demo history: the annual report of 条例第四十一条 for 2019 states the figures of
`xinfang work_statistics --year 2019`, is an A4 GB/T 9704 公文 and its tables open; the monthly/quarterly tables
add up; only the bureau's report roles may download them."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document as Docx
from openpyxl import load_workbook

from tests.officialdoc_checks import check_layout, check_signature, title_paragraph
from xinfang.analytics import reports
from xinfang.analytics.kpis import Period
from xinfang.analytics.work_statistics import summary_lines, work_statistics

pytestmark = pytest.mark.usefixtures("demo_history")


def sheet_rows(content: bytes, title: str) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[title[:31].replace("/", "、")]
    rows = list(ws.iter_rows(values_only=True))
    return rows[[r[0] for r in rows].index(title) + 2 :]  # after the title and the header


def test_annual_report_2019_equals_work_statistics(db, tmp_path):
    out = StringIO()
    call_command("work_statistics", "--year", "2019", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    call_command("annual_report", "--year", "2019", "--out", str(tmp_path), stdout=StringIO())

    doc = check_layout((tmp_path / "report.docx").read_bytes())
    stats = work_statistics(2019)
    r = reports.annual_report(2019)
    title_paragraph(doc, r.title)
    assert r.title == "茂县信访局关于2019年度信访工作情况的报告"
    check_signature(doc, "茂县信访局")
    text = [p.text for p in doc.paragraphs]
    for line in summary_lines(stats):  # the words of `work_statistics`, figure for figure
        assert line in text
    assert "办理网上信访128件次" in "".join(text) and "群众接待中心接待群众来访109批、334人次" in "".join(
        text
    )
    for heading in ("一、信访事项的数据统计", "二、涉及领域以及被投诉较多的机关、单位", "三、转送、交办、督办情况",
                    "四、改进工作、完善政策、追究责任的建议及采纳情况"):  # fmt: skip
        assert heading in text
    # the figures table of the docx and the first sheet of tables.xlsx carry the JSON's numbers
    docx_rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in doc.tables[0].rows[1:]}
    xlsx_rows = {
        row[0]: row[1:3] for row in sheet_rows((tmp_path / "tables.xlsx").read_bytes(), "年度工作统计")
    }
    for name, label in reports.WORK_FIGURES:
        v = figures[name]
        expected = [v["batches"], v["persons"]] if isinstance(v, dict) else [v, None]
        assert list(xlsx_rows[label]) == expected, label
        assert docx_rows[label] == ["" if e is None else str(e) for e in expected], label
    # the most complained-about units: the league's largest, in order
    counts = [u.registered for u in r.units]
    assert counts == sorted(counts, reverse=True) and 0 < len(counts) <= reports.MOST_COMPLAINED
    assert r.units[0].label in "".join(c.text for c in doc.tables[1].columns[0].cells)


def test_periodic_report_quarter_adds_up(db, tmp_path):
    path = tmp_path / "q.xlsx"
    call_command("periodic_report", "--period", "2019Q1", "--out", str(path), stdout=StringIO())
    content = path.read_bytes()
    wb = load_workbook(io.BytesIO(content))
    assert len(wb.sheetnames) == 9 and wb.worksheets[0]["B1"].value == "2019-01-01 至 2019-03-31"
    channels = sheet_rows(content, "信访形式（件次/批次、人次）")
    classes = sheet_rows(content, "内容分类（件次、人次）")
    overview = {row[0]: row[1] for row in sheet_rows(content, "信访总量")}
    total = sum(row[1] for row in channels)
    assert total > 0 and total == sum(row[1] for row in classes) == overview["信访总量（件次）"]
    assert sum(row[2] for row in channels) == overview["信访总量（人次）"]
    months = [reports.periodic_tables(Period.month(2019, m))[0] for m in (1, 2, 3)]
    assert sum(sum(c[1].value for c in t.rows) for t in months) == total  # three months make the quarter
    triage = dict(sheet_rows(content, "信访部门分流（转送、交办等）"))
    assert set(triage) >= {"转送", "交办", "不予受理"} and sum(triage.values()) > 0


def test_periodic_report_as_an_official_document(db, tmp_path):
    """The same nine tables as the .xlsx, on A4 in the official layout, to print and send up."""
    path = tmp_path / "q.docx"
    call_command("periodic_report", "--period", "2019Q1", "--out", str(path), stdout=StringIO())
    content = path.read_bytes()
    check_layout(content)
    doc = Docx(io.BytesIO(content))
    tables = reports.periodic_tables(reports.parse_period("2019Q1"))
    assert len(doc.tables) == len(tables) == 9
    text = "\n".join(p.text for p in doc.paragraphs)
    title_paragraph(doc, f"{reports._bureau_name()}2019年第一季度信访工作统计报表")
    for t, table in zip(tables, doc.tables, strict=True):
        assert t.title in text
        assert [c.text for c in table.rows[0].cells] == [c[0] for c in t.columns]
        assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
            ["" if v is None else str(v) for v in row] for row in t.values()
        ]
    with pytest.raises(CommandError, match="扩展名应为 .xlsx 或 .docx"):
        call_command("periodic_report", "--period", "2019Q1", "--out", str(tmp_path / "q.pdf"))


@pytest.mark.parametrize(
    "text, start, end",
    [("2019-03", "2019-03-01", "2019-03-31"), ("2019q4", "2019-10-01", "2019-12-31"),
     ("2020", "2020-01-01", "2020-12-31")],
)  # fmt: skip
def test_parse_period(text, start, end):
    p = reports.parse_period(text)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


def test_bad_period_is_refused_in_chinese(db):
    with pytest.raises(CommandError, match="统计期间“2019-13”格式不正确"):
        call_command("periodic_report", "--period", "2019-13", "--out", "/nonexistent/x.xlsx")


def test_downloads_by_role(db, login):
    from xinfang.accounts.models import User

    officer, unit_officer = User.objects.get(username="banan"), User.objects.get(username="renshe")
    client = login(unit_officer)
    assert client.get("/analytics/reports/").status_code == 403
    assert client.get("/analytics/reports/annual/2019/report.docx").status_code == 403
    client = login(officer)
    page = client.get("/analytics/reports/?period=2019Q1")
    assert page.status_code == 200 and "/analytics/reports/period/2019Q1.xlsx" in page.content.decode()
    assert client.get("/analytics/reports/?period=19Q5").status_code == 400
    assert "/analytics/reports/period/2019Q1.docx" in page.content.decode()
    printed = client.get("/analytics/reports/period/2019Q1.docx")
    assert printed.status_code == 200 and len(Docx(io.BytesIO(printed.content)).tables) == 9
    xlsx = client.get("/analytics/reports/period/2019Q1.xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).sheetnames
    docx = client.get("/analytics/reports/annual/2019/report.docx")
    assert docx.status_code == 200 and Docx(io.BytesIO(docx.content)).paragraphs
    assert client.get("/analytics/reports/annual/2019/other.txt").status_code == 404
