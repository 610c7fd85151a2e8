"""The API's parser: ninja's, refusing a JSON body or query value that holds a NUL character (\\x00). PostgreSQL cannot store one
in a text column and a query with one fails there (SQLite takes it): refused up front, the answer is the same
422 on both databases instead of a 500 on one of them (found by the schemathesis contract run)."""

import json

from ninja.errors import HttpError
from ninja.parser import Parser

NUL_REFUSED = "提交的文本中含有空字符（\\u0000），已拒绝。"


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class TextParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        if _holds_nul(data):
            raise HttpError(422, NUL_REFUSED)  # ninja wraps it in its 400; errors.on_http_error unwraps it
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _holds_nul(parsed):
            raise HttpError(422, NUL_REFUSED)
        return parsed
