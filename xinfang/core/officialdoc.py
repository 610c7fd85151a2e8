"""公文格式: every .docx the system produces (告知书, 意见书, 回执, 督办通知, 救助卷宗, 决算公开报告) is laid out
here, after GB/T 9704-2012《党政机关公文格式》:

- A4 (210 mm × 297 mm); 版心 156 mm × 225 mm: 天头 37 mm, 下白边 35 mm, 订口 28 mm, 翻口 26 mm (§5.2.1–5.2.2);
- 正文 3号 (16 pt) 仿宋, 22 lines a page × 28 characters a line (§5.2.3–5.2.4): a document grid
  (`w:docGrid type=linesAndChars`) and an exact line height of 28.95 pt;
- 发文机关标志 (红头) centred in red 小标宋; 发文字号 centred two lines under it (§7.2.5), a red rule under
  the 发文字号 (§7.2.7); 标题 2号 (22 pt) 小标宋, centred two lines under the rule (§7.3.1); 主送机关 flush
  left one line under the title with a full-width colon (§7.3.2); paragraphs indented two characters (§7.3.3);
- 署名 and 成文日期 without a seal (§7.3.5.2): one line under the text, the issuer two characters from the
  right, the date on the next line starting two characters right of the issuer's first character (or two
  characters from the right, the issuer moved left, when the date is the longer);
- 成文日期 in Arabic numerals, year in full, no leading zeros: "2026年12月1日" (§7.3.5.2; GB/T 9704-1999 used
  Chinese numerals, "二〇二六年十二月一日", which the 2012 edition replaced);
- 页码 4号 (14 pt) half-width 宋体 Arabic numerals between two 一字线 "— 1 —", odd pages right and even pages
  left, one character in from the edge of the 版心 (§7.5).

The font names are written into every style and run (w:rFonts w:ascii/w:hAnsi/w:eastAsia), so WPS and Word use
方正小标宋简体 / 仿宋_GB2312 where they are installed; the font table names a fallback for each (w:altName:
小标宋, 仿宋, 楷体) and its GB2312 charset, so a machine without them substitutes a Chinese font of the same kind.

Text helpers used by every notice: `addressing` (您 / 你们 by the number of petitioners) and `clause` /
`sentence` (no doubled punctuation when a free-text reason already ends in 。).

Use: doc = new_document(title=…, doc_number=…, issuer_mark=…, addressee=…); add_body_paragraph(doc, …);
add_signature(doc, issuer=…, on=…); to_bytes(doc). A file of several documents: add_page_break, add_head, ….
"""

import io
from datetime import date
from pathlib import Path

from docx import Document as _new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

# --- the standard's figures -------------------------------------------------------------------------------

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四: tables are a "特定情况" (§5.2.3) where the size may be adjusted
ISSUER_MARK_MAX = Pt(36)  # 小初; shrunk so that a long name stays on one line of the 版心

# 225 mm / 22 lines = 28.99 pt; 28.95 pt (579 twips) is the usual exact value, 22 lines fit and 23 do not.
LINE_PITCH_TWIPS = 579
LINE_HEIGHT = Pt(LINE_PITCH_TWIPS / 20)
# Word's character pitch on the grid is the Normal font size plus charSpace/4096 pt:
# 156 mm / 28 = 15.793 pt = 16 pt − 848/4096 pt.
CHAR_SPACE = round((TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE - BODY_SIZE.pt) * 4096)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"  # 第一层 "一、" (§7.3.3)
HEADING2_FONT = "楷体_GB2312"  # 第二层 "（一）"
PAGE_NUMBER_FONT = "宋体"
# w:altName in the font table: what Word/WPS use when the named font is missing.
FALLBACKS = {TITLE_FONT: "小标宋", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}
RED = RGBColor(0xFF, 0x00, 0x00)
DASH = "—"  # 一字线


# --- text helpers -----------------------------------------------------------------------------------------

CLAUSE_END = "。；;，,、．. \u3000\t\r\n"


def addressing(count: int) -> str:
    """How a notice addresses its petitioners: 您 for one (or an unnamed one), 你们 for several."""
    return "你们" if count > 1 else "您"


def clause(text: str) -> str:
    """`text` ready to be followed by ，or 。: surrounding blanks and a trailing 。；，、 removed."""
    return (text or "").strip().rstrip(CLAUSE_END)


def sentence(text: str) -> str:
    """`text` as one sentence ending in a single 。 (a ？ or ！ it ends with is kept); "" stays ""."""
    body = clause(text)
    if not body:
        return ""
    return body if body.endswith(("？", "！", "?", "!")) else body + "。"


def join_clauses(*parts: str) -> str:
    """Clauses joined by ，and closed by 。, never doubling a mark; empty parts are skipped."""
    return sentence("，".join(c for c in (clause(p) for p in parts) if c))


def document_date(d: date) -> str:
    """成文日期 per GB/T 9704-2012 §7.3.5.2: Arabic numerals, year in full, month and day without a leading 0."""
    return f"{d.year}年{d.month}月{d.day}日"


