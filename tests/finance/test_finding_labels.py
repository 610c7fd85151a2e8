"""Finance pages in Chinese: rule names instead of rule ids, severities 错误/警告/提示, progress labels, and built
files downloaded under the unit's name and year (RFC 5987 filename*)."""

import ast
import re
from pathlib import Path
from urllib.parse import quote

from xinfang.finance import jobs, views
from xinfang.finance.checker import findings
from xinfang.finance.checker.findings import Finding
from xinfang.finance.demo import load_finance_demo

CHECKER = Path(findings.__file__).parent
RULE_ID = re.compile(r"[A-Z][A-Z0-9]+(-[A-Z0-9]+)?")


def rule_ids() -> set[str]:
    ids = set()
    for path in CHECKER.glob("*.py"):
        if path.name == "findings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and RULE_ID.fullmatch(node.value)
            ):
                ids.add(node.value)
    return ids - {"ERROR", "WARNING", "INFO"}


def test_every_rule_has_a_chinese_name():
    ids = rule_ids()
    assert {"INDICATOR", "SUM", "ROUND", "HEADING", "NAME-OFFICIAL"} <= ids
    assert sorted(ids - set(findings.RULE_NAMES)) == []
    assert Finding("INDICATOR", findings.INFO, "…").rule_name == "绩效指标完成情况"
    assert [Finding("X", s, "").severity_label for s in (findings.ERROR, findings.WARNING, findings.INFO)] == [
        "错误", "警告", "提示"]  # fmt: skip


def test_detail_page_shows_rule_names_and_levels(finance_client, accounts, monkeypatch):
    shown = [Finding("INDICATOR", findings.INFO, "数量指标未完成，正文已说明", "六、绩效", "完成90%")]
    monkeypatch.setattr(views, "check_accounts", lambda a: shown)
    html = finance_client.get(f"/finance/{accounts.pk}/").content.decode()
    table = html[html.index('id="check-h"') :]
    assert "<td>绩效指标完成情况</td>" in table and ">提示</span>" in table
    assert "INDICATOR" not in table and ">info<" not in table


def test_build_files_download_under_unit_and_year(finance_client, accounts, monkeypatch):
    page = finance_client.post(f"/finance/{accounts.pk}/build/").content.decode()
    unit, year = accounts.budget_unit.name, accounts.year
    assert f"{unit}_{year}年部门决算.docx" in page and f"{unit}_{year}年部门决算公开表.xlsx" in page
    assert "生成 report" not in page
    job = page.split("/finance/builds/")[1].split("/")[0]
    response = finance_client.get(f"/finance/builds/{job}/files/report.docx")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(f'{unit}_{year}年部门决算.docx')}" in disposition
    assert (
        jobs.download_name("report.docx", unit_name="茂县信访局", year=2019)
        == "茂县信访局_2019年部门决算.docx"
    )


def test_progress_labels_are_chinese(tmp_path, db):
    from xinfang.finance.build import write_disclosure
    from xinfang.finance.queries import disclosure_data

    labels = []
    write_disclosure(disclosure_data(load_finance_demo()), out_dir=tmp_path,
                     progress=lambda step, total, label: labels.append(label))  # fmt: skip
    assert labels and all(re.search(r"[\u4e00-\u9fff]", x) and ".docx" not in x for x in labels)
