"""Reading a package file: JSON, a zip holding package.json (or package.xlsx) and the attachments it refers to,
or an .xlsx workbook (docs/exchange.md, "The workbook"). The result keeps, for every item, the line it starts on
(JSON) or its row (workbook), so that the importer reports each error where the sender can find it."""

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook

from xinfang.exchange.package import FORMAT, VERSION

MAX_BYTES = 200 * 1024 * 1024


class Unreadable(Exception):
    """The file is not a package at all (message in Chinese)."""


@dataclass
class Source:
    data: dict
    lines: dict[int, str] = field(default_factory=dict)  # item index → "第12行" / "“交办件”第3行"
    person_rows: dict[tuple[int, int], str] = field(default_factory=dict)  # (item, petitioner) → row
    files: dict[str, bytes] = field(default_factory=dict)  # zip members, by path


def read(name: str, content: bytes) -> Source:
    if len(content) > MAX_BYTES:
        raise Unreadable("文件超过200MB。")
    lower = name.lower()
    if zipfile.is_zipfile(io.BytesIO(content)) and not lower.endswith(".xlsx"):
        return _read_zip(content)
    if lower.endswith(".xlsx"):
        return read_workbook(content)
    return read_json(content)


def read_json(content: bytes) -> Source:
    try:
        text = content.decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise Unreadable("文件不是 UTF-8 编码的 JSON。") from None
    except json.JSONDecodeError as e:
        raise Unreadable(f"第{e.lineno}行第{e.colno}列：JSON 格式错误（{e.msg}）。") from None
    if not isinstance(data, dict):
        raise Unreadable("交换包应为一个 JSON 对象。")
    return Source(data=data, lines=_item_lines(text))


def _item_lines(text: str) -> dict[int, str]:
    """The line each element of the top-level "items" array starts on. Only an object key is an unescaped
    "items" followed by a colon, and no object inside an item has such a key (the format forbids extra keys)."""
    found = re.search(r'"items"\s*:\s*\[', text)
    if not found:
        return {}
    decoder, pos, lines = json.JSONDecoder(), found.end(), {}
    for index in range(1_000_000):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        lines[index] = f"第{text.count(chr(10), 0, pos) + 1}行"
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
    return lines


def _read_zip(content: bytes) -> Source:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        names = set(z.namelist())
        files = {n: z.read(n) for n in names if not n.endswith("/") and z.getinfo(n).file_size <= MAX_BYTES}
    if "package.json" in files:
        source = read_json(files.pop("package.json"))
    elif "package.xlsx" in files:
        source = read_workbook(files.pop("package.xlsx"))
    else:
        raise Unreadable("zip 包中没有 package.json 或 package.xlsx。")
    source.files = files
    return source


# --- the workbook -------------------------------------------------------------------------------------

ITEM_SHEET, PERSON_SHEET = "交办件", "信访人"
ITEM_COLUMNS = {
    "上级交办编号": "external_number", "交办机关代码": "source_unit", "交办时间": "received_at",
    "交办期限": "deadline", "事项摘要": "title", "反映内容": "content", "信访目的代码": "purpose",
    "内容分类代码": "content_class", "问题属地代码": "township", "诉求": "request", "事实和理由": "facts",
    "人数": "head_count",
}  # fmt: skip
PERSON_COLUMNS = {
    "上级交办编号": "external_number", "姓名（名称）": "name", "证件号码": "id_number", "手机号码": "mobile",
    "固定电话": "landline", "住址": "address", "代表": "is_representative",
}  # fmt: skip
YES = {"是", "代表", "true", "True", "1", "Y", "y"}


def _cell(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return "" if value is None else str(value).strip()


def _rows(sheet, columns: dict[str, str]):
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise Unreadable(f"工作表“{sheet.title}”缺少列：{'、'.join(missing)}。")
    for number, row in enumerate(rows, start=2):
        values = {columns[h]: _cell(v) for h, v in zip(header, row, strict=False) if h in columns}
        if any(v not in ("", None) for v in values.values()):
            yield number, values


def read_workbook(content: bytes) -> Source:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise Unreadable("无法读取 .xlsx 文件，请确认文件未损坏。") from None
    for title in (ITEM_SHEET, PERSON_SHEET):
        if title not in book.sheetnames:
            raise Unreadable(f"工作簿缺少工作表“{title}”。")
    items, lines, by_number = [], {}, {}
    for row, values in _rows(book[ITEM_SHEET], ITEM_COLUMNS):
        if values.get("head_count") == "":
            values["head_count"] = None
        values.update(petitioners=[], attachments=[])
        lines[len(items)] = f"“{ITEM_SHEET}”第{row}行"
        by_number.setdefault(str(values["external_number"]), len(items))
        items.append(values)
    person_rows = {}
    for row, values in _rows(book[PERSON_SHEET], PERSON_COLUMNS):
        index = by_number.get(str(values.pop("external_number")))
        if index is None:
            raise Unreadable(f"“{PERSON_SHEET}”第{row}行：上级交办编号在“{ITEM_SHEET}”中不存在。")
        values["is_representative"] = str(values.get("is_representative", "")) in YES
        person_rows[(index, len(items[index]["petitioners"]))] = f"“{PERSON_SHEET}”第{row}行"
        items[index]["petitioners"].append(values)
    data = {"format": FORMAT, "version": VERSION, "items": items}
    return Source(data=data, lines=lines, person_rows=person_rows)
