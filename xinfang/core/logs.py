"""Request ids and log formats.

`RequestIDMiddleware` (first in MIDDLEWARE) gives every request an id: the incoming `X-Request-ID` when the
request came through a trusted proxy (core.net) and the id is sane, else a new one. The id is on the response
(`X-Request-ID`), in every log record written while the request runs (`RequestIDFilter`, on the handlers), in
the API's 500 body and on the HTML 500 page, so that a report of an error finds its log lines.

`LOG_FORMAT=json` writes one JSON object per line (`JSONFormatter`); the default is a plain text line."""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from xinfang.core.net import is_trusted_proxy

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being handled ("-" outside a request)."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request) -> str | None:
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    if value and SANE_ID.match(value) and is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return value
    return None


class RequestIDMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request) or new_request_id()
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIDFilter(logging.Filter):
    """Puts the current request id on every record (as `record.request_id`); for Django's own "4xx/5xx" lines,
    written after the middleware has returned, the id of the request the record names."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and the traceback
    when there is one. Non-ASCII text stays readable (ensure_ascii=False)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, fmt: str, level: str) -> dict:
    """settings.LOGGING: one console handler with the request-id filter, text or JSON lines."""
    formatter = {"()": JSONFormatter} if fmt == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIDFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "default",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
