"""Per-client rate limits kept in the database (so they hold across worker processes), on the clock
(`timezone.now()`; tests move it with time-machine)."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from xinfang.portal.models import ThrottleHit


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window: timedelta


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def submit_limit() -> Limit:
    return Limit("submit", _setting("PORTAL_SUBMIT_PER_HOUR", 5), timedelta(hours=1))


def track_limit() -> Limit:
    return Limit("track", _setting("PORTAL_TRACK_FAILURES_PER_HOUR", 10), timedelta(hours=1))


def client_key(ip: str | None) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), (ip or "-").encode(), hashlib.sha256).hexdigest()


def is_blocked(limit: Limit, ip: str | None) -> bool:
    since = timezone.now() - limit.window
    hits = ThrottleHit.objects.filter(scope=limit.scope, client=client_key(ip), at__gt=since)
    return hits.count() >= limit.max_hits


def record_hit(limit: Limit, ip: str | None) -> None:
    now = timezone.now()
    ThrottleHit.objects.filter(scope=limit.scope, at__lte=now - limit.window).delete()
    ThrottleHit.objects.create(scope=limit.scope, client=client_key(ip), at=now)
