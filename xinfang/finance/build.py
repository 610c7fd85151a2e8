"""Build the disclosure package: report.docx, report.html, tables.xlsx and charts/*.png."""

from dataclasses import dataclass
from pathlib import Path

from xinfang.finance.charts_data import chart_data
from xinfang.finance.data_types import Disclosure
from xinfang.finance.narrative import build_blocks
from xinfang.finance.render.charts import render_chart
from xinfang.finance.render.docx import render_docx
from xinfang.finance.render.html import render_html
from xinfang.finance.render.xlsx import build_tables, render_xlsx


@dataclass(frozen=True)
class BuiltDisclosure:
    out_dir: Path
    files: tuple[Path, ...]


def write_disclosure(
    d: Disclosure, *, out_dir: Path, progress=lambda step, total, label: None
) -> BuiltDisclosure:
    """Pure of the ORM: renders the Disclosure into out_dir. `progress(step, total, label)` reports."""
    out_dir = Path(out_dir)
    title = f"{d.unit_name}{d.year}年度部门决算"
    total = 5
    progress(0, total, "生成图表")
    charts = {c.key: render_chart(c, out_dir / "charts" / f"{c.key}.png") for c in chart_data(d)}
    blocks = build_blocks(d)
    progress(2, total, "生成 Word 报告")
    docx = render_docx(blocks, title=title, images=charts, path=out_dir / "report.docx")
    progress(3, total, "生成网页版报告")
    html = render_html(
        blocks,
        title=title,
        images={k: f"charts/{p.name}" for k, p in charts.items()},
        path=out_dir / "report.html",
    )
    progress(4, total, "生成公开表（Excel）")
    xlsx = render_xlsx(build_tables(d), unit_name=d.unit_name, year=d.year, path=out_dir / "tables.xlsx")
    progress(5, total, "完成")
    return BuiltDisclosure(out_dir, (docx, html, xlsx, *charts.values()))
