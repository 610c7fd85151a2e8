"""Input and output schemas of the API. Inputs mirror the service arguments one to one; outputs are
plain data built by presenters.py. Dates and datetimes are ISO 8601; a datetime without an offset is
read as Asia/Shanghai (the project's TIME_ZONE)."""

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from xinfang.petitions import workflow
from xinfang.petitions.models import FollowUpCall, Matter, Petitioner, Registration
from xinfang.petitions.services import CHANNELS, DECLINE_REASONS

ChannelCode = Literal[tuple(Registration.Channel.values)]  # type: ignore[valid-type]
ChannelFilter = Literal[("", *Registration.Channel.values)]  # type: ignore[valid-type]
OutcomeCode = Literal[tuple(Matter.Outcome.values)]  # type: ignore[valid-type]
DeliveryCode = Literal[tuple(Matter.DeliveryMethod.values)]  # type: ignore[valid-type]
DeclineCode = Literal[tuple(DECLINE_REASONS)]
DispositionCode = Literal[("", *Registration.Disposition.values)]  # type: ignore[valid-type]
ProcedureCode = Literal[tuple(CHANNELS)]  # type: ignore[valid-type]
StateFilter = Literal[("", *workflow.STATES)]  # type: ignore[valid-type]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


# --- common -------------------------------------------------------------------------------------------

# The databases' integer: a larger number is refused as input (422), not sent to the database.
MAX_INT = 2_147_483_647


class ErrorOut(Schema):
    detail: str = Field(description="错误说明（中文）")
    code: str | None = Field(
        None, description="409 时的错误类别：stale（页面已过期）或 workflow（状态不允许）"
    )
    errors: dict[str, list[str]] | None = Field(None, description="422 时按字段列出的错误信息")
    request_id: str | None = Field(None, description="500 时的请求编号（联系管理员时提供，对应服务器日志）")


class UnitOut(Schema):
    code: str = Field(description="单位代码")
    name: str = Field(description="单位名称")


class CodeOut(Schema):
    code: str = Field(description="代码")
    name: str = Field(description="名称")


class ClockOut(Schema):
    code: str = Field(description="时限代码，如 TRIAGE、HANDLE")
    label: str = Field(description="时限名称")
    due: date = Field(description="截止日期")
    status: Literal["ok", "due_soon", "overdue"] = Field(description="ok 正常 / due_soon 临期 / overdue 超期")
    days_left: int = Field(description="剩余天数（超期为负数）")
    text: str = Field(description="显示文字，如“办理：剩12天”")


# --- intake -------------------------------------------------------------------------------------------


class PetitionerIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="姓名（名称）")
    kind: Literal[tuple(Petitioner.Kind.values)] = Field(  # type: ignore[valid-type]
        "person", description="类别：person 个人 / organisation 法人或其他组织"
    )
    id_number: str = Field("", max_length=40, description="公民身份号码（18位，校验码按 GB 11643 检查）")
    mobile: str = Field("", max_length=20, description="手机号码")
    landline: str = Field("", max_length=20, description="固定电话")
    address: str = Field("", max_length=200, description="住址")
    is_representative: bool = Field(False, description="是否为代表（多人走访代表不超过5人）")


MAX_PETITIONERS = 500  # a collective letter's signatories; beyond that, a list is attached
MAX_HEAD_COUNT = 100_000


