"""Importing a package (docs/exchange.md): every item becomes a registration on the 上级交办 channel with the
higher level's number and deadline (Registration.external_number / external_due: the EXTERNAL_REPORT clock that
worklists, badges and the sweep track), registered through the same service as a clerk's registration.

All or nothing: one transaction; every item in a savepoint of its own so that all the items' errors are found
and reported with their line, then everything is rolled back if there was one (and always on a dry run).
Idempotent by the external number (with the assigning organ): an item already imported creates nothing; the
results it carries (documents, milestones, evaluations from the level below) are recorded once each."""

import base64
import binascii
import hashlib
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pydantic import ValidationError as PydanticError

from xinfang.api.errors import pydantic_message
from xinfang.exchange.package import ExchangeItem, ExchangePackage
from xinfang.exchange.reader import Source
from xinfang.petitions import access, citizens, documents, services, workflow
from xinfang.petitions.models import Document, Event, Matter, Registration, Unit

MILESTONE, EVALUATION, REPORTED = "exchange:milestone", "exchange:evaluation", "exchange:reported"


@dataclass(frozen=True)
class Problem:
    where: str  # "第12行（第3件）"
    external_number: str
    field: str
    message: str
    order: int = -1  # the item's index: problems are listed in the order of the file

    def __str__(self):
        number = f"［{self.external_number}］" if self.external_number else ""
        return f"{self.where}{number}{self.field + '：' if self.field else ''}{self.message}"


@dataclass
class Report:
    dry_run: bool = False
    created: list[tuple[str, str]] = field(default_factory=list)  # (external number, 事项编号)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # already imported; new results recorded
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run


class _RollBack(Exception):
    pass


FIELD_LABELS = {
    "external_number": "上级交办编号", "source_unit": "交办机关", "received_at": "交办时间", "deadline": "交办期限",
    "external_due": "交办期限", "title": "事项摘要", "content": "反映内容", "purpose": "信访目的",
    "content_class": "内容分类", "township": "问题属地", "head_count": "人数", "petitioners": "信访人",
    "attachments": "附件", "results": "办理结果", "format": "格式", "version": "版本", "items": "交办件",
}  # fmt: skip


def _label(path: str) -> str:
    head, _, rest = path.partition(".")
    return FIELD_LABELS.get(head, head) + (f".{rest}" if rest else "")


def import_package(source: Source, *, by, dry_run: bool = False) -> Report:
    """Import every item of `source` as `by` (a clerk or case officer of the bureau)."""
    if by is None or not access.registers_for_bureau(by):
        raise PermissionDenied("只有信访部门登记、办案人员可以导入上级交办件。")
    report = Report(dry_run=dry_run)
    items = _envelope(source, report)
    valid = _validate(source, items, report)
    try:
        with citizens.removing_on_failure():
            for index, item in valid:
                _import_item(source, index, item, by=by, report=report)
            if report.problems or dry_run:
                raise _RollBack
    except _RollBack:
        pass
    report.problems.sort(key=lambda p: p.order)
    return report


def _envelope(source: Source, report: Report) -> list:
    data = dict(source.data)
    items = data.pop("items", None)
    try:
        ExchangePackage.model_validate({**data, "items": []})
    except PydanticError as e:
        for error in e.errors():
            path = ".".join(str(p) for p in error["loc"])
            report.problems.append(Problem("第1行", "", _label(path), pydantic_message(error)))
    if not isinstance(items, list):
        report.problems.append(Problem("第1行", "", "交办件", "应为列表（items）。"))
        return []
    return items


def _where(source: Source, index: int, path: tuple = ()) -> str:
    if len(path) >= 2 and path[0] == "petitioners" and (index, path[1]) in source.person_rows:
        return source.person_rows[(index, path[1])]
    line = source.lines.get(index)
    return f"{line}（第{index + 1}件）" if line else f"第{index + 1}件"


def _validate(source: Source, items: list, report: Report) -> list[tuple[int, ExchangeItem]]:
    valid, seen = [], {}
    for index, raw in enumerate(items):
        number = str(raw.get("external_number", "")) if isinstance(raw, dict) else ""
        try:
            item = ExchangeItem.model_validate(raw)
        except PydanticError as e:
            for error in e.errors():
                path = error["loc"]
                report.problems.append(
                    Problem(_where(source, index, path), number, _label(".".join(map(str, path))),
                            pydantic_message(error), index)
                )  # fmt: skip
            continue
        key = (item.source_unit, item.external_number)
        if key in seen:
            report.problems.append(Problem(_where(source, index), number, "上级交办编号",
                                           f"与第{seen[key] + 1}件重复。", index))  # fmt: skip
            continue
        seen[key] = index
        valid.append((index, item))
    return valid


