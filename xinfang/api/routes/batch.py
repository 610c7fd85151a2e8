"""Batch operations (issue 12): POST /api/matters/batch/{action} takes one action — 签收, 转送, 送达, 归档 — on
several matters, each through the action's service in its own transaction with its own version check
(petitions.batch.run). The answer is 200 with one result per matter, done or refused with the Chinese reason;
bad input (unknown action, no numbers, a missing or unknown argument) is 422 and changes nothing. A matter the
caller may not see is refused with the same reason whether it exists or not."""

from datetime import date
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema

from xinfang.api.routes.common import actor, unit_by_code
from xinfang.api.schemas import MAX_INT, DeliveryCode, ErrorOut
from xinfang.petitions import batch, workflow

router = Router(tags=["批量办理"])

BatchAction = Literal[batch.ACTIONS]  # type: ignore[valid-type]


class BatchIn(Schema):
    numbers: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1, max_length=batch.MAX_MATTERS, description="事项编号（最多100件）"
    )
    versions: dict[str, Annotated[int, Field(ge=1, le=MAX_INT)]] | None = Field(
        None,
        description="可选：事项编号 → 调用方看到的版本号（与当前版本不一致的事项被拒绝，原因“页面已过期”）",
    )
    unit: str = Field("", max_length=40, description="转送：有权处理的单位代码（县直部门、乡镇或县委县政府）")
    note: str = Field("", max_length=2000, description="转送：附言")
    method: DeliveryCode | None = Field(None, description="送达：送达方式")
    delivered_on: date | None = Field(None, description="送达：送达日期")
    signed: bool = Field(True, description="送达：信访人是否签收")


class BatchResultOut(Schema):
    number: str = Field(description="事项编号")
    done: bool = Field(description="是否已办理")
    reason: str = Field(description="未办理的原因（中文）；已办理时为空")
    state: str | None = Field(None, description="办理后的状态代码（未办理或无权查看时为空）")
    version: int | None = Field(None, description="办理后的版本号")


class BatchOut(Schema):
    action: str = Field(description="操作")
    done: int = Field(description="已办理件数")
    refused: int = Field(description="未办理件数")
    results: list[BatchResultOut]


def _arguments(action: str, payload: BatchIn) -> dict:
    """The service's arguments for the action; a ValidationError (422) when one is missing or unknown."""
    if action == "forward":
        if not payload.unit:
            raise ValidationError({"unit": ["转送须填写有权处理的单位代码。"]})
        return {"unit": unit_by_code(payload.unit), "note": payload.note}
    if action == "deliver":
        errors = {}
        if payload.method is None:
            errors["method"] = ["送达须填写送达方式。"]
        if payload.delivered_on is None:
            errors["delivered_on"] = ["送达须填写送达日期。"]
        if errors:
            raise ValidationError(errors)
        return {"method": payload.method, "delivered_on": payload.delivered_on, "signed": payload.signed}
    return {}


@router.post(
    "/matters/batch/{action}",
    response={200: BatchOut, 422: ErrorOut},
    summary="批量签收 / 转送 / 送达 / 归档",
    description=(
        "对多件事项执行同一操作：" + "；".join(f"{a} {workflow.BY_ACTION[a].label}" for a in batch.ACTIONS)
        + "。每件事项单独办理（各自的事务和版本检查），某件被拒绝不影响其他事项；返回每件的结果和未办理的原因。"
        "转送须带 unit（及可选 note）；送达须带 method、delivered_on（及 signed）。参数缺失或无效返回 422，不办理任何事项。"
    ),
)  # fmt: skip
def batch_action(request, action: BatchAction, payload: BatchIn):
    numbers = batch.clean_numbers(payload.numbers)
    results = batch.run(actor(request), action, numbers, _arguments(action, payload),
                        versions=payload.versions or {}, request=request)  # fmt: skip
    rows = [{"number": r.number, "done": r.done, "reason": r.reason,
             "state": r.matter.state if r.done else None, "version": r.matter.version if r.done else None}
            for r in results]  # fmt: skip
    return {"action": action, "done": sum(r.done for r in results), "refused": sum(not r.done for r in results),
            "results": rows}  # fmt: skip
