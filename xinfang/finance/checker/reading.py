"""Read a published disclosure — PDF, .docx, .xlsx/.xls or text — into its text and its tables.

A table is what the page shows: the title above it (a split title is joined), the money unit (元, 万元 or 亿元)
from the "金额单位" line, the header rows and the body rows as cell strings. Which standard table it is, and
what its figures must satisfy, is table_rules' business. A file that cannot be read raises Unreadable with a
message for the user; nothing else escapes (check_paths turns it into one finding).
"""

import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

SUFFIXES = (".pdf", ".docx", ".xlsx", ".xls", ".txt")
UNIT = re.compile(r"(?:金额)?单位[：:]\s*(亿元|万元|元)")
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
# A line that is only the table's number, unit, unit name or year, not part of its title.
NOT_TITLE = re.compile(r"^(?:公开\d+表|.*单位[：:].*|\d{4}年度?|编制单位.*|附表\d*|表\d+)$")
NUMBER = re.compile(r"公开\s*(\d{1,2})\s*表")
AMOUNT = re.compile(r"^[-−(（]?\d[\d,，]*(?:\.\d+)?[)）]?$")


class Unreadable(Exception):
    """The file cannot be read; the message says why, in Chinese."""


@dataclass
class Table:
    title: str
    rows: list[list[str]]  # every row of the grid, header rows included, as stripped strings
    unit: str = ""  # 元 / 万元 / 亿元, "" when the page does not say
    number: str = ""  # "01" … from "公开01表"
    where: str = ""  # 第3页 / 工作表 Sheet1
    note: str = ""  # text right below the table (e.g. "本表无数据" notes)
    exact: bool = False  # cells are stored numbers (a workbook), not rounded print: compare to 0.01
    cells_in_text: bool = False  # a Word table: its cells are also lines of the text (document.docx_text)

    @property
    def factor(self) -> Decimal:
        """元 per printed unit (1 when the unit is not given: figures are then compared as printed)."""
        return UNIT_FACTORS.get(self.unit, Decimal(1))

    @property
    def header_rows(self) -> list[list[str]]:
        return self.rows[: self.body_start]

    @property
    def body(self) -> list[list[str]]:
        return self.rows[self.body_start :]

    @property
    def body_start(self) -> int:
        """Rows before the first one holding an amount are the header; a 栏次 row ("1 2 3 …") is header."""
        for i, row in enumerate(self.rows):
            numbers = [amount(c) for c in row[1:] if amount(c) is not None]
            if numbers and not is_column_numbers(row, numbers):
                return i
        return len(self.rows)

    @property
    def columns(self) -> list[str]:
        """One name per column: the header rows' texts joined top-down ("决算数/合计")."""
        width = max((len(r) for r in self.rows), default=0)
        names = [""] * width
        for row in self.header_rows:
            above = list(names)
            last = ""
            for i in range(width):
                cell = row[i] if i < len(row) else ""
                # A header cell merged across columns reads as blank in the columns it spans: carry it right,
                # within the same parent only (a blank under a cell merged downwards stays blank).
                if not cell and i and above[i] == above[i - 1]:
                    cell = last
                last = cell
                if cell and not names[i].endswith(cell):
                    names[i] = f"{names[i]}/{cell}" if names[i] else cell
        return [clean(n) for n in names]


@dataclass
class Read:
    text: str
    tables: list[Table] = field(default_factory=list)


