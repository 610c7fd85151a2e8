"""The disclosure checker: pure rules returning structured findings."""

import re
from pathlib import Path

from xinfang.finance.checker.document import parse, read_path
from xinfang.finance.checker.findings import ERROR, INFO, WARNING, Finding, sort_findings
from xinfang.finance.checker.text_rules import check_document

__all__ = ["ERROR", "INFO", "WARNING", "Finding", "check_path", "check_text"]


def guess_year(text: str) -> int:
    years = re.findall(r"(20\d\d)年度?部门决算|(20\d\d)年度", text)
    flat = [int(a or b) for a, b in years]
    return max(set(flat), key=flat.count) if flat else 2019


def check_text(text: str, *, year: int | None = None) -> list[Finding]:
    doc = parse(text)
    return sort_findings(check_document(doc, year=year or guess_year(text)))


def check_path(path: str | Path, *, year: int | None = None) -> list[Finding]:
    return check_text(read_path(path), year=year)
