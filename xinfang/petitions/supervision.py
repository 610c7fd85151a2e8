"""督查督办: supervision orders, follow-ups, the unit's written feedback, and the scheduled sweep that marks
clocks, proposes orders and queues reminders. The sweep is idempotent: a second run changes and sends nothing."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.core import officialdoc
from xinfang.core.notify import get_sender
from xinfang.core.tasks import retrying_task
from xinfang.petitions import access, documents, queries, services, workflow
from xinfang.petitions.models import (
    ClockAlert,
    Evaluation,
    Event,
    Matter,
    Notification,
    Registration,
    SupervisionFollowUp,
    SupervisionOrder,
    Unit,
)
from xinfang.petitions.queries import CLOCK_SHORT

# Clocks that bind the handling unit (a breach proposes an order to it). The petitioner's own windows
# (REVIEW_REQUEST, RECHECK_REQUEST) lapse into closure instead; the bureau's own clocks raise reminders.
UNIT_CLOCKS = {"NOTIFY", "NOTIFY_DIRECT", "HANDLE", "SIMPLE", "ASSIGN_REPORT"}
BUREAU_CLOCKS = {"TRIAGE", "TRIAGE_COUNTY_SLICE", "REVIEW", "EXTERNAL_REPORT"}
FEEDBACK_DAYS = 30  # 2005 条例第三十六条 (the 2022 text sets no number; kept as the default)
SUPERVISORS = (R.SUPERVISOR, R.LEADER)


def _require_role(by, *roles, message="您的角色无权进行督查督办操作。"):
    if by is None or not by.has_role(*roles):
        raise PermissionDenied(message)


def _timeline(order: SupervisionOrder, kind: str, *, by=None, note: str = "") -> None:
    now = timezone.now()
    Event.objects.bulk_create(
        Event(matter=m, kind=kind, at=now, actor=by, unit=getattr(by, "unit", None), note=note,
              data={"order": order.pk, "number": order.number})
        for m in order.matters.all()
    )  # fmt: skip


@transaction.atomic
def propose_order(*, trigger: str, matter: Matter, unit: Unit, reason: str, dedupe_key: str, clock: str = ""):
    """A proposal for a supervisor to confirm or dismiss. Returns (order, created); (None, False) when the unit
    is the accused of the confidential matter (no order about it may go there)."""
    if access.is_accused_unit(matter, unit):
        return None, False
    order, created = SupervisionOrder.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults=dict(trigger=trigger, status=SupervisionOrder.Status.PROPOSED, target_unit=unit, reason=reason,
                      clock=clock, proposed_at=timezone.now()),
    )  # fmt: skip
    if created:
        order.matters.add(matter)
    return order, created


def _check_target(unit: Unit, matters) -> None:
    """No order about a confidential matter goes to its accused unit (条例第三十条第三款、第四十六条第五项)."""
    if any(access.is_accused_unit(m, unit) for m in matters):
        raise services.WorkflowError("检举控告事项的督办不得下达给被检举单位（条例第三十条第三款）。")


@transaction.atomic
def issue_order(order: SupervisionOrder | None = None, *, by, level: str, reason: str = "",
                unit: Unit | None = None, matters=(), deadline: date | None = None) -> SupervisionOrder:  # fmt: skip
    """下达: confirm a proposal, or issue a new order on any matter(s)."""
    _require_role(by, *SUPERVISORS)
    if level not in SupervisionOrder.Level.values:
        raise services.WorkflowError("请选择督办级别。")
    today = services.today()
    deadline = deadline or today + timedelta(days=FEEDBACK_DAYS)
    if deadline <= today:
        raise services.WorkflowError("反馈期限须晚于今天。")
    if order is None:
        if unit is None or not matters or not reason.strip():
            raise services.WorkflowError("请选择被督办单位、信访事项并写明督办事由。")
        _check_target(unit, matters)
        order = SupervisionOrder.objects.create(
            trigger=SupervisionOrder.Trigger.MANUAL, status=SupervisionOrder.Status.PROPOSED, target_unit=unit,
            reason=reason.strip(),
        )  # fmt: skip
        order.matters.add(*matters)
    else:
        _check_target(order.target_unit, order.matters.all())
    updated = SupervisionOrder.objects.filter(pk=order.pk, status=SupervisionOrder.Status.PROPOSED).update(
        status=SupervisionOrder.Status.ISSUED, level=level, deadline=deadline, issued_at=timezone.now(),
        issued_by=by, reason=reason.strip() or order.reason,
        number=documents.format_number(
            issuer=services.bureau(), kind="supervision", year=today.year,
            seq=documents.next_number(scope=services.bureau(), year=today.year, kind="supervision"),
        ),
    )  # fmt: skip
    if updated != 1:
        raise services.StaleMatter("该督办单已被他人处理，请刷新后重试。")
    order.refresh_from_db()
    _timeline(order, "supervision:issued", by=by, note=f"{order.get_level_display()}：{order.reason}")
    _notify_unit(
        order, f"{order.get_level_display()}：{order.number}，请于{order.deadline:%Y年%m月%d日}前书面反馈。"
    )
    return order


@transaction.atomic
def dismiss_order(order: SupervisionOrder, *, by, reason: str) -> SupervisionOrder:
    _require_role(by, *SUPERVISORS)
    if not reason.strip():
        raise services.WorkflowError("请写明不予督办的理由。")
    if SupervisionOrder.objects.filter(pk=order.pk, status=SupervisionOrder.Status.PROPOSED).update(
        status=SupervisionOrder.Status.DISMISSED, result=reason.strip(), closed_at=timezone.now()
    ) != 1:  # fmt: skip
        raise services.WorkflowError("只有待审核的督办建议可以不予督办。")
    order.refresh_from_db()
    return order


@transaction.atomic
def add_follow_up(order: SupervisionOrder, *, by, kind: str, note: str) -> SupervisionFollowUp:
    _require_role(by, *SUPERVISORS)
    if order.status not in (SupervisionOrder.Status.ISSUED, SupervisionOrder.Status.ANSWERED):
        raise services.WorkflowError("只能对已下达的督办单记录跟进情况。")
    if kind not in SupervisionFollowUp.Kind.values or not note.strip():
        raise services.WorkflowError("请选择跟进方式并填写情况。")
    follow_up = SupervisionFollowUp.objects.create(
        order=order, kind=kind, at=timezone.now(), by=by, note=note
    )
    _timeline(order, "supervision:follow_up", by=by, note=f"{follow_up.get_kind_display()}：{note.strip()}")
    return follow_up


@transaction.atomic
def answer_order(order: SupervisionOrder, *, by, feedback: str) -> SupervisionOrder:
    """The unit's written feedback (书面反馈) on the order."""
    if by is None or not by.has_role(R.UNIT_OFFICER) or by.unit_id != order.target_unit_id:
        raise PermissionDenied("只有被督办单位的经办人员可以反馈。")
    if not feedback.strip():
        raise services.WorkflowError("请填写书面反馈内容。")
    if SupervisionOrder.objects.filter(pk=order.pk, status=SupervisionOrder.Status.ISSUED).update(
        status=SupervisionOrder.Status.ANSWERED, feedback=feedback.strip(), feedback_at=timezone.now(),
        feedback_by=by,
    ) != 1:  # fmt: skip
        raise services.WorkflowError("该督办单当前不能反馈。")
    order.refresh_from_db()
    _timeline(order, "supervision:answered", by=by, note=feedback.strip())
    return order


