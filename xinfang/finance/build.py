"""Build the disclosure package: report.docx, report.html, tables.xlsx and charts/*.png."""

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath

from django.core.files import File
from django.core.files.storage import default_storage

from xinfang.finance.charts_data import chart_data
from xinfang.finance.data_types import Disclosure
from xinfang.finance.narrative import build_blocks
from xinfang.finance.render.charts import render_chart
from xinfang.finance.render.docx import render_docx
from xinfang.finance.render.html import render_html
from xinfang.finance.render.xlsx import build_tables, render_xlsx


@dataclass(frozen=True)
class BuiltDisclosure:
    out_dir: PurePath
    files: tuple[PurePath, ...]


def write_disclosure(
    d: Disclosure, *, out_dir: Path | PurePosixPath | str, progress=lambda step, total, label: None
) -> BuiltDisclosure:
    """Pure of the ORM: renders the Disclosure into out_dir. `progress(step, total, label)` reports.

    `out_dir` is a local directory (a Path or str: the build_disclosure command), or a PurePosixPath that
    is not a Path: a folder in the default storage (the web builds, finance.jobs.job_dir) — the files are then
    rendered in a temporary directory and stored there, and `files` are their storage names."""
    if isinstance(out_dir, PurePath) and not isinstance(out_dir, Path):
        with tempfile.TemporaryDirectory(prefix="xinfang-build-") as tmp:
            built = write_disclosure(d, out_dir=Path(tmp), progress=progress)
            names = []
            for path in built.files:
                name = out_dir / path.relative_to(built.out_dir).as_posix()
                with path.open("rb") as f:
                    default_storage.delete(str(name))  # a build's folder is its own; a retry replaces
                    names.append(PurePosixPath(default_storage.save(str(name), File(f))))
        return BuiltDisclosure(out_dir, tuple(names))
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
