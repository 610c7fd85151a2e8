"""Legacy import (issue 17): a bureau moving from spreadsheets brings its historical register (.xlsx, one row
a registration: 登记号, 日期, 形式, 人数, 姓名, 证件号, 电话, 属地, 内容分类, 内容, 责任单位, 办理结果 …).

1. Column mapping: each field is found by its name or a synonym in the header row (`FIELDS`), or by an
   explicit mapping {field name: header in the file} (`--mapping` JSON, the staff page's mapping form).
2. Checking (`check`): every row's every problem with its row number, column and a Chinese message (ID
   number checksum, unknown township / unit / class / form, date out of range, 登记号 repeated or already in
   the system …). Nothing is written.
3. Commit (`commit`): only a file without a problem, in one transaction (all or nothing): each row becomes a
   closed matter (办结) with its outcome and one registration at its historical date; petitioners through the
   same path as a registration (`services._save_petitioners`: the ID and phone numbers encrypted at rest and
   found again by their keyed hashes, a known person linked, not duplicated); an `import_legacy` event on
   each matter; the search index; the summary tables rebuilt once; one audit row.

Imported matters count in every total (信访总量, by form, class, township, unit; `work_statistics`) but in no
timeliness rate: the old register has no 收到/受理/限办 dates, so `received_on`, `accepted_on` and `handle_due`
stay empty and the populations of 及时受理率 and 按期办结率 (which need them) leave the matters out.

Who: the bureau's case officers (`IMPORTERS`)."""

import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.accounts import roles as R
from xinfang.accounts.audit import log_audit
from xinfang.analytics import tallies
from xinfang.analytics.populations import HANDLING_UNIT_KINDS
from xinfang.core import files, validators
from xinfang.core.tasks import retrying_task
from xinfang.petitions import search, services, workflow
from xinfang.petitions.models import Code, Event, Matter, Registration, Unit

IMPORTERS = (R.CASE_OFFICER,)
EARLIEST = date(1995, 1, 1)  # the first 《信访条例》; an earlier date is a typing error
MAX_ROWS = 50_000
MAX_HEAD_COUNT = 10_000
DEFAULT_PURPOSE = "99"  # 其他, when the register has no 信访目的 column
CHUNK = 500


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...] = ()


FIELDS = [
    Field("number", "登记号", True, ("登记编号", "编号", "信访编号", "件号", "流水号")),
    Field("date", "日期", True, ("登记日期", "来信来访日期", "信访日期", "收到日期", "来访日期")),
    Field("channel", "形式", True, ("信访形式", "信访方式", "方式", "来源")),
    Field("head_count", "人数", False, ("人次", "来访人数", "信访人数")),
    Field("name", "姓名", True, ("信访人", "信访人姓名", "姓名（名称）", "名称")),
    Field("id_number", "证件号", False, ("身份证号", "身份证号码", "证件号码", "公民身份号码")),
    Field("phone", "电话", False, ("联系电话", "手机", "手机号", "手机号码", "电话号码")),
    Field("township", "属地", False, ("问题属地", "乡镇", "所属乡镇", "属地乡镇")),
    Field("content_class", "内容分类", False, ("问题分类", "分类", "问题类别")),
    Field("content", "内容", True, ("反映内容", "信访内容", "主要内容", "事由", "诉求")),
    Field("unit", "责任单位", False, ("承办单位", "办理单位", "有权处理机关", "处理单位")),
    Field("outcome", "办理结果", True, ("处理结果", "处理意见", "办结情况", "结果")),
    Field("purpose", "信访目的", False, ("目的",)),
    Field("closed_on", "办结日期", False, ("办结时间", "答复日期")),
]
BY_KEY = {f.key: f for f in FIELDS}

CHANNELS = {
    "来信": Registration.Channel.LETTER, "信件": Registration.Channel.LETTER, "书信": Registration.Channel.LETTER,
    "来电": Registration.Channel.PHONE, "电话": Registration.Channel.PHONE,
    "来访": Registration.Channel.VISIT, "走访": Registration.Channel.VISIT, "集体访": Registration.Channel.VISIT,
    "网上信访": Registration.Channel.ONLINE, "网信": Registration.Channel.ONLINE, "网上": Registration.Channel.ONLINE,
    "网络": Registration.Channel.ONLINE, "视频接访": Registration.Channel.VIDEO, "视频": Registration.Channel.VIDEO,
}  # fmt: skip
OUTCOMES = {
    "予以支持": Matter.Outcome.SUPPORT, "支持": Matter.Outcome.SUPPORT, "部分支持": Matter.Outcome.SUPPORT,
    "作出解释说明": Matter.Outcome.EXPLAIN, "解释说明": Matter.Outcome.EXPLAIN, "解释": Matter.Outcome.EXPLAIN,
    "不予支持": Matter.Outcome.NOT_SUPPORT, "不支持": Matter.Outcome.NOT_SUPPORT,
}  # fmt: skip


