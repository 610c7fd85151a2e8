"""The only writers of casework data. Every state change goes through `transition`."""

import operator
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.analytics import tallies
from xinfang.core import keyring, validators
from xinfang.petitions import access, deadlines, documents, pii, search, similar, sms, workflow
from xinfang.petitions.models import (
    Code,
    Event,
    ExtensionRequest,
    FollowUpCall,
    Matter,
    Petitioner,
    Recusal,
    Registration,
    RegistrationPetitioner,
    Unit,
)

MAX_REPRESENTATIVES = 5  # 条例第二十条第三款


class WorkflowError(Exception):
    """An action that the rules refuse (wrong state, late request, stale page …). Message in Chinese."""


class StaleMatter(WorkflowError):
    pass


def today() -> date:
    return timezone.localdate()


def bureau() -> Unit:
    return Unit.objects.get(kind=Unit.Kind.BUREAU)


def _acting_unit(by: User | None) -> Unit | None:
    return getattr(by, "unit", None)


def _issuing_unit(by: User | None) -> Unit:
    """Notices are issued in the name of an organ: the reception centre issues as the bureau."""
    unit = _acting_unit(by) or bureau()
    return unit.parent if unit.kind == Unit.Kind.RECEPTION else unit


# --- the transition service ---------------------------------------------------------------------------