class RegistrationIn(Schema):
    channel: ChannelCode = Field(
        description="信访形式：letter 来信 / phone 来电 / visit 来访 / online 网上 / …"
    )
    received_at: datetime = Field(description="来信来访时间（ISO 8601；无时区时按北京时间）")
    title: str = Field(min_length=1, max_length=200, description="事项摘要")
    content: str = Field(min_length=1, description="反映内容")
    purpose: str = Field(min_length=1, max_length=20, description="信访目的代码（现行代码表）")
    petitioners: list[PetitionerIn] = Field(
        min_length=1, max_length=MAX_PETITIONERS, description=f"信访人（1–{MAX_PETITIONERS}名）"
    )
    content_class: str = Field("", max_length=20, description="内容分类代码")
    township: str = Field("", max_length=32, description="问题属地（乡镇单位代码）")
    request: str = Field("", description="诉求")
    facts: str = Field("", description="事实和理由")
    head_count: int | None = Field(None, ge=1, le=MAX_HEAD_COUNT, description="人数（缺省为登记的信访人数）")
    is_collective: bool | None = Field(
        None,
        description="集体访/联名信；缺省时走访按人数判断（XINFANG_COLLECTIVE_MIN_PERSONS，默认5人及以上）",
    )
    is_leapfrog: bool = Field(False, description="越级")
    is_major_urgent: bool = Field(False, description="重大紧急")
    is_legal: bool = Field(False, description="涉法涉诉")
    place: str = Field("", max_length=100, description="接待地点")
    source_unit: str = Field("", max_length=32, description="交办机关单位代码（上级交办件）")
    external_number: str = Field("", max_length=50, description="上级交办编号")
    external_due: date | None = Field(None, description="上级交办期限")
    accused_unit: str = Field("", max_length=32, description="被检举单位代码（检举控告类）")
    accused_person: str = Field("", max_length=100, description="被检举人")
    repeat_of: str = Field("", max_length=30, description="重复件：原事项编号（同人同事）")
    disposition: DispositionCode = Field(
        "",
        description="登记员对重复件的选择：new 新事项 / repeat 并入未办结的原事项 / no_longer 原事项已复核终结，"
        "不再受理（条例第三十六条第三款）/ pending 原事项已受理且在办理期限内，不予受理（条例第十九条第三款）；"
        "缺省按原事项状态（复核终结为 no_longer，否则 repeat）。原事项状态不符时返回 422",
    )
    repeat_reason: str = Field(
        "", max_length=500, description="选择的理由（如“同一证件号，内容相同”），记入事项记录"
    )

    _aware_received = field_validator("received_at")(_aware)


class SimilarPetitionerIn(Schema):
    name: str = Field("", max_length=100, description="姓名（名称），按拼音比较")
    id_number: str = Field("", max_length=40, description="证件号码（15位旧号码按18位比较）")
    mobile: str = Field("", max_length=20, description="手机号码")
    landline: str = Field("", max_length=20, description="固定电话")


class SimilarIn(Schema):
    title: str = Field("", max_length=200, description="事项摘要")
    content: str = Field(
        max_length=20000, description="反映内容（及诉求、事实和理由）；只按信访人查找时为空字符串"
    )
    petitioners: list[SimilarPetitionerIn] = Field(
        [], max_length=50, description="信访人（含集体访代表、代理人）"
    )
    township: str = Field("", max_length=32, description="问题属地（乡镇单位代码）")
    content_class: str = Field("", max_length=20, description="内容分类代码")
    accused_unit: str = Field("", max_length=32, description="被反映（被检举）单位代码")
    limit: int = Field(10, ge=1, le=50, description="最多返回几条")


class SimilarOut(Schema):
    matter_number: str = Field(description="事项编号")
    title: str = Field(description="事项摘要")
    state: str = Field(description="事项状态代码")
    state_label: str = Field(description="事项状态")
    registered_on: date = Field(description="登记日期")
    score: float = Field(description="相似程度 0–1（内容与同人、同乡镇同类别等合计），由高到低排列")
    content_similarity: float = Field(description="内容相似度 0–1（共同词语）")
    reasons: list[str] = Field(description="理由，如“同一证件号”“同一电话”“内容相似 87%”“同乡镇同类别”")
    choices: list[str] = Field(
        description="登记为重复件时可选的处理方式：repeat（原事项未办结）/ pending（原事项在办理期限内）/ "
        "no_longer（原事项已复核终结）"
    )


class RegistrationOut(Schema):
    registration_number: str = Field(description="登记编号（信访件）")
    matter_number: str = Field(description="事项编号")
    state: str = Field(description="事项状态代码")
    state_label: str = Field(description="事项状态")
    disposition: str = Field(description="处理方式代码：new / repeat / no_longer / pending")
    disposition_label: str = Field(description="处理方式，如“不再受理（原事项已终结）”")
    query_code: str = Field(
        description="查询码（12位）：信访人凭登记编号和查询码在网上信访平台查询进展。只在本次应答中返回一次，"
        "系统只保存其摘要，之后无法再次获取；请告知信访人或打印登记回执（留有手机号码的已以短信发送）"
    )


# --- worklist -----------------------------------------------------------------------------------------


MAX_OFFSET = 1_000_000  # far beyond any county's list, far below what the database's integers hold


