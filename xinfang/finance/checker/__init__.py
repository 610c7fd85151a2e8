"""The disclosure checker: pure rules returning structured findings."""

import re
from pathlib import Path

from xinfang.finance.checker.document import parse
from xinfang.finance.checker.findings import ERROR, INFO, WARNING, Finding, sort_findings
from xinfang.finance.checker.reading import Unreadable, read_document
from xinfang.finance.checker.table_rules import check_tables
from xinfang.finance.checker.text_rules import check_document
from xinfang.finance.classification import LAST_YEAR

__all__ = ["ERROR", "INFO", "WARNING", "Finding", "check_path", "check_paths", "check_text"]


TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年度?\s*(?:部门|单位)?决算")
REPORT_YEAR = re.compile(r"((?:19|20)\d\d)\s*年度")
ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


def guess_year(text: str) -> int:
    """The report year: the year the title names (“2022年度部门决算”), else the most frequent “X年度”, else
    the most frequent “X年”."""
    for rx in (TITLE_YEAR, REPORT_YEAR, ANY_YEAR):
        years = [int(y) for y in rx.findall(text)]
        if years:
            return max(set(years), key=lambda y: (years.count(y), y))
    return LAST_YEAR  # the text names no year at all: no year rule applies, names are checked against the latest list


def check_text(text: str, *, year: int | None = None) -> list[Finding]:
    doc = parse(text)
    return sort_findings(check_document(doc, year=year or guess_year(text)))


def check_path(path: str | Path, *, year: int | None = None) -> list[Finding]:
    return check_paths([path], year=year)


def check_paths(paths: list[str | Path], *, year: int | None = None) -> list[Finding]:
    """One disclosure published as one or more files (a PDF and its tables as .xls, say): the text rules on
    their text, the table rules on their tables. A file that cannot be read is one finding."""
    texts, tables = [], []
    for path in paths:
        try:
            read = read_document(path)
        except Unreadable as exc:
            return [Finding("READ", ERROR, str(exc), "文件", Path(path).name)]
        texts.append(read.text)
        tables.extend(read.tables)
    text = "\n".join(texts)
    year = year or guess_year(text + "\n" + "\n".join(t.title + t.note for t in tables))
    findings = check_document(parse(text), year=year) if text.strip() else []
    return sort_findings(findings + check_tables(tables, text, year=year))
