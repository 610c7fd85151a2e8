"""Login protection (等保 2.0 第三级: 限制非法登录次数): lock a username after repeated failures."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from xinfang.accounts.models import AuditEntry

LOGIN = "login"


def locked_until(username: str, *, now: datetime | None = None) -> datetime | None:
    """When the lock on `username` ends, or None if it is not locked. A lock follows N consecutive
    failures (no success in between) that came within the lock period of each other."""
    now = now or timezone.now()
    limit = settings.LOGIN_MAX_FAILURES
    period = timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    recent = list(
        AuditEntry.objects.filter(action=LOGIN, username=username, at__gte=now - 2 * period)
        .exclude(result=AuditEntry.Result.DENIED)
        .order_by("-at", "-id")
        .values_list("result", "at")[:limit]
    )
    if len(recent) < limit or any(result != AuditEntry.Result.FAILURE for result, _ in recent):
        return None
    newest, oldest = recent[0][1], recent[-1][1]
    if newest - oldest > period:
        return None
    until = newest + period
    return until if now < until else None
