from ninja import NinjaAPI

api = NinjaAPI(title="信访业务与绩效管理系统 API", version="1", urls_namespace="api")


@api.get("/health", auth=None, tags=["system"])
def health(request):
    return {"status": "ok"}
