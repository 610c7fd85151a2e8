"""Batch operations (issue 12): one action on many matters at once — 签收, 转送, 送达, 归档.

Each matter goes through the action's own service (workflow.Transition.service, as the single-matter forms and
the API call it) in its own transaction with its own version check, so a matter that is refused does not undo
the others. A matter the user may not see is refused with the same words whether it exists or not (条例第三十条
第三款). Every matter's outcome is written to the audit log, in the same transaction as its change."""

from dataclasses import dataclass
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xinfang.accounts.audit import log_audit
from xinfang.petitions import access, services, workflow
from xinfang.petitions.models import Matter

# The actions offered as a batch, in the order of the procedure.
ACTIONS = ("forward", "acknowledge", "deliver", "archive")
MAX_MATTERS = 100
HIDDEN = "未找到该信访事项，或您无权查看。"


@dataclass(frozen=True)
class Outcome:
    number: str
    done: bool
    reason: str = ""
    matter: Matter | None = None  # None when the user may not see it


def label(action: str) -> str:
    return workflow.transition_for(action).label


def offered(user) -> list[workflow.Transition]:
    """The batch actions the user's roles may take at all (each matter is still checked on its own)."""
    return [workflow.BY_ACTION[a] for a in ACTIONS if user.has_role(*workflow.BY_ACTION[a].roles)]


def clean_numbers(numbers) -> list[str]:
    """The distinct, non-blank numbers in the order given; a ValidationError when none or too many."""
    out = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not out:
        raise ValidationError({"numbers": ["请至少选择一件信访事项。"]})
    if len(out) > MAX_MATTERS:
        raise ValidationError({"numbers": [f"一次最多批量办理 {MAX_MATTERS} 件信访事项。"]})
    return out


def _visible(user, numbers: list[str]) -> dict[str, Matter]:
    qs = access.visible_matters(user).filter(number__in=numbers).select_related("handling_unit")
    return {m.number: m for m in qs}


def preview(user, action: str, numbers: list[str]) -> list[Outcome]:
    """Before confirming: which matters the action may be taken on now (done=True) and why not the others."""
    visible = _visible(user, numbers)
    out = []
    for number in numbers:
        m = visible.get(number)
        if m is None:
            out.append(Outcome(number, False, HIDDEN))
        else:
            reason = access.action_denial(user, m, action, seen=True)
            out.append(Outcome(number, reason is None, reason or "", m))
    return out


def run(user, action: str, numbers: list[str], arguments: dict, *, versions: dict | None = None,
        request=None) -> list[Outcome]:  # fmt: skip
    """Take `action` on each matter through its service; `versions` (number → version the user saw) are the
    version checks (a matter without one is checked against the version read here)."""
    if action not in ACTIONS:
        raise ValueError(f"未知的批量操作：{action}")
    t = workflow.transition_for(action)
    service = getattr(services, t.service)
    batch = uuid4().hex
    visible = _visible(user, numbers)
    out = []
    for number in numbers:
        m = visible.get(number)
        audit = {
            "action": f"batch:{action}",
            "user": user,
            "request": request,
            "number": number,
            "batch": batch,
        }
        if m is None:
            log_audit(
                **audit, obj=Matter.objects.filter(number=number).first(), result="denied", reason=HIDDEN
            )
            out.append(Outcome(number, False, HIDDEN))
            continue
        version = (versions or {}).get(number, m.version)
        try:
            with transaction.atomic():  # this matter's change and its audit row: both or neither
                service(m, by=user, expected_version=version, **dict(t.arguments), **arguments)
                log_audit(**audit, obj=m)
        except (PermissionDenied, services.WorkflowError) as e:
            reason = str(e) or "您无权执行此操作。"
        except ValidationError as e:
            reason = "；".join(e.messages)
        else:
            m.refresh_from_db()
            out.append(Outcome(number, True, "", m))
            continue
        log_audit(**audit, obj=m, result="denied", reason=reason)
        out.append(Outcome(number, False, reason, m))
    return out
