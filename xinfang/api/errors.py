"""Every error the API returns is mapped here, in one place, to a JSON body with a Chinese `detail`.

| raised by                                   | status | body                                        |
|---------------------------------------------|--------|---------------------------------------------|
| django ValidationError (intake, look-ups)   | 422    | detail + errors {field: [messages]}         |
| ninja request validation (schemas)          | 422    | detail + errors {field: [messages]}         |
| services.StaleMatter                        | 409    | detail + code "stale"                       |
| services.WorkflowError                      | 409    | detail + code "workflow"                    |
| PermissionDenied                            | 403    | detail (and a "denied" audit row)           |
| Http404 (unknown or invisible matter)       | 404    | detail (existence is never revealed)        |
| ninja AuthenticationError                   | 401    | detail                                      |
| anything else (a bug, the database down …)  | 500    | detail + request_id (logged with traceback) |
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xinfang.accounts.audit import log_audit
from xinfang.core.logs import new_request_id
from xinfang.petitions.services import StaleMatter, WorkflowError

UNAUTHENTICATED = "未登录或令牌无效：请先登录，或在 Authorization 请求头中提供有效的 Bearer 令牌。"
NOT_FOUND = "未找到该对象，或您无权查看。"
INVALID_INPUT = "提交的数据有误，请检查后重试。"
SERVER_ERROR = "服务器内部错误，请稍后重试；如问题持续，请联系系统管理员并提供请求编号 {request_id}。"

logger = logging.getLogger("xinfang.api")

# pydantic error type → Chinese message (ctx values are filled in where pydantic gives them).
PYDANTIC_MESSAGES = {
    "missing": "此项为必填项。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "格式无效，应为对象。",
    "dict_type": "格式无效，应为对象。",
    "list_type": "格式无效，应为列表。",
    "string_type": "应为字符串。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "int_from_float": "应为整数。",
    "bool_type": "应为布尔值（true/false）。",
    "bool_parsing": "应为布尔值（true/false）。",
    "date_type": "日期格式无效，应为 YYYY-MM-DD（ISO 8601）。",
    "date_parsing": "日期格式无效，应为 YYYY-MM-DD（ISO 8601）。",
    "date_from_datetime_parsing": "日期格式无效，应为 YYYY-MM-DD（ISO 8601）。",
    "date_from_datetime_inexact": "日期不应包含时间部分，应为 YYYY-MM-DD。",
    "datetime_type": "日期时间格式无效，应为 ISO 8601，如 2024-05-01T09:30:00+08:00。",
    "datetime_parsing": "日期时间格式无效，应为 ISO 8601，如 2024-05-01T09:30:00+08:00。",
    "datetime_from_date_parsing": "日期时间格式无效，应为 ISO 8601，如 2024-05-01T09:30:00+08:00。",
    "literal_error": "取值无效，可选值：{expected}。",
    "enum": "取值无效，可选值：{expected}。",
    "greater_than": "应大于 {gt}。",
    "greater_than_equal": "应不小于 {ge}。",
    "less_than": "应小于 {lt}。",
    "less_than_equal": "应不大于 {le}。",
    "string_too_short": "长度不能少于 {min_length} 个字符。",
    "string_too_long": "长度不能超过 {max_length} 个字符。",
    "too_long": "最多 {max_length} 项。",
    "extra_forbidden": "不允许的字段。",
}


def pydantic_message(error: dict) -> str:
    """A pydantic error in Chinese (also used by the exchange importer)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    template = PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return "取值无效。"
    if "expected" in ctx:
        ctx = {**ctx, "expected": str(ctx["expected"]).replace(" or ", ", ")}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("，：") + "。"


def _field(loc) -> str:
    """("body", "payload", "petitioners", 0, "id_number") → "petitioners.0.id_number"."""
    parts = [str(p) for p in loc[1:]]
    if len(parts) > 1 and parts[0] in {"payload", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or str(loc[0] if loc else "__all__")


def validation_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field(error.get("loc", ())), []).append(pydantic_message(error))
    return errors


def install(api: NinjaAPI) -> None:
    def on_django_validation(request, exc: DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = next((m for msgs in errors.values() for m in msgs), INVALID_INPUT)
        return api.create_response(request, {"detail": first, "errors": errors}, status=422)

    def on_request_validation(request, exc: NinjaValidationError):
        errors = validation_errors(exc)
        return api.create_response(request, {"detail": INVALID_INPUT, "errors": errors}, status=422)

    def on_stale(request, exc: StaleMatter):
        return api.create_response(request, {"detail": str(exc), "code": "stale"}, status=409)

    def on_workflow(request, exc: WorkflowError):
        return api.create_response(request, {"detail": str(exc), "code": "workflow"}, status=409)

    def on_denied(request, exc: PermissionDenied):
        detail = str(exc) or "您无权执行此操作。"
        log_audit(action="api:denied", request=request, result="denied", path=request.path, reason=detail)
        return api.create_response(request, {"detail": detail}, status=403)

    def on_not_found(request, exc: Http404):
        return api.create_response(request, {"detail": str(exc) or NOT_FOUND}, status=404)

    def on_unauthenticated(request, exc: AuthenticationError):
        return api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)

    def on_http_error(request, exc: HttpError):
        # raised by the parser (api.parser), wrapped by ninja in a 400
        if isinstance(exc.__cause__, HttpError):
            exc = exc.__cause__
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = "请求体无法解析：应为有效的 JSON。"
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    def on_unexpected(request, exc: Exception):
        """Never Django's HTML error page under /api/: the caller gets JSON, the log gets the traceback,
        and the request id ties the two together. A database or storage that is down: 503 (core.unavailable)."""
        from xinfang.core.unavailable import is_unavailable, unavailable_response

        if is_unavailable(exc):
            logger.warning("API %s %s: a dependency is down (%s)", request.method, request.path, exc)
            return unavailable_response(request)
        request_id = getattr(request, "request_id", None) or new_request_id()  # core.logs: on every log line
        logger.exception("API %s %s failed (request %s)", request.method, request.path, request_id)
        body = {"detail": SERVER_ERROR.format(request_id=request_id), "request_id": request_id}
        response = api.create_response(request, body, status=500)
        response["X-Request-ID"] = request_id
        return response

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(NinjaValidationError, on_request_validation)
    api.add_exception_handler(StaleMatter, on_stale)
    api.add_exception_handler(WorkflowError, on_workflow)
    api.add_exception_handler(PermissionDenied, on_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(HttpError, on_http_error)
