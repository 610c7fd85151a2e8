"""Checks that a .docx is laid out as GB/T 9704-2012 asks (xinfang.core.officialdoc), read back with python-docx
and from the XML itself."""

import io
import re

from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

MM = Mm(1)  # EMU in a millimetre
CN_DATE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")


def east_asia(element) -> str | None:
    rfonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def check_layout(content: bytes):
    """Assert the page, grid, styles, fonts and page numbers; return the python-docx Document."""
    doc = Docx(io.BytesIO(content))
    for section in doc.sections:
        got = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
               section.left_margin, section.right_margin]  # fmt: skip
        for value, mm in zip(got, (210, 297, 37, 35, 28, 26), strict=True):
            assert abs(value - Mm(mm)) < 0.5 * MM, (value / MM, mm)
        grid = section._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "linesAndChars"
        pitch = int(grid.get(qn("w:linePitch"))) / 20  # pt
        text_height = Mm(225).pt
        assert int(text_height // pitch) == 22  # 22 lines a page
        char = 16 + int(grid.get(qn("w:charSpace"))) / 4096  # pt
        assert int(Mm(156).pt // char) == 28  # 28 characters a line
        footers = (section.footer, section.even_page_footer)
        assert [f.paragraphs[0].alignment for f in footers] == [
            WD_ALIGN_PARAGRAPH.RIGHT,
            WD_ALIGN_PARAGRAPH.LEFT,
        ]
        for footer in footers:
            xml = footer._element.xml
            assert 'w:instr=" PAGE "' in xml and footer.paragraphs[0].text.startswith("— ")
            assert footer.paragraphs[0].text.endswith(" —") and 'w:sz w:val="28"' in xml  # 4号 = 14 pt
    assert doc.settings.odd_and_even_pages_header_footer
    normal = doc.styles["Normal"]
    assert east_asia(normal.element) == "仿宋_GB2312" and normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert abs(normal.paragraph_format.line_spacing.pt - 28.95) < 0.01
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
             if r.text.strip()]  # fmt: skip
    assert runs and all(east_asia(r._r) for r in runs), [r.text for r in runs if not east_asia(r._r)]
    fonts = doc.part.part_related_by(RT.FONT_TABLE)
    assert "方正小标宋简体" in fonts.blob.decode() and 'w:altName w:val="仿宋"' in fonts.blob.decode()
    return doc


def title_paragraph(doc, title: str):
    [p] = [p for p in doc.paragraphs if p.text == title]
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {east_asia(r._r) for r in p.runs} == {"方正小标宋简体"}
    assert {r.font.size for r in p.runs} == {Pt(22)}
    return p


def body_runs(doc) -> list:
    return [r for p in doc.paragraphs for r in p.runs if east_asia(r._r) == "仿宋_GB2312" and r.text.strip()]


def check_signature(doc, issuer: str):
    """署名 then 成文日期 (Arabic numerals) as the last two paragraphs, right-aligned, the date's first character
    two characters right of the issuer's."""
    sign, day = doc.paragraphs[-2:]
    assert sign.text == issuer and CN_DATE.match(day.text), (sign.text, day.text)
    assert sign.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT

    def width(text):
        return sum(0.5 if ord(c) < 0x2000 else 1 for c in text)

    def right(p):
        return int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) / 100

    # where each line starts, counted from the right edge of the 版心
    sign_start, day_start = right(sign) + width(sign.text), right(day) + width(day.text)
    assert sign_start - day_start == 2 and min(right(sign), right(day)) == 2
    return day.text
