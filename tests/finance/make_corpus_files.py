"""Regenerate the published forms of the text corpus (tests/finance/corpus/*.txt): a Word file (one paragraph
per line, python-docx) and the PDF LibreOffice prints from it — the way a unit publishes its disclosure; and
the old-style .xls of one table-corpus workbook (tests/finance/fixtures/education_2021.xls, LibreOffice from the
.xlsx of table_corpus.py). The tests read the committed files; run this only when a source changes:

    .venv/bin/python tests/finance/make_corpus_files.py      (needs libreoffice on PATH)
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

CORPUS = Path(__file__).parent / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"


def write_docx(txt: Path) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    for line in txt.read_text(encoding="utf-8").split("\n"):
        doc.add_paragraph(line)
    path = txt.with_suffix(".docx")
    doc.save(path)
    return path


def convert(path: Path, to: str, outdir: Path) -> None:
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", to, "--outdir", str(outdir), str(path)],
        check=True,
        stdout=sys.stderr,
    )


def main() -> None:
    for txt in sorted(CORPUS.glob("*.txt")):
        convert(write_docx(txt), "pdf", CORPUS)
    sys.path.insert(0, str(Path(__file__).parent))
    import table_corpus  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        xlsx = table_corpus.publish(table_corpus.education_2021(), Path(tmp) / "education_2021.xlsx")
        convert(xlsx, "xls", FIXTURES)


if __name__ == "__main__":
    main()
