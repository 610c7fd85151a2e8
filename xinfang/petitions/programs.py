"""The bureau's other records: leader reception days and 包案, backlog campaigns (积案化解), dispute screening
(矛盾纠纷排查化解), joint meetings (联席会议), the special assistance fund (专项资金救助, 一案一卷) and video
reception (视频接访). Every person received becomes a registration through citizens.register_incoming, like
the clerk's intake: a 查询码 (returned, to be shown once and printed on the 登记回执), an SMS when a mobile is
known (ADR 0007)."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.core import officialdoc
from xinfang.petitions import access, citizens, documents, services, supervision, workflow
from xinfang.petitions.models import (
    AssistanceCase,
    Campaign,
    CampaignMatter,
    Deliberation,
    Dispute,
    Event,
    JointMeeting,
    Matter,
    ReceptionDay,
    Registration,
    Unit,
    VideoSession,
)

BUREAU_STAFF = (R.CLERK, R.CASE_OFFICER)
RECEPTION_OUTCOMES = {
    "resolved": "当场解决",
    "explained": "解释疏导",
    "assigned": "交办处理",
    "forwarded": "转送处理",
}


def _require(by, *roles, message="您的角色无权进行此操作。"):
    if by is None or not by.has_role(*roles):
        raise PermissionDenied(message)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise services.WorkflowError(message)


def _visible(by, matter: Matter) -> None:
    """A matter the actor may not see is refused without saying anything about it (access.py)."""
    if by is None or not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")


def _not_accused(matter: Matter, *, unit=None, user=None) -> None:
    """检举控告: the accused unit or person never receives the matter (条例第三十条第三款)."""
    if unit is not None and access.is_accused_unit(matter, unit):
        raise services.WorkflowError("检举控告事项不得交给被检举单位（条例第三十条第三款）。")
    if user is not None and not access.can_view(user, matter):
        raise services.WorkflowError("该人员无权查看此检举控告事项，不能承担（条例第三十条第三款）。")


def _event(matter: Matter, kind: str, *, by, note: str = "", data=None) -> Event:
    return Event.objects.create(matter=matter, kind=kind, at=timezone.now(), actor=by,
                                unit=getattr(by, "unit", None), note=note, data=data or {})  # fmt: skip


# --- leader reception and ownership -------------------------------------------------------------------


def schedule_reception_day(*, by, leader, on: date, place: str, topic: str = "", publish: bool = True):
    _require(by, *BUREAU_STAFF, R.LEADER)
    _check(leader.has_role(R.LEADER), "接访人须为领导。")
    _check(bool(place.strip()), "请填写接访地点。")
    return ReceptionDay.objects.create(leader=leader, date=on, place=place.strip(), topic=topic.strip(),
                                       is_published=publish, created_by=by)  # fmt: skip


@transaction.atomic
def record_reception(
    day: ReceptionDay, *, by, data: services.PetitionInput, outcome: str, uploads: list[citizens.Upload] = ()
) -> tuple[Registration, str]:
    """Register the petitioners a leader received that day, through the normal intake, with the leader noted and
    the materials they handed over (`uploads`, checked as at any intake). Returns the registration and its
    查询码."""
    _check(outcome in RECEPTION_OUTCOMES, "请选择接访结果。")
    _check(timezone.localtime(data.received_at).date() == day.date, "来访日期须为该领导接访日。")
    data.channel = Registration.Channel.VISIT
    data.place = data.place or day.place
    registration, code = citizens.register_incoming(data, by=by, uploads=uploads)
    Registration.objects.filter(pk=registration.pk).update(
        leader=day.leader, reception_day=day, outcome=outcome
    )
    _event(registration.matter, "matter:leader_reception", by=by,
           note=f"{day.leader}接访：{RECEPTION_OUTCOMES[outcome]}", data={"day": day.pk})  # fmt: skip
    registration.refresh_from_db()
    return registration, code


@transaction.atomic
def take_ownership(matter: Matter, *, by, leader) -> Matter:
    """包案: a leader owns a hard matter until it is resolved."""
    _require(by, R.LEADER, R.CASE_OFFICER)
    _visible(by, matter)
    _check(leader.has_role(R.LEADER), "包案人须为领导。")
    _not_accused(matter, user=leader)
    _check(matter.state in workflow.OPEN_STATES, "已办结的事项不需要包案。")
    Matter.objects.filter(pk=matter.pk).update(owner=leader, owned_since=services.today())
    matter.refresh_from_db()
    _event(matter, "matter:owned", by=by, note=f"{leader}包案")
    return matter


def record_instruction(matter: Matter, *, by, text: str) -> Event:
    """批示 of the owning leader (or any leader), recorded on the timeline."""
    _require(by, R.LEADER, message="只有领导可以批示。")
    _visible(by, matter)
    _check(bool(text.strip()), "请填写批示内容。")
    return _event(matter, "matter:instruction", by=by, note=text.strip())


# --- backlog campaigns --------------------------------------------------------------------------------


def create_campaign(*, by, name: str, start: date, end: date, description: str = "") -> Campaign:
    _require(by, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)
    _check(bool(name.strip()) and start <= end, "请填写活动名称，结束日期不能早于开始日期。")
    return Campaign.objects.create(name=name.strip(), start=start, end=end, description=description)


def add_to_campaign(campaign: Campaign, *, by, matter: Matter, unit: Unit, leader=None) -> CampaignMatter:
    _require(by, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)
    _visible(by, matter)
    _not_accused(matter, unit=unit, user=leader)
    _check(not campaign.items.filter(matter=matter).exists(), "该事项已在本次活动的化解清单中。")
    item = CampaignMatter.objects.create(campaign=campaign, matter=matter, unit=unit, leader=leader)
    _event(matter, "campaign:listed", by=by, note=campaign.name)
    return item


def record_campaign_progress(item: CampaignMatter, *, by, status: str, note: str = "") -> CampaignMatter:
    _require(by, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER, R.UNIT_OFFICER)
    _visible(by, item.matter)
    _check(status in CampaignMatter.Status.values, "进展状态无效。")
    item.status, item.note = status, note.strip()
    item.resolved_on = services.today() if status != CampaignMatter.Status.PENDING else None
    item.save(update_fields=["status", "note", "resolved_on"])
    _event(item.matter, "campaign:progress", by=by, note=f"{item.get_status_display()}：{note.strip()}")
    return item


# --- dispute screening --------------------------------------------------------------------------------


@transaction.atomic
def register_dispute(*, by, found_on: date, parties: str, kind: str, summary: str, township: Unit | None = None,
                     place: str = "", risk: str = Dispute.Risk.LOW) -> Dispute:  # fmt: skip
    _require(by, R.UNIT_OFFICER, *BUREAU_STAFF)
    _check(bool(parties.strip() and kind.strip() and summary.strip()), "请填写当事人、纠纷类型和纠纷情况。")
    _check(found_on <= services.today(), "排查日期不能晚于今天。")
    seq = documents.next_number(scope=services.bureau(), year=found_on.year, kind="dispute")
    return Dispute.objects.create(
        number=f"JF{found_on.year}{seq:05d}", source_unit=by.unit, found_on=found_on, township=township,
        place=place, parties=parties.strip(), kind=kind.strip(), summary=summary.strip(), risk=risk,
    )  # fmt: skip


def record_mediation(dispute: Dispute, *, by, mediator: str, result: str, agreement: str = "") -> Dispute:
    _require(by, R.UNIT_OFFICER, *BUREAU_STAFF)
    _check(mediator in Dispute.Mediator.values and result in Dispute.Result.values, "调解方式或结果无效。")
    dispute.mediator, dispute.result, dispute.agreement = mediator, result, agreement.strip()
    dispute.resolved_on = services.today() if result == Dispute.Result.RESOLVED else None
    dispute.save(update_fields=["mediator", "result", "agreement", "resolved_on"])
    return dispute


@transaction.atomic
def convert_dispute(
    dispute: Dispute, *, by, data: services.PetitionInput, uploads: list[citizens.Upload] = ()
) -> tuple[Registration, str]:
    """Turn a dispute that could not be settled into a petition matter (registered by the bureau), with the
    scans of its materials (`uploads`). Returns the registration and its 查询码."""
    _check(dispute.matter_id is None, "该纠纷已关联信访事项。")
    registration, code = citizens.register_incoming(data, by=by, uploads=uploads)
    matter = registration.matter
    Dispute.objects.filter(pk=dispute.pk).update(matter=matter, result=Dispute.Result.PETITION)
    _event(matter, "dispute:converted", by=by, note=f"由矛盾纠纷{dispute.number}转入")
    return registration, code


def link_dispute(dispute: Dispute, *, by, matter: Matter) -> Dispute:
    _require(by, *BUREAU_STAFF)
    _check(dispute.matter_id is None, "该纠纷已关联信访事项。")
    if not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    dispute.matter = matter
    dispute.save(update_fields=["matter"])
    _event(matter, "dispute:linked", by=by, note=f"关联矛盾纠纷{dispute.number}")
    return dispute


# --- joint meetings -----------------------------------------------------------------------------------


@transaction.atomic
def hold_joint_meeting(*, by, on: date, title: str, convener, units, attendees: str = "",
                       minutes: str = "") -> JointMeeting:  # fmt: skip
    _require(by, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)
    _check(convener.has_role(R.LEADER), "召集人须为领导。")
    meeting = JointMeeting.objects.create(date=on, title=title.strip() or "信访工作联席会议", convener=convener,
                                          attendees=attendees, minutes=minutes)  # fmt: skip
    meeting.units.set(units)
    return meeting


@transaction.atomic
def deliberate(meeting: JointMeeting, *, by, matter: Matter, conclusion: str, order_level: str = "",
               order_unit: Unit | None = None) -> Deliberation:  # fmt: skip
    """研判 a matter; optionally issue a supervision order decided by the meeting."""
    _require(by, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)
    _visible(by, matter)
    _check(bool(conclusion.strip()), "请填写研判结论。")
    order = None
    if order_level:
        order = supervision.issue_order(by=meeting.convener, level=order_level, matters=[matter],
                                        unit=order_unit or matter.handling_unit,
                                        reason=f"联席会议研判：{conclusion.strip()}")  # fmt: skip
    item = Deliberation.objects.create(
        meeting=meeting, matter=matter, conclusion=conclusion.strip(), order=order
    )
    _event(
        matter, "meeting:deliberated", by=by, note=f"{meeting.title}（{meeting.date}）：{conclusion.strip()}"
    )
    return item


# --- special assistance fund --------------------------------------------------------------------------


@transaction.atomic
def apply_assistance(matter: Matter, *, by, persons: int, hardship: str, amount: Decimal) -> AssistanceCase:
    _require(by, *BUREAU_STAFF)
    _visible(by, matter)
    _check(persons >= 1 and amount > 0 and bool(hardship.strip()), "请填写救助人数、困难情况和申请金额。")
    on = services.today()
    seq = documents.next_number(scope=services.bureau(), year=on.year, kind="assistance")
    case = AssistanceCase.objects.create(
        number=f"JZ{on.year}{seq:04d}", matter=matter, persons=persons, hardship=hardship.strip(),
        amount_requested=amount, applied_on=on, applied_by=by,
    )  # fmt: skip
    _event(matter, "assistance:applied", by=by, note=f"申请专项资金救助{amount}元（{case.number}）")
    return case


@transaction.atomic
def decide_assistance(case: AssistanceCase, *, by, approve: bool, amount: Decimal | None = None,
                      note: str = "") -> AssistanceCase:  # fmt: skip
    """Approval by the joint meeting's convener (a county leader)."""
    _require(by, R.LEADER, message="专项资金须由县信访工作联席会议召集人（县领导）审批。")
    _visible(by, case.matter)
    _check(case.status == AssistanceCase.Status.APPLIED, "该申请已审批。")
    if approve:
        _check(
            amount is not None and 0 < amount <= case.amount_requested, "批准金额须大于0且不超过申请金额。"
        )
    case.status = AssistanceCase.Status.APPROVED if approve else AssistanceCase.Status.REJECTED
    case.amount_approved = amount if approve else None
    case.approved_on, case.approved_by, case.decision_note = services.today(), by, note.strip()
    case.save()
    _event(case.matter, "assistance:decided", by=by, note=f"{case.get_status_display()}：{note.strip()}")
    return case


