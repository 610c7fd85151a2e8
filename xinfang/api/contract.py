"""The parts of the OpenAPI document that hold for every operation alike, added in one place instead of in each
route's `response=`: the statuses the common machinery answers (auth.py → 401, ninja's parser → 400, request
validation → 422, look-ups by path → 404, CSRF → 403, idempotency.py → 409/422) and the `Idempotency-Key`
header of every state-changing operation. tests/api/test_contract_schemathesis.py holds the API to it."""

from xinfang.api import idempotency

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}

MEANING = {
    400: "请求体无法解析（不是有效的 JSON）",
    401: "未登录或令牌无效",
    403: "无权执行此操作，或浏览器会话的 CSRF 校验失败",
    404: "未找到该对象，或无权查看",
    409: "冲突：stale 页面已过期 / workflow 当前状态不允许 / processing 同一 Idempotency-Key 的请求处理中",
    422: "输入有误（errors 按字段列出），或 Idempotency-Key 无效、已用于另一请求",
}

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": idempotency.DESCRIPTION,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.MAX_KEY_LENGTH,
        "pattern": idempotency.KEY_PATTERN,
    },
}

REPLAYED_HEADER = {
    "description": "值为 true 时，本响应是同一 Idempotency-Key 第一次请求的响应（重放，请求未再次执行）",
    "schema": {"type": "string", "enum": ["true"]},
}


def statuses(method: str, operation: dict) -> set[int]:
    """The statuses the common machinery may answer for this operation."""
    parameters = operation.get("parameters", [])
    codes = set()
    if operation.get("security"):
        codes.add(401)
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes.add(400)
    if any(p["in"] == "path" for p in parameters):
        codes.add(404)
    if method.upper() in idempotency.UNSAFE_METHODS:
        codes |= {403, 409, 422}
    return codes


def _error_response(existing: dict | None, code: int) -> dict:
    response = dict(existing or {"description": MEANING[code]})
    response.setdefault("content", {"application/json": {"schema": ERROR_SCHEMA}})
    return response


def complete(schema: dict) -> dict:
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            for code in statuses(method, operation):
                key = code if code in responses else str(code) if str(code) in responses else code
                responses[key] = _error_response(responses.get(key), code)
            if method.upper() in idempotency.UNSAFE_METHODS:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                for code, response in responses.items():
                    if 200 <= int(code) < 300:
                        response.setdefault("headers", {})[idempotency.REPLAYED] = REPLAYED_HEADER
    return schema
