"""One POST route per workflow action. Each body carries `version` (the matter's version the caller saw,
passed to the service as `expected_version`) plus that action's fields; the answer is the updated
matter detail. The services check state, role, unit and version atomically and change nothing when
they refuse (409 / 403 / 422, see errors.py). The answer is not logged as a `matter:view`: the event row
the service wrote is the record of what the caller did; petitioners in it are always masked."""

from django.core.exceptions import ValidationError
from ninja import Router

from xinfang.accounts import roles as R
from xinfang.api import presenters
from xinfang.api.routes.common import actor, unit_by_code, user_by_username, visible_matter
from xinfang.api.schemas import (
    AcceptIn,
    AssignIn,
    ChannelIn,
    DeclineIn,
    DeliverIn,
    ErrorOut,
    ExtendIn,
    ForwardIn,
    HandlerIn,
    MatterDetailOut,
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


def _done(request, matter):
    matter.refresh_from_db()
    return presenters.matter_detail(actor(request), matter)


@router.post("/matters/{number}/register", response=RESPONSES, **_described("register"))
def register_received(request, number: str, payload: VersionIn):
    matter = visible_matter(request, number)
    services.register_received(matter, by=actor(request), expected_version=payload.version)
    return _done(request, matter)


@router.post("/matters/{number}/forward", response=RESPONSES, **_described("forward"))
def forward(request, number: str, payload: ForwardIn):
    matter = visible_matter(request, number)
    services.forward_matter(
        matter, by=actor(request), unit=unit_by_code(payload.unit), note=payload.note,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/assign", response=RESPONSES, **_described("assign"))
def assign(request, number: str, payload: AssignIn):
    matter = visible_matter(request, number)
    services.assign_matter(
        matter, by=actor(request), unit=unit_by_code(payload.unit), due=payload.due, note=payload.note,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post(
    "/matters/{number}/redirect",
    response=RESPONSES,
    **_described("redirect_legal", "redirect_discipline", "redirect_other"),
)
def redirect(request, number: str, payload: RedirectIn):
    matter = visible_matter(request, number)
    services.redirect_matter(
        matter, by=actor(request), to=payload.to, unit=unit_by_code(payload.unit), reason=payload.reason,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post(
    "/matters/{number}/decline",
    response=RESPONSES,
    **_described(
        "decline",
        extra="理由代码：" + "；".join(f"{k} {v}" for k, v in services.DECLINE_REASONS.items()) + "。",
    ),
)
def decline(request, number: str, payload: DeclineIn):
    matter = visible_matter(request, number)
    services.decline_matter(
        matter, by=actor(request), reason=payload.reason, note=payload.note, expected_version=payload.version
    )
    return _done(request, matter)


@router.post("/matters/{number}/refuse-repeat", response=RESPONSES, **_described("refuse_repeat"))
def refuse_repeat(request, number: str, payload: RefuseRepeatIn):
    matter = visible_matter(request, number)
    original = access.visible_matters(actor(request)).filter(number=payload.original).first()
    if original is None:
        raise ValidationError({"original": [f"原事项编号“{payload.original}”不存在。"]})
    services.refuse_repeat(matter, by=actor(request), original=original, expected_version=payload.version)
    return _done(request, matter)


@router.post("/matters/{number}/report-major", response=RESPONSES, **_described("report_major"))
def report_major(request, number: str, payload: ReportMajorIn):
    matter = visible_matter(request, number)
    services.report_major(matter, by=actor(request), note=payload.note, expected_version=payload.version)
    return _done(request, matter)


@router.post("/matters/{number}/acknowledge", response=RESPONSES, **_described("acknowledge"))
def acknowledge(request, number: str, payload: VersionIn):
    matter = visible_matter(request, number)
    services.acknowledge_matter(matter, by=actor(request), expected_version=payload.version)
    return _done(request, matter)


@router.post("/matters/{number}/object", response=RESPONSES, **_described("object"))
def object_(request, number: str, payload: ObjectIn):
    matter = visible_matter(request, number)
    services.object_matter(matter, by=actor(request), reason=payload.reason, expected_version=payload.version)
    return _done(request, matter)


@router.post(
    "/matters/{number}/objection-decision",
    response=RESPONSES,
    **_described("uphold_objection", "reject_objection"),
)
def objection_decision(request, number: str, payload: ObjectionDecisionIn):
    matter = visible_matter(request, number)
    services.decide_objection(
        matter, by=actor(request), uphold=payload.uphold, note=payload.note, expected_version=payload.version
    )
    return _done(request, matter)


@router.post("/matters/{number}/accept", response=RESPONSES, **_described("accept"))
def accept(request, number: str, payload: AcceptIn):
    matter = visible_matter(request, number)
    services.accept_matter(
        matter, by=actor(request), simple=payload.simple, note=payload.note, expected_version=payload.version
    )
    return _done(request, matter)


@router.post(
    "/matters/{number}/channel",
    response=RESPONSES,
    **_described(
        "channel", extra="程序代码：" + "；".join(f"{k} {v}" for k, v in services.CHANNELS.items()) + "。"
    ),
)
def channel(request, number: str, payload: ChannelIn):
    matter = visible_matter(request, number)
    services.channel_matter(
        matter, by=actor(request), procedure=payload.procedure, note=payload.note,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/investigate", response=RESPONSES, **_described("investigate"))
def investigate(request, number: str, payload: VersionIn):
    matter = visible_matter(request, number)
    services.start_investigation(matter, by=actor(request), expected_version=payload.version)
    return _done(request, matter)


@router.post(
    "/matters/{number}/extend",
    response=RESPONSES,
    **_described("extend", extra="只能延期一次，不超过30日，须由承办人以外的负责人批准。"),
)
def extend(request, number: str, payload: ExtendIn):
    matter = visible_matter(request, number)
    services.extend_matter(
        matter, by=actor(request), days=payload.days, reason=payload.reason, expected_version=payload.version
    )
    return _done(request, matter)


@router.post("/matters/{number}/reply", response=RESPONSES, **_described("reply"))
def reply(request, number: str, payload: ReplyIn):
    matter = visible_matter(request, number)
    services.reply_matter(
        matter, by=actor(request), outcome=payload.outcome, opinion=payload.opinion, basis=payload.basis,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/deliver", response=RESPONSES, **_described("deliver"))
def deliver(request, number: str, payload: DeliverIn):
    matter = visible_matter(request, number)
    services.deliver_reply(
        matter, by=actor(request), method=payload.method, delivered_on=payload.delivered_on,
        signed=payload.signed, expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/review-request", response=RESPONSES, **_described("request_review"))
def review_request(request, number: str, payload: ReviewRequestIn):
    matter = visible_matter(request, number)
    services.request_review(
        matter, by=actor(request), requested_on=payload.requested_on, reason=payload.reason,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/review-decision", response=RESPONSES, **_described("decide_review"))
def review_decision(request, number: str, payload: ReviewDecisionIn):
    matter = visible_matter(request, number)
    services.decide_review(
        matter, by=actor(request), outcome=payload.outcome, opinion=payload.opinion,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/recheck-request", response=RESPONSES, **_described("request_recheck"))
def recheck_request(request, number: str, payload: RecheckRequestIn):
    matter = visible_matter(request, number)
    services.request_recheck(
        matter, by=actor(request), requested_on=payload.requested_on, reason=payload.reason,
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/recheck-record", response=RESPONSES, **_described("record_recheck"))
def recheck_record(request, number: str, payload: RecheckRecordIn):
    matter = visible_matter(request, number)
    services.record_recheck(
        matter, by=actor(request), outcome=payload.outcome, opinion=payload.opinion,
        decided_on=payload.decided_on, external_number=payload.external_number, expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


@router.post("/matters/{number}/close", response=RESPONSES, **_described("close"))
def close(request, number: str, payload: VersionIn):
    matter = visible_matter(request, number)
    services.close_matter(matter, by=actor(request), expected_version=payload.version)
    return _done(request, matter)


@router.post("/matters/{number}/archive", response=RESPONSES, **_described("archive"))
def archive(request, number: str, payload: VersionIn):
    matter = visible_matter(request, number)
    services.archive_matter(matter, by=actor(request), expected_version=payload.version)
    return _done(request, matter)


@router.post(
    "/matters/{number}/handler",
    response=RESPONSES,
    summary="指定承办人",
    description="责任单位经办人员或领导为本单位承办的事项指定承办人；已回避人员和被检举人不能指定。",
)
def handler(request, number: str, payload: HandlerIn):
    matter = visible_matter(request, number)
    services.assign_handler(
        matter, by=actor(request), handler=user_by_username(payload.handler, field="handler"),
        expected_version=payload.version,
    )  # fmt: skip
    return _done(request, matter)


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
    return _done(request, matter)
