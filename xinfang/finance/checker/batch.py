"""Check every disclosure in a folder (a 财政局 checking each department's file): findings as JSON next to
the files, and a summary workbook with one row per document, counts by severity and a link to its findings.

Files with the same name and different extensions (某局2021年度部门决算.pdf and 某局2021年度部门决算.xls: a
PDF with its tables published as a workbook) are one document.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xinfang.finance.checker import check_paths
from xinfang.finance.checker.findings import ERROR, INFO, WARNING, Finding
from xinfang.finance.checker.reading import SUFFIXES

SUMMARY_NAME = "检查汇总.xlsx"
FINDINGS_SUFFIX = ".findings.json"


@dataclass
class Checked:
    name: str  # the document's name (the files' common stem)
    files: list[str]
    findings: list[Finding]
    json_name: str = ""

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    @property
    def infos(self) -> int:
        return self.count(INFO)


def documents(folder: Path) -> list[list[Path]]:
    """The folder's disclosures, one list of files per document, in name order."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and path.suffix.lower() in SUFFIXES
            and not path.name.startswith((".", "~$"))
            and path.name != SUMMARY_NAME
        ):
            groups.setdefault(path.stem, []).append(path)
    return list(groups.values())


def check_documents(
    groups: list[list[Path]], *, year: int | None = None, progress: Callable[[int, int, Checked], None] = None
) -> list[Checked]:
    results = []
    for i, files in enumerate(groups, start=1):
        checked = Checked(files[0].stem, [f.name for f in files], check_paths(files, year=year))
        results.append(checked)
        if progress:
            progress(i, len(groups), checked)
    return results


def findings_json(checked: Checked) -> dict:
    return {
        "document": checked.name,
        "files": checked.files,
        "counts": {s: checked.count(s) for s in (ERROR, WARNING, INFO)},
        "findings": [f.as_dict() | {"rule_name": f.rule_name} for f in checked.findings],
    }


def write_summary(results: list[Checked], path: Path) -> Path:
    """One row per document: its files, the counts by severity, the first errors and a link to its JSON."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "检查汇总"
    ws.append(["序号", "文件", "错误", "警告", "提示", "主要问题", "检查结果"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, r in enumerate(results, start=1):
        first = "；".join(f.message for f in r.findings if f.severity == ERROR)[:300]
        ws.append(
            [i, "、".join(r.files), r.count(ERROR), r.count(WARNING), r.count(INFO), first, r.json_name]
        )
        if r.json_name:
            link = ws.cell(row=i + 1, column=7)
            link.hyperlink = r.json_name  # relative: the JSON lies next to the summary
            link.font = Font(color="0563C1", underline="single")
    ws.append([])
    ws.append(
        ["合计", f"{len(results)}份", *(sum(r.count(s) for r in results) for s in (ERROR, WARNING, INFO))]
    )
    for i, width in enumerate((6, 48, 8, 8, 8, 80, 36), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=2, column=1)  # the header row stays in view
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path
