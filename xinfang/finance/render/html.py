"""report.html from narrative blocks: a self-contained page (charts referenced from charts/)."""

from html import escape
from pathlib import Path

from xinfang.finance.narrative import Block

TAGS = {"h1": "h1", "h2": "h2", "h3": "h3", "p": "p"}


def render_html_fragment(blocks: list[Block], *, images: dict[str, str]) -> str:
    out = []
    for b in blocks:
        if b.kind in TAGS:
            out.append(f"<{TAGS[b.kind]}>{escape(b.text)}</{TAGS[b.kind]}>")
        elif b.kind == "table":
            width = max(len(r) for r in b.rows)
            rows = []
            for row in b.rows:
                cells = [f"<td>{escape(c)}</td>" for c in row[:-1]]
                span = width - len(row) + 1
                cells.append(
                    f'<td colspan="{span}">{escape(row[-1])}</td>'
                    if span > 1
                    else f"<td>{escape(row[-1])}</td>"
                )
                rows.append("<tr>" + "".join(cells) + "</tr>")
            out.append(f'<table aria-label="{escape(b.text)}">' + "".join(rows) + "</table>")
        elif b.kind == "image" and b.text in images:
            out.append(f'<figure><img src="{escape(images[b.text])}" alt="{escape(b.text)}"></figure>')
    return "\n".join(out)


def render_html(blocks: list[Block], *, title: str, images: dict[str, str], path: Path) -> Path:
    body = render_html_fragment(blocks, images=images)
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:'Noto Sans CJK SC',sans-serif;max-width:900px;margin:auto;line-height:1.7}"
        "table{border-collapse:collapse;width:100%}td{border:1px solid #999;padding:4px}img{max-width:100%}</style>"
        f"</head><body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
