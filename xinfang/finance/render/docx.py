"""report.docx from narrative blocks, as an A4 公文 (GB/T 9704-2012, xinfang.core.officialdoc)."""

from pathlib import Path

from xinfang.core import officialdoc
from xinfang.finance.narrative import Block

HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3}


def render_docx(blocks: list[Block], *, title: str, images: dict[str, Path], path: Path) -> Path:
    doc = officialdoc.new_document(title=title)
    officialdoc.add_blank_lines(doc)
    for b in blocks:
        if b.kind in HEADING_LEVELS:
            officialdoc.add_heading(doc, b.text, level=HEADING_LEVELS[b.kind])
        elif b.kind == "p":
            officialdoc.add_body_paragraph(doc, b.text)
        elif b.kind == "table":
            width = max(len(r) for r in b.rows)
            table = officialdoc.add_table(doc, [list(r) for r in b.rows])
            for i, row in enumerate(b.rows):
                if len(row) < width:
                    cells = table.rows[i].cells
                    cells[len(row) - 1].merge(cells[width - 1])
        elif b.kind == "image" and b.text in images:
            officialdoc.add_picture(doc, images[b.text], width_mm=150)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