class WorklistQuery(Schema):
    queue: bool = Field(True, description="只列出等待本人角色处理的状态（指定 state 时不起作用）")
    state: StateFilter = Field("", description="状态代码")
    channel: ChannelFilter = Field("", description="信访形式")
    township: str = Field("", description="问题属地单位代码")
    handling_unit: str = Field("", description="有权处理机关单位代码")
    clock: Literal["", "overdue", "due_soon"] = Field("", description="时限：overdue 超期 / due_soon 临期")
    q: str = Field("", description="搜索：事项编号、登记编号、上级交办编号、文号、信访人姓名（可部分）、身份证号码、"
                   "手机号码（精确，可带空格、全角数字、+86）或摘要和内容中的词语（多个词用空格分开，须全部出现）")  # fmt: skip
    limit: int = Field(50, ge=1, le=200, description="每页条数（1–200）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"起始位置（0–{MAX_OFFSET}）")


class WorklistItemOut(Schema):
    number: str = Field(description="事项编号")
    title: str = Field(description="事项摘要")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态")
    registered_at: datetime = Field(description="登记时间")
    handling_unit: UnitOut | None = Field(description="有权处理机关")
    township: UnitOut | None = Field(description="问题属地")
    clock: ClockOut | None = Field(description="当前时限")
    url: str = Field(description="事项详情地址")


class WorklistOut(Schema):
    count: int | None = Field(
        description="符合条件的事项总数。带 q（搜索）时不统计：只在最后一页给出，其余各页为 null（是否还有下一页看 next）"
    )
    limit: int
    offset: int
    next: str | None = Field(description="下一页的地址（同样的条件，offset 后移 limit）；没有下一页时为 null")
    items: list[WorklistItemOut]


# --- matter detail ------------------------------------------------------------------------------------


class PetitionerOut(Schema):
    id: int
    name: str = Field(description="姓名（名称）")
    id_number: str = Field(description="证件号码（默认脱敏）")
    mobile: str = Field(description="手机号码（默认脱敏）")
    landline: str = Field(description="固定电话（默认脱敏）")
    address: str = Field(description="住址")
    is_representative: bool = Field(description="代表")
    masked: bool = Field(description="是否已脱敏")


class RegistrationDetailOut(Schema):
    number: str = Field(description="登记编号")
    channel: str
    channel_label: str = Field(description="信访形式")
    received_at: datetime = Field(description="来信来访时间")
    registered_at: datetime = Field(description="登记时间")
    registered_by: str | None = Field(description="登记人")
    disposition: str
    disposition_label: str = Field(description="处理方式")
    head_count: int = Field(description="人数")
    is_collective: bool = Field(description="集体访/联名信")
    is_leapfrog: bool = Field(description="越级")
    place: str
    content: str = Field(description="反映内容")
    request: str = Field(description="诉求")
    facts: str = Field(description="事实和理由")
    source_unit: UnitOut | None = Field(description="交办机关")
    external_number: str
    external_due: date | None
    petitioners: list[PetitionerOut]


class FlagsOut(Schema):
    is_major_urgent: bool = Field(description="重大紧急")
    is_legal: bool = Field(description="涉法涉诉")
    is_simple: bool = Field(description="简易办理")
    is_confidential: bool = Field(description="检举控告保密")
    is_assignment: bool = Field(description="交办件")
    accused_unit: UnitOut | None = Field(description="被检举单位")
    accused_person: str = Field(description="被检举人")
    repeat_of: str | None = Field(description="重复的原事项编号")
    merged_into: str | None = Field(None, description="已并入的事项编号（合并）；未合并为 null")


class DatesOut(Schema):
    registered_on: date | None = Field(description="登记日期")
    forwarded_on: date | None = Field(description="转送交办日期")
    assign_due: date | None = Field(description="交办办结期限")
    received_by_unit_on: date | None = Field(description="责任单位签收日期")
    objection_due: date | None = Field(description="异议截止日期")
    accepted_on: date | None = Field(description="受理日期")
    handle_due: date | None = Field(description="办理期限")
    extension_days: int = Field(description="延期天数")
    replied_on: date | None = Field(description="答复日期")
    delivered_on: date | None = Field(description="送达日期")
    review_request_due: date | None = Field(description="复查申请期限")
    review_requested_on: date | None = Field(description="复查申请日期")
    review_due: date | None = Field(description="复查期限")
    review_decided_on: date | None = Field(description="复查意见日期")
    recheck_request_due: date | None = Field(description="复核申请期限")
    recheck_requested_on: date | None = Field(description="复核申请日期")
    recheck_due: date | None = Field(description="复核期限")
    recheck_decided_on: date | None = Field(description="复核意见日期")
    closed_on: date | None = Field(description="办结日期")


class EventOut(Schema):
    kind: str = Field(description="事件类别，如 matter:forward")
    action: str = Field(description="流转操作代码（无状态变化时为空）")
    label: str = Field(description="事件名称")
    from_state: str
    to_state: str
    at: datetime = Field(description="时间")
    actor: str | None = Field(description="操作人")
    unit: str | None = Field(description="单位")
    note: str = Field(description="说明")
    is_public: bool = Field(description="向信访人公开")
    document_id: int | None = Field(description="随附文书")


class DocumentOut(Schema):
    id: int
    kind: str = Field(description="文书类型代码")
    number: str = Field(description="文号")
    title: str = Field(description="标题")
    issued_on: date = Field(description="日期")
    download_url: str = Field(description="下载地址（.docx）")


class ActionOut(Schema):
    action: str = Field(description="操作代码")
    label: str = Field(description="操作名称")
    url: str = Field(description="执行该操作的 POST 地址")


class ExtensionRequestOut(Schema):
    id: int
    days: int = Field(description="申请延长天数")
    reason: str = Field(description="延期理由")
    state: str = Field(description="pending 待审批 / approved 已批准 / refused 不予批准")
    state_label: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    refusal_reason: str = Field(description="不予批准的理由")


class MatterDetailOut(Schema):
    number: str = Field(description="事项编号")
    title: str = Field(description="事项摘要")
    category: str
    category_label: str = Field(description="条例类型")
    purpose: CodeOut = Field(description="信访目的")
    content_class: CodeOut | None = Field(description="内容分类")
    township: UnitOut | None = Field(description="问题属地")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态")
    version: int = Field(description="版本号：办理时原样提交，防止覆盖他人的操作")
    registered_at: datetime = Field(description="登记时间")
    handling_unit: UnitOut | None = Field(description="有权处理机关")
    handler: str | None = Field(description="承办人")
    outcome: str = Field(description="处理意见代码")
    outcome_label: str = Field(description="处理意见")
    delivery_method: str = Field(description="送达方式代码")
    delivery_signed: bool | None = Field(description="签收")
    review_unit: UnitOut | None = Field(description="复查机关")
    review_outcome: str = Field(description="复查意见代码")
    recheck_unit: UnitOut | None = Field(description="复核机关")
    clock: ClockOut | None = Field(description="当前时限")
    flags: FlagsOut
    dates: DatesOut
    registrations: list[RegistrationDetailOut] = Field(description="信访件（信访人默认脱敏）")
    timeline: list[EventOut] = Field(description="办理过程")
    documents: list[DocumentOut] = Field(description="文书")
    available_actions: list[ActionOut] = Field(description="当前用户可执行的操作")
    extension_requests: list[ExtensionRequestOut] = Field(description="延期申请（新的在前）")


# --- workflow actions ---------------------------------------------------------------------------------


class VersionIn(Schema):
    version: int = Field(
        ge=1, le=MAX_INT, description="事项详情中的版本号（与当前版本不一致时返回 409 stale）"
    )


class ForwardIn(VersionIn):
    unit: str = Field(description="有权处理的单位代码（县直部门、乡镇或县委县政府）")
    note: str = Field("", description="附言")


class AssignIn(VersionIn):
    unit: str = Field(description="承办单位代码")
    due: date = Field(description="交办办结期限（须晚于今天）")
    note: str = Field("", description="交办要求")

    @field_validator("due")
    @classmethod
    def _due_after_today(cls, value: date) -> date:
        """An input error (422), checked before the matter is touched; the service checks it again."""
        if value <= timezone.localdate():
            raise ValueError("交办期限须晚于今天。")
        return value


class RedirectIn(VersionIn):
    to: Literal["legal", "discipline", "other"] = Field(
        description="去向：legal 政法部门 / discipline 纪检监察机关 / other 告知向有权机关提出"
    )
    unit: str = Field("", description="政法部门或纪检监察机关的单位代码（to=other 时不填）")
    reason: str = Field("", description="理由；to=other 时写明应向哪个机关提出")


class DeclineIn(VersionIn):
    reason: DeclineCode = Field(description="不予受理理由代码")
    note: str = Field("", description="说明")


class RefuseRepeatIn(VersionIn):
    original: str = Field(description="已复核终结的原事项编号")


class ReportMajorIn(VersionIn):
    note: str = Field(description="报请决定的情况")


class ObjectIn(VersionIn):
    reason: str = Field(description="异议理由（不属本单位职权）")


class ObjectionDecisionIn(VersionIn):
    uphold: bool = Field(description="true 同意异议、重新分流 / false 不同意、退回责任单位")
    note: str = Field("", description="说明")


class AcceptIn(VersionIn):
    simple: bool = Field(False, description="简易办理")
    note: str = Field("", description="说明")


class ChannelIn(VersionIn):
    procedure: ProcedureCode = Field(description="导入的法定程序代码")
    note: str = Field("", description="说明")


class ExtensionRequestIn(VersionIn):
    days: int = Field(ge=1, le=30, description="申请延长天数（1–30）")
    reason: str = Field(min_length=1, description="延期理由（批准后告知信访人）")


class ExtensionDecisionIn(VersionIn):
    approve: bool = Field(description="true 批准延期 / false 不予批准")
    reason: str = Field("", description="不予批准的理由（不予批准时必填）")


class ReplyIn(VersionIn):
    outcome: OutcomeCode = Field(
        description="处理结论：support 予以支持 / explain 解释说明 / not_support 不予支持"
    )
    opinion: str = Field(description="处理意见")
    basis: str = Field("", description="法律法规依据")


class DeliverIn(VersionIn):
    method: DeliveryCode = Field(description="送达方式")
    delivered_on: date = Field(description="送达日期")
    signed: bool = Field(description="是否签收")


class ReviewRequestIn(VersionIn):
    requested_on: date | None = Field(None, description="申请日期（缺省为今天）")
    reason: str = Field("", description="申请理由")


class ReviewDecisionIn(VersionIn):
    outcome: OutcomeCode = Field(description="复查结论")
    opinion: str = Field(description="复查意见")


class RecheckRequestIn(VersionIn):
    requested_on: date | None = Field(None, description="申请日期（缺省为今天）")
    reason: str = Field("", description="申请理由")


class RecheckRecordIn(VersionIn):
    outcome: OutcomeCode = Field(description="复核结论")
    opinion: str = Field(description="复核意见")
    decided_on: date | None = Field(None, description="复核意见日期（缺省为今天）")
    external_number: str = Field("", max_length=60, description="复核意见书文号（复核机关所发，已知时填写）")


class HandlerIn(VersionIn):
    handler: str = Field(description="承办人用户名（本单位经办人员）")


class RecusalIn(VersionIn):
    user: str = Field(description="回避人员的用户名")
    reason: str = Field(min_length=1, max_length=200, description="回避理由")


class MergeIn(VersionIn):
    into: str = Field(max_length=30, description="保留的事项编号（本事项的信访件并入该事项）")
    reason: str = Field(min_length=1, max_length=200, description="合并理由")


class UnmergeIn(VersionIn):
    reason: str = Field(min_length=1, max_length=200, description="撤销合并的理由")


class AccusedIn(VersionIn):
    accused_unit: str = Field("", description="被检举单位代码（空为无或不清楚）")
    accused_person: str = Field("", max_length=100, description="被检举人")
    reason: str = Field(description="填写或更正的理由")


# --- the bureau's records on a matter: 回访 and 更正登记内容 (issue 12) ------------------------------------------

FollowUpOutcome = Literal[tuple(FollowUpCall.Outcome.values)]  # type: ignore[valid-type]


class FollowUpIn(Schema):
    called_at: datetime = Field(description="回访时间（不早于答复日期，不晚于现在）")
    callee: str = Field(min_length=1, max_length=100, description="回访对象（接电话的人）")
    outcome: FollowUpOutcome = Field(
        description="回访结果：satisfied 满意 / basically 基本满意 / unsatisfied 不满意 / no_answer 未接通 / "
        "declined 拒绝回访"
    )
    notes: str = Field("", max_length=1000, description="回访情况（工作记录，不向信访人公开）")

    _aware_called = field_validator("called_at")(_aware)


class FollowUpOut(Schema):
    id: int = Field(description="回访记录号")
    matter_number: str = Field(description="事项编号")
    called_at: datetime = Field(description="回访时间")
    called_by: str = Field(description="回访人")
    callee: str = Field(description="回访对象")
    outcome: str = Field(description="回访结果代码")
    outcome_label: str = Field(description="回访结果")
    notes: str = Field(description="回访情况")


class CorrectionIn(VersionIn):
    title: str | None = Field(None, max_length=200, description="更正后的事项摘要（不更正则不填）")
    content_class: str | None = Field(
        None, description="更正后的内容分类代码；空字符串为清除（不更正则不填）"
    )
    township: str | None = Field(
        None, description="更正后的问题属地（乡镇）单位代码；空字符串为清除（不更正则不填）"
    )
    reason: str = Field(description="更正理由")