# --- fonts and paragraphs ---------------------------------------------------------------------------------


def set_fonts(element, name: str) -> None:
    """Write `name` into the rFonts of a run or style (ascii, hAnsi, eastAsia) and drop theme fonts, which
    would otherwise win over the names."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def add_run(paragraph: Paragraph, text: str, *, font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False,
            color: RGBColor | None = None):  # fmt: skip
    run = paragraph.add_run(text)
    set_fonts(run._r, font)
    run.font.size = size
    if bold:
        run.bold = True
    if color is not None:
        run.font.color.rgb = color
    return run


PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _add_ppr_child(paragraph: Paragraph, xml: str) -> None:
    """Add an element to the paragraph's pPr in the order the schema requires (Word rejects others)."""
    element = parse_xml(xml)
    tag = element.tag.rsplit("}", 1)[-1]
    successors = PPR_ORDER[PPR_ORDER.index(f"w:{tag}") + 1 :]
    paragraph._p.get_or_add_pPr().insert_element_before(element, *successors)


def _indent_chars(paragraph: Paragraph, *, first_line: int = 0, left: int = 0, right: int = 0) -> None:
    """Indents counted in characters (w:…Chars, hundredths of a character, honoured on the grid) with the
    same lengths in twips for readers that ignore them."""
    pf = paragraph.paragraph_format
    char = BODY_SIZE
    pf.first_line_indent = Emu(round(char * first_line)) if first_line else None
    pf.left_indent = Emu(round(char * left)) if left else None
    pf.right_indent = Emu(round(char * right)) if right else None
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for attr, value in (("w:firstLineChars", first_line), ("w:leftChars", left), ("w:rightChars", right)):
        if value:
            ind.set(qn(attr), str(round(value * 100)))


def _paragraph(doc: Document, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = align
    return p


def add_blank_lines(doc: Document, count: int = 1) -> None:
    for _ in range(count):
        doc.add_paragraph()


def add_body_paragraph(doc: Document, text: str, *, indent: bool = True, bold: bool = False) -> Paragraph:
    """A paragraph of 正文: 3号仿宋, justified, the first line indented two characters."""
    p = _paragraph(doc)
    if indent:
        _indent_chars(p, first_line=2)
    add_run(p, text, bold=bold)
    return p


def add_heading(doc: Document, text: str, *, level: int = 1) -> Paragraph:
    """A structural heading inside the text (§7.3.3): level 1 黑体, level 2 楷体, level 3 仿宋 bold, all 三号
    and indented like the text."""
    p = _paragraph(doc)
    _indent_chars(p, first_line=2)
    font = {1: HEADING1_FONT, 2: HEADING2_FONT}.get(level, BODY_FONT)
    add_run(p, text, font=font, bold=level >= 3)
    p.paragraph_format.keep_with_next = True
    return p


def add_centered_title(doc: Document, text: str) -> Paragraph:
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(36)  # a 22 pt title on the 28.95 pt grid would touch its next line
    add_run(p, text, font=TITLE_FONT, size=TITLE_SIZE)
    return p


def add_table(doc: Document, rows: list[list[str]], *, header: bool = False) -> Table:
    """A table across the 版心 in 仿宋 小四, single-spaced and off the line grid."""
    width = max((len(r) for r in rows), default=1)
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            p = table.rows[i].cells[j].paragraphs[0]
            _table_paragraph(p)
            lines = str(value).split("\n")
            for k, line in enumerate(lines):
                add_run(p, line, size=TABLE_SIZE, bold=header and i == 0)
                if k < len(lines) - 1:
                    p.add_run().add_break()
    return table


def _table_paragraph(p: Paragraph) -> None:
    pf = p.paragraph_format
    pf.line_spacing = 1.0
    pf.first_line_indent = None
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _add_ppr_child(p, f'<w:snapToGrid {nsdecls("w")} w:val="0"/>')


def add_picture(doc: Document, path: str | Path, *, width_mm: float = 150) -> Paragraph:
    """A centred picture, in a single-spaced paragraph (an exact line height would crop it)."""
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = 1.0
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.add_run().add_picture(str(path), width=Mm(min(width_mm, TEXT_WIDTH_MM)))
    return p


def add_page_break(doc: Document) -> None:
    doc.add_page_break()


def _text_width(text: str) -> float:
    """Width in characters: half-width (ASCII) characters count as half a character."""
    return sum(0.5 if ord(ch) < 0x2000 else 1 for ch in text)


def signature_indents(issuer: str, dated: str) -> tuple[float, float]:
    """(right indent of the issuer, right indent of the date) in characters, per §7.3.5.2."""
    name, day = _text_width(issuer), _text_width(dated)
    date_right = max(2.0, name - day)
    return date_right + day + 2 - name, date_right


def add_signature(doc: Document, *, issuer: str, on: date) -> tuple[Paragraph, Paragraph]:
    """发文机关署名 and 成文日期 of a document without a seal (§7.3.5.2), one blank line under the text."""
    dated = document_date(on)
    name_right, date_right = signature_indents(issuer, dated)
    add_blank_lines(doc)
    sign = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _indent_chars(sign, right=name_right)
    add_run(sign, issuer)
    day = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _indent_chars(day, right=date_right)
    add_run(day, dated)
    return sign, day


# --- the page ---------------------------------------------------------------------------------------------


def _page_number_footer(footer, *, odd: bool) -> None:
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        _indent_chars(p, right=1)
    else:
        _indent_chars(p, left=1)
    p.paragraph_format.line_spacing = 1.0
    add_run(p, f"{DASH} ", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE)
    field = parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:rPr>'
        f'<w:rFonts w:ascii="{PAGE_NUMBER_FONT}" w:hAnsi="{PAGE_NUMBER_FONT}" w:eastAsia="{PAGE_NUMBER_FONT}"/>'
        f'<w:sz w:val="{int(PAGE_NUMBER_SIZE.pt * 2)}"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>'
    )
    p._p.append(field)
    add_run(p, f" {DASH}", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE)


