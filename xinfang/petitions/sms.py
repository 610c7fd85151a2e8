"""SMS to petitioners (短信告知): at registration (登记编号 and 查询码) and at each milestone published to them
(受理告知, 延期, 答复, the evaluation windows). Sent through the sender interface (xinfang.core.notify: console by
default, a gateway class in production), after the transaction commits, to every mobile number known on the
matter's registrations. The texts never name the matter's title or content: a phone is easily read by others,
and a 检举控告 must not be recognisable from it (条例第三十条第三款)."""

import logging

from django.db import transaction

from xinfang.core.notify import get_sender
from xinfang.petitions.models import Matter, Petitioner, Registration

logger = logging.getLogger(__name__)

# Published transitions that are worth a message, and what the message says (a format with the matter's dates).
MILESTONES = {
    "accept": "{unit}已受理您反映的信访事项（事项编号{number}），将自受理之日起60日内办结，受理告知书可凭查询码在网上"
    "信访平台查看。您可在{eval_bureau_due}前对信访部门的工作进行满意度评价。",
    "extend": "您反映的信访事项（事项编号{number}）经批准延期办理，办理期限延长至{handle_due}，延期理由见延期告知书。",
    "reply": "您反映的信访事项（事项编号{number}）已出具处理意见书，请凭查询码在网上信访平台查看或留意书面送达。",
    "deliver": "您反映的信访事项（事项编号{number}）的处理意见书已送达。您可在{eval_unit_due}前对责任单位进行满意度"
    "评价；如不服处理意见，可在{review_request_due}前请求复查。",
}


def _date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _mobiles(registrations) -> list[str]:
    numbers = Petitioner.objects.filter(registrations__in=registrations).exclude(mobile="")
    return sorted(set(numbers.values_list("mobile", flat=True)))


def _send(mobiles: list[str], text: str) -> int:
    """Send `text` to each number; a failing gateway is logged, never fatal (the record is already kept)."""
    sender = get_sender()
    sent = 0
    for mobile in mobiles:
        try:
            sender.send(to=mobile, text=text)
        except Exception:  # a gateway error must not undo or block the registration
            logger.exception("短信发送失败：%s", mobile[:3] + "****" + mobile[-4:])
        else:
            sent += 1
    return sent


def registration_text(registration: Registration, code: str, *, bureau: str) -> str:
    return (
        f"【{bureau}】您的信访件已登记，登记编号{registration.number}，查询码{code}。凭登记编号和查询码可在网上"
        f"信访平台“进展查询”查看办理进展。查询码请妥善保管，勿告知他人。"
    )


def send_registration(registration: Registration, code: str, *, bureau: str) -> None:
    """After commit: the 登记编号 and 查询码 to the mobile numbers of this registration's petitioners."""
    text = registration_text(registration, code, bureau=bureau)
    pk = registration.pk
    transaction.on_commit(lambda: _send(_mobiles(Registration.objects.filter(pk=pk)), text))


def milestone_text(matter: Matter, action: str, *, bureau: str) -> str:
    unit = matter.handling_unit.name if matter.handling_unit_id else bureau
    return f"【{bureau}】" + MILESTONES[action].format(
        unit=unit, number=matter.number, eval_bureau_due=_date(matter.eval_bureau_due),
        eval_unit_due=_date(matter.eval_unit_due), handle_due=_date(matter.handle_due),
        review_request_due=_date(matter.review_request_due),
    )  # fmt: skip


def send_milestone(matter: Matter, action: str, *, bureau: str) -> None:
    """After commit: a published milestone to every mobile number on the matter's registrations."""
    if action not in MILESTONES:
        return
    text = milestone_text(matter, action, bureau=bureau)
    pk = matter.pk
    transaction.on_commit(lambda: _send(_mobiles(Registration.objects.filter(matter_id=pk)), text))
