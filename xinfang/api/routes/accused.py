"""检举控告: the bureau sets or corrects the accused unit and person before the matter is forwarded
(《信访工作条例》第三十条第三款). One route, one service (services.set_accused)."""

from ninja import Router

from xinfang.api.routes.common import actor, changed_matter, unit_by_code, visible_matter
from xinfang.api.schemas import AccusedIn, ErrorOut, MatterDetailOut
from xinfang.petitions import services

router = Router(tags=["办理流程"])


@router.post(
    "/matters/{number}/accused",
    response={200: MatterDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="填写或更正被检举对象",
    description=(
        "检举控告类事项转出信访部门之前（已收到待登记、已登记待分流、重大紧急已报请决定），信访部门登记、"
        "办案人员填写或更正被检举单位和被检举人；事项随之保密，被检举单位和被检举人不能查看，"
        "也不能被转送、交办或督办（《信访工作条例》第三十条第三款）。"
    ),
)
def set_accused(request, number: str, payload: AccusedIn):
    matter = visible_matter(request, number)
    services.set_accused(
        matter, by=actor(request), accused_unit=unit_by_code(payload.accused_unit, field="accused_unit"),
        accused_person=payload.accused_person, reason=payload.reason, expected_version=payload.version,
    )  # fmt: skip
    return changed_matter(request, matter)
