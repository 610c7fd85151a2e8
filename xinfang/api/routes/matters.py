from django.core.exceptions import PermissionDenied
from ninja import Router

from xinfang.accounts.audit import log_audit
from xinfang.api import presenters
from xinfang.api.routes.common import actor, visible_matter
from xinfang.api.schemas import ErrorOut, MatterDetailOut
from xinfang.petitions import access

router = Router(tags=["事项"])


@router.get(
    "/matters/{number}",
    response={200: MatterDetailOut, 403: ErrorOut, 404: ErrorOut},
    url_name="matter_detail",
    summary="事项详情",
    description=(
        "事项的状态、标志、各项日期与时限、信访件、办理过程、文书和当前用户可执行的操作。"
        "信访人证件号码和电话默认脱敏；有权人员加 ?full=1 可查看完整信息（记入审计日志）。"
        "每次查看均记入审计日志。无权查看或不存在的事项均返回 404。"
    ),
)
def matter_detail(request, number: str, full: bool = False):
    user = actor(request)
    matter = visible_matter(request, number)
    if full and not access.can_view_personal_data(user):
        log_audit(action="petitioner:view_full", request=request, result="denied", obj=matter)
        raise PermissionDenied("您无权查看信访人的完整证件号码和电话。")
    log_audit(action="matter:view", request=request, obj=matter, number=matter.number)
    if full:
        log_audit(action="petitioner:view_full", request=request, obj=matter, number=matter.number)
    return presenters.matter_detail(user, matter, full=full)
