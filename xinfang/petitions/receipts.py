"""登记回执: the receipt handed or posted to the petitioner when a letter, call, visit … is registered, with the
登记编号 and the 查询码. Not a numbered Document: it carries the 查询码, which is never stored (only its hash), so
it is built from the registration and the code while the code is known, and printed at once.
`registration_receipt` gathers the data; `render_registration_receipt` lays it out and never touches the ORM."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from xinfang.core import officialdoc, validators
from xinfang.petitions.models import Registration, Unit


@dataclass(frozen=True)
class RegistrationReceipt:
    unit: str
    registration: str
    matter: str
    channel: str
    received_at: datetime
    registered_on: date
    title: str
    petitioner: str  # masked
    code: str  # "" when no longer known (the receipt then says so)
    period: str  # the statutory period that now runs
    portal: str  # where to query


def _period(registration: Registration) -> str:
    matter = registration.matter
    if registration.disposition == Registration.Disposition.NO_LONGER:
        return (
            "该事项已经复核终结，依照《信访工作条例》第三十六条第三款，以同一事实和理由提出的投诉请求不再受理，"
            "不再受理告知书另行送达。"
        )
    if registration.disposition == Registration.Disposition.PENDING_ELSEWHERE:
        return (
            f"该事项已经受理，正在办理期限内（事项编号：{matter.number}），依照《信访工作条例》第十九条第三款，"
            "向上级机关再次提出的不予受理，不予受理告知书另行送达。"
        )
    if registration.disposition == Registration.Disposition.REPEAT:
        return f"本次反映已并入原信访事项（事项编号：{matter.number}）一并办理，办理期限按原事项计算。"
    if matter.is_direct:
        return (
            "依照《信访工作条例》第二十三条，本机关将自收到之日起十五日内书面告知您是否受理；"
            "受理的，自受理之日起六十日内办结。"
        )
    return (
        "依照《信访工作条例》第二十二条，信访部门将自收到之日起十五日内将信访事项转送、交办有权处理的机关、单位；"
        "有权处理的机关、单位将自收到之日起十五日内书面告知您是否受理。"
    )


def registration_receipt(
    registration: Registration, *, unit: Unit, code: str, portal: str
) -> RegistrationReceipt:
    names = [validators.mask_name(p.name) for p in registration.petitioners.all()]
    who = "、".join(names[:3]) + (f"等{len(names)}人" if len(names) > 3 else "")
    return RegistrationReceipt(
        unit=unit.name, registration=registration.number, matter=registration.matter.number,
        channel=str(Registration.Channel(registration.channel).label),
        received_at=timezone.localtime(registration.received_at),
        registered_on=timezone.localdate(registration.registered_at), title=registration.matter.title,
        petitioner=who, code=code, period=_period(registration), portal=portal,
    )  # fmt: skip


def render_registration_receipt(receipt: RegistrationReceipt) -> bytes:
    """登记回执 (.docx, to print and hand over): a one-page A4 公文 from the one template (core.officialdoc)."""
    doc = officialdoc.new_document(title=f"{receipt.unit}信访事项登记回执")
    rows = [
        ["登记单位", receipt.unit],
        ["登记编号", receipt.registration],
        ["查询码", receipt.code or "登记时已告知；本机关不保存查询码原文"],
        ["事项编号", receipt.matter],
        ["信访形式", receipt.channel],
        ["来信来访日期", officialdoc.document_date(receipt.received_at.date())],
        ["登记日期", officialdoc.document_date(receipt.registered_on)],
        ["事项摘要", receipt.title],
        ["信访人", receipt.petitioner or "（未署名）"],
    ]
    officialdoc.add_blank_lines(doc)
    officialdoc.add_table(doc, rows)
    for line in (
        "您的信访事项已登记。" + receipt.period,
        f"凭登记编号和查询码，可在{officialdoc.clause(receipt.portal)}查询办理进展、查看告知书和意见书、"
        "进行满意度评价、申请复查复核。登记时留有手机号码的，受理、延期、答复等办理进展也将以短信告知。",
        "请妥善保管本回执。查询码只在登记时告知，本机关不保存查询码原文，遗失后无法找回；请勿将查询码告诉他人。",
    ):
        officialdoc.add_body_paragraph(doc, line)
    officialdoc.add_signature(doc, issuer=receipt.unit, on=receipt.registered_on)
    return officialdoc.to_bytes(doc)
