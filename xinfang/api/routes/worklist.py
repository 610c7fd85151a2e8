from ninja import Query, Router

from xinfang.api import presenters
from xinfang.api.routes.common import actor
from xinfang.api.schemas import WorklistOut, WorklistQuery
from xinfang.petitions import queries

router = Router(tags=["待办"])


@router.get(
    "/worklist",
    response=WorklistOut,
    summary="待办事项",
    description=(
        "按角色列出待处理的信访事项（只含本人有权查看的事项），可按状态、信访形式、问题属地、"
        "有权处理机关、时限（超期/临期）和关键词筛选；按截止日期排序，limit/offset 分页。"
    ),
)
def worklist(request, filters: Query[WorklistQuery]):
    f = queries.WorklistFilter(**filters.dict(exclude={"limit", "offset"}))
    qs = queries.worklist(actor(request), f)
    page = qs[filters.offset : filters.offset + filters.limit]
    return {
        "count": qs.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [presenters.worklist_item(m) for m in page],
    }
