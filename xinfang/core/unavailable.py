"""A dependency that is down is a 503, not a 500 (issue 14, bench/load): when the database (OperationalError,
InterfaceError) or the object store (botocore's connection errors, an S3 5xx) cannot be reached, handler500
(core.views.server_error) answers 503 with Retry-After — JSON for the API, the Chinese 503 page otherwise — so
clients know to retry (with the same Idempotency-Key or form token). Django reconnects by itself once the
database is back (CONN_HEALTH_CHECKS), boto3 on the next call."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 5
DETAIL = "系统暂时无法访问数据库或文件存储，本次请求未完成，请稍后重试。"


def _storage_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # pragma: no cover - boto3 is pinned; local storage has no such errors
        return ()
    return BotoConnectionError, HTTPClientError


def is_unavailable(exc: BaseException | None) -> bool:
    """The exception (or one it was raised from) says a dependency is down, not that the code is wrong."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OperationalError, InterfaceError, *_storage_errors())):
            return True
        response = getattr(exc, "response", None)  # botocore ClientError: the store answered 5xx
        if (
            isinstance(response, dict)
            and response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        ):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unavailable_response(request, request_id: str = "") -> HttpResponse:
    if request is not None and request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": DETAIL, "code": "unavailable"}, status=503)
    else:
        html = loader.get_template("503.html").render({"request_id": request_id})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