def _import_item(source: Source, index: int, item: ExchangeItem, *, by, report: Report) -> None:
    problems: list[Problem] = []
    existing = matter = None
    try:
        with citizens.removing_on_failure():  # a savepoint: this item's rows and files, or none of them
            existing = (
                Registration.objects.select_related("matter")
                .filter(external_number=item.external_number, source_unit__code=item.source_unit)
                .order_by("id")
                .first()
            )
            matter = existing.matter if existing else _register(source, index, item, by=by, problems=problems)
            where = _where(source, index)
            added = _record_results(matter, item, where, by=by, problems=problems) if item.results else 0
            if problems:
                raise _RollBack
    except _RollBack:
        pass
    except ValidationError as e:
        errors = e.message_dict if hasattr(e, "error_dict") else {"": e.messages}
        for key, messages in errors.items():
            for message in messages:
                where = _where(source, index, _person(item, key, message))
                problems.append(Problem(where, item.external_number, _label(key), message))
    except (services.WorkflowError, PermissionDenied) as e:
        problems.append(Problem(_where(source, index), item.external_number, "", str(e)))
    if problems:
        report.problems.extend(replace(p, order=index) for p in problems)
    elif existing is None:
        report.created.append((item.external_number, matter.number))
    elif added:
        report.updated.append(item.external_number)
    else:
        report.unchanged.append(item.external_number)


def _person(item: ExchangeItem, key: str, message: str) -> tuple:
    """The petitioner a service message names ("李五：手机号码格式不对…"), for the workbook row it came from."""
    for k, p in enumerate(item.petitioners):
        if key == "petitioners" and message.startswith(f"{p.name}："):
            return ("petitioners", k)
    return ()


def _uploads(
    source: Source, index: int, item: ExchangeItem, problems: list[Problem]
) -> list[citizens.Upload]:
    uploads = []
    for a in item.attachments:
        where = _where(source, index)
        if bool(a.base64) == bool(a.file):
            problems.append(
                Problem(where, item.external_number, "附件", f"“{a.name}”须给出 base64 或 file 之一。")
            )
            continue
        if a.file:
            content = source.files.get(a.file)
            if content is None:
                problems.append(Problem(where, item.external_number, "附件", f"zip 包中没有文件“{a.file}”。"))
                continue
        else:
            try:
                content = base64.b64decode(a.base64, validate=True)
            except (binascii.Error, ValueError):
                problems.append(
                    Problem(where, item.external_number, "附件", f"“{a.name}”的 Base64 内容无效。")
                )
                continue
        if a.sha256 and hashlib.sha256(content).hexdigest() != a.sha256.lower():
            problems.append(
                Problem(where, item.external_number, "附件", f"“{a.name}”的 SHA-256 不符，文件可能已损坏。")
            )
            continue
        uploads.append(citizens.Upload(name=a.name, content=content))
    return uploads


def _register(
    source: Source, index: int, item: ExchangeItem, *, by, problems: list[Problem]
) -> Matter | None:
    uploads = _uploads(source, index, item, problems)
    if problems:
        raise _RollBack
    data = services.PetitionInput(
        channel=Registration.Channel.ASSIGNED, received_at=item.received_at, title=item.title,
        content=item.content, request=item.request, facts=item.facts, purpose=item.purpose,
        content_class=item.content_class, township=item.township, head_count=item.head_count,
        source_unit=item.source_unit, external_number=item.external_number, external_due=item.deadline,
        petitioners=[services.PetitionerInput(**p.dict()) for p in item.petitioners],
    )  # fmt: skip
    registration, _code = citizens.register_incoming(data, by=by, uploads=uploads)
    return registration.matter


def _record_results(matter: Matter, item: ExchangeItem, where: str, *, by, problems: list[Problem]) -> int:
    """The level below's results, as records of what was reported (never as this installation's own
    transitions): each document once (by kind and 文号), each milestone once (by its key), each evaluation once."""
    results, added, now = item.results, 0, timezone.now()
    issuers = {u.code: u for u in Unit.objects.filter(code__in={d.issuer for d in results.documents})}
    for d in results.documents:
        issuer = issuers.get(d.issuer)
        if issuer is None:
            problems.append(Problem(where, item.external_number, "文书", f"出具单位代码“{d.issuer}”不存在。"))
            continue
        if matter.documents.filter(kind=d.kind, number=d.number).exists():
            continue
        Document.objects.create(
            matter=matter, kind=d.kind, issuer=issuer, year=d.issued_on.year, number=d.number, title=d.title,
            seq=documents.next_number(scope=issuer, year=d.issued_on.year, kind=d.kind),
            addressee=d.addressee, body=d.body, issued_on=d.issued_on, is_public=workflow.DOCUMENTS[d.kind][2],
        )  # fmt: skip
        added += 1
    for m in results.milestones:
        if not matter.events.filter(kind=MILESTONE, data__key=m.key).exists():
            data = {"key": m.key, "kind": m.kind, "text": m.text, "unit": m.unit}
            Event.objects.create(matter=matter, kind=MILESTONE, at=m.at, actor=by, data=data)
            added += 1
    for e in results.evaluations:
        if not matter.events.filter(kind=EVALUATION, data__target=e.target).exists():
            Event.objects.create(matter=matter, kind=EVALUATION, at=e.at, actor=by,
                                 data={"target": e.target, "value": e.value})  # fmt: skip
            added += 1
    last = matter.events.filter(kind=REPORTED).order_by("-at", "-id").first()
    if last is None or last.data.get("state") != results.state:
        Event.objects.create(matter=matter, kind=REPORTED, at=now, actor=by, data={
            "state": results.state, "state_label": workflow.STATES[results.state],
            "matter_number": results.matter_number,
        })  # fmt: skip
        added += 1
    return added
