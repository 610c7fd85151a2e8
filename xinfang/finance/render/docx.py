"""report.docx from narrative blocks (python-docx)."""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from xinfang.finance.narrative import Block

HEADING_SIZES = {"h1": 16, "h2": 14, "h3": 12}


def render_docx(blocks: list[Block], *, title: str, images: dict[str, Path], path: Path) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    for b in blocks:
        if b.kind in HEADING_SIZES:
            para = doc.add_paragraph()
            r = para.add_run(b.text)
            r.bold = True
            r.font.size = Pt(HEADING_SIZES[b.kind])
        elif b.kind == "p":
            doc.add_paragraph(b.text)
        elif b.kind == "table":
            width = max(len(r) for r in b.rows)
            table = doc.add_table(rows=len(b.rows), cols=width)
            table.style = "Table Grid"
            for i, row in enumerate(b.rows):
                cells = table.rows[i].cells
                for j, value in enumerate(row):
                    cells[j].text = value
                if len(row) < width:
                    cells[len(row) - 1].merge(cells[width - 1])
        elif b.kind == "image" and b.text in images:
            doc.add_picture(str(images[b.text]), width=Cm(15))
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
