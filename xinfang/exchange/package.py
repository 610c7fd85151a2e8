"""The exchange package (docs/exchange.md): what the level above sends down (交办件/转送件) and what the county
sends back up (受理告知, 办理意见书, 复查/复核意见, evaluations, published milestones), in one versioned format.

The models below are the format: `schema()` is the JSON Schema shipped as data/exchange-v1.schema.json (a test
keeps the file equal to it), the API takes `ExchangePackage` as its body, and the importer validates every item with
`ExchangeItem` so that each item's errors are reported with its line."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from xinfang.api.schemas import MAX_HEAD_COUNT, MAX_PETITIONERS, PetitionerIn, _aware
from xinfang.petitions import workflow
from xinfang.petitions.models import Evaluation

FORMAT = "xinfang-exchange"
VERSION = "1.0"
SCHEMA_FILE = "exchange-v1.schema.json"
MAX_ITEMS = 5000
DocumentKind = Literal["acceptance_notice", "handling_opinion", "review_opinion", "recheck_opinion"]
DOCUMENT_KINDS = DocumentKind.__args__


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def _plausible(value: date | datetime | None):
    """Dates of casework: between 1949 and 2100 (also keeps the time-zone arithmetic in range)."""
    if value is not None and not 1949 <= value.year <= 2100:
        raise ValueError("日期应在1949年至2100年之间。")
    return _aware(value) if isinstance(value, datetime) else value


class ExchangeAttachment(Strict):
    name: str = Field(min_length=1, max_length=200, description="文件名")
    base64: str = Field("", description="文件内容（Base64）；与 file 二选一")
    file: str = Field("", max_length=300, description="zip 包内的文件路径；与 base64 二选一")
    sha256: str = Field("", max_length=64, description="SHA-256（十六进制，可选；给出时核对）")


class ExchangeMilestone(Strict):
    key: str = Field(min_length=1, max_length=60, description="节点标识（发送方内唯一，重复导入时据此去重）")
    at: datetime = Field(description="时间")
    kind: str = Field(max_length=40, description="节点类型，如 matter:accept")
    text: str = Field(max_length=300, description="节点说明（与网上信访公开的办理进展相同）")
    unit: str = Field("", max_length=100, description="办理单位名称")

    _plausible_at = field_validator("at")(_plausible)


class ExchangeDocument(Strict):
    kind: DocumentKind = Field(description="文书类型：受理告知书 / 处理意见书 / 复查意见书 / 复核意见书")
    number: str = Field(min_length=1, max_length=60, description="文号")
    title: str = Field(max_length=100, description="标题")
    issuer: str = Field(min_length=1, max_length=32, description="出具单位代码")
    addressee: str = Field("", max_length=200, description="送达对象")
    issued_on: date = Field(description="日期")
    body: str = Field(min_length=1, description="正文（出具时固定）")

    _plausible_on = field_validator("issued_on")(_plausible)


class ExchangeEvaluation(Strict):
    target: Literal[tuple(Evaluation.Target.values)] = Field(
        description="评价对象：bureau 信访部门 / unit 责任单位"
    )  # type: ignore[valid-type]
    value: Literal[tuple(Evaluation.Value.values)] = Field(
        description="satisfied 满意 / basically 基本满意 / unsatisfied 不满意"
    )  # type: ignore[valid-type]
    at: datetime = Field(description="评价时间")

    _plausible_at = field_validator("at")(_plausible)


class ExchangeResults(Strict):
    matter_number: str = Field(max_length=30, description="下级的事项编号")
    state: Literal[tuple(workflow.STATES)] = Field(description="事项状态代码")  # type: ignore[valid-type]
    state_label: str = Field("", max_length=50, description="事项状态")
    milestones: list[ExchangeMilestone] = Field(
        [], max_length=500, description="公开的办理进展（本次新增的）"
    )
    documents: list[ExchangeDocument] = Field([], max_length=50, description="文书（本次新增的）")
    evaluations: list[ExchangeEvaluation] = Field([], max_length=2, description="满意度评价（本次新增的）")


class ExchangeItem(Strict):
    external_number: str = Field(min_length=1, max_length=50, description="上级交办编号（幂等键）")
    source_unit: str = Field(min_length=1, max_length=32, description="交办机关单位代码（州、省信访部门）")
    received_at: datetime = Field(description="交办时间（ISO 8601；无时区按北京时间）")
    deadline: date = Field(description="上级交办期限（办结报告的截止日期）")
    title: str = Field(min_length=1, max_length=200, description="事项摘要")
    content: str = Field(min_length=1, description="反映内容")
    purpose: str = Field(min_length=1, max_length=20, description="信访目的代码")
    content_class: str = Field("", max_length=20, description="内容分类代码")
    township: str = Field("", max_length=32, description="问题属地（乡镇单位代码）")
    request: str = Field("", description="诉求")
    facts: str = Field("", description="事实和理由")
    head_count: int | None = Field(None, ge=1, le=MAX_HEAD_COUNT, description="人数")
    petitioners: list[PetitionerIn] = Field(min_length=1, max_length=MAX_PETITIONERS, description="信访人")
    attachments: list[ExchangeAttachment] = Field([], max_length=5, description="附件（图片或 PDF，最多5个）")
    results: ExchangeResults | None = Field(None, description="办理结果（下级报送上级时）")

    _plausible_dates = field_validator("received_at", "deadline")(_plausible)


class ExchangePackage(Strict):
    format: Literal["xinfang-exchange"] = Field(description="固定为 xinfang-exchange")
    version: Literal["1.0"] = Field(description="格式版本")
    sender: str = Field("", max_length=32, description="发送单位代码")
    created_at: datetime | None = Field(None, description="生成时间")
    items: list[ExchangeItem] = Field(max_length=MAX_ITEMS, description=f"交办件（最多{MAX_ITEMS}件）")

    _plausible_created = field_validator("created_at")(_plausible)


def schema() -> dict:
    """The JSON Schema of a package (draft 2020-12), as shipped in data/."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://xinfang.local/schema/{SCHEMA_FILE}",
        "title": f"信访交换包 {FORMAT} v{VERSION}",
        **ExchangePackage.model_json_schema(),
    }