@transaction.atomic
def transition(
    matter: Matter,
    action: str,
    *,
    by: User | None,
    changes: dict | None = None,
    clock_due: date | None = None,
    note: str = "",
    document: dict | None = None,
    data: dict | None = None,
    expected_version: int | None = None,
    clock: str | None = None,
) -> Matter:
    """Move `matter` by `action`: check the table and the actor, update conditionally (state and version
    unchanged since the actor loaded the page), write the event row (and the document, if the action
    issues one). Raises WorkflowError / StaleMatter / PermissionDenied and changes nothing then."""
    t = _precheck(matter, action, by, expected_version)
    access.check_action(by, matter, action, seen=True)  # _precheck has just checked that `by` may see it
    version = matter.version if expected_version is None else expected_version
    values = dict(changes or {})
    code = t.clock if clock is None else clock
    values.update(state=t.target, clock=code, clock_due=clock_due if code else None)
    now = timezone.now()
    if t.triage and matter.triaged_on is None:
        # the bureau's first own decision on the matter (its "受理", domain-rules §2.6): the KPI
        # 及时受理率（信访部门） reads this local date (the Event's)
        values["triaged_on"] = timezone.localdate(now)
    updated = Matter.objects.filter(pk=matter.pk, state=matter.state, version=version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    from_state = matter.state
    matter.refresh_from_db()
    doc = None
    if t.document:
        spec = dict(document or {})
        issuer = spec.pop("issuer", None) or _issuing_unit(by)
        doc = documents.issue_document(matter, t.document, issuer=issuer, on=spec.pop("on", today()), **spec)
    Event.objects.create(
        matter=matter,
        kind=f"matter:{action}",
        action=action,
        from_state=from_state,
        to_state=t.target,
        at=now,
        actor=by,
        unit=_acting_unit(by),
        note=note,
        is_public=t.public,
        document=doc,
        data=data or {},
    )
    if t.public and action in sms.MILESTONES:  # 受理告知, 延期, 答复, evaluation windows: after commit
        sms.send_milestone(matter, action, bureau=bureau().name)
    return matter


def _precheck(
    matter: Matter, action: str, by: User | None, expected_version: int | None = None
) -> workflow.Transition:
    """Before a service reads the matter's dates: a matter the actor may not see is refused without saying
    anything about it; a stale page is refused as such; an action the state does not allow is refused with
    the state."""
    t = workflow.transition_for(action)
    if by is not None and not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    if expected_version is not None and expected_version != matter.version:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    if matter.merged_into_id is not None:
        raise WorkflowError(access.merged_denial(matter))
    if matter.state not in t.sources:
        raise WorkflowError(f"当前状态为“{workflow.STATES[matter.state]}”，不能执行“{t.label}”。")
    return t


def _record(
    matter: Matter, kind: str, *, by: User | None, note: str = "", public: bool = False, data=None
) -> Event:
    """An event that changes no state (handler assigned, recusal, information added …)."""
    return Event.objects.create(
        matter=matter, kind=kind, at=timezone.now(), actor=by, unit=_acting_unit(by), note=note,
        is_public=public, data=data or {},
    )  # fmt: skip


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise WorkflowError(message)


# --- intake -------------------------------------------------------------------------------------------


@dataclass
class PetitionerInput:
    name: str
    kind: str = Petitioner.Kind.PERSON
    id_number: str = ""
    mobile: str = ""
    landline: str = ""
    address: str = ""
    is_representative: bool = False


@dataclass
class PetitionInput:
    channel: str
    received_at: datetime
    title: str
    content: str
    purpose: str  # Code.code in the current purpose table
    petitioners: list[PetitionerInput] = field(default_factory=list)
    content_class: str = ""
    township: str = ""  # Unit.code
    request: str = ""
    facts: str = ""
    head_count: int | None = None
    is_collective: bool | None = None  # None: by head count (services.is_collective)
    is_leapfrog: bool = False
    is_major_urgent: bool = False
    is_legal: bool = False
    place: str = ""
    site: str = ""  # Registration.Site, for visits: where the person was received
    source_unit: str = ""  # Unit.code of the higher level, for assignments from above
    external_number: str = ""
    external_due: date | None = None
    accused_unit: str = ""
    accused_person: str = ""
    accused_user: str = ""  # username, when the accused person is a user of this system
    repeat_of: str = ""  # Matter.number this registration repeats (同人同事), chosen by the clerk
    # The clerk's choice for a repeat (Registration.Disposition: repeat / no_longer / pending); "" = by the
    # original's state (复核终结 → no_longer, otherwise repeat). similar.choices says which the original allows.
    disposition: str = ""
    repeat_reason: str = ""  # why the clerk chose so (同一证件号、内容相同 …): recorded on the event


def _clean_petitioner(p: PetitionerInput, errors: dict) -> PetitionerInput:
    key = p.name or "信访人"
    if not p.name.strip():
        errors.setdefault("petitioners", []).append("信访人姓名（名称）不能为空。")
    try:
        if p.id_number:
            p.id_number = validators.normalize_id_number(p.id_number)
        if p.mobile:
            p.mobile = validators.normalize_mobile(p.mobile)
        if p.landline:
            p.landline = validators.normalize_landline(p.landline)
    except ValidationError as e:
        errors.setdefault("petitioners", []).append(f"{key}：{'；'.join(e.messages)}")
    return p


def _code(
    field: str, table: str, code: str, label: str, errors: dict, found: dict | None = None
) -> Code | None:
    """The active code `code` of `table`; an error under `field` (the input's field name) if unknown. `found`: the
    codes already read by `_codes` (then no query)."""
    if not code:
        return None
    if found is None:
        found = _codes([(table, code)])
    if (table, code) not in found:
        errors.setdefault(field, []).append(f"{label}代码“{code}”不存在。")
    return found.get((table, code))


def _codes(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Code]:
    """{(table, code): the active Code} for several (table, code) pairs in one query (issue 14: one SELECT per
    registration instead of one per code); the first in the table's order when a code is active twice, as
    `.first()` gave."""
    wanted = [(t, c) for t, c in wanted if c]
    if not wanted:
        return {}
    match = reduce(operator.or_, (Q(table=t, code=c) for t, c in wanted))
    found: dict[tuple[str, str], Code] = {}
    for c in Code.objects.filter(match, is_active=True):
        found.setdefault((c.table, c.code), c)
    return found


def _unit(field: str, code: str, label: str, errors: dict, kinds=None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None or (kinds and unit.kind not in kinds):
        errors.setdefault(field, []).append(f"{label}“{code}”不存在或类别不符。")
        return None
    return unit


def validate_petition(data: PetitionInput) -> dict:
    """Check everything before anything is written. Returns the resolved objects; raises ValidationError
    with a dict of Chinese messages."""
    errors: dict[str, list[str]] = {}
    if data.channel not in Registration.Channel.values:
        errors.setdefault("channel", []).append("信访形式无效。")
    if data.site and data.site not in Registration.Site.values:
        errors.setdefault("site", []).append("接待场所无效。")
    if data.received_at > timezone.now():
        errors.setdefault("received_at", []).append("来信来访日期不能晚于现在。")
    if not data.title.strip():
        errors.setdefault("title", []).append("请填写事项摘要。")
    if not data.content.strip():
        errors.setdefault("content", []).append("请填写反映内容。")
    if not data.petitioners:
        errors.setdefault("petitioners", []).append("至少登记一名信访人。")
    people = [_clean_petitioner(p, errors) for p in data.petitioners]
    head_count = data.head_count or max(len(people), 1)
    if head_count < len(people):
        errors.setdefault("head_count", []).append("人数不能少于登记的信访人数。")
    reps = [p for p in people if p.is_representative]
    if len(reps) > MAX_REPRESENTATIVES:
        errors.setdefault("petitioners", []).append(
            "多人走访应当推选代表，代表人数不得超过5人（条例第二十条）。"
        )
    if data.is_collective and data.channel == Registration.Channel.VISIT and not reps:
        errors.setdefault("petitioners", []).append("集体访须登记代表（不超过5人）。")
    codes = _codes([(Code.Table.PURPOSE, data.purpose), (Code.Table.CONTENT, data.content_class)])
    purpose = _code("purpose", Code.Table.PURPOSE, data.purpose, "信访目的", errors, codes)
    if not data.purpose:
        errors.setdefault("purpose", []).append("请选择信访目的。")
    content_class = _code("content_class", Code.Table.CONTENT, data.content_class, "内容分类", errors, codes)
    township = _unit("township", data.township, "问题属地", errors, kinds={Unit.Kind.TOWNSHIP})
    source_unit = _unit(
        "source_unit", data.source_unit, "交办机关", errors, kinds={Unit.Kind.PREFECTURE, Unit.Kind.PROVINCE}
    )
    if data.channel == Registration.Channel.ASSIGNED:
        if source_unit is None and not errors.get("source_unit"):
            errors.setdefault("source_unit", []).append("上级交办件须注明交办机关。")
        if data.external_due is None:
            errors.setdefault("external_due", []).append("上级交办件须填写交办期限。")
        elif data.external_due < timezone.localtime(data.received_at).date():
            errors.setdefault("external_due", []).append("交办期限不能早于收到日期。")
    accused_unit = _unit("accused_unit", data.accused_unit, "被检举单位", errors)
    accused_user = None
    if data.accused_user:
        accused_user = User.objects.filter(username=data.accused_user).first()
        if accused_user is None:
            errors.setdefault("accused_user", []).append(f"用户“{data.accused_user}”不存在。")
    repeat_of = _repeat_of(data, errors)
    if errors:
        raise ValidationError(errors)
    return dict(
        people=people, head_count=head_count, purpose=purpose, content_class=content_class, township=township,
        source_unit=source_unit, accused_unit=accused_unit, accused_user=accused_user, repeat_of=repeat_of,
    )  # fmt: skip


def _query_code_message(number: str, code: str) -> str:
    return f"{number}:{code.strip().upper()}"


def query_code_hash(number: str, code: str) -> str:
    """The stored digest of a 查询码: HMAC under the current key of XINFANG_QUERY_CODE_KEYS, with its id
    (core.keyring), so that codes already given out still verify after the key is rotated."""
    return keyring.query_code_keys().sign(_query_code_message(number, code))


# What each disposition of a repeat requires of the original matter (similar.py decides), and the message.
REPEAT_RULES = {
    Registration.Disposition.REPEAT: (lambda m: m.state in workflow.OPEN_STATES,
                                      "原事项已办结，不能作为重复件并入；请选择新事项或不再受理。"),
    Registration.Disposition.NO_LONGER: (similar.is_terminated,
                                         "原事项尚未经复核终结，不能以此为由不再受理（条例第三十六条第三款）。"),
    Registration.Disposition.PENDING_ELSEWHERE: (
        similar.is_pending_elsewhere, "原事项未被受理或已超过办理期限，不能以此为由不予受理（条例第十九条第三款）。"),
}  # fmt: skip


def _repeat_of(data: PetitionInput, errors: dict) -> Matter | None:
    """The original matter a repeat names, checked against the clerk's disposition."""
    if data.disposition and data.disposition not in {*REPEAT_RULES, Registration.Disposition.NEW}:
        errors.setdefault("disposition", []).append("处理方式无效。")
        return None
    if data.disposition in REPEAT_RULES and not data.repeat_of:
        errors.setdefault("repeat_of", []).append("请填写原事项编号。")
    if not data.repeat_of or data.disposition == Registration.Disposition.NEW:
        return None
    repeat_of = Matter.objects.filter(number=data.repeat_of).first()
    if repeat_of is None:
        errors.setdefault("repeat_of", []).append(f"原事项编号“{data.repeat_of}”不存在。")
    elif data.disposition in REPEAT_RULES and not REPEAT_RULES[data.disposition][0](repeat_of):
        errors.setdefault("disposition", []).append(REPEAT_RULES[data.disposition][1])
    return repeat_of


def new_query_code() -> str:
    """查询码 for the citizen: 12 characters from an alphabet without look-alikes (~60 bits)."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _save_petitioners(registration: Registration, people: list[PetitionerInput]) -> list[Petitioner]:
    """The registration's petitioners: a known person (same ID number) is linked, not created again. Returns
    them as stored."""
    saved = []
    for p in people:
        petitioner = None
        if p.id_number:  # the same person, found by the keyed hash (the plain column may be encrypted)
            petitioner = Petitioner.objects.filter(id_number_hash=pii.id_number_hash(p.id_number)).first()
        if petitioner is None:
            petitioner = Petitioner.objects.create(
                kind=p.kind, name=p.name.strip(), id_number=p.id_number, mobile=p.mobile, landline=p.landline,
                address=p.address,
                id_type=Petitioner.IdType.RESIDENT_ID if p.id_number else Petitioner.IdType.NONE,
            )  # fmt: skip
        else:
            changed = {k: getattr(p, k) for k in ("mobile", "landline", "address") if getattr(p, k)}
            if "mobile" in changed:
                changed["mobile_hash"] = pii.mobile_hash(changed["mobile"])
            Petitioner.objects.filter(pk=petitioner.pk).update(**changed)
        RegistrationPetitioner.objects.create(
            registration=registration, petitioner=petitioner, is_representative=p.is_representative
        )
        saved.append(petitioner)
    return saved


def triage_clock(channel: str, received_on: date) -> tuple[str, date]:
    """The bureau's triage clock for an item received on `received_on`: 15 日 from receipt (条例第二十二条),
    or the county's slice of an item that came down from a higher level (domain-rules §1.4), when set."""
    slice_days = settings.XINFANG_TRIAGE_COUNTY_SLICE_DAYS
    if channel == Registration.Channel.ASSIGNED and slice_days:
        return "TRIAGE_COUNTY_SLICE", deadlines.clock_due("TRIAGE_COUNTY_SLICE", received_on, days=slice_days)
    return "TRIAGE", deadlines.clock_due("TRIAGE", received_on)


def is_collective(channel: str, head_count: int, explicit: bool | None) -> bool:
    """集体访: the clerk's explicit choice wins; otherwise a visit of XINFANG_COLLECTIVE_MIN_PERSONS or more."""
    if explicit is not None:
        return explicit
    return channel == Registration.Channel.VISIT and head_count >= settings.XINFANG_COLLECTIVE_MIN_PERSONS


def _pending_number() -> str:
    """A unique stand-in for a 事项编号/登记编号 until `_number` writes the real one, late in the same transaction
    (never committed, never seen outside it)."""
    return f"~{secrets.token_hex(8)}"


def _number(model, obj, prefix: str, kind: str, desk: Unit, year: int, *, query_code: str = "") -> None:
    """事项编号/登记编号: allocated at the end of the registering transaction (issue 14). The sequence row is
    locked from here to the commit — a few statements instead of the whole registration — and the numbers
    stay gapless: a rolled-back registration returns its number. A 查询码's digest is bound to the number, so
    it is written with it."""
    obj.number = f"{prefix}{year}{documents.next_number(scope=desk, year=year, kind=kind):06d}"
    fields = {"number": obj.number}
    if query_code:
        obj.query_code_hash = fields["query_code_hash"] = query_code_hash(obj.number, query_code)
    model.objects.filter(pk=obj.pk).update(**fields)


@transaction.atomic
def register_petition(
    data: PetitionInput, *, by: User | None, query_code: str = "", desk: Unit | None = None
) -> Registration:
    """登记: record an incoming registration. A new matter starts the 15-day triage clock; a registration
    the clerk marks as repeating an existing matter joins it — and is answered 不再受理 when that matter
    was terminated after recheck (条例第三十六条第三款). `by=None` is an online submission, which waits
    for a clerk's registration (state received). `query_code`: the 查询码 given to the citizen, stored as its
    digest with the 登记编号. At the end of the transaction, the summary tables are refreshed once and then the
    numbers taken (issue 14: intake that scales with clients) — the rows every registration updates are locked
    for the last few statements only. `desk`: the bureau, when the caller has read it already (one SELECT less)."""
    with tallies.once():
        registration, desk, year = _register_petition(data, by=by, desk=desk)
    _numbered(
        registration,
        data.channel,
        by=by,
        desk=desk,
        year=year,
        query_code=query_code,
        reason=data.repeat_reason.strip(),
    )
    return registration


def _register_petition(data: PetitionInput, *, by: User | None, desk: Unit | None = None):
    if by is not None and not access.can_register(by):
        raise PermissionDenied("您的角色无权登记信访事项。")
    resolved = validate_petition(data)
    now = timezone.now()
    desk = desk or bureau()
    _acting_unit(by)  # the clerk's unit (the event names it) read now, not while the numbers are locked
    year = timezone.localdate().year
    repeat_of: Matter | None = resolved["repeat_of"]
    purpose: Code = resolved["purpose"]
    if repeat_of is None:
        category = purpose.category or Matter.Category.CLAIM
        received_on = timezone.localdate(data.received_at)
        direct = by is not None and not access.registers_for_bureau(by)
        if direct:  # a unit or township registers what it received itself (条例第二十三条第一、二款)
            state, clock = workflow.RECEIVED_BY_UNIT, "NOTIFY_DIRECT"
            clock_due = deadlines.clock_due(clock, received_on)
            unit_fields = {"handling_unit": by.unit, "received_by_unit_on": received_on, "is_direct": True}
        else:  # the bureau's triage clock runs from receipt, also while an online submission waits
            state = workflow.RECEIVED if by is None else workflow.REGISTERED
            clock, clock_due = triage_clock(data.channel, received_on)
            unit_fields = {}
        matter = Matter.objects.create(
            received_on=received_on,
            **unit_fields,
            number=_pending_number(),
            title=data.title.strip(),
            category=category,
            purpose=purpose,
            content_class=resolved["content_class"],
            township=resolved["township"],
            state=state,
            registered_at=now,
            registered_on=timezone.localdate(now),
            clock=clock,
            clock_due=clock_due,
            is_major_urgent=data.is_major_urgent,
            is_legal=data.is_legal,
            is_confidential=category == Matter.Category.ACCUSATION,
            accused_unit=resolved["accused_unit"],
            accused_person=data.accused_person.strip(),
            accused_user=resolved["accused_user"],
        )
        disposition = Registration.Disposition.NEW
    elif data.disposition:
        matter, disposition = repeat_of, Registration.Disposition(data.disposition)
    else:
        matter = repeat_of
        terminated = matter.state == workflow.TERMINATED or matter.recheck_decided_on is not None
        disposition = Registration.Disposition.NO_LONGER if terminated else Registration.Disposition.REPEAT
    registration = Registration.objects.create(
        number=_pending_number(),
        matter=matter,
        channel=data.channel,
        received_at=data.received_at,
        registered_at=now,
        registered_by=by,
        disposition=disposition,
        head_count=resolved["head_count"],
        is_collective=is_collective(data.channel, resolved["head_count"], data.is_collective),
        is_leapfrog=data.is_leapfrog,
        place=data.place.strip(),
        site=data.site,
        content=data.content.strip(),
        request=data.request.strip(),
        facts=data.facts.strip(),
        source_unit=resolved["source_unit"],
        external_number=data.external_number.strip(),
        external_due=data.external_due,
    )
    petitioners = _save_petitioners(registration, resolved["people"])
    # the names and words of the new registration become searchable
    if disposition == Registration.Disposition.NEW:
        texts = [t for t in (registration.content, registration.request, registration.facts) if t]
        search.index_new(matter, texts, [p.name for p in petitioners])
    else:
        search.refresh(matter)
    return registration, desk, year


def _numbered(
    registration: Registration,
    channel: str,
    *,
    by: User | None,
    desk: Unit,
    year: int,
    query_code: str,
    reason: str = "",
) -> None:
    """The registration's numbers, its event (with the clerk's reason for the disposition, issue 16) and, for
    不再受理 and 不予受理, its notice (none of them moves a tally)."""
    matter, disposition = registration.matter, registration.disposition
    if disposition == Registration.Disposition.NEW:
        _number(Matter, matter, "XF", "matter", desk, year)
    _number(Registration, registration, "DJ", "registration", desk, year, query_code=query_code)
    kind = {
        Registration.Disposition.NEW: "matter:received" if by is None else "matter:registered",
        Registration.Disposition.REPEAT: "registration:repeat",
        Registration.Disposition.NO_LONGER: "registration:no_longer_accepted",
        Registration.Disposition.PENDING_ELSEWHERE: "registration:not_accepted",
    }[disposition]
    data = {"registration": registration.number, "channel": channel, "disposition": disposition}
    event = _record(matter, kind, by=by, public=True, note=reason, data=data)
    if disposition == Registration.Disposition.NO_LONGER:
        event.document = documents.issue_document(
            matter, "no_longer_notice", issuer=desk, on=today(), registration=registration,
            terminated_on=matter.recheck_decided_on or today(), original=matter.number,
        )  # fmt: skip
    elif disposition == Registration.Disposition.PENDING_ELSEWHERE:  # 条例第十九条第三款
        event.document = documents.issue_document(
            matter, "non_acceptance_notice", issuer=desk, on=today(), registration=registration,
            reason=DECLINE_REASONS["pending_elsewhere"],
        )  # fmt: skip
    if event.document is not None:
        Event.objects.filter(pk=event.pk).update(document=event.document)


@transaction.atomic
def register_received(matter: Matter, *, by: User, expected_version=None) -> Matter:
    """A clerk registers an online submission. Its triage clock has run since it was received (收到之日,
    条例第二十二条) and keeps running: registering it changes neither the clock nor its due date."""
    on, now = today(), timezone.now()
    first = matter.registrations.order_by("received_at").first()
    received_on = matter.received_on or (timezone.localdate(first.received_at) if first else on)
    clock, due = triage_clock(first.channel if first else "", received_on)
    # The registrations first: the transition's event row is what brings the summary tables in step, and
    # they read the registrations' 登记时间 (a refusal below rolls this back with the rest).
    matter.registrations.filter(registered_by=None).update(registered_by=by, registered_at=now)
    return transition(
        matter, "register", by=by, expected_version=expected_version, clock=clock, clock_due=due,
        changes={"registered_on": on, "registered_at": now, "received_on": received_on},
    )  # fmt: skip


# States in which the bureau may still set or correct the accused: before the matter leaves the bureau.
ACCUSED_EDITABLE = (workflow.RECEIVED, workflow.REGISTERED, workflow.REPORTED)


@transaction.atomic
def set_accused(matter: Matter, *, by, accused_unit: Unit | None, accused_person: str, reason: str,
                expected_version=None) -> Matter:  # fmt: skip
    """Set or correct the accused unit and person of a 检举控告 matter before it is forwarded, so that the
    triage guards keep it from them (条例第三十条第三款). Also marks the matter confidential. The event
    (not public) records who set it and why. A user of the accused unit loses sight of the matter at once."""
    if by is None or not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    # the bureau's own staff: not a unit that registers what it received itself
    if not by.has_role(*workflow.BUREAU_TRIAGE):
        raise PermissionDenied("只有信访部门登记、办案人员可以填写被检举对象。")
    if expected_version is not None and expected_version != matter.version:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    _require(matter.state in ACCUSED_EDITABLE, "事项已转出信访部门，不能再修改被检举对象。")
    _require(matter.category == Matter.Category.ACCUSATION, "只有检举控告类事项可以填写被检举对象。")
    _require(accused_unit is not None or bool(accused_person.strip()), "请选择被检举单位或填写被检举人。")
    _require(accused_unit is None or accused_unit.is_active, "被检举单位不存在或已停用。")
    _require(bool(reason.strip()), "请写明填写或更正被检举对象的理由。")
    _bump(matter, expected_version, accused_unit=accused_unit, accused_person=accused_person.strip(),
          is_confidential=True)  # fmt: skip
    _record(matter, "matter:accused_set", by=by, note=reason.strip(),
            data={"accused_unit": getattr(accused_unit, "pk", None)})  # fmt: skip
    return matter


# --- triage by the bureau -----------------------------------------------------------------------------

HANDLING_KINDS = {Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP, Unit.Kind.COUNTY_GOV}


def _check_target_unit(matter: Matter, unit: Unit) -> None:
    _require(unit is not None and unit.is_active, "请选择有权处理的单位。")
    if access.is_accused_unit(matter, unit):
        raise WorkflowError("检举控告材料不得转给被检举、揭发的单位（条例第三十条第三款）。")


def forward_matter(matter: Matter, *, by: User, unit: Unit, note: str = "", expected_version=None) -> Matter:
    """转送 to the competent unit; the unit must tell the petitioner within 15 days of receipt."""
    _check_target_unit(matter, unit)
    _require(unit.kind in HANDLING_KINDS, "转送对象须为县直部门、乡镇或县委县政府。")
    on = today()
    return transition(
        matter, "forward", by=by, note=note, expected_version=expected_version,
        changes={"handling_unit": unit, "forwarded_on": on, "is_assignment": False},
        clock_due=deadlines.clock_due("NOTIFY", on), document={"unit": unit, "reason": note},
        data={"unit": unit.name},
    )  # fmt: skip


def assign_matter(
    matter: Matter, *, by: User, unit: Unit, due: date, note: str = "", expected_version=None
) -> Matter:
    """交办 with a deadline for the result and the 办结报告."""
    _check_target_unit(matter, unit)
    _require(unit.kind in HANDLING_KINDS, "交办对象须为县直部门、乡镇或县委县政府。")
    on = today()
    _require(due is not None and due > on, "交办期限须晚于今天。")
    return transition(
        matter, "assign", by=by, note=note, expected_version=expected_version,
        changes={"handling_unit": unit, "forwarded_on": on, "is_assignment": True, "assign_due": due},
        clock_due=deadlines.clock_due("NOTIFY", on), document={"unit": unit, "due": due, "reason": note},
        data={"unit": unit.name, "due": due.isoformat()},
    )  # fmt: skip


REDIRECTS = {
    "legal": ("redirect_legal", Unit.Kind.LEGAL),
    "discipline": ("redirect_discipline", Unit.Kind.DISCIPLINE),
}


def redirect_matter(matter: Matter, *, by: User, to: str, unit: Unit | None = None, reason: str = "",
                    expected_version=None) -> Matter:  # fmt: skip
    """Send a matter out of ordinary petition handling: 涉法涉诉 to the 政法 department, 检举控告 to the
    纪检监察 organ, or (to="other") tell the petitioner which organ is competent."""
    if to == "other":
        _require(bool(reason.strip()), "请写明应向哪个有权处理的机关提出。")
        return transition(
            matter, "redirect_other", by=by, note=reason, expected_version=expected_version,
            document={"reason": f"该事项不属于本机关职权范围，请向{reason.strip()}提出"},
        )  # fmt: skip
    _require(to in REDIRECTS, "转出去向无效。")
    action, kind = REDIRECTS[to]
    _check_target_unit(matter, unit)
    _require(unit.kind == kind, f"请选择{Unit.Kind(kind).label}。")
    return transition(
        matter, action, by=by, note=reason, expected_version=expected_version,
        changes={"handling_unit": unit, "forwarded_on": today(), "is_legal": to == "legal" or matter.is_legal},
        document={"unit": unit, "reason": reason}, data={"unit": unit.name},
    )  # fmt: skip


DECLINE_REASONS = {
    "pending_elsewhere": "该信访事项已经受理或者正在办理，您在规定期限内向上级机关再次提出",
    "leapfrog": "您越级走访反映的申诉求决类事项，应当向有权处理的本级或者上一级机关提出",
    "no_review_requested": "您对处理（复查）意见不服，应当依法请求复查（复核）",
    "review_window_lapsed": "您超过规定期限未请求复查（复核）",
    "concluded": "该信访事项已经审核认定办结或者复查复核终结",
}


def decline_matter(matter: Matter, *, by: User, reason: str, note: str = "", expected_version=None) -> Matter:
    """不予受理, with the written notice stating the reason."""
    _require(reason in DECLINE_REASONS, "请选择不予受理的理由。")
    return transition(
        matter, "decline", by=by, note=note, expected_version=expected_version,
        document={"reason": DECLINE_REASONS[reason]}, data={"reason": reason},
    )  # fmt: skip


def refuse_repeat(matter: Matter, *, by: User, original: Matter, expected_version=None) -> Matter:
    """不再受理: the same facts and reasons as a matter terminated after recheck."""
    _require(original.state in (workflow.TERMINATED, workflow.ARCHIVED) and original.recheck_decided_on,
             "原事项尚未经复核终结，不能以此为由不再受理。")  # fmt: skip
    return transition(
        matter, "refuse_repeat", by=by, expected_version=expected_version,
        changes={"repeat_of": original},
        document={"terminated_on": original.recheck_decided_on, "original": original.number},
    )  # fmt: skip


def report_major(matter: Matter, *, by: User, note: str, expected_version=None) -> Matter:
    _require(bool(note.strip()), "请写明报请决定的情况。")
    return transition(
        matter, "report_major", by=by, note=note, changes={"is_major_urgent": True},
        clock_due=matter.clock_due, expected_version=expected_version,
    )  # fmt: skip


# --- the handling unit --------------------------------------------------------------------------------


def acknowledge_matter(matter: Matter, *, by: User, expected_version=None) -> Matter:
    """签收. The unit received the item when it was forwarded to it through the system, so the 15-day notice
    clock and the 5-working-day objection window run from that day, not from the day it signs."""
    received = matter.forwarded_on or today()
    return transition(
        matter, "acknowledge", by=by, expected_version=expected_version,
        changes={"received_by_unit_on": today(), "objection_due": deadlines.clock_due("OBJECTION", received)},
        clock_due=deadlines.clock_due("NOTIFY", received),
    )  # fmt: skip


def object_matter(matter: Matter, *, by: User, reason: str, expected_version=None) -> Matter:
    """异议: not within the unit's remit, raised within 5 working days of receipt."""
    _precheck(matter, "object", by, expected_version)
    _require(bool(reason.strip()), "请详细说明异议理由。")
    _require(
        not matter.events.filter(action="object").exists(), "已提出过异议且信访部门未同意，不能再次提出。"
    )
    _require(today() <= matter.objection_due, "已超过5个工作日的异议期限，不能再提出异议。")
    return transition(matter, "object", by=by, note=reason, expected_version=expected_version)


def decide_objection(
    matter: Matter, *, by: User, uphold: bool, note: str = "", expected_version=None
) -> Matter:
    _precheck(matter, "uphold_objection" if uphold else "reject_objection", by, expected_version)
    if uphold:
        on = today()
        return transition(
            matter, "uphold_objection", by=by, note=note, expected_version=expected_version,
            changes={"handling_unit": None, "handler": None, "received_by_unit_on": None, "objection_due": None,
                     "forwarded_on": None},
            clock_due=deadlines.clock_due("TRIAGE", on),
        )  # fmt: skip
    return transition(
        matter, "reject_objection", by=by, note=note, expected_version=expected_version,
        clock_due=deadlines.clock_due("NOTIFY", matter.forwarded_on),
    )  # fmt: skip


def accept_matter(
    matter: Matter, *, by: User, simple: bool = False, note: str = "", expected_version=None
) -> Matter:
    """受理 with the written notice; the 60-day handling clock starts (简易办理: 10 working days)."""
    on = today()
    due = deadlines.clock_due("SIMPLE" if simple else "HANDLE", on)
    changes = {"accepted_on": on, "handle_due": due, "is_simple": simple,
               "eval_bureau_due": deadlines.clock_due("EVALUATION", on)}  # fmt: skip
    if matter.handler_id is None:
        changes["handler"] = by
    return transition(
        matter, "accept", by=by, note=note, changes=changes, clock_due=due, expected_version=expected_version,
        clock="SIMPLE" if simple else None,
    )  # fmt: skip


CHANNELS = {
    "litigation": "诉讼、复议、检察或公安等法律程序",
    "arbitration": "仲裁程序",
    "party": "党员申诉、申请复审程序",
    "administrative": "行政复议、裁决、确认、许可、处罚等行政程序",
    "duty": "依法履行职责或者答复",
}


def channel_matter(
    matter: Matter, *, by: User, procedure: str, note: str = "", expected_version=None
) -> Matter:
    _require(procedure in CHANNELS, "请选择导入的法定程序。")
    return transition(
        matter, "channel", by=by, note=note or CHANNELS[procedure], expected_version=expected_version,
        changes={"closed_on": today()}, data={"procedure": procedure},
    )  # fmt: skip


def start_investigation(matter: Matter, *, by: User, expected_version=None) -> Matter:
    return transition(
        matter, "investigate", by=by, clock_due=matter.handle_due, expected_version=expected_version
    )


def request_extension(
    matter: Matter, *, by: User, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """延期申请 (条例第三十四条): an officer of the handling unit (the handler or a colleague) asks a 负责人 of the
    unit to extend the handling period by `days` (1–30). Only while the handling period runs, at most one
    request pending, and only while no extension was granted. Writes the request and an event."""
    access.check_request(by, matter, "extend")
    if expected_version is not None and expected_version != matter.version:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    _require(matter.extension_days == 0, "办理期限只能延长一次，已批准过延期。")
    _require(isinstance(days, int) and 1 <= days <= 30, "延长期限须为1至30日。")
    _require(bool(reason.strip()), "请写明延期理由（将告知信访人）。")
    _require(today() <= matter.handle_due, "办理期限已届满，不能再申请延期。")
    _require(access.pending_request(matter) is None, "已有待审批的延期申请。")
    with transaction.atomic():
        _bump(matter, expected_version)
        request = ExtensionRequest.objects.create(
            matter=matter, requested_by=by, requested_at=timezone.now(), days=days, reason=reason.strip()
        )
        _record(matter, "extension:request", by=by, note=reason.strip(),
                data={"request": request.pk, "days": days})  # fmt: skip
    return request


def decide_extension(
    request: ExtensionRequest,
    *,
    by: User,
    approve: bool,
    reason: str = "",
    expected_version: int | None = None,
) -> ExtensionRequest:
    """A 负责人 of the handling unit (never the requester nor the handler) decides a pending 延期申请.
    Approval takes the `extend` transition: the extension notice states the request's reason, and the handling
    period becomes the statutory period plus the days (受理 + 60 + N 日, rolled past rest days; 简易办理: the
    simple due date + N 日). A refusal keeps its reason; the matter's state does not change."""
    matter = request.matter
    _precheck(matter, "extend", by, expected_version)
    _require(request.state == ExtensionRequest.State.PENDING and access.pending_request(matter) == request,
             "该延期申请已审批或已撤回。")  # fmt: skip
    access.check_action(by, matter, "extend")
    now = timezone.now()
    if not approve:
        _require(bool(reason.strip()), "不予批准延期的，请写明理由。")
        with transaction.atomic():
            _bump(matter, expected_version)
            _decide(
                request, by=by, at=now, state=ExtensionRequest.State.REFUSED, refusal_reason=reason.strip()
            )
            _record(matter, "extension:refuse", by=by, note=reason.strip(),
                    data={"request": request.pk, "days": request.days})  # fmt: skip
        return request
    _require(matter.extension_days == 0, "办理期限只能延长一次。")
    _require(today() <= matter.handle_due, "办理期限已届满，不能再延期。")
    days = request.days
    if matter.is_simple:
        due = deadlines.due_date(matter.handle_due, days)
    else:  # 60 + N days from acceptance: the extension is added to the statutory period, not to a rolled date
        due = deadlines.clock_due("HANDLE", matter.accepted_on, days=deadlines.CLOCKS["HANDLE"].days + days)
    with transaction.atomic():
        transition(
            matter, "extend", by=by, note=request.reason, expected_version=expected_version,
            changes={"extension_days": days, "handle_due": due}, clock_due=due,
            document={"reason": request.reason, "days": days, "due": due},
            data={"days": days, "request": request.pk},
        )  # fmt: skip
        _decide(request, by=by, at=now, state=ExtensionRequest.State.APPROVED)
    return request


def _bump(matter: Matter, expected_version: int | None, **changes) -> None:
    """A change to the matter that is not a transition (`changes`, possibly none): the page's version must be
    current, and moves on. Every writer moves the version, so it also guards the state."""
    version = matter.version if expected_version is None else expected_version
    if Matter.objects.filter(pk=matter.pk, version=version).update(version=F("version") + 1, **changes) != 1:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    matter.refresh_from_db()
    if "title" in changes:  # a corrected summary (correct_registration) is searched by its new words
        search.refresh(matter)


def _decide(
    request: ExtensionRequest, *, by: User, at: datetime, state: str, refusal_reason: str = ""
) -> None:
    """Conditional on the request still pending, so that two 负责人 cannot both decide it."""
    updated = ExtensionRequest.objects.filter(pk=request.pk, state=ExtensionRequest.State.PENDING).update(
        state=state, decided_by=by, decided_at=at, refusal_reason=refusal_reason
    )
    if updated != 1:
        raise StaleMatter("该延期申请已由他人审批，请刷新后重试。")
    request.refresh_from_db()


def reply_matter(
    matter: Matter, *, by: User, outcome: str, opinion: str, basis: str = "", expected_version=None
) -> Matter:
    """信访处理意见书: 予以支持 / 作出解释说明 / 不予支持 (条例第三十二条)."""
    _require(outcome in Matter.Outcome.values, "请选择处理结论。")
    _require(bool(opinion.strip()), "请填写处理意见。")
    return transition(
        matter, "reply", by=by, expected_version=expected_version, clock_due=matter.handle_due,
        changes={"outcome": outcome, "replied_on": today()},
        document={"outcome": outcome, "opinion": opinion.strip(), "basis": basis.strip()},
    )  # fmt: skip


def deliver_reply(matter: Matter, *, by: User, method: str, delivered_on: date, signed: bool,
                  expected_version=None) -> Matter:  # fmt: skip
    """送达: the 30-day window to request review starts on receipt (条例第三十五条)."""
    _precheck(matter, "deliver", by, expected_version)
    _require(method in Matter.DeliveryMethod.values, "请选择送达方式。")
    _require(delivered_on is not None and matter.replied_on <= delivered_on <= today(),
             "送达日期须在出具意见之日与今天之间。")  # fmt: skip
    due = deadlines.clock_due("REVIEW_REQUEST", delivered_on)
    return transition(
        matter, "deliver", by=by, expected_version=expected_version, clock_due=due,
        changes={"delivered_on": delivered_on, "delivery_method": method, "delivery_signed": signed,
                 "review_request_due": due, "review_unit": matter.handling_unit.parent,
                 "eval_unit_due": deadlines.clock_due("EVALUATION", delivered_on)},
        data={"method": method, "signed": signed}, note="签收" if signed else "拒绝签收（留置送达）",
    )  # fmt: skip


# --- review, recheck, termination ---------------------------------------------------------------------


def request_review(matter: Matter, *, by: User | None, requested_on: date | None = None, reason: str = "",
                   expected_version=None) -> Matter:  # fmt: skip
    """复查 request, within 30 days of receiving the reply, to the level above the handling unit."""
    _precheck(matter, "request_review", by, expected_version)
    on = requested_on or today()
    _require(matter.delivered_on <= on <= today(), "申请日期须在收到答复之日与今天之间。")
    if on > matter.review_request_due:
        raise WorkflowError(
            f"已超过复查申请期限：应自收到书面答复之日起30日内（截至{matter.review_request_due:%Y年%m月%d日}）提出。"
        )
    _require(matter.review_unit_id is not None, "未找到原办理机关的上一级机关，无法受理复查。")
    due = deadlines.clock_due("REVIEW", on)
    return transition(
        matter, "request_review", by=by, note=reason, expected_version=expected_version, clock_due=due,
        changes={"review_requested_on": on, "review_due": due},
    )  # fmt: skip


def decide_review(matter: Matter, *, by: User, outcome: str, opinion: str, expected_version=None) -> Matter:
    _precheck(matter, "decide_review", by, expected_version)
    _require(outcome in Matter.Outcome.values, "请选择复查结论。")
    _require(bool(opinion.strip()), "请填写复查意见。")
    on = today()
    due = deadlines.clock_due("RECHECK_REQUEST", on)
    return transition(
        matter, "decide_review", by=by, expected_version=expected_version, clock_due=due,
        changes={"review_decided_on": on, "review_outcome": outcome, "recheck_request_due": due,
                 "recheck_unit": matter.review_unit.parent},
        document={"issuer": matter.review_unit, "outcome": outcome, "opinion": opinion.strip()},
    )  # fmt: skip


def request_recheck(matter: Matter, *, by: User | None, requested_on: date | None = None, reason: str = "",
                    expected_version=None) -> Matter:  # fmt: skip
    """复核 request, within 30 days of the review decision; a county hands it to the level above."""
    _precheck(matter, "request_recheck", by, expected_version)
    on = requested_on or today()
    _require(matter.review_decided_on <= on <= today(), "申请日期须在收到复查意见之日与今天之间。")
    if on > matter.recheck_request_due:
        raise WorkflowError(
            f"已超过复核申请期限：应自收到复查意见之日起30日内（截至{matter.recheck_request_due:%Y年%m月%d日}）提出。"
        )
    _require(matter.recheck_unit_id is not None, "未找到复查机关的上一级机关，无法报送复核。")
    due = deadlines.clock_due("RECHECK", on)
    return transition(
        matter, "request_recheck", by=by, note=reason, expected_version=expected_version, clock_due=due,
        changes={"recheck_requested_on": on, "recheck_due": due},
    )  # fmt: skip


MAX_HEARING_DAYS = 60  # a guard against typing errors, not a legal limit


@transaction.atomic
def record_hearing(matter: Matter, *, by: User, held_from: date, held_to: date, note: str = "",
                   expected_version=None) -> Matter:  # fmt: skip
    """A 听证 held during the 复核: its days are not counted in the 30-day recheck period (条例第三十六条), so
    the recheck due date moves back by them. Not a state change; an event on the timeline records it."""
    if not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    if not by.has_role(*workflow.BUREAU_OFFICE):
        raise PermissionDenied("只有信访局办案人员可以登记复核听证。")
    if expected_version is not None and expected_version != matter.version:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    _require(matter.state == workflow.UNDER_RECHECK, "只有复核中的事项可以登记听证。")
    _require(held_from is not None and held_to is not None and held_from <= held_to, "听证起止日期有误。")
    _require(matter.recheck_requested_on <= held_from and held_to <= today(),
             "听证日期须在复核申请之日与今天之间。")  # fmt: skip
    days = (held_to - held_from).days + 1
    _require(days <= MAX_HEARING_DAYS, f"听证时间不能超过{MAX_HEARING_DAYS}日，请核对日期。")
    total = matter.recheck_hearing_days + days
    due = deadlines.clock_due("RECHECK", matter.recheck_requested_on, days=30 + total)
    _bump(matter, expected_version, recheck_hearing_days=total, recheck_due=due, clock_due=due)
    _record(matter, "matter:hearing_recorded", by=by, note=note, data={
        "from": held_from.isoformat(), "to": held_to.isoformat(), "days": days, "recheck_due": due.isoformat(),
    })  # fmt: skip
    return matter


def record_recheck(matter: Matter, *, by: User, outcome: str, opinion: str, decided_on: date | None = None,
                   external_number: str = "", expected_version=None) -> Matter:  # fmt: skip
    """Record the higher level's 复核意见 (with its own 文号 when known); the matter is terminated
    (同一事实和理由不再受理)."""
    _precheck(matter, "record_recheck", by, expected_version)
    _require(outcome in Matter.Outcome.values, "请选择复核结论。")
    _require(bool(opinion.strip()), "请填写复核意见。")
    on = decided_on or today()
    _require(matter.recheck_requested_on <= on <= today(), "复核意见日期须在申请日期与今天之间。")
    return transition(
        matter, "record_recheck", by=by, expected_version=expected_version,
        changes={"recheck_decided_on": on, "closed_on": on},
        document={"issuer": matter.recheck_unit, "on": on, "outcome": outcome, "opinion": opinion.strip(),
                  "number": external_number.strip()},
    )  # fmt: skip


def close_matter(matter: Matter, *, by: User | None = None, expected_version=None) -> Matter:
    """办结 when the window to request review (or recheck) has passed unused."""
    due = matter.review_request_due if matter.state == workflow.DELIVERED else matter.recheck_request_due
    _require(due is not None and today() > due, "申请期限尚未届满，不能办结。")
    return transition(
        matter, "close", by=by, changes={"closed_on": today()}, expected_version=expected_version
    )


def close_lapsed_matters(*, by: User | None = None) -> int:
    """Close every matter whose review/recheck window has lapsed (idempotent; for the scheduled sweep)."""
    d = today()
    lapsed = Matter.objects.filter(
        state=workflow.DELIVERED, review_request_due__lt=d
    ) | Matter.objects.filter(state=workflow.REVIEW_DECIDED, recheck_request_due__lt=d)
    count = 0
    for matter in lapsed:
        try:
            close_matter(matter, by=by)
            count += 1
        except StaleMatter:
            continue
    return count


def archive_matter(matter: Matter, *, by: User, expected_version=None) -> Matter:
    return transition(matter, "archive", by=by, expected_version=expected_version)


# --- people on a matter -------------------------------------------------------------------------------


HANDLER_NOT_ELIGIBLE = "承办人须为本单位在岗的经办人员。"


@transaction.atomic
def assign_handler(matter: Matter, *, by: User, handler: User | None, expected_version=None) -> Matter:
    """Name the officer who handles the matter in the unit. Not someone who must recuse, nor the accused.
    `handler=None` is a username that matches no active user: refused exactly like a user who may not handle
    the matter, so that the answer does not tell whether a username exists elsewhere (issue 14)."""
    if not (by.has_role(R.UNIT_OFFICER, R.LEADER) and by.unit_id == matter.handling_unit_id):
        raise PermissionDenied("只能为本单位承办的事项指定承办人。")
    if not (
        handler is not None
        and handler.is_active
        and handler.unit_id == matter.handling_unit_id
        and handler.has_role(R.UNIT_OFFICER)
    ):
        raise ValidationError({"handler": [HANDLER_NOT_ELIGIBLE]})
    _require(not matter.recusals.filter(user=handler).exists(), "该人员已回避本事项，不能指定为承办人。")
    _require(
        not (matter.is_confidential and matter.accused_user_id == handler.pk), "被检举人不能办理该事项。"
    )
    _bump(matter, expected_version, handler=handler)
    _record(matter, "matter:handler_assigned", by=by, data={"handler": handler.pk}, note=str(handler))
    return matter


@transaction.atomic
def declare_recusal(matter: Matter, *, by: User, user: User, reason: str, expected_version=None) -> Recusal:
    """回避 (条例第二十八条第三款): the person can no longer handle the matter. Declared by the person
    themself, or recorded for an officer of the handling unit by a colleague there or by the bureau."""
    _require(bool(reason.strip()), "请写明回避理由。")
    if not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    same_unit = by.has_role(R.UNIT_OFFICER) and by.unit_id == matter.handling_unit_id == user.unit_id
    if not (by.pk == user.pk or same_unit or by.has_role(R.CASE_OFFICER, R.LEADER)):
        raise PermissionDenied("只能为本人或本单位人员登记回避。")
    _require(not matter.recusals.filter(user=user).exists(), "该人员已登记回避。")
    _bump(matter, expected_version, **({"handler": None} if matter.handler_id == user.pk else {}))
    recusal = Recusal.objects.create(matter=matter, user=user, reason=reason.strip())
    _record(matter, "matter:recusal", by=by, note=reason.strip(), data={"user": user.pk})
    return recusal


# --- 回访 and corrections of the registration -------------------------------------------------------------


@transaction.atomic
def record_follow_up(matter: Matter, *, by: User, called_at: datetime, callee: str, outcome: str,
                     notes: str = "") -> FollowUpCall:  # fmt: skip
    """回访: the bureau's follow-up call to the petitioner after the reply, with the satisfaction they stated on
    the phone (or that the call did not get through). A staff record: its event is not public, so neither it nor
    its notes reach the portal. Changes nothing on the matter (its version stays)."""
    if by is None or not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    if not by.has_role(*workflow.BUREAU_TRIAGE):
        raise PermissionDenied("只有信访部门登记、办案人员可以登记回访。")
    _require(matter.replied_on is not None, "事项尚未答复，答复后才能回访。")
    _require(outcome in FollowUpCall.Outcome.values, "请选择回访结果。")
    _require(bool(callee.strip()), "请填写回访对象。")
    _require(called_at is not None and called_at <= timezone.now(), "回访时间不能晚于现在。")
    _require(timezone.localdate(called_at) >= matter.replied_on, "回访时间不能早于答复日期。")
    call = FollowUpCall.objects.create(
        matter=matter, called_by=by, called_at=called_at, callee=callee.strip()[:100], outcome=outcome,
        notes=notes.strip(),
    )  # fmt: skip
    label = FollowUpCall.Outcome(outcome).label
    _record(matter, "matter:follow_up", by=by, note=f"回访{call.callee}：{label}" + (f"。{call.notes}" if call.notes else ""),
            data={"follow_up": call.pk, "outcome": outcome, "called_at": called_at.isoformat()})  # fmt: skip
    return call


# What correct_registration may change, with the words the event and the page use.
CORRECTABLE = {"title": "事项摘要", "content_class": "内容分类", "township": "问题属地"}


@transaction.atomic
def correct_registration(matter: Matter, *, by: User, reason: str, expected_version=None,
                         **changes) -> Matter:  # fmt: skip
    """Correct what was registered — the summary (title), the 内容分类 (`content_class`, a Code or None) or the
    属地 (`township`, a Unit or None) — while the matter is still in the bureau, by the bureau's staff, with a
    reason. Never silent: the event (not public) records each field's old → new value and the reason. The
    summary tables follow (analytics UPDATING_EVENT_KINDS). The one writer of these corrections: a hook that
    indexes the matter's text (search) can wrap this function."""
    if by is None or not access.can_view(by, matter):
        raise PermissionDenied("您无权查看该信访事项。")
    if not by.has_role(*workflow.BUREAU_TRIAGE):
        raise PermissionDenied("只有信访部门登记、办案人员可以更正登记内容。")
    if expected_version is not None and expected_version != matter.version:
        raise StaleMatter("该事项已被他人处理或页面已过期，请刷新后重试。")
    _require(matter.state in ACCUSED_EDITABLE, "事项已转出信访部门，不能再更正登记内容。")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"不能更正的字段：{sorted(unknown)}")
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        _require(bool(changes["title"]), "事项摘要不能为空。")
        _require(
            len(changes["title"]) <= Matter._meta.get_field("title").max_length, "事项摘要不能超过200字。"
        )
    content_class = changes.get("content_class")
    _require(content_class is None or (content_class.table == Code.Table.CONTENT and content_class.is_active),
             "内容分类不存在或已停用。")  # fmt: skip
    township = changes.get("township")
    _require(township is None or (township.kind == Unit.Kind.TOWNSHIP and township.is_active),
             "问题属地须为在用的乡镇。")  # fmt: skip
    _require(bool(reason.strip()), "请写明更正的理由。")

    def shown(field, value):
        return value if field == "title" else (str(value) if value is not None else "")

    changed = {f: v for f, v in changes.items() if getattr(matter, f) != v}
    _require(bool(changed), "与原登记内容相同，无需更正。")
    diff = {CORRECTABLE[f]: [shown(f, getattr(matter, f)), shown(f, v)] for f, v in changed.items()}
    ids = {f: [getattr(getattr(matter, f), "pk", None), getattr(v, "pk", None)] for f, v in changed.items()
           if f != "title"}  # fmt: skip
    _bump(matter, expected_version, **changed)
    lines = "；".join(
        f"{label}：“{old or '（无）'}”更正为“{new or '（无）'}”" for label, (old, new) in diff.items()
    )
    _record(matter, "matter:registration_corrected", by=by, note=f"{lines}。理由：{reason.strip()}",
            data={"changes": diff, "ids": ids, "reason": reason.strip()})  # fmt: skip
    return matter


# --- 合并 and 撤销合并 (issue 16) ----------------------------------------------------------------------------
#
# A matter registered twice by mistake (B) is merged into the matter that survives (A): B's registrations move
# under A as 重复件 (Registration.merged_from = B keeps where they came from), B is marked merged_into = A and
# its running clock is set aside, so that B appears in no worklist, sweep or statistic and takes no action; its
# other fields, events and documents stay as they were. 撤销合并 moves the registrations back with their
# former disposition and registration and restores B's clock: B is again exactly what it was. The rules are in
# docs/workflow.md (合并).

MERGE_NOT_ALLOWED_STATE = (
    "该事项已出具处理意见或已办结，不能并入其他事项（已作出的书面答复不能因合并而失去）。"
)


def _merge_people(matter: Matter) -> tuple[set[int], set[str]]:
    """The petitioner rows of a matter's registrations, and their ID numbers' keyed hashes."""
    rows = RegistrationPetitioner.objects.filter(registration__matter=matter).values_list(
        "petitioner_id", "petitioner__id_number_hash"
    )
    return {pk for pk, _h in rows}, {h for _pk, h in rows if h}


def merge_denial(matter: Matter, into: Matter | None, *, join: bool = False) -> str | None:
    """Why `matter` may not be merged into `into` (a Chinese sentence), None when it may. The rules that do not
    depend on who asks; the services check the actor first."""
    if into is None:
        return "请填写保留的事项编号。"
    if into.pk == matter.pk:
        return "不能将事项并入其自身。"
    if matter.merged_into_id is not None:
        return f"该事项已并入{matter.merged_into.number}，请先撤销合并。"
    if into.merged_into_id is not None:
        return f"事项{into.number}已并入{into.merged_into.number}，请选择{into.merged_into.number}。"
    if matter.merged.exists():
        return "已有其他事项并入该事项，不能再将其并入别的事项；请将其他事项并入该事项。"
    if join:
        if matter.state != workflow.RECEIVED:
            return "只有待登记的网上信访件可以作为重复件并入已有事项。"
    elif matter.state not in workflow.MERGEABLE_STATES or matter.replied_on is not None:
        return MERGE_NOT_ALLOWED_STATE
    if into.state not in workflow.OPEN_STATES:
        return (
            REPEAT_RULES[Registration.Disposition.REPEAT][1]
            if join
            else "保留的事项已办结，不能将其他事项并入。"
        )
    if into.state == workflow.RECEIVED:
        return "保留的事项尚未登记，请先登记该事项。"
    if matter.is_confidential or into.is_confidential:
        ids, hashes = _merge_people(matter)
        into_ids, into_hashes = _merge_people(into)
        same_accuser = bool(ids & into_ids or hashes & into_hashes)
        if not (matter.is_confidential and into.is_confidential and same_accuser):
            return "检举控告事项只能与同一检举人的检举控告事项合并（条例第三十条第三款）。"
    if access.pending_request(matter) is not None:
        return "该事项有待审批的延期申请，请先审批后再合并。"
    return None


def _merge_actor(matter: Matter, into: Matter | None, by: User | None, roles, message: str) -> None:
    if by is None or not access.can_view(by, matter) or (into is not None and not access.can_view(by, into)):
        raise PermissionDenied("您无权查看该信访事项。")
    if not by.has_role(*roles):
        raise PermissionDenied(message)


@transaction.atomic
def merge_matter(matter: Matter, *, into: Matter | None, by: User, reason: str,
                 expected_version: int | None = None) -> Matter:  # fmt: skip
    """合并: `matter` (B), registered twice by mistake, is merged into `into` (A, which survives), by the bureau's
    case officers, with a reason. Events on both, in one transaction (the caller adds the audit row). Returns A."""
    _merge_actor(matter, into, by, workflow.BUREAU_OFFICE, "只有信访局办案人员可以合并事项。")
    denial = merge_denial(matter, into)
    _require(denial is None, denial or "")
    _require(bool(reason.strip()), "请写明合并的理由。")
    return _merge(matter, into, by=by, reason=reason.strip(), expected_version=expected_version, join=False)


@transaction.atomic
def join_received(matter: Matter, *, into: Matter | None, by: User, reason: str,
                  expected_version: int | None = None) -> Matter:  # fmt: skip
    """The clerk registers an online submission (`matter`, state received) as a repeat of an open matter (`into`,
    similar.candidates suggests it): its registration joins that matter as a 重复件, registered by the clerk now —
    instead of becoming a new matter. The submission's own matter is merged into `into` (undone like a merge).
    Returns `into`."""
    _merge_actor(matter, into, by, workflow.BUREAU_TRIAGE, "只有信访部门登记、办案人员可以登记网上信访件。")
    denial = merge_denial(matter, into, join=True)
    _require(denial is None, denial or "")
    _require(bool(reason.strip()), "请写明作为重复件并入的理由（如同一证件号、内容相同）。")
    return _merge(matter, into, by=by, reason=reason.strip(), expected_version=expected_version, join=True)


def _merge(matter: Matter, into: Matter, *, by: User, reason: str, expected_version: int | None,
           join: bool) -> Matter:  # fmt: skip
    now = timezone.now()
    with tallies.once():  # B stops counting and A counts the moved registrations: refreshed once, at the end
        regs = list(matter.registrations.order_by("pk"))
        before = {
            str(r.pk): {"number": r.number, "disposition": r.disposition, "registered_by": r.registered_by_id,
                        "registered_at": r.registered_at.isoformat()}
            for r in regs
        }  # fmt: skip
        moved = Registration.objects.filter(pk__in=[r.pk for r in regs])
        moved.update(matter=into, merged_from=matter, disposition=Registration.Disposition.REPEAT)
        if join:  # the clerk registers the submission now (as register_received does)
            moved.filter(registered_by=None).update(registered_by=by, registered_at=now)
        clock, clock_due = matter.clock, matter.clock_due
        _bump(matter, expected_version, merged_into=into, clock="", clock_due=None)
        _bump(into, None)
        numbers = [r.number for r in regs]
        _record(matter, "matter:merged_into", by=by, note=reason, data={
            "into": into.number, "join": join, "registrations": before, "clock": clock,
            "clock_due": clock_due.isoformat() if clock_due else None,
        })  # fmt: skip
        _record(into, "registration:joined" if join else "matter:merged", by=by, note=reason, public=join,
                data={"from": matter.number, "registrations": numbers})  # fmt: skip
        search.refresh(into)
        search.refresh(matter)
    return into


@transaction.atomic
def unmerge_matter(matter: Matter, *, by: User, reason: str, expected_version: int | None = None) -> Matter:
    """撤销合并: `matter` (B) becomes again what it was before it was merged (or joined as a 重复件): its
    registrations move back with their former disposition and registration, its clock runs again (an overdue
    clock shows as overdue). By the bureau's case officers, with a reason; events on both. Returns B."""
    into = matter.merged_into
    _merge_actor(matter, into, by, workflow.BUREAU_OFFICE, "只有信访局办案人员可以撤销合并。")
    _require(into is not None, "该事项未被合并，无需撤销。")
    _require(bool(reason.strip()), "请写明撤销合并的理由。")
    merged = matter.events.filter(kind="matter:merged_into").order_by("-at", "-pk").first()
    _require(merged is not None, "未找到合并记录，无法撤销合并。")
    data = merged.data
    with tallies.once():
        for pk, was in data["registrations"].items():
            Registration.objects.filter(pk=int(pk), merged_from=matter).update(
                matter=matter, merged_from=None, disposition=was["disposition"],
                registered_by_id=was["registered_by"], registered_at=datetime.fromisoformat(was["registered_at"]),
            )  # fmt: skip
        due = date.fromisoformat(data["clock_due"]) if data.get("clock_due") else None
        _bump(matter, expected_version, merged_into=None, clock=data.get("clock", ""), clock_due=due)
        _bump(into, None)
        numbers = [was["number"] for was in data["registrations"].values()]
        _record(matter, "matter:unmerged", by=by, note=reason.strip(),
                data={"from": into.number, "registrations": numbers})  # fmt: skip
        _record(into, "matter:merge_undone", by=by, note=reason.strip(),
                data={"matter": matter.number, "registrations": numbers})  # fmt: skip
        search.refresh(into)
        search.refresh(matter)
    return matter