@transaction.atomic
def close_order(order: SupervisionOrder, *, by, result: str) -> SupervisionOrder:
    _require_role(by, *SUPERVISORS)
    if not result.strip():
        raise services.WorkflowError("请填写督办结果。")
    if (
        SupervisionOrder.objects.filter(
            pk=order.pk, status__in=[SupervisionOrder.Status.ISSUED, SupervisionOrder.Status.ANSWERED]
        ).update(status=SupervisionOrder.Status.CLOSED, result=result.strip(), closed_at=timezone.now())
        != 1
    ):
        raise services.WorkflowError("该督办单当前不能办结。")
    order.refresh_from_db()
    _timeline(order, "supervision:closed", by=by, note=result.strip())
    return order


def render_notice_docx(order: SupervisionOrder) -> bytes:
    """通报: the written notice of an issued order, as an A4 公文 (xinfang.core.officialdoc)."""
    bureau = services.bureau().name
    doc = officialdoc.new_document(
        title=f"信访事项{order.get_level_display()}通知",
        doc_number=order.number,
        issuer_mark=bureau,
        addressee=order.target_unit.name,
    )
    officialdoc.add_body_paragraph(doc, f"督办事由：{officialdoc.sentence(order.reason)}")
    for m in order.matters.all():  # a confidential matter by its number and a neutral label only
        label = access.matter_label(m) if m.is_confidential else f"{m.number} {m.title}"
        officialdoc.add_body_paragraph(doc, f"信访事项：{label}（当前状态：{workflow.STATES[m.state]}）")
    if order.deadline:
        due = officialdoc.document_date(order.deadline)
        officialdoc.add_body_paragraph(doc, f"请于{due}前将办理情况书面反馈县信访局。")
    issued = timezone.localdate(order.issued_at) if order.issued_at else timezone.localdate()
    officialdoc.add_signature(doc, issuer=bureau, on=issued)
    return officialdoc.to_bytes(doc)


