"""Reading a year's holiday notice (节假日安排通知) into plain data, and checking it. No database here.

Two inputs are accepted:

* JSON in the format of ``data/cn_holidays.json`` (the whole file with ``"years"``, or one year's entry);
* the plain text of the 国务院办公厅 notice, one item per line, e.g.
  ``二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。``

The year comes from the caller (``year=``) or from the title 《关于2027年部分节假日安排的通知》.
Every error is collected and raised together as ``NoticeError`` (messages in Chinese).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MAX_REST_RUN = 31  # the longest real block is the 2020 Spring Festival (10 days)


class NoticeError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("；".join(self.errors))


@dataclass(frozen=True)
class Holiday:
    name: str
    rest: tuple[date, ...]
    work: tuple[date, ...]


@dataclass(frozen=True)
class Notice:
    year: int
    source: str
    holidays: tuple[Holiday, ...]
    title: str = ""
    published: date | None = None
    amendments: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True


# --- JSON -----------------------------------------------------------------------------------------


def notice_from_entry(year: int, entry: dict[str, Any]) -> Notice:
    """One year of the JSON format (as in ``cn_holidays.json``)."""
    try:
        holidays = tuple(
            Holiday(
                name=h["name"],
                rest=tuple(date.fromisoformat(s) for s in h["rest"]),
                work=tuple(date.fromisoformat(s) for s in h["work"]),
            )
            for h in entry["holidays"]
        )
        published = entry.get("published")
        return Notice(
            year=year,
            source=entry["source"],
            title=entry.get("title", ""),
            published=date.fromisoformat(published) if published else None,
            amendments=list(entry.get("amendments", [])),
            complete=bool(entry.get("complete", False)),
            holidays=holidays,
        )
    except KeyError as e:
        raise NoticeError([f"{year}年数据缺少字段：{e.args[0]}"]) from e
    except (TypeError, ValueError) as e:
        raise NoticeError([f"{year}年数据格式错误：{e}"]) from e


def parse_json(text: str, *, year: int | None = None) -> list[Notice]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise NoticeError([f"JSON格式错误（第{e.lineno}行）：{e.msg}"]) from e
    if not isinstance(raw, dict):
        raise NoticeError(["JSON内容应为对象"])
    if "years" in raw:
        entries = {int(k): v for k, v in raw["years"].items()}
        if year is not None:
            if year not in entries:
                raise NoticeError([f"文件中没有{year}年的安排"])
            entries = {year: entries[year]}
    else:
        if year is None:
            raise NoticeError(["单个年度的JSON须用 --year 指明年度"])
        entries = {year: raw}
    return [notice_from_entry(y, e) for y, e in sorted(entries.items())]


# --- the notice's text ----------------------------------------------------------------------------

_ITEM = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*(?P<name>[^：:]+?)\s*[：:](?P<body>.+)$")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排的通知")
_SOURCE = re.compile(r"国办发明电\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
_PUBLISHED = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*$")
_PAREN = re.compile(r"（[^）]*）|\([^)]*\)")
_DATE = re.compile(r"(?:(\d{4})\s*年)?\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2})\s*日")
_TOTAL = re.compile(r"(?:共|放假)\s*(\d+)\s*天")


@dataclass
class _Cursor:
    """The year and month a date without them takes (the last ones written)."""

    year: int
    month: int | None = None

    def read(self, y: str | None, m: str | None, d: str, *, where: str) -> date:
        if y:
            self.year = int(y)
        if m:
            self.month = int(m)
        if self.month is None:
            raise NoticeError([f"{where}：日期“{d}日”缺少月份"])
        try:
            return date(self.year, self.month, int(d))
        except ValueError as e:
            raise NoticeError([f"{where}：日期无效（{self.year}年{self.month}月{d}日）"]) from e


def _with_adjacent_weekend(block: list[date]) -> list[date]:
    """The block for "与周末连休": extended over the Saturday/Sunday next to it."""
    start, end = block[0], block[-1]
    while (start - timedelta(days=1)).weekday() >= 5:
        start -= timedelta(days=1)
    while (end + timedelta(days=1)).weekday() >= 5:
        end += timedelta(days=1)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _parse_item(name: str, body: str, year: int) -> Holiday:
    """One numbered item, clause by clause: "…至…放假", "共N天", "与周末连休", "…上班"."""
    where = f"“{name}”"
    errors: list[str] = []
    blocks: list[list[date]] = []
    totals: dict[int, int] = {}  # block index -> "共N天" / "放假N天" as written
    work: list[date] = []

    def read(found: list[tuple[str, str, str]], cursor: _Cursor) -> list[date]:
        dates = [cursor.read(*f, where=where) for f in found]
        # Under 元旦 a December date without a year is in the year before (12月30日至1月1日).
        return [d.replace(year=d.year - 1) if "元旦" in name and d.month == 12 and not f[0] else d
                for d, f in zip(dates, found, strict=True)]  # fmt: skip

    for clause in re.split(r"[。；;，,]", _PAREN.sub("", body)):
        try:
            if "放假" in clause:
                head, tail = clause.split("放假", 1)
                found = _DATE.findall(head)
                if not found:
                    errors.append(f"{where}：未找到放假日期")
                    continue
                dates = read(found[:2] if "至" in head else found[:1], _Cursor(year))
                start, end = dates[0], dates[-1]
                if end < start:
                    errors.append(f"{where}：放假结束日期早于开始日期")
                    continue
                if (end - start).days + 1 > MAX_REST_RUN:
                    errors.append(f"{where}：连续放假超过{MAX_REST_RUN}天，请核对日期")
                    continue
                blocks.append([start + timedelta(days=i) for i in range((end - start).days + 1)])
                if total := _TOTAL.search("放假" + tail):
                    totals[len(blocks) - 1] = int(total.group(1))
            elif "与周末连休" in clause and blocks:
                blocks[-1] = _with_adjacent_weekend(blocks[-1])
            elif (total := _TOTAL.search(clause)) and blocks:
                totals[len(blocks) - 1] = int(total.group(1))
            elif "上班" in clause:
                work.extend(read(_DATE.findall(clause), _Cursor(year)))
        except NoticeError as e:
            errors.extend(e.errors)
    for i, n in totals.items():
        if len(blocks[i]) != n:
            errors.append(f"{where}：放假日期共{len(blocks[i])}天，与通知所写“共{n}天”不符")
    if not blocks and not errors:
        errors.append(f"{where}：未找到放假日期")
    if errors:
        raise NoticeError(errors)
    return Holiday(name=name, rest=tuple(d for b in blocks for d in b), work=tuple(work))


def parse_text(text: str, *, year: int | None = None) -> Notice:
    """The notice as published: title, 文号, numbered items "一、元旦：…", date of issue."""
    title_match = _TITLE_YEAR.search(text)
    if year is None:
        if not title_match:
            raise NoticeError(["未能从标题《关于××年部分节假日安排的通知》识别年度，请用 --year 指明"])
        year = int(title_match.group(1))
    elif title_match and int(title_match.group(1)) != year:
        raise NoticeError([f"指定的年度{year}与通知标题中的{title_match.group(1)}年不一致"])
    source = _SOURCE.search(text)
    holidays: list[Holiday] = []
    errors: list[str] = []
    published: date | None = None
    title = ""
    for line in text.splitlines():
        if not title and title_match and title_match.group(0) in line:
            title = line.strip().strip("《》")
        if m := _PUBLISHED.match(line):
            published = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _ITEM.match(line):
            if "放假" not in m.group("body"):
                continue  # e.g. "八、节假日期间，各地区……" has no dates
            try:
                holidays.append(_parse_item(m.group("name").strip(), m.group("body"), year))
            except NoticeError as e:
                errors.extend(e.errors)
    if not source:
        errors.append("未找到通知文号（如：国办发明电〔2025〕7号）")
    if not holidays and not errors:
        errors.append("未找到“一、元旦：……放假……”形式的放假安排")
    if errors:
        raise NoticeError(errors)
    assert source is not None
    return Notice(
        year=year,
        source=re.sub(r"\s+", "", source.group(0)),
        title=title,
        published=published,
        holidays=tuple(holidays),
    )


def parse_notice(text: str, *, year: int | None = None) -> list[Notice]:
    """JSON when the text starts with "{", the notice's plain text otherwise."""
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        return parse_json(text, year=year)
    return [parse_text(text, year=year)]