def _set_page(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.gutter = 0
    section.header_distance = Mm(15)
    # the 一字线 sit 7 mm under the 版心 (§7.5): 35 − 7 mm, less the height of a 4号 line
    section.footer_distance = Emu(Mm(MARGIN_BOTTOM_MM - 7) - Pt(PAGE_NUMBER_SIZE.pt * 1.3))
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = parse_xml(f"<w:docGrid {nsdecls('w')}/>")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, odd=True)
    _page_number_footer(section.even_page_footer, odd=False)


def _set_styles(doc: Document) -> None:
    normal = doc.styles["Normal"]
    set_fonts(normal.element, BODY_FONT)
    normal.font.size = BODY_SIZE
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_HEIGHT
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # document defaults too (tables, footers, anything a style does not set): no theme fonts, Chinese language
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, rfonts)
    rfonts.attrib.clear()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _declare_fonts(doc: Document) -> None:
    """Name the fonts in the font table with a fallback and the GB2312 charset (86)."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    present = {f.get(qn("w:name")) for f in fonts.findall(qn("w:font"))}
    for name in (TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, PAGE_NUMBER_FONT):
        if name in present:
            continue
        alt = f'<w:altName w:val="{FALLBACKS[name]}"/>' if name in FALLBACKS else ""
        family = "modern" if name in (BODY_FONT, HEADING1_FONT, HEADING2_FONT) else "roman"
        fonts.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}">{alt}<w:charset w:val="86"/>'
                f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
            )
        )
    from lxml import etree

    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def new_document(*, title: str, doc_number: str = "", issuer_mark: str = "", addressee: str = "") -> Document:
    """A blank A4 公文 with its head (see add_head). Add the text with add_body_paragraph / add_heading /
    add_table, then add_signature, then to_bytes."""
    doc = _new_docx()
    _set_page(doc)
    _set_styles(doc)
    _declare_fonts(doc)
    body = doc.element.body
    for p in body.findall(qn("w:p")):  # the template's empty first paragraph, if any
        body.remove(p)
    add_head(doc, title=title, doc_number=doc_number, issuer_mark=issuer_mark, addressee=addressee)
    return doc


def add_head(
    doc: Document, *, title: str, doc_number: str = "", issuer_mark: str = "", addressee: str = ""
) -> None:
    """The head of a 公文 (also of one appended after a page break): the 发文机关标志 in red 小标宋 (if
    `issuer_mark`) with a red rule under the 发文字号; the 发文字号 centred, two lines under the mark (if
    `doc_number`); the title two lines under them; the 主送机关 and ：one line under the title (if
    `addressee`)."""
    if issuer_mark:
        mark = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
        size = min(ISSUER_MARK_MAX.pt, int(TEXT_WIDTH_MM / 25.4 * 72 / max(_text_width(issuer_mark), 1)))
        mark.paragraph_format.line_spacing = Pt(size * 1.3)
        add_run(mark, issuer_mark, font=TITLE_FONT, size=Pt(size), color=RED)
        add_blank_lines(doc, 2 if doc_number else 0)
    if doc_number:
        number = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
        add_run(number, doc_number)
    if issuer_mark:
        _red_rule(doc.paragraphs[-1])
    if issuer_mark or doc_number:
        add_blank_lines(doc, 2)
    add_centered_title(doc, title)
    if addressee:
        add_blank_lines(doc)
        add_body_paragraph(doc, f"{clause(addressee)}：", indent=False)


def _red_rule(paragraph: Paragraph) -> None:
    """The 分隔线 4 mm under the 发文字号, as wide as the 版心 (§7.2.7): the paragraph's bottom border."""
    space = round(Mm(4).pt)
    _add_ppr_child(
        paragraph,
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="{space}" w:color="FF0000"/></w:pBdr>',
    )


def to_bytes(doc: Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