def _norm(text) -> str:
    return re.sub(r"[\s:：*＊]", "", str(text or "")).replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Problem:
    row: int  # the row number in the sheet (the header is row 1); 0 = the file as a whole
    column: str  # the header in the file ("" for the file)
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}{f'“{self.column}”列' if self.column else ''}：{self.message}"


@dataclass
class LegacyRow:
    row: int
    number: str
    received_at: datetime
    channel: str
    head_count: int
    petitioner: services.PetitionerInput
    township: Unit | None
    content_class: Code | None
    content: str
    unit: Unit | None
    outcome: str
    purpose: Code
    closed_on: date | None


@dataclass
class Checked:
    """The result of checking a file: its rows (the good ones), every problem, and the mapping used."""

    headers: list[str]
    mapping: dict[str, int]  # field key → column index
    rows: list[LegacyRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total: int = 0  # data rows read

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


# --- mapping ----------------------------------------------------------------------------------------------


def resolve_mapping(
    headers: list[str], explicit: dict[str, str] | None = None
) -> tuple[dict[str, int], list[Problem]]:
    """field key → column index. An explicit {field label or key: header} wins (an empty header: the file has
    no such column); the others are found by their label or a synonym. A required field without a column, an explicit header that is not in the file
    and a column claimed by two fields are problems of the file."""
    normal = [_norm(h) for h in headers]
    mapping: dict[str, int] = {}
    skipped: set[str] = set()
    problems: list[Problem] = []
    labels = {f.label: f.key for f in FIELDS} | {f.key: f.key for f in FIELDS}
    for name, header in (explicit or {}).items():
        key = labels.get(str(name).strip())
        if key is None:
            problems.append(
                Problem(
                    0, "", f"映射中的字段“{name}”不存在，可用字段：{'、'.join(f.label for f in FIELDS)}。"
                )
            )
        elif not header:  # explicitly "no such column": not looked for by name either
            skipped.add(key)
        elif _norm(header) not in normal:
            problems.append(Problem(0, "", f"映射的列“{header}”（{BY_KEY[key].label}）在表头中找不到。"))
        else:
            mapping[key] = normal.index(_norm(header))
    for f in FIELDS:
        if f.key in mapping or f.key in skipped:
            continue
        for name in (f.label, *f.synonyms):
            if _norm(name) in normal and normal.index(_norm(name)) not in mapping.values():
                mapping[f.key] = normal.index(_norm(name))
                break
    for f in FIELDS:
        if f.required and f.key not in mapping:
            problems.append(
                Problem(
                    0,
                    "",
                    f"找不到“{f.label}”列（可用列名：{'、'.join((f.label, *f.synonyms))}），请在列映射中指定。",
                )
            )
    seen: dict[int, str] = {}
    for key, index in mapping.items():
        if index in seen:
            problems.append(
                Problem(0, headers[index], f"同一列不能同时作为“{seen[index]}”和“{BY_KEY[key].label}”。")
            )
        seen[index] = BY_KEY[key].label
    return mapping, problems


# --- reading and checking ---------------------------------------------------------------------------------


class Lookups:
    """The code tables and units a register may name, by code, name or short name (read once)."""

    def __init__(self):
        units = list(
            Unit.objects.filter(is_active=True).values_list("pk", "code", "name", "short_name", "kind")
        )
        self.units = {u.pk: u for u in Unit.objects.filter(is_active=True)}

        def index(kinds):
            out = {}
            for pk, code, name, short, kind in units:
                if kind in kinds:
                    for k in (code, name, short, name.removesuffix("镇").removesuffix("乡")):
                        if k:
                            out.setdefault(_norm(k), pk)
            return out

        self.townships = index({Unit.Kind.TOWNSHIP})
        self.handling = index(set(HANDLING_UNIT_KINDS))
        codes = Code.objects.filter(is_active=True)
        self.codes = {c.pk: c for c in codes}
        self.content = {}
        self.purpose = {}
        for c in codes:
            target = self.content if c.table == Code.Table.CONTENT else self.purpose
            target.setdefault(_norm(c.code), c.pk)
            target.setdefault(_norm(c.name), c.pk)

    def unit(self, index: dict, text: str) -> Unit | None:
        pk = index.get(_norm(text))
        return self.units[pk] if pk else None

    def code(self, index: dict, text: str) -> Code | None:
        pk = index.get(_norm(text))
        return self.codes[pk] if pk else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, today: date) -> date:
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        text = _text(value)
        m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?", text)
        if not m:
            raise ValueError(
                f"日期“{text}”无法识别，请写作 2019-03-15 或 2019年3月15日。" if text else "日期不能为空。"
            )
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"日期“{text}”不存在。") from None
    if d < EARLIEST or d > today:
        raise ValueError(
            f"日期{d.isoformat()}超出范围（应在{EARLIEST.isoformat()}至{today.isoformat()}之间）。"
        )
    return d


