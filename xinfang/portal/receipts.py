"""回执: the receipt of an online submission, as a one-page A4 公文 (xinfang.core.officialdoc)."""

from datetime import datetime

from django.utils import timezone

from xinfang.core import officialdoc, validators


def render_receipt(
    *, number: str, code: str, title: str, name: str, submitted_at: datetime, contact: dict
) -> bytes:
    if timezone.is_aware(submitted_at):
        submitted_at = timezone.localtime(submitted_at)
    doc = officialdoc.new_document(title=f"{contact['bureau']}网上信访回执")
    rows = [
        ["登记编号", number],
        ["查询码", code],
        ["提交时间", f"{officialdoc.document_date(submitted_at.date())} {submitted_at:%H:%M}"],
        ["标题", title],
        ["信访人", validators.mask_name(name) if name else "（未署名）"],
    ]
    officialdoc.add_blank_lines(doc)
    officialdoc.add_table(doc, rows)
    for line in (
        "请妥善保管登记编号和查询码。查询码只显示这一次，本机关不保存查询码原文，遗失后无法找回；"
        "请勿将查询码告诉他人。",
        "您的信访事项将由工作人员登记，并依照《信访工作条例》第二十二条在十五日内转送、交办有权处理的机关；"
        "有权处理的机关将在收到之日起十五日内书面告知受理情况。",
        f"查询办理进展、下载告知书和意见书、评价和申请复查复核：{contact['online']}（“进展查询”）。",
        f"来信地址：{contact['letter_address']}；咨询电话：{contact['phone']}。",
        f"接待地点：{contact['reception_name']}，{contact['reception_address']}；接待时间：{contact['reception_hours']}。",
    ):
        officialdoc.add_body_paragraph(doc, line)
    officialdoc.add_signature(doc, issuer=contact["bureau"], on=submitted_at.date())
    return officialdoc.to_bytes(doc)
