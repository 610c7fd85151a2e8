"""One POST route per workflow action. Each body carries `version` (the matter's version the caller saw,
passed to the service as `expected_version`) plus that action's fields; the answer is the updated
matter detail. The services check state, role, unit and version atomically and change nothing when
they refuse (409 / 403 / 422, see errors.py). The answer is not logged as a `matter:view`: the event row
the service wrote is the record of what the caller did; petitioners in it are always masked."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router

from xinfang.accounts import roles as R
from xinfang.api.routes.common import (
    active_user,
    actor,
    audited,
    changed_matter,
    unit_by_code,
    user_by_username,
    visible_matter,
)
from xinfang.api.schemas import (
    AcceptIn,
    AssignIn,
    ChannelIn,
    DeclineIn,
    DeliverIn,
    ErrorOut,
    ExtensionDecisionIn,
    ExtensionRequestIn,
    ForwardIn,
    HandlerIn,
    MatterDetailOut,
    MergeIn,
    ObjectIn,
    ObjectionDecisionIn,
    RecheckRecordIn,
    RecheckRequestIn,
    RecusalIn,
    RedirectIn,
    RefuseRepeatIn,
    ReplyIn,
    ReportMajorIn,
    ReviewDecisionIn,
    ReviewRequestIn,
    UnmergeIn,
    VersionIn,
)
from xinfang.petitions import access, services, workflow

router = Router(tags=["办理流程"])

RESPONSES = {200: MatterDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _described(*actions: str, extra: str = "") -> dict:
    """Summary and description from the transition table, so the docs cannot drift from the rules."""
    ts = [workflow.transition_for(a) for a in actions]
    lines = []
    for t in ts:
        who = "、".join(str(R.ROLE_LABELS[r]) for r in t.roles)
        sources = "、".join(workflow.STATES[s] for s in t.sources)
        lines.append(f"{t.label}：{sources} → {workflow.STATES[t.target]}；执行人：{who}；依据：{t.basis}。")
    if extra:
        lines.append(extra)
    return {"summary": " / ".join(t.label for t in ts), "description": "\n\n".join(lines)}


def _path(action: str) -> str:
    """The route of an action, from the transition table (workflow.Transition.route)."""
    return f"/matters/{{number}}/{workflow.transition_for(action).route}"


def _take(request, number: str, action: str, **arguments):
    """Take `action` on the visible matter through the table's service, with the table's fixed arguments."""
    matter = visible_matter(request, number)
    t = workflow.transition_for(action)
    getattr(services, t.service)(matter, by=actor(request), **dict(t.arguments), **arguments)
    return changed_matter(request, matter)


@router.post(_path("register"), response=RESPONSES, **_described("register"))
def register_received(request, number: str, payload: VersionIn):
    return _take(request, number, "register", expected_version=payload.version)


@router.post(_path("forward"), response=RESPONSES, **_described("forward"))
def forward(request, number: str, payload: ForwardIn):
    return _take(request, number, "forward", unit=unit_by_code(payload.unit), note=payload.note,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("assign"), response=RESPONSES, **_described("assign"))
def assign(request, number: str, payload: AssignIn):
    return _take(request, number, "assign", unit=unit_by_code(payload.unit), due=payload.due, note=payload.note,
                 expected_version=payload.version)  # fmt: skip


@router.post(
    _path("redirect_legal"),
    response=RESPONSES,
    **_described("redirect_legal", "redirect_discipline", "redirect_other"),
)
def redirect(request, number: str, payload: RedirectIn):
    return _take(request, number, f"redirect_{payload.to}", unit=unit_by_code(payload.unit),
                 reason=payload.reason, expected_version=payload.version)  # fmt: skip


@router.post(
    _path("decline"),
    response=RESPONSES,
    **_described(
        "decline",
        extra="理由代码：" + "；".join(f"{k} {v}" for k, v in services.DECLINE_REASONS.items()) + "。",
    ),
)
def decline(request, number: str, payload: DeclineIn):
    return _take(request, number, "decline", reason=payload.reason, note=payload.note,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("refuse_repeat"), response=RESPONSES, **_described("refuse_repeat"))
def refuse_repeat(request, number: str, payload: RefuseRepeatIn):
    original = access.visible_matters(actor(request)).filter(number=payload.original).first()
    if original is None:
        raise ValidationError({"original": [f"原事项编号“{payload.original}”不存在。"]})
    return _take(request, number, "refuse_repeat", original=original, expected_version=payload.version)


@router.post(_path("report_major"), response=RESPONSES, **_described("report_major"))
def report_major(request, number: str, payload: ReportMajorIn):
    return _take(request, number, "report_major", note=payload.note, expected_version=payload.version)


@router.post(_path("acknowledge"), response=RESPONSES, **_described("acknowledge"))
def acknowledge(request, number: str, payload: VersionIn):
    return _take(request, number, "acknowledge", expected_version=payload.version)


@router.post(_path("object"), response=RESPONSES, **_described("object"))
def object_(request, number: str, payload: ObjectIn):
    return _take(request, number, "object", reason=payload.reason, expected_version=payload.version)


@router.post(
    _path("uphold_objection"),
    response=RESPONSES,
    **_described("uphold_objection", "reject_objection"),
)
def objection_decision(request, number: str, payload: ObjectionDecisionIn):
    action = "uphold_objection" if payload.uphold else "reject_objection"
    return _take(request, number, action, note=payload.note, expected_version=payload.version)


@router.post(_path("accept"), response=RESPONSES, **_described("accept"))
def accept(request, number: str, payload: AcceptIn):
    return _take(request, number, "accept", simple=payload.simple, note=payload.note,
                 expected_version=payload.version)  # fmt: skip


@router.post(
    _path("channel"),
    response=RESPONSES,
    **_described(
        "channel", extra="程序代码：" + "；".join(f"{k} {v}" for k, v in services.CHANNELS.items()) + "。"
    ),
)
def channel(request, number: str, payload: ChannelIn):
    return _take(request, number, "channel", procedure=payload.procedure, note=payload.note,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("investigate"), response=RESPONSES, **_described("investigate"))
def investigate(request, number: str, payload: VersionIn):
    return _take(request, number, "investigate", expected_version=payload.version)


EXTENSION_RULES = (
    "只能延期一次，不超过30日；由责任单位经办人员（承办人或同事）在办理期限内申请，同一时间只能有一个待审批的申请；"
    "由本单位负责人（申请人和承办人以外）批准或不予批准，不予批准须写明理由。"
)


@router.post(
    f"/matters/{{number}}/{workflow.transition_for('extend').request_route}",
    response=RESPONSES,
    summary="申请延期",
    description=f"延期申请（《信访工作条例》第三十四条）。{EXTENSION_RULES}",
)
def extension_request(request, number: str, payload: ExtensionRequestIn):
    matter = visible_matter(request, number)
    t = workflow.transition_for("extend")
    getattr(services, t.request_service)(
        matter, by=actor(request), days=payload.days, reason=payload.reason, expected_version=payload.version
    )
    return changed_matter(request, matter)


@router.post(_path("extend"), response=RESPONSES, **_described("extend", extra=EXTENSION_RULES))
def extension_decision(request, number: str, request_id: int, payload: ExtensionDecisionIn):
    matter = visible_matter(request, number)
    pending = matter.extension_requests.filter(pk=request_id).first()
    if pending is None:
        raise Http404(f"未找到延期申请“{request_id}”。")
    t = workflow.transition_for("extend")
    getattr(services, t.service)(
        pending, by=actor(request), approve=payload.approve, reason=payload.reason,
        expected_version=payload.version,
    )  # fmt: skip
    return changed_matter(request, matter)


@router.post(_path("reply"), response=RESPONSES, **_described("reply"))
def reply(request, number: str, payload: ReplyIn):
    return _take(request, number, "reply", outcome=payload.outcome, opinion=payload.opinion,
                 basis=payload.basis, expected_version=payload.version)  # fmt: skip


@router.post(_path("deliver"), response=RESPONSES, **_described("deliver"))
def deliver(request, number: str, payload: DeliverIn):
    return _take(request, number, "deliver", method=payload.method, delivered_on=payload.delivered_on,
                 signed=payload.signed, expected_version=payload.version)  # fmt: skip


@router.post(_path("request_review"), response=RESPONSES, **_described("request_review"))
def review_request(request, number: str, payload: ReviewRequestIn):
    return _take(request, number, "request_review", requested_on=payload.requested_on, reason=payload.reason,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("decide_review"), response=RESPONSES, **_described("decide_review"))
def review_decision(request, number: str, payload: ReviewDecisionIn):
    return _take(request, number, "decide_review", outcome=payload.outcome, opinion=payload.opinion,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("request_recheck"), response=RESPONSES, **_described("request_recheck"))
def recheck_request(request, number: str, payload: RecheckRequestIn):
    return _take(request, number, "request_recheck", requested_on=payload.requested_on, reason=payload.reason,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("record_recheck"), response=RESPONSES, **_described("record_recheck"))
def recheck_record(request, number: str, payload: RecheckRecordIn):
    return _take(request, number, "record_recheck", outcome=payload.outcome, opinion=payload.opinion,
                 decided_on=payload.decided_on, external_number=payload.external_number,
                 expected_version=payload.version)  # fmt: skip


@router.post(_path("close"), response=RESPONSES, **_described("close"))
def close(request, number: str, payload: VersionIn):
    return _take(request, number, "close", expected_version=payload.version)


@router.post(_path("archive"), response=RESPONSES, **_described("archive"))
def archive(request, number: str, payload: VersionIn):
    return _take(request, number, "archive", expected_version=payload.version)


@router.post(
    "/matters/{number}/handler",
    response=RESPONSES,
    summary="指定承办人",
    description=(
        "责任单位经办人员或领导为本单位承办的事项指定承办人；已回避人员和被检举人不能指定。"
        "用户名不存在、已停用或不是本单位经办人员的，一律返回 422（同一说明）。"
    ),
)
def handler(request, number: str, payload: HandlerIn):
    matter = visible_matter(request, number)
    services.assign_handler(
        matter, by=actor(request), handler=active_user(payload.handler), expected_version=payload.version
    )
    return changed_matter(request, matter)


@router.post(
    "/matters/{number}/recusals",
    response=RESPONSES,
    summary="回避",
    description="登记与事项或信访人有直接利害关系的人员回避（《信访工作条例》第二十八条第三款）；"
    "回避人员为承办人的，承办人随之取消。",
)
def recusals(request, number: str, payload: RecusalIn):
    matter = visible_matter(request, number)
    # declare_recusal takes no expected_version yet (reported to the domain owner): until it does, refuse
    # a stale page here, like every other action does, rather than silently ignore `version`.
    if payload.version != matter.version:
        raise services.StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    services.declare_recusal(
        matter, by=actor(request), user=user_by_username(payload.user, field="user"), reason=payload.reason
    )
    return changed_matter(request, matter)


# --- 合并 (issue 16): the rules of services.merge_matter / join_received / unmerge_matter (docs/workflow.md) ------

MERGE_RULES = (
    "由信访局办案人员将重复登记的事项并入保留的事项：本事项的信访件作为重复件并入，本事项不再出现在工作台、时限提醒"
    "和统计中，可撤销。已出具处理意见或已办结的事项不能并入；保留的事项须未办结；检举控告事项只能与同一检举人的检举控告"
    "事项合并。"
)


@router.post("/matters/{number}/merge", response=RESPONSES, summary="合并到其他事项", description=MERGE_RULES)
def merge(request, number: str, payload: MergeIn):
    matter = visible_matter(request, number)
    into = visible_matter(request, payload.into)
    audited(request, lambda: services.merge_matter(matter, into=into, by=actor(request), reason=payload.reason,
            expected_version=payload.version), audit="matter:merge", matter=matter.number)  # fmt: skip
    return changed_matter(request, matter)


@router.post(
    "/matters/{number}/join",
    response=RESPONSES,
    summary="网上信访件作为重复件并入已有事项",
    description="接待登记员或办案人员将待登记的网上信访件作为重复件并入未办结的原事项（代替登记为新事项），写明理由；"
    "与合并一样可撤销。",
)
def join(request, number: str, payload: MergeIn):
    matter = visible_matter(request, number)
    into = visible_matter(request, payload.into)
    audited(request, lambda: services.join_received(matter, into=into, by=actor(request), reason=payload.reason,
            expected_version=payload.version), audit="matter:join", matter=matter.number)  # fmt: skip
    return changed_matter(request, matter)


@router.post(
    "/matters/{number}/unmerge",
    response=RESPONSES,
    summary="撤销合并",
    description="由信访局办案人员撤销合并：信访件移回本事项并恢复原处理方式，时限恢复，本事项恢复合并前的状态。",
)
def unmerge(request, number: str, payload: UnmergeIn):
    matter = visible_matter(request, number)
    audited(request, lambda: services.unmerge_matter(matter, by=actor(request), reason=payload.reason,
            expected_version=payload.version), audit="matter:unmerge", matter=matter.number)  # fmt: skip
    return changed_matter(request, matter)
