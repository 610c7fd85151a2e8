"""Small security middleware: an early request-size limit, Permissions-Policy, and no-store for personal data.
The Content-Security-Policy itself comes from django-csp (settings.CONTENT_SECURITY_POLICY)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than XINFANG_MAX_REQUEST_BYTES with 413, before anything
    reads the body (first in MIDDLEWARE). nginx's client_max_body_size does the same in front (docs/security.md);
    this holds when the application is reached another way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.XINFANG_MAX_REQUEST_BYTES
        if length > limit:
            message = f"提交的内容过大（上限 {limit // (1024 * 1024)} MB），请减少或压缩附件后重试。"
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"  # the unread body is not left on a kept-alive connection
            return response
        return self.get_response(request)


class NulCharacterMiddleware:
    """Refuses a page address or query string holding a NUL character (%00) with 400: PostgreSQL cannot compare a
    text column with such a value (a 500 there, nothing on SQLite). Form fields are refused by Django's own
    validator; the API answers in its documented statuses instead (api.parser: 422; a matter number: 404)."""

    MESSAGE = "请求地址中含有空字符（%00），已拒绝。"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and (
            "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "")
        ):
            return HttpResponse(self.MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivateResponseMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on whatever may carry personal data: any
    response to a signed-in user (staff pages, the admin), the API, and every download (attachment). Public
    portal pages and static files stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or request.path_info.startswith("/api/")
            or "attachment" in response.get("Content-Disposition", "")
        ):
            add_never_cache_headers(response)
        return response