def clean(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def amount(cell: str | None) -> Decimal | None:
    """The number printed in a cell (1,234.56 / （12.00） / -3), or None when it is not an amount."""
    s = clean(cell).replace("，", ",")
    if not s or not AMOUNT.match(s):
        return None
    negative = s[0] in "-−(（"
    try:
        value = Decimal(s.strip("-−()（）").replace(",", ""))
    except InvalidOperation:
        return None
    return -value if negative else value


def is_column_numbers(row: list[str], numbers: list[Decimal]) -> bool:
    if any(w in clean(c) for c in row for w in ("栏次", "行次")):
        return True
    return len(numbers) >= 3 and numbers == [
        Decimal(n) for n in range(int(numbers[0]), int(numbers[0]) + len(numbers))
    ]


def table_heading(lines: list[str]) -> tuple[str, str, str]:
    """(title, unit, number) from the lines just above a table, nearest last. The title is the nearest line
    that is not the unit/number line; a title split over two lines ("一般公共预算财政拨款" / "基本支出决算表")
    is joined when the line above is short, unpunctuated and not a section heading."""
    unit = number = ""
    candidates: list[str] = []
    for line in reversed(lines[-6:]):
        text = clean(line)
        if m := UNIT.search(text):
            unit = unit or m.group(1)
        if m := NUMBER.search(text):
            number = number or m.group(1).zfill(2)
        rest = clean(UNIT.sub("", NUMBER.sub("", text)))
        if not rest or NOT_TITLE.match(rest) or rest.startswith(("编制单位", "单位：", "单位:")):
            if candidates:
                break
            continue
        candidates.append(rest)
        if len(candidates) == 2:
            break
    if not candidates:
        return "", unit, number
    title = candidates[0]
    if len(candidates) == 2 and "表" in title and not title.startswith("表") and "表" not in candidates[1]:
        above = candidates[1]
        if len(above) <= 24 and not re.search(r"[。；：:，,]$|部分|^[一二三四五六七八九十]+、|^[（(]", above):
            title = above + title
    return title[:60], unit, number


def read_document(path: str | Path) -> Read:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise Unreadable(
            f"不支持的文件类型“{path.suffix or '无扩展名'}”：请提供 PDF、Word（.docx）、Excel（.xlsx/.xls）或文本文件"
        )
    try:
        if suffix == ".pdf":
            return read_pdf(path)
        if suffix == ".docx":
            return read_docx(path)
        if suffix in (".xlsx", ".xls"):
            return read_workbook(path)
        return Read(read_text_file(path))
    except Unreadable:
        raise
    except Exception as exc:  # a damaged or mislabelled file: one clear finding, never a traceback
        raise Unreadable(
            f"无法读取{suffix[1:].upper()}文件（文件可能已损坏或不是所标明的格式：{type(exc).__name__}）"
        ) from exc


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("文本文件既不是 UTF-8 也不是 GB18030 编码，无法读取")


# --- PDF (pdfplumber) ---------------------------------------------------------------------------------


def read_pdf(path: Path) -> Read:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(str(path))
    except PDFPasswordIncorrect as exc:
        raise Unreadable("PDF 文件有密码保护，无法读取") from exc
    text_parts: list[str] = []
    tables: list[Table] = []
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            found = page.find_tables()
            bboxes = [t.bbox for t in found]
            outside = page.filter(lambda obj, boxes=bboxes: not any(inside(obj, b) for b in boxes))
            lines = outside.extract_text_lines()
            below_previous = 0.0
            for t in sorted(found, key=lambda t: t.bbox[1]):
                top, bottom = t.bbox[1], t.bbox[3]
                above = [ln["text"] for ln in lines if below_previous <= ln["bottom"] <= top + 1]
                after = [ln["text"] for ln in lines if bottom <= ln["top"] <= bottom + 40]
                rows = [[clean_cell(c) for c in row] for row in t.extract()]
                title, unit, table_no = table_heading(above)
                table = Table(title, rows, unit, table_no, f"第{number}页", "".join(after[:2]))
                if not title and tables and continues(tables[-1], table, number):
                    tables[-1].rows.extend(drop_repeated_header(tables[-1], rows))
                else:
                    tables.append(table)
                below_previous = bottom
            text_parts.append(reflow(lines))
    text = "\n".join(text_parts)
    if not text.strip() and not tables:
        raise Unreadable(
            "PDF 中没有可提取的文字（可能是扫描件图片），无法检查；请提供含文字层的 PDF 或 Word 文件"
        )
    return Read(text, tables)


def reflow(lines: list[dict]) -> str:
    """A page's lines as paragraphs: a line that reaches the right margin and does not end a sentence goes on
    in the next line (a PDF breaks paragraphs into lines; the text rules read sentences)."""
    if not lines:
        return ""
    right = max(ln["x1"] for ln in lines)
    out: list[str] = []
    wrapped = False
    for ln in lines:
        text = ln["text"].strip()
        if wrapped and out:
            out[-1] += text
        else:
            out.append(text)
        size = (ln["bottom"] - ln["top"]) or 10
        wrapped = ln["x1"] >= right - 2 * size and not text.endswith(("。", "！", "？", "：", ":"))
    return "\n".join(out)


def inside(obj, bbox) -> bool:
    x0, top, x1, bottom = bbox
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def clean_cell(cell) -> str:
    return re.sub(r"\s*\n\s*", "", cell or "").strip()


def continues(previous: Table, table: Table, page: int) -> bool:
    """An untitled table at the top of the next page with the same number of columns goes on the last one."""
    width = max((len(r) for r in previous.rows), default=0)
    return bool(table.rows) and len(table.rows[0]) == width and previous.where == f"第{page - 1}页"


def drop_repeated_header(previous: Table, rows: list[list[str]]) -> list[list[str]]:
    header = previous.header_rows
    n = len(header)
    return rows[n:] if n and rows[:n] == header else rows


# --- Word (.docx) ------------------------------------------------------------------------------------


def read_docx(path: Path) -> Read:
    from docx import Document as Docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    from xinfang.finance.checker.document import docx_text

    try:
        doc = Docx(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise Unreadable("无法读取 Word 文件：不是有效的 .docx（旧版 .doc 请另存为 .docx）") from exc
    tables: list[Table] = []
    recent: list[str] = []
    pending: Table | None = None
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text.strip()
            if pending is not None and text and not pending.note:
                pending.note = text
            if text:
                recent.append(text)
        elif tag == "tbl":
            rows = []
            for row in DocxTable(child, doc).rows:
                cells, seen = [], []
                for cell in row.cells:
                    # A merged cell repeats in every grid column it spans: keep it once, blank the rest
                    # (as a PDF shows it), so the columns keep their places.
                    cells.append("" if cell._tc in seen else clean_cell(cell.text))
                    seen.append(cell._tc)
                rows.append(cells)
            title, unit, number = table_heading(recent)
            pending = Table(title, rows, unit, number, f"第{len(tables) + 1}个表格", cells_in_text=True)
            tables.append(pending)
            recent = []
    return Read(docx_text(path), tables)


# --- Excel (.xlsx with openpyxl, .xls with xlrd) --------------------------------------------------------


def read_workbook(path: Path) -> Read:
    sheets = xls_sheets(path) if path.suffix.lower() == ".xls" else xlsx_sheets(path)
    tables: list[Table] = []
    text: list[str] = []
    for name, grid in sheets:
        grid = [[cell_text(v) for v in row] for row in grid]
        grid = [row for row in grid if any(row)]
        if not grid:
            continue
        start = next(
            (
                i
                for i, row in enumerate(grid)
                if sum(bool(c) for c in row) >= 2 and not any(UNIT.search(c) for c in row)
            ),
            len(grid),
        )
        heading = [" ".join(c for c in row if c) for row in grid[:start]]
        title, unit, number = table_heading(heading)
        body = grid[start:]
        note = ""
        if (
            body
            and sum(bool(c) for c in body[-1]) == 1
            and ("说明" in body[-1][0] or "无数据" in body[-1][0])
        ):
            note = body.pop()[0]
        width = max(len(r) for r in body) if body else 0
        while width and not any(len(r) >= width and r[width - 1] for r in body):
            width -= 1
        tables.append(
            Table(title, [r[:width] for r in body], unit, number, f"工作表“{name}”", note, exact=True)
        )
        text.extend(heading + ([note] if note else []))
    if not tables:
        raise Unreadable("Excel 文件中没有数据")
    return Read("\n".join(text), tables)


def xlsx_sheets(path: Path):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise Unreadable("无法读取 Excel 文件：不是有效的 .xlsx") from exc
    try:
        return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


def xls_sheets(path: Path):
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except xlrd.XLRDError as exc:
        raise Unreadable("无法读取 Excel 文件：不是有效的 .xls") from exc
    return [
        (sh.name, [[sh.cell_value(r, c) for c in range(sh.ncols)] for r in range(sh.nrows)])
        for sh in book.sheets()
    ]


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A number typed in a sheet: print it as the page would, with 2 decimals unless it is whole.
        return f"{value:.2f}" if value != int(value) else str(int(value))
    return clean_cell(str(value))
