"""The bureau's own records on a matter (issue 12): 回访 after the reply (services.record_follow_up) and the
correction of what was registered — summary, 内容分类, 属地 (services.correct_registration). Each with its audit
row in the same transaction, like the staff pages."""

from django.core.exceptions import ValidationError
from ninja import Router, Status

from xinfang.api import presenters
from xinfang.api.routes.common import actor, audited, changed_matter, unit_by_code, visible_matter
from xinfang.api.schemas import CorrectionIn, ErrorOut, FollowUpIn, FollowUpOut, MatterDetailOut
from xinfang.petitions import services
from xinfang.petitions.models import Code

router = Router(tags=["办理流程"])


@router.post(
    "/matters/{number}/follow-ups",
    response={201: FollowUpOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="登记回访",
    description=(
        "事项答复后，信访部门登记、办案人员电话回访信访人，记录回访对象、时间、结果（信访人在电话中的表态，"
        "或未接通、拒绝回访）和回访情况。回访是工作记录：出现在办理过程中，不向信访人公开；不改变事项状态和版本号。"
        "答复之前登记返回 409。"
    ),
)
def follow_up(request, number: str, payload: FollowUpIn):
    matter = visible_matter(request, number)
    call = audited(request, lambda: services.record_follow_up(
        matter, by=actor(request), called_at=payload.called_at, callee=payload.callee, outcome=payload.outcome,
        notes=payload.notes,
    ), audit="follow_up:create", matter=matter.number)  # fmt: skip
    return Status(201, presenters.follow_up(call))


def _code(code: str) -> Code | None:
    if not code:
        return None
    found = Code.objects.filter(table=Code.Table.CONTENT, code=code, is_active=True).first()
    if found is None:
        raise ValidationError({"content_class": [f"内容分类代码“{code}”不存在或已停用。"]})
    return found


@router.post(
    "/matters/{number}/registration-correction",
    response={200: MatterDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="更正登记内容",
    description=(
        "事项转出信访部门之前（已收到待登记、已登记待分流、重大紧急已报请决定），信访部门登记、办案人员更正登记的"
        "事项摘要、内容分类或问题属地，须写明理由；办理过程记录每项的原值和新值及理由，统计汇总表随之更新。"
        "只更正填写了的字段；与原值相同、事项已转出或理由为空时返回 409。"
    ),
)
def correct_registration(request, number: str, payload: CorrectionIn):
    matter = visible_matter(request, number)
    changes = {}
    if payload.title is not None:
        changes["title"] = payload.title
    if payload.content_class is not None:
        changes["content_class"] = _code(payload.content_class)
    if payload.township is not None:
        changes["township"] = unit_by_code(payload.township, field="township")
    audited(request, lambda: services.correct_registration(
        matter, by=actor(request), reason=payload.reason, expected_version=payload.version, **changes
    ), audit="matter:correct", audit_obj=lambda _: matter, matter=matter.number)  # fmt: skip
    return changed_matter(request, matter)
