"""Login protection (等保 2.0 第三级: 限制非法登录次数): lock a username, and an address, after repeated failures.

The lock keys on the username as Django's authentication sees it: `AbstractBaseUser.normalize_username` (NFKC),
the same normalisation the login form's `UsernameField` applies before authenticating. Otherwise `ｃaiwu`
(full-width) or `𝐜𝐚𝐢𝐰𝐮` (mathematical bold) would be counted apart from `caiwu` yet log in as `caiwu`.
Usernames are case-sensitive here (the default `ModelBackend` looks them up with an exact match), so the key is
not case-folded: `CAIWU` is another, non-existent account."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import AuditEntry

LOGIN = "login"


def login_name(typed: str) -> str:
    """The name a login attempt is counted under: what authentication will look up."""
    return AbstractBaseUser.normalize_username((typed or "").strip())


def locked_until(username: str, *, ip: str | None = None, now: datetime | None = None) -> datetime | None:
    """When the lock on `username` (normalised here) or on the address `ip` ends, or None if neither is
    locked. A username is locked after LOGIN_MAX_FAILURES consecutive failures (no success in between) that
    came within the lock period of each other; an address after LOGIN_MAX_FAILURES_PER_IP of them, whatever
    names they tried (higher: a whole office may share one address)."""
    now = now or timezone.now()
    locks = [_locked_until({"username": login_name(username)}, settings.LOGIN_MAX_FAILURES, now)]
    if ip:
        locks.append(_locked_until({"ip": ip}, settings.LOGIN_MAX_FAILURES_PER_IP, now))
    locks = [until for until in locks if until is not None]
    return max(locks) if locks else None


def _locked_until(key: dict, limit: int, now: datetime) -> datetime | None:
    period = timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    recent = list(
        AuditEntry.objects.filter(action=LOGIN, at__gte=now - 2 * period, **key)
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


LOGOUT = "logout"


def on_logout(sender, request, user, **kwargs):
    """Every logout (the staff pages' and the admin's) is an audit row (等保 8.1.4.3 a). `user` is None when the
    session had already ended."""
    if user is not None:
        log_audit(action=LOGOUT, user=user, request=request)