# --- the sweep ----------------------------------------------------------------------------------------


def _notify(users, text: str, *, key: str, link: str = "") -> int:
    created = 0
    for user in users:
        _, new = Notification.objects.get_or_create(
            dedupe_key=f"{key}:u{user.pk}", defaults={"user": user, "text": text[:300], "link": link}
        )
        created += new
    return created


def _unit_officers(unit_id) -> list[User]:
    return list(User.objects.filter(unit_id=unit_id, is_active=True, groups__name=R.UNIT_OFFICER))


def _bureau_officers() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name__in=[R.CASE_OFFICER, R.CLERK]).distinct())


def _supervisors() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=R.SUPERVISOR))


def _notify_unit(order: SupervisionOrder, text: str) -> None:
    """The target unit's officers who may see the order (queries.supervision.visible_orders)."""
    from xinfang.petitions.queries.supervision import visible_orders

    users = [
        u for u in _unit_officers(order.target_unit_id) if visible_orders(u).filter(pk=order.pk).exists()
    ]
    _notify(users, text, key=f"order:{order.pk}:issued", link=f"/casework/supervision/{order.pk}/")


def _responsible(matter: Matter, clock: str) -> list[User]:
    """Who is reminded of a clock: only people who may see the matter (access.can_view), so that a
    检举控告 never reaches the accused unit or person."""
    if clock in UNIT_CLOCKS:
        users = [matter.handler] if matter.handler_id else _unit_officers(matter.handling_unit_id)
    else:
        users = _bureau_officers()
    return access.viewers(users, matter)


@dataclass
class SweepResult:
    alerts: int = 0
    proposals: int = 0
    notifications: int = 0
    sent: int = 0
    queued: int = 0  # copies handed to the task queue (send_notification_copies), not yet sent
    closed: int = 0
    details: list[str] = field(default_factory=list)

    def changed(self) -> bool:
        return any((self.alerts, self.proposals, self.notifications, self.sent, self.closed))


def _running_clocks(today: date, soon: date):
    """(matter, clock code, due) for every open matter whose running clock — or 交办 report deadline — is due
    soon or overdue."""
    open_matters = Matter.objects.filter(
        state__in=workflow.OPEN_STATES, merged_into__isnull=True
    ).select_related(
        "handler"
    )  # a merged matter's clock is set aside (services.merge_matter); its registrations moved
    for m in open_matters.filter(clock_due__lte=soon).exclude(
        clock__in=["REVIEW_REQUEST", "RECHECK_REQUEST"]
    ):
        yield m, m.clock, m.clock_due
    replied = [workflow.REPLIED, workflow.DELIVERED, workflow.UNDER_REVIEW, workflow.REVIEW_DECIDED,
               workflow.UNDER_RECHECK]  # fmt: skip
    for m in open_matters.filter(is_assignment=True, assign_due__lte=soon).exclude(state__in=replied):
        yield m, "ASSIGN_REPORT", m.assign_due
    # the deadline a higher level set for an item it assigned down (上级交办期限): the bureau reports back
    from_above = Registration.objects.filter(external_due__lte=soon, matter__state__in=workflow.OPEN_STATES)
    for m in open_matters.filter(pk__in=from_above.values("matter_id")).exclude(state__in=replied):
        yield m, "EXTERNAL_REPORT", queries.external_due(m)


