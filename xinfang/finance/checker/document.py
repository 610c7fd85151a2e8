"""Read a published disclosure (.txt or .docx) into lines labelled with their section."""

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

CN_NUM = "一二三四五六七八九十"
PART = re.compile(r"^第([一二三四五])部分\s*(.*)$")
CHAPTER = re.compile(rf"^([{CN_NUM}]+)、\s*(.{{1,40}})$")
NUMBERED_CHAPTER = re.compile(r"^(\d{1,2})、\s*(.{1,40}(?:说明|情况))$")
SUB = re.compile(rf"^[（(]([{CN_NUM}]+)[）)]\s*(.{{0,40}})$")
BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
JOIN_AFTER = ("；", "，", "、", "：", ":", ";")
# an amount in 元, 万元 or 亿元, with or without thousands separators
AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(亿元|万元|元)")
TO_WAN = {"亿元": 4, "万元": 0, "元": -4}


@dataclass
class Document:
    text: str  # lines joined by "\n"
    starts: list[int] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    numbered_headings: list[tuple[str, str]] = field(default_factory=list)

    def section_at(self, pos: int) -> str:
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.sections[max(i, 0)] if self.sections else ""

    def excerpt(self, start: int, end: int, width: int = 20) -> str:
        a = max(self.text.rfind("\n", 0, start) + 1, start - width)
        b = self.text.find("\n", end)
        b = min(b if b != -1 else len(self.text), end + width)
        return self.text[a:b].strip()

    def chapter_text(self, prefix: str) -> str:
        """Text of the lines whose section starts with `prefix`."""
        return "\n".join(
            self.text[s : (self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text))]
            for i, s in enumerate(self.starts)
            if self.sections[i].startswith(prefix)
        )


def read_path(path: str | Path) -> str:
    path = Path(path)
    if path.suffix.lower() == ".docx":
        return docx_text(path)
    return path.read_text(encoding="utf-8-sig")


def docx_text(path: Path) -> str:
    """Paragraphs and table cells in body order; each distinct table cell on its own line."""
    from docx import Document as Docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Docx(str(path))
    out: list[str] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                seen = []
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.append(cell._tc)
                    out.append("\t" + cell.text.replace("\n", " "))
    return "\n".join(out)


def is_heading(line: str) -> bool:
    return bool(
        PART.match(line)
        or ("。" not in line and (CHAPTER.match(line) or SUB.match(line) or NUMBERED_CHAPTER.match(line)))
    )


def in_wan(m: re.Match) -> str:
    """An amount rewritten in 万元, exactly and at its printed precision (12,600.00元 → 1.260000万元), so that
    the rules compare 万元 figures and know how far each was rounded."""
    shift, decimals = TO_WAN[m.group(3)], len(m.group(2) or ".") - 1
    value = Decimal(m.group(1).replace(",", "") + (m.group(2) or "")).scaleb(shift)
    return f"{value:.{max(decimals - shift, 0)}f}万元"


# a space a PDF puts between a Chinese character and a figure ("2024 年度", "增长 13.95%")
FIGURE_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=\d)|(?<=\d)[ \u3000]+(?=[\u4e00-\u9fff%％])")
ITEM_START = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．](?=\D))"
)
SENTENCE_END = ("。", "！", "？", "!", "?")
PAGE_SLACK = 6  # display columns a full line may fall short of the page width (digits, punctuation)


def width(line: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)


def unwrap(lines: list[str]) -> list[str]:
    """Lines broken by the page width (text taken from a PDF) joined again: when many lines run to one
    width, a line of that width that ends no sentence continues on the next line (unless the next line
    starts a heading or a numbered item, or either is a table cell)."""
    widths = [width(ln) for ln in lines if not ln.startswith("\t")]
    long = sorted(w for w in widths if w >= 30)
    if len(long) < 5:
        return lines
    page = long[int(len(long) * 0.75)]
    if sum(w >= page - PAGE_SLACK for w in long) < 0.3 * len(widths):
        return lines  # paragraphs of any length, one a line: nothing was wrapped
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if (
            previous
            and width(previous) >= page - PAGE_SLACK
            and not previous.endswith(SENTENCE_END)
            and not previous.startswith("\t")
            and not line.startswith("\t")
            and not ITEM_START.match(line)
        ):
            out[-1] = previous + line
        else:
            out.append(line)
    return out


def parse(raw: str) -> Document:
    raw = BOOKMARK.sub("", raw).replace("\r", "")
    lines = unwrap([ln.strip() for ln in raw.split("\n") if ln.strip()])
    raw = FIGURE_SPACE.sub("", AMOUNT.sub(in_wan, FIGURE_SPACE.sub("", "\n".join(lines))))
    lines = [ln for ln in raw.split("\n") if ln]
    merged: list[str] = []
    for line in lines:
        if (
            merged
            and merged[-1].endswith(JOIN_AFTER)
            and not is_heading(line)
            and not merged[-1].startswith("\t")
        ):
            merged[-1] += line
        else:
            merged.append(line)
    doc = Document(text="")
    part = chapter = sub = ""
    pos = 0
    chunks = []
    for line in merged:
        if m := PART.match(line):
            part, chapter, sub = f"第{m.group(1)}部分", "", ""
        elif "。" not in line and (m := CHAPTER.match(line)):
            chapter, sub = f"{m.group(1)}、", ""
        elif "。" not in line and (m := NUMBERED_CHAPTER.match(line)):
            chapter, sub = f"{CN_NUM[int(m.group(1)) - 1] if int(m.group(1)) <= 10 else m.group(1)}、", ""
            doc.numbered_headings.append((line, f"{part} {chapter}"))
        elif "。" not in line and (m := SUB.match(line)):
            sub = f"（{m.group(1)}）"
        doc.starts.append(pos)
        doc.sections.append(f"{part} {chapter}{sub}".strip())
        chunks.append(line)
        pos += len(line) + 1
    doc.text = "\n".join(chunks)
    return doc
