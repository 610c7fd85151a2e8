"""What the petitioner sees of a matter (网上办理工作规程 [S6]): published milestones with dates, the
documents addressed to them, their own uploads. Units, never staff members; no internal notes."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from xinfang.petitions import queries, services, workflow
from xinfang.petitions.models import Attachment, Document, Evaluation, Matter, Registration

# Notes shown to the petitioner: text they wrote themselves, or the reason the law says to tell them.
PUBLIC_NOTE_KINDS = {
    "matter:extend",
    "matter:information_added",
    "matter:request_review",
    "matter:request_recheck",
}


@dataclass(frozen=True)
class Milestone:
    on: date
    text: str
    unit: str
    note: str
    document: Document | None


def _on(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def describe(event, matter: Matter | None = None) -> str:
    """The milestone's words. The published milestones (受理告知, 延期, 答复, 送达) also tell the petitioner the
    dates that follow from them — the evaluation windows, the extended period, the review deadline — as the SMS
    does (petitions/sms.py), from the matter's current dates."""
    data = event.data or {}
    m = matter or event.matter
    unit = data.get("unit") or (event.unit.name if event.unit else "")
    kind = event.kind
    if kind == "matter:received":
        return "网上信访已提交，等待登记"
    if kind in ("matter:registered", "matter:register"):
        return "已登记"
    if kind == "matter:forward":
        return f"已转送{unit}办理"
    if kind == "matter:assign":
        return f"已交办{unit}办理"
    if kind == "matter:redirect_legal":
        return f"涉及诉讼权利救济，已转{unit}依法处理"
    if kind == "matter:redirect_discipline":
        return f"已转{unit}依规依纪依法处理"
    if kind == "matter:redirect_other":
        return "不属于本机关职权范围，已告知向有权处理的机关提出"
    if kind == "matter:accept":
        text = f"{unit}已受理" if unit else "已受理"
        if m.eval_bureau_due:
            text += f"，您可在{_on(m.eval_bureau_due)}前对信访部门的工作进行满意度评价"
        return text
    if kind == "matter:channel":
        procedure = services.CHANNELS.get(data.get("procedure", ""), "相应法定程序")
        return f"已导入{procedure}"
    if kind == "matter:extend":
        text = f"办理期限延长{data.get('days', '')}日"
        return text + (f"，延长至{_on(m.handle_due)}" if m.handle_due else "")
    if kind == "matter:reply":
        return f"{unit}已出具处理意见书" if unit else "已出具处理意见书"
    if kind == "matter:deliver":
        text = "处理意见书已送达"
        if m.eval_unit_due:
            text += f"，您可在{_on(m.eval_unit_due)}前对责任单位进行满意度评价"
        if m.review_request_due:
            text += f"；如不服处理意见，可在{_on(m.review_request_due)}前请求复查"
        return text
    if kind == "matter:information_added":
        return "信访人补充材料"
    if kind == "evaluation:submitted":
        target = Evaluation.Target(data["target"]).label if data.get("target") else ""
        value = Evaluation.Value(data["value"]).label if data.get("value") else ""
        return f"已评价{target}：{value}"
    if kind == "registration:repeat":
        return "再次反映，已并入本事项"
    if kind == "registration:no_longer_accepted":
        return "同一事实和理由再次提出，不再受理"
    if event.action:
        return workflow.transition_for(event.action).label
    return "办理进展"


def milestones(matter: Matter, registration: Registration) -> list[Milestone]:
    rows = []
    for event in queries.timeline(matter, public_only=True):
        doc = event.document
        if doc is not None and not (doc.is_public and doc.registration_id in (None, registration.pk)):
            doc = None
        if event.kind.startswith("registration:") and event.data.get("registration") != registration.number:
            continue
        rows.append(
            Milestone(
                on=timezone.localtime(event.at).date(),
                text=describe(event, matter),
                unit=event.unit.name if event.unit else "",
                note=event.note if event.kind in PUBLIC_NOTE_KINDS else "",
                document=doc,
            )
        )
    return rows


def public_documents(matter: Matter, registration: Registration):
    mine = Q(registration__isnull=True) | Q(registration=registration)
    return Document.objects.filter(mine, matter=matter, is_public=True).select_related("issuer")


def own_uploads(matter: Matter):
    return Attachment.objects.filter(matter=matter, from_petitioner=True).order_by("created_at", "id")