@transaction.atomic
def pay_assistance(case: AssistanceCase, *, by, paid_on: date, amount: Decimal,
                   stopped_petitioning: bool = False) -> AssistanceCase:  # fmt: skip
    _require(by, R.FINANCE, R.CASE_OFFICER)
    if access.hidden_matters(by).filter(pk=case.matter_id).exists():
        raise PermissionDenied("您无权查看该信访事项。")
    _check(case.status == AssistanceCase.Status.APPROVED, "只有已批准的申请才能拨付。")
    _check(0 < amount <= case.amount_approved, "拨付金额不能超过批准金额。")
    _check(case.approved_on <= paid_on <= services.today(), "拨付日期须在审批日期与今天之间。")
    case.status, case.paid_on, case.amount_paid = AssistanceCase.Status.PAID, paid_on, amount
    case.stopped_petitioning = stopped_petitioning
    case.save()
    _event(
        case.matter,
        "assistance:paid",
        by=by,
        note=f"拨付{amount}元" + ("，息诉息访" if stopped_petitioning else ""),
    )
    return case


def assistance_file_docx(case: AssistanceCase) -> bytes:
    """一案一卷: the case file with the application, approval, payment and the matter's documents, each
    document on its own page as issued (A4 公文, xinfang.core.officialdoc)."""
    doc = officialdoc.new_document(title="特殊疑难信访问题专项资金救助卷宗", doc_number=case.number)
    m = case.matter
    rows = [
        ["信访事项", f"{m.number} {m.title}"],
        ["救助人数", str(case.persons)],
        ["困难情况", case.hardship],
        ["申请金额（元）", str(case.amount_requested)],
        ["申请日期", str(case.applied_on)],
        [
            "审批",
            f"{case.get_status_display()} {case.approved_on or ''} {case.approved_by or ''} {case.decision_note}",
        ],
        ["批准金额（元）", str(case.amount_approved or "")],
        ["拨付", f"{case.paid_on or ''} {case.amount_paid or ''}"],
        ["息诉息访", "是" if case.stopped_petitioning else "否"],
    ]
    officialdoc.add_blank_lines(doc)
    officialdoc.add_table(doc, rows)
    for d in m.documents.all():
        documents.append_docx(doc, d)
    return officialdoc.to_bytes(doc)


