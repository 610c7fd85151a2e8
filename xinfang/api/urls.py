"""The REST API: mounted at /api/ (docs at /api/docs, schema at /api/openapi.json)."""

from ninja import NinjaAPI

from xinfang.api import contract, errors, idempotency
from xinfang.api.auth import API_AUTH
from xinfang.api.parser import TextParser
from xinfang.api.routes import accused, actions, bureau, documents, exchange, intake, matters, worklist
from xinfang.api.routes import batch as batch_routes  # issue 12


class XinfangAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return contract.complete(super().get_openapi_schema(**kwargs))


api = XinfangAPI(
    title="信访业务与绩效管理系统 API",
    version="1",
    description=(
        "信访事项登记、待办、详情、办理流程与文书下载。系统对接使用 `Authorization: Bearer <令牌>`；"
        "浏览器使用登录会话，写操作须带 `X-CSRFToken` 请求头。错误统一返回 JSON：`detail`（中文说明），"
        "422 另有 `errors`（按字段），409 另有 `code`（stale 页面已过期 / workflow 状态不允许）。"
        "写操作可带 `Idempotency-Key` 请求头（如 UUID），重试时不会重复执行，见各操作的参数说明。"
    ),
    urls_namespace="api",
    auth=API_AUTH,
    parser=TextParser(),
)
errors.install(api)
api.add_decorator(idempotency.guard, mode="view")  # Idempotency-Key on every state-changing call

api.add_router("", intake.router)
api.add_router("", worklist.router)
api.add_router("", matters.router)
api.add_router("", batch_routes.router)  # batch operations (issue 12): before /matters/{number}/… routes
api.add_router("", actions.router)
api.add_router("", documents.router)
api.add_router("", accused.router)
api.add_router("", bureau.router)  # 回访 and 更正登记内容 (issue 12)
api.add_router("", exchange.router)  # 上级交办件交换包 (issue 17)


@api.get("/health", auth=None, tags=["system"], summary="健康检查")
def health(request):
    return {"status": "ok"}
