"""上级交办件交换包 (issue 17): the system-to-system link with the level above. The body is a package in the
format of docs/exchange.md (the JSON Schema shipped as xinfang/exchange/data/exchange-v1.schema.json)."""

from ninja import Field, Query, Router, Schema, Status

from xinfang.accounts.audit import log_audit
from xinfang.api.routes.common import actor
from xinfang.api.schemas import ErrorOut
from xinfang.exchange import importer, reader
from xinfang.exchange.package import ExchangePackage

router = Router(tags=["上下级交换"])


class ImportQuery(Schema):
    dry_run: bool = Field(False, description="只检查，不保存（试导入）")


class CreatedOut(Schema):
    external_number: str = Field(description="上级交办编号")
    matter_number: str = Field(description="事项编号（试导入时为临时编号，不保存）")


class ImportOut(Schema):
    dry_run: bool = Field(description="是否为试导入")
    created: list[CreatedOut] = Field(description="新登记的交办件")
    updated: list[str] = Field(description="已导入过、本次补充了办理结果的上级交办编号")
    unchanged: list[str] = Field(description="已导入过、本次无变化的上级交办编号")


@router.post(
    "/exchange/import",
    response={200: ImportOut, 403: ErrorOut, 422: ErrorOut},
    summary="导入上级交办件交换包",
    description=(
        "请求体为交换包（docs/exchange.md，格式 xinfang-exchange 1.0）。每件登记为“上级交办”信访件，"
        "记录上级交办编号和交办期限（按上级交办期限计时）；按交办机关和上级交办编号幂等，重复导入不产生任何变化。"
        "全部成功才保存：任何一件有误时返回 422，errors 以“items.序号”列出每件的错误（含其在请求体中的行号），"
        "不保存任何数据。dry_run=true 时只检查并返回将登记的结果，不保存。只有信访部门登记、办案人员可以导入（403）。"
    ),
)
def import_exchange(request, payload: ExchangePackage, filters: Query[ImportQuery]):
    source = reader.read_json(request.body)  # the body again, for the line each item starts on
    report = importer.import_package(source, by=actor(request), dry_run=filters.dry_run)
    if not report.ok:
        errors: dict[str, list[str]] = {}
        for problem in report.problems:
            errors.setdefault(f"items.{problem.order}" if problem.order >= 0 else "__all__", []).append(
                str(problem)
            )
        return Status(
            422, {"detail": f"发现{len(report.problems)}处错误，未导入任何数据。", "errors": errors}
        )
    if report.committed:
        log_audit(action="exchange:import", request=request, created=len(report.created),
                  updated=len(report.updated))  # fmt: skip
    return Status(
        200,
        {
            "dry_run": report.dry_run,
            "created": [{"external_number": e, "matter_number": n} for e, n in report.created],
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
