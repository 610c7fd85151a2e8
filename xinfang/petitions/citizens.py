"""Services for the citizen side (网上信访): online submission with 查询码, attachments checked by content,
tracking lookup, satisfaction evaluation, added information. Appeals use services.request_review/recheck."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from xinfang.core import keyring
from xinfang.petitions import receipts, services, sms, workflow
from xinfang.petitions.models import Attachment, Code, Evaluation, Event, Matter, Registration
from xinfang.petitions.services import _query_code_message, query_code_hash

ALLOWED_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def check_uploads(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Images (JPEG/PNG) and PDF only, recognised by their content; size-limited. Returns (upload, mime)."""
    errors = []
    if len(uploads) > MAX_FILES:
        errors.append(f"附件最多{MAX_FILES}个。")
    checked = []
    for u in uploads:
        kind = filetype.guess(u.content[:8192])
        mime = kind.mime if kind else ""
        if mime not in ALLOWED_TYPES:
            errors.append(f"“{u.name}”不是图片（JPG/PNG）或 PDF 文件，已拒绝。")
        elif len(u.content) > MAX_FILE_BYTES:
            errors.append(f"“{u.name}”超过10MB。")
        elif len(u.content) == 0:
            errors.append(f"“{u.name}”是空文件。")
        else:
            checked.append((u, mime))
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _save_attachments(
    matter: Matter,
    checked: list[tuple[Upload, str]],
    *,
    by=None,
    registration: Registration | None = None,
    stored: list[str] | None = None,
) -> list[Attachment]:
    """Store each checked upload through the storage API (default_storage) and record it. The names stored are
    appended to `stored`, so that a caller can remove them when its transaction fails (removing_on_failure)."""
    saved = []
    for upload, mime in checked:
        digest = hashlib.sha256(upload.content).hexdigest()
        att = Attachment(
            matter=matter, registration=registration, original_name=upload.name[:200], content_type=mime, size=len(upload.content),
            sha256=digest, uploaded_by=by, from_petitioner=by is None,
        )  # fmt: skip
        att.file.save(f"{digest}.{ALLOWED_TYPES[mime]}", ContentFile(upload.content), save=False)
        if stored is not None:
            stored.append(att.file.name)
        att.save()
        saved.append(att)
    return saved


_STORED: ContextVar[list[str] | None] = ContextVar("xinfang_stored_files", default=None)


@contextmanager
def removing_on_failure():
    """A transaction that stores files: when it fails, the files it stored are removed too (nothing half-saved).
    Yields the list that _save_attachments fills with the stored names. Nested in another `removing_on_failure`
    (a view's transaction holding the registration and its audit row), the names stored inside are handed to
    the outer one on success, since the outer transaction may still roll back: a view that stores files in a
    transaction of its own must open it with this, not with a bare `transaction.atomic()`."""
    outer = _STORED.get()
    stored: list[str] = []
    reset = _STORED.set(stored)
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    finally:
        _STORED.reset(reset)
    if outer is not None:
        outer.extend(stored)


def issue_query_code(registration: Registration) -> str:
    """A new 查询码 for the registration: only its hash is stored; the code is returned to be shown once,
    printed on the receipt and sent by SMS."""
    code = services.new_query_code()
    Registration.objects.filter(pk=registration.pk).update(
        query_code_hash=query_code_hash(registration.number, code)
    )
    return code


def submit_online(data: services.PetitionInput, *, uploads: list[Upload] = ()) -> tuple[Registration, str]:
    """A citizen's online petition: it waits in state `received` for a clerk to register it, like every
    other channel. Returns the registration and the 查询码 (shown once; only its hash is stored)."""
    data.channel = Registration.Channel.ONLINE
    purpose = Code.objects.filter(table=Code.Table.PURPOSE, code=data.purpose, is_active=True).first()
    if purpose is not None and purpose.category == Matter.Category.CLAIM:
        p = data.petitioners[0] if data.petitioners else None
        if p is None or not (p.name.strip() and p.id_number.strip() and p.mobile.strip()):
            raise ValidationError({"petitioners": ["申诉求决类信访须填写姓名、身份证号码和手机号码。"]})
    checked = check_uploads(list(uploads))
    code, desk = services.new_query_code(), services.bureau()
    with removing_on_failure() as stored:
        registration = services.register_petition(data, by=None, query_code=code, desk=desk)
        _save_attachments(registration.matter, checked, registration=registration, stored=stored)
        sms.send_registration(registration, code, bureau=desk.name)
    return registration, code


