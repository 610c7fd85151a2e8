"""回执: the receipt of an online submission, as a small .docx (python-docx)."""

import io
from datetime import datetime

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from xinfang.core import validators


def render_receipt(
    *, number: str, code: str, title: str, name: str, submitted_at: datetime, contact: dict
) -> bytes:
    doc = DocxDocument()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(f"{contact['bureau']} 网上信访回执")
    run.bold = True
    run.font.size = Pt(18)
    rows = [
        ("登记编号", number),
        ("查询码", code),
        ("提交时间", f"{submitted_at:%Y年%m月%d日 %H:%M}"),
        ("标题", title),
        ("信访人", validators.mask_name(name) if name else "（未署名）"),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    for line in (
        "请妥善保管登记编号和查询码。查询码只显示这一次，本机关不保存查询码原文，遗失后无法找回；"
        "请勿将查询码告诉他人。",
        "您的信访事项将由工作人员登记，并依照《信访工作条例》第二十二条在十五日内转送、交办有权处理的机关；"
        "有权处理的机关将在收到之日起十五日内书面告知受理情况。",
        f"查询办理进展、下载告知书和意见书、评价和申请复查复核：{contact['online']}（“进展查询”）。",
        f"来信地址：{contact['letter_address']}；咨询电话：{contact['phone']}。",
        f"接待地点：{contact['reception_name']}，{contact['reception_address']}；接待时间：{contact['reception_hours']}。",
    ):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