def read_sheet(content: bytes) -> tuple[list[str], list[tuple[int, tuple]]]:
    """(headers, [(row number, values)]) of the first sheet; blank rows are skipped."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not an .xlsx
        raise ValidationError(f"无法读取文件：不是有效的 .xlsx 工作簿（{type(e).__name__}）。") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    headers = [_text(h) for h in next(rows, ())]
    data = [(i, r) for i, r in enumerate(rows, start=2) if any(_text(v) for v in r)]
    wb.close()
    return headers, data


def check(content: bytes, *, mapping: dict[str, str] | None = None, today: date | None = None,
          progress: Callable[[int, int], None] | None = None) -> Checked:  # fmt: skip
    """Read and check the register; writes nothing."""
    today = today or timezone.localdate()
    headers, data = read_sheet(content)
    columns, problems = resolve_mapping(headers, mapping)
    result = Checked(headers=headers, mapping=columns, problems=problems, total=len(data))
    if len(data) > MAX_ROWS:
        result.problems.append(
            Problem(0, "", f"一次最多导入{MAX_ROWS}行，本文件有{len(data)}行，请分批导入。")
        )
    if not data:
        result.problems.append(Problem(0, "", "文件中没有数据行。"))
    if result.problems:
        return result
    lookups = Lookups()
    numbers = [_text(r[columns["number"]]) if columns["number"] < len(r) else "" for _, r in data]
    taken = _existing_numbers([n for n in numbers if n])
    seen: dict[str, int] = {}
    tz = timezone.get_current_timezone()
    for done, (row_no, values) in enumerate(data, start=1):
        row = _check_row(row_no, values, columns, headers, lookups, today, tz, seen, taken, result.problems)
        if row is not None:
            result.rows.append(row)
        if progress and (done % CHUNK == 0 or done == len(data)):
            progress(done, len(data))
    return result


def _existing_numbers(numbers: list[str]) -> set[str]:
    taken: set[str] = set()
    for i in range(0, len(numbers), CHUNK):
        part = numbers[i : i + CHUNK]
        taken.update(Matter.objects.filter(number__in=part).values_list("number", flat=True))
        taken.update(Registration.objects.filter(number__in=part).values_list("number", flat=True))
    return taken


def _check_row(row_no, values, columns, headers, lookups: Lookups, today, tz, seen, taken, problems):  # noqa: C901
    before = len(problems)

    def cell(key: str):
        i = columns.get(key)
        return values[i] if i is not None and i < len(values) else None

    def bad(key: str, message: str) -> None:
        problems.append(
            Problem(row_no, headers[columns[key]] if key in columns else BY_KEY[key].label, message)
        )

    number = _text(cell("number"))
    if not number:
        bad("number", "登记号不能为空。")
    elif len(number) > 30:
        bad("number", f"登记号“{number}”超过30个字符。")
    elif number in seen:
        bad("number", f"登记号“{number}”与第{seen[number]}行重复。")
    elif number in taken:
        bad("number", f"登记号“{number}”已存在于系统中（已导入过或与现有编号相同）。")
    else:
        seen[number] = row_no
    received = None
    try:
        received = _date(cell("date"), today)
    except ValueError as e:
        bad("date", str(e))
    channel_text = _text(cell("channel"))
    channel = CHANNELS.get(_norm(channel_text))
    if channel is None:
        hint = "；上级交办件请用交办件导入（xinfang import_exchange）" if "交办" in channel_text else ""
        bad(
            "channel",
            f"信访形式“{channel_text}”无法识别（可用：来信、来电、来访、网上信访、视频接访{hint}）。",
        )
    head_count = 1
    if _text(cell("head_count")):
        try:
            head_count = int(float(_text(cell("head_count"))))
            if not 1 <= head_count <= MAX_HEAD_COUNT:
                raise ValueError
        except ValueError:
            bad("head_count", f"人数“{_text(cell('head_count'))}”应为1至{MAX_HEAD_COUNT}之间的整数。")
    name = _text(cell("name"))
    if not name:
        bad("name", "姓名不能为空。")
    id_number = _text(cell("id_number"))
    if id_number:
        try:
            id_number = validators.normalize_id_number(id_number, today=today)
        except ValidationError as e:
            bad("id_number", "；".join(e.messages) + "。")
    mobile = landline = ""
    phone = _text(cell("phone"))
    if phone:
        try:
            if re.sub(r"\D", "", phone).lstrip("86")[:1] == "1" and not phone.startswith("0"):
                mobile = validators.normalize_mobile(phone)
            else:
                landline = validators.normalize_landline(phone)
        except ValidationError as e:
            bad("phone", "；".join(e.messages) + "。")
    township = None
    if text := _text(cell("township")):
        township = lookups.unit(lookups.townships, text)
        if township is None:
            bad("township", f"乡镇“{text}”不存在（应为本县的乡镇名称或代码）。")
    content_class = None
    if text := _text(cell("content_class")):
        content_class = lookups.code(lookups.content, text)
        if content_class is None:
            bad("content_class", f"内容分类“{text}”不在现行内容分类代码表中。")
    content = _text(cell("content"))
    if not content:
        bad("content", "内容不能为空。")
    unit = None
    if text := _text(cell("unit")):
        unit = lookups.unit(lookups.handling, text)
        if unit is None:
            bad("unit", f"责任单位“{text}”不存在（应为县直部门、乡镇或县委县政府）。")
    outcome_text = _text(cell("outcome"))
    outcome = OUTCOMES.get(_norm(outcome_text))
    if outcome is None:
        bad("outcome", f"办理结果“{outcome_text}”无法识别（可用：予以支持、作出解释说明、不予支持）；只导入已办结的事项。"
            if outcome_text else "办理结果不能为空（只导入已办结的事项）。")  # fmt: skip
    purpose_text = _text(cell("purpose")) or DEFAULT_PURPOSE
    purpose = lookups.code(lookups.purpose, purpose_text)
    if purpose is None:
        bad("purpose", f"信访目的“{purpose_text}”不在现行信访目的代码表中。")
    closed_on = None
    if _text(cell("closed_on")):
        try:
            closed_on = _date(cell("closed_on"), today)
            if received and closed_on < received:
                bad("closed_on", "办结日期不能早于登记日期。")
        except ValueError as e:
            bad("closed_on", str(e))
    if len(problems) > before:
        return None
    return LegacyRow(
        row=row_no, number=number, received_at=datetime.combine(received, time(9), tz), channel=channel,
        head_count=head_count, township=township, content_class=content_class, content=content, unit=unit,
        outcome=outcome, purpose=purpose, closed_on=closed_on,
        petitioner=services.PetitionerInput(name=name, id_number=id_number, mobile=mobile, landline=landline),
    )  # fmt: skip


# --- commit -----------------------------------------------------------------------------------------------


class NotImported(Exception):
    """The file has problems: nothing was written."""

    def __init__(self, checked: Checked):
        super().__init__(f"文件有{len(checked.problems)}处问题，未导入任何数据。")
        self.checked = checked


def may_import(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*IMPORTERS))


def run(content: bytes, *, by, filename: str = "", mapping: dict[str, str] | None = None, dry_run: bool = False,
        progress: Callable[[str, int, int], None] | None = None) -> Checked:  # fmt: skip
    """Check the file and, unless `dry_run`, import it all or nothing. PermissionDenied for a user who may not;
    NotImported when a row has a problem. Both a dry run and an import are written to the audit log."""
    if not may_import(by):
        raise PermissionDenied("只有信访局办案人员可以导入历史信访登记。")
    checked = check(
        content, mapping=mapping, progress=(lambda d, n: progress("检查", d, n)) if progress else None
    )
    detail = {"file": filename, "rows": checked.total, "problems": len(checked.problems), "dry_run": dry_run}
    if dry_run or not checked.ok:
        log_audit(action="legacy:import", user=by, result="success" if checked.ok else "failure", **detail)
        if not dry_run:
            raise NotImported(checked)
        return checked
    with transaction.atomic(), tallies.deferred():
        _write(checked.rows, by=by, filename=filename, progress=progress)
        log_audit(action="legacy:import", user=by, imported=len(checked.rows), **detail)
    return checked


def _write(rows: list[LegacyRow], *, by, filename: str, progress) -> None:
    now = timezone.now()
    collective_min = settings.XINFANG_COLLECTIVE_MIN_PERSONS
    events = []
    for done, r in enumerate(rows, start=1):
        on = timezone.localdate(r.received_at)
        matter = Matter.objects.create(
            number=r.number, title=r.content[:60], category=r.purpose.category or Matter.Category.CLAIM,
            purpose=r.purpose, content_class=r.content_class, township=r.township, state=workflow.CLOSED,
            registered_at=r.received_at, registered_on=on, handling_unit=r.unit, outcome=r.outcome,
            closed_on=r.closed_on, is_confidential=r.purpose.category == Matter.Category.ACCUSATION,
        )  # fmt: skip
        registration = Registration.objects.create(
            number=r.number, matter=matter, channel=r.channel, received_at=r.received_at, registered_at=r.received_at,
            registered_by=by, head_count=r.head_count, content=r.content,
            is_collective=r.channel == Registration.Channel.VISIT and r.head_count >= collective_min,
        )  # fmt: skip
        people = services._save_petitioners(registration, [r.petitioner])
        search.index_new(matter, [r.content], [p.name for p in people])
        events.append(Event(matter=matter, kind="matter:import_legacy", to_state=workflow.CLOSED, at=now, actor=by,
                            unit=by.unit, note=f"由历史登记表导入（{filename or '文件'}第{r.row}行）",
                            data={"file": filename, "row": r.row}))  # fmt: skip
        if len(events) == CHUNK or done == len(rows):
            Event.objects.bulk_create(events)
            events = []
        if progress and (done % CHUNK == 0 or done == len(rows)):
            progress("导入", done, len(rows))


# --- the staff page's jobs: the register stored, checked or imported by the task queue --------------------

MAX_LISTED = 1000  # problems kept in a job's status for the page (the command lists them all)


def job_name(job_id: str, name: str) -> str:
    if not job_id.isalnum():
        raise ValueError(job_id)
    return f"legacy/{job_id}/{name}"


def store_upload(content: bytes) -> str:
    """Keep an uploaded register in the default storage until it is checked or imported; its job id."""
    job_id = uuid.uuid4().hex
    files.replace(job_name(job_id, "register.xlsx"), content)
    return job_id


def read_upload(job_id: str) -> bytes:
    with default_storage.open(job_name(job_id, "register.xlsx"), "rb") as f:
        return f.read()


def read_status(job_id: str) -> dict | None:
    return files.read_json(job_name(job_id, "status.json"))


def _status(job_id: str, **status) -> None:
    files.write_json(job_name(job_id, "status.json"), status)


def start_job(job_id: str, *, by, filename: str, mapping: dict[str, str], dry_run: bool) -> None:
    """Queue the check (dry run) or the import of a stored register; the page polls `read_status`."""
    _status(
        job_id,
        state="running",
        phase="排队中",
        done=0,
        total=0,
        user=by.pk,
        dry_run=dry_run,
        mapping=mapping,
        filename=filename,
    )
    legacy_import_task.enqueue(
        job_id=job_id, user_id=by.pk, filename=filename, mapping=mapping, dry_run=dry_run
    )


# A problem in the file is an answer, not a failure: the task is not retried.
@retrying_task(label="导入历史信访登记表", max_attempts=1)
def legacy_import_task(*, job_id: str, user_id: int, filename: str, mapping: dict, dry_run: bool) -> dict:
    from xinfang.accounts.models import User

    by = User.objects.get(pk=user_id)
    common = {"user": user_id, "dry_run": dry_run, "mapping": mapping, "filename": filename}

    def progress(phase: str, done: int, total: int) -> None:
        _status(job_id, state="running", phase=phase, done=done, total=total, **common)

    try:
        checked = run(read_upload(job_id), by=by, filename=filename, mapping=mapping, dry_run=dry_run,
                      progress=progress)  # fmt: skip
    except NotImported as e:
        checked = e.checked
    except (PermissionDenied, ValidationError) as e:
        _status(job_id, state="failed", phase="；".join(getattr(e, "messages", [str(e)])), **common)
        return {}
    result = {"state": "done", "phase": "完成", "rows": checked.total, "ok": checked.ok,
              "imported": 0 if dry_run or not checked.ok else len(checked.rows),
              "problem_count": len(checked.problems), "problems": [str(p) for p in checked.problems[:MAX_LISTED]]}  # fmt: skip
    _status(job_id, **result, **common)
    if not dry_run:  # the register holds personal data: kept only between the dry run and the import
        default_storage.delete(job_name(job_id, "register.xlsx"))
    return {k: v for k, v in result.items() if k != "problems"}