def register_incoming(
    data: services.PetitionInput, *, by, uploads: list[Upload] = ()
) -> tuple[Registration, str]:
    """登记 by staff of a letter, call, visit … with the clerk's scans of the letter or the visit's materials
    (checked like the portal's uploads, before anything is written). Every registration gets a 查询码, as an
    online one does: returned to be shown once and printed on the 登记回执, sent by SMS when a mobile number is
    known; only its hash is stored."""
    checked = check_uploads(list(uploads))
    code, desk = services.new_query_code(), services.bureau()  # read before the transaction's locks
    with removing_on_failure() as stored:
        registration = services.register_petition(data, by=by, query_code=code, desk=desk)
        _save_attachments(registration.matter, checked, by=by, registration=registration, stored=stored)
        sms.send_registration(registration, code, bureau=desk.name)
    return registration, code


def registration_receipt(registration: Registration, *, code: str, portal: str) -> bytes:
    """登记回执 (.docx) in the name of the organ that registered it (the bureau for its reception centre).
    `code`: the 查询码 while it is known (right after registration), else "" (the receipt then says so)."""
    unit = services._issuing_unit(registration.registered_by)
    return receipts.render_registration_receipt(
        receipts.registration_receipt(registration, unit=unit, code=code, portal=portal)
    )


def find_registration(number: str, code: str) -> Registration | None:
    """The registration for a number + 查询码 pair, or None. Compares in constant time."""
    reg = Registration.objects.select_related("matter").filter(number=number.strip().upper()).first()
    if reg is None or not reg.query_code_hash:
        query_code_hash(number, code)  # same work whether or not the number exists
        return None
    if not keyring.query_code_keys().verify(reg.query_code_hash, _query_code_message(reg.number, code)):
        return None
    return reg


def evaluation_status(matter: Matter, target: str, *, today: date | None = None) -> str:
    """'not_open' | 'open' | 'done' | 'expired' (超期未评价)."""
    today = today or services.today()
    if matter.evaluations.filter(target=target).exists():
        return "done"
    due = matter.eval_bureau_due if target == Evaluation.Target.BUREAU else matter.eval_unit_due
    if due is None:
        return "not_open"
    return "open" if today <= due else "expired"


@transaction.atomic
def evaluate(matter: Matter, *, target: str, value: str, reason: str = "", text: str = "") -> Evaluation:
    """满意度评价, once per target, within the window after the notice (bureau) or the reply (unit)."""
    if target not in Evaluation.Target.values or value not in Evaluation.Value.values:
        raise services.WorkflowError("评价对象或评价结果无效。")
    status = evaluation_status(matter, target)
    if status == "done":
        raise services.WorkflowError("您已评价过，每项只能评价一次。")
    if status == "not_open":
        raise services.WorkflowError("尚未到评价时间：受理告知后可评价信访部门，收到答复后可评价责任单位。")
    if status == "expired":
        raise services.WorkflowError("已超过评价期限。")
    if value == Evaluation.Value.UNSATISFIED and not (reason.strip() or text.strip()):
        raise services.WorkflowError("选择“不满意”时请说明原因。")
    unit = matter.handling_unit if target == Evaluation.Target.UNIT else services.bureau()
    evaluation = Evaluation.objects.create(
        matter=matter, target=target, unit=unit, value=value, reason=reason.strip()[:100], text=text.strip(),
        at=timezone.now(),
    )  # fmt: skip
    Event.objects.create(
        matter=matter, kind="evaluation:submitted", at=evaluation.at, is_public=True,
        data={"target": target, "value": value},
    )  # fmt: skip
    return evaluation


def add_information(matter: Matter, *, text: str, uploads: list[Upload] = (), by=None) -> Event:
    """补充材料 to an open matter, recorded on its timeline."""
    if matter.state not in workflow.OPEN_STATES:
        raise services.WorkflowError("该事项已办结，不能再补充材料；如有新的问题请重新提交。")
    if not text.strip() and not uploads:
        raise services.WorkflowError("请填写补充内容或上传附件。")
    checked = check_uploads(list(uploads))
    with removing_on_failure() as stored:
        saved = _save_attachments(matter, checked, by=by, stored=stored)
        return Event.objects.create(
            matter=matter, kind="matter:information_added", at=timezone.now(), actor=by, is_public=True,
            note=text.strip(), data={"attachments": [a.pk for a in saved]},
        )  # fmt: skip