def sweep_deadlines(*, today: date | None = None, sender=None) -> SweepResult:
    """Run by cron / a systemd timer / the task queue (see docs/operations.md). Idempotent.

    The e-mail/SMS copies of the notifications are sent by a background task (send_notification_copies,
    retried with backoff while the gateway is down) — or here, with `sender`, when one is given."""
    today = today or services.today()
    soon = today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
    result = SweepResult()
    with transaction.atomic():
        result.closed = services.close_lapsed_matters()
        for matter, clock, due in _running_clocks(today, soon):
            level = ClockAlert.Level.OVERDUE if due < today else ClockAlert.Level.DUE_SOON
            _, created = ClockAlert.objects.get_or_create(
                matter=matter, clock=clock, due=due, level=level, defaults={"at": timezone.now()}
            )
            if not created:
                continue
            result.alerts += 1
            name = CLOCK_SHORT.get(clock, "交办报告" if clock == "ASSIGN_REPORT" else clock)
            state = "已超期" if level == ClockAlert.Level.OVERDUE else "即将到期"
            text = f"{access.matter_label(matter)}{name}时限{state}（截止{due:%Y-%m-%d}）。"
            key = f"clock:{matter.pk}:{clock}:{due}:{level}"
            result.notifications += _notify(_responsible(matter, clock), text, key=key,
                                            link=f"/casework/matters/{matter.number}/")  # fmt: skip
            if level == ClockAlert.Level.OVERDUE and clock in UNIT_CLOCKS and matter.handling_unit_id:
                _, new = propose_order(
                    trigger=SupervisionOrder.Trigger.CLOCK, matter=matter, unit=matter.handling_unit,
                    clock=clock, reason=f"{name}超过法定时限（截止{due:%Y年%m月%d日}）。",
                    dedupe_key=f"clock:{matter.pk}:{clock}:{due}",
                )  # fmt: skip
                result.proposals += new
        unhappy = Evaluation.objects.filter(target=Evaluation.Target.UNIT, value=Evaluation.Value.UNSATISFIED)
        for ev in unhappy.select_related("matter", "unit").exclude(unit=None):
            _, new = propose_order(
                trigger=SupervisionOrder.Trigger.UNSATISFIED, matter=ev.matter, unit=ev.unit,
                reason=f"信访人对办理结果评价不满意：{ev.reason or ev.text}", dedupe_key=f"unsatisfied:{ev.pk}",
            )  # fmt: skip
            result.proposals += new
        repeats = Registration.objects.filter(disposition=Registration.Disposition.REPEAT).select_related(
            "matter"
        )
        for reg in repeats.exclude(matter__handling_unit=None).filter(
            ~Q(matter__state__in=workflow.FINAL_STATES)
        ):
            _, new = propose_order(
                trigger=SupervisionOrder.Trigger.REPEAT, matter=reg.matter, unit=reg.matter.handling_unit,
                reason=f"同一信访人就同一事项再次信访（{reg.number}）。", dedupe_key=f"repeat:{reg.pk}",
            )  # fmt: skip
            result.proposals += new
        if result.proposals:
            result.notifications += _notify(
                _supervisors(), f"有{result.proposals}条新的督办建议待审核。", key=f"proposals:{today}",
                link="/casework/supervision/",
            )  # fmt: skip
    if sender is not None:
        result.sent = send_notifications(sender=sender)
    else:
        result.queued = Notification.objects.filter(sent_at=None).count()
        if result.queued:
            send_notification_copies.enqueue()
    return result


def send_notifications(*, sender=None) -> int:
    """Send the e-mail/SMS copy of every notification not yet sent, and mark it sent."""
    sender = sender or get_sender()
    sent = 0
    for note in Notification.objects.filter(sent_at=None).select_related("user"):
        with transaction.atomic():  # claimed, sent, kept: a sender error releases the claim for the next run
            if Notification.objects.filter(pk=note.pk, sent_at=None).update(sent_at=timezone.now()) == 1:
                sender.send(to=note.user.email or note.user.username, text=note.text)
                sent += 1
    return sent


@retrying_task(label="外发站内提醒的短信/邮件副本", max_attempts=5, backoff=60)
def send_notification_copies() -> int:
    """The queue's sender: a gateway error fails the attempt (the copy it failed on stays unsent) and the task
    runs again later; copies already sent are never sent twice (send_notifications claims each one)."""
    return send_notifications()


@retrying_task(label="每日时限巡查", max_attempts=3, backoff=300)
def run_daily_sweep() -> dict:
    """sweep_deadlines as a task, for `xinfang sweep_deadlines --enqueue` (a timer on a machine with no
    cron access to the application) and the worker."""
    r = sweep_deadlines()
    return {"alerts": r.alerts, "proposals": r.proposals, "notifications": r.notifications, "queued": r.queued,
            "closed": r.closed}  # fmt: skip


def mark_read(user, *, ids=None) -> int:
    """Mark the user's own notifications read (all unread when `ids` is None). Only the user's own rows
    can change; a second call changes nothing."""
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
