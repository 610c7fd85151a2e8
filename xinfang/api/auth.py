"""Who is calling: a system with an API token (`Authorization: Bearer <key>`) or a browser with a
Django session (CSRF enforced). Both set `request.user` and return the user, which ninja keeps as
`request.auth`. No match → ninja raises AuthenticationError → 401 (see errors.py)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from xinfang.accounts.models import ApiToken
from xinfang.accounts.services import hash_token

# `last_used_at` to the minute: written at most once a minute per token, not at every call (it was a write and a
# commit of its own before each API request's work; issue 14, intake under load).
LAST_USE_PRECISION = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """系统对接令牌：只存 sha256 摘要，停用的令牌或停用的用户一律拒绝。"""

    def authenticate(self, request, token: str):
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(key_hash=hash_token(token), is_active=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """浏览器会话（Django 登录），写操作须带 CSRF 令牌（X-CSRFToken 请求头）。

    Unlike ninja's `django_auth`, an anonymous request is answered 401 (not a CSRF 403): the CSRF
    check only runs for a logged-in session, where it matters."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败：请刷新页面后重试（请求须带 X-CSRFToken 请求头）。")
        return user


token_auth = ApiTokenAuth()
session_auth = SessionAuth()
API_AUTH = [token_auth, session_auth]