# --- video reception ----------------------------------------------------------------------------------


def schedule_video_session(*, by, township: Unit, at: datetime, kind: str = "reception",
                           participants: str = "") -> VideoSession:  # fmt: skip
    _require(by, *BUREAU_STAFF)
    _check(township.kind == Unit.Kind.TOWNSHIP, "视频接访须选择乡镇。")
    session = VideoSession.objects.create(
        township=township, scheduled_at=at, kind=kind, participants=participants
    )
    base = getattr(settings, "XINFANG_VIDEO_URL", "")
    if base:
        session.link = f"{base.rstrip('/')}/xf-{session.pk}"
        session.save(update_fields=["link"])
    return session


@transaction.atomic
def record_video_reception(
    session: VideoSession, *, by, data: services.PetitionInput, uploads: list[citizens.Upload] = ()
) -> tuple[Registration, str]:
    """视频接访: register a person received by video, with the session noted and the materials sent in (`uploads`).
    Returns the registration and its 查询码."""
    _check(
        timezone.localtime(data.received_at).date() == timezone.localtime(session.scheduled_at).date(),
        "远程接访日期须为该视频接访场次的日期。",
    )
    data.channel = Registration.Channel.VIDEO
    data.place = data.place or f"{session.township.name}视频接访点"
    registration, code = citizens.register_incoming(data, by=by, uploads=uploads)
    Registration.objects.filter(pk=registration.pk).update(video_session=session)
    registration.refresh_from_db()
    return registration, code


def hold_video_session(session: VideoSession, *, by, outcome: str = "") -> VideoSession:
    _require(by, *BUREAU_STAFF)
    _check(not session.held, "该场次已记录为举行。")
    session.held, session.outcome = True, outcome.strip()
    session.save(update_fields=["held", "outcome"])
    return session