# --- checks ---------------------------------------------------------------------------------------


def check_notice(notice: Notice) -> None:
    """What every notice must satisfy; all problems are reported at once."""
    errors: list[str] = []
    y = notice.year
    if not 2000 <= y <= 2100:
        errors.append(f"年度{y}无效")
    if not notice.source.strip():
        errors.append(f"{y}年：缺少通知文号")
    if not notice.holidays:
        errors.append(f"{y}年：没有任何放假安排")
    rest = [d for h in notice.holidays for d in h.rest]
    work = [d for h in notice.holidays for d in h.work]
    lowest = date(y - 1, 12, 1)  # a notice may name the end of the previous December
    for d in sorted(set(rest + work)):
        if not lowest <= d <= date(y, 12, 31):
            errors.append(f"{y}年：日期{d:%Y-%m-%d}不在该年度（或上年12月）内")
    for d in sorted({d for d in rest if rest.count(d) > 1} | {d for d in work if work.count(d) > 1}):
        errors.append(f"{y}年：日期{d:%Y-%m-%d}重复出现")
    for d in sorted(set(rest) & set(work)):
        errors.append(f"{y}年：{d:%Y-%m-%d}既是放假日又是调休上班日")
    for d in sorted(set(work)):
        if d.weekday() < 5:
            errors.append(f"{y}年：调休上班日{d:%Y-%m-%d}不是周六或周日")
    for h in notice.holidays:
        if not h.rest:
            errors.append(f"{y}年“{h.name}”：没有放假日期")
            continue
        block = sorted(h.rest)
        if len(block) > MAX_REST_RUN:
            errors.append(f"{y}年“{h.name}”：连续放假超过{MAX_REST_RUN}天")
        if block != [block[0] + timedelta(days=i) for i in range(len(block))]:
            errors.append(f"{y}年“{h.name}”：放假日期不连续")
    if errors:
        raise NoticeError(errors)
