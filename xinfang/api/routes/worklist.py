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
        "有权处理机关、时限（超期/临期）和关键词筛选；limit/offset 分页，有下一页时 next 给出其地址。"
        "不带 q 时按截止日期排序，count 为符合条件的事项总数。"
        "带 q（搜索）时按登记时间排序、最近登记的在前（登记时间相同的，后登记的在前），与工作台的搜索一样不统计总数"
        "（常用词可能有数万件）：count 只在最后一页给出（offset 加本页条数），其余各页为 null，是否还有下一页看 next。"
    ),
)
def worklist(request, filters: Query[WorklistQuery]):
    f = queries.WorklistFilter(**filters.dict(exclude={"limit", "offset"}))
    offset, limit = filters.offset, filters.limit
    if f.q:  # a search, as the worklist page reads it: newest first, one row more instead of a count
        f.sort = queries.SEARCH_SORT
        rows, more = queries.open_slice(queries.worklist(actor(request), f), offset, limit)
        # the total is known on the last page; past the end (no row at offset > 0) it is not
        count = None if more or (not rows and offset) else offset + len(rows)
    else:
        qs = queries.worklist(actor(request), f)
        count = qs.count()
        rows = list(qs[offset : offset + limit])
        more = offset + len(rows) < count
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": _next(request, offset + limit) if more else None,
        "items": [presenters.worklist_item(m) for m in rows],
    }


def _next(request, offset: int) -> str:
    """The address of the next page: this request's with `offset` moved on."""
    query = request.GET.copy()
    query["offset"] = str(offset)
    return f"{request.path}?{query.urlencode()}"
