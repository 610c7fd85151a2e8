"""Per-client rate limits kept in the database (so they hold across worker processes), on the clock
(`timezone.now()`; tests move it with time-machine). Limits and windows come from the environment
(settings.PORTAL_*).

`take()` checks and records in one transaction, serialised per client and scope by the client's
`ThrottleClient` row: the transaction's first statement is an UPDATE of that row, which PostgreSQL holds as a
row lock until commit and which takes SQLite's database write lock. So a burst of parallel requests from one
address cannot all read "4 of 5 used" before any of them writes (issue 14). A request that turns out not to
count (a form error, a successful lookup) gives its hit back with `give_back()`.

A client that is refused is told so every time, but only the first refusal of a block says to log it
(`Verdict.first_refusal`): one audit row per blocked burst, not one per request of a flood."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.portal.models import ThrottleClient, ThrottleHit


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window: timedelta


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hit: int | None = None  # the recorded hit (to give back when the request does not count)
    first_refusal: bool = False  # the first refusal of this block: the one to write to the audit log


def submit_limit() -> Limit:
    return Limit(
        "submit", settings.PORTAL_SUBMIT_MAX, timedelta(seconds=settings.PORTAL_SUBMIT_WINDOW_SECONDS)
    )


def track_limit() -> Limit:
    return Limit(
        "track", settings.PORTAL_TRACK_FAILURES_MAX, timedelta(seconds=settings.PORTAL_TRACK_WINDOW_SECONDS)
    )


def client_key(ip: str | None) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), (ip or "-").encode(), hashlib.sha256).hexdigest()


def _lock(scope: str, client: str, now: datetime) -> ThrottleClient:
    """Take the client's row for the rest of the transaction (created on first sight) and return it."""
    rows = ThrottleClient.objects.filter(scope=scope, client=client)
    if not rows.update(seen_at=now):
        try:
            with transaction.atomic():
                ThrottleClient.objects.create(scope=scope, client=client, seen_at=now)
        except IntegrityError:  # another request created it first: wait for it, as for any holder
            rows.update(seen_at=now)
    return rows.get()


def take(limit: Limit, ip: str | None) -> Verdict:
    """Count this request against the limit if it is within it; refuse it otherwise."""
    key, now = client_key(ip), timezone.now()
    since = now - limit.window
    with transaction.atomic():
        row = _lock(limit.scope, key, now)
        used = ThrottleHit.objects.filter(scope=limit.scope, client=key, at__gt=since).count()
        if used >= limit.max_hits:
            if row.refused_since is None:
                ThrottleClient.objects.filter(pk=row.pk).update(refused_since=now)
            return Verdict(allowed=False, first_refusal=row.refused_since is None)
        if row.refused_since is not None:  # the block is over: a later one is logged again
            ThrottleClient.objects.filter(pk=row.pk).update(refused_since=None)
        hit = ThrottleHit.objects.create(scope=limit.scope, client=key, at=now)
    _prune(limit, since)
    return Verdict(allowed=True, hit=hit.pk)


def give_back(verdict: Verdict) -> None:
    """The request did not count after all (a form error; a lookup that succeeded)."""
    if verdict.hit is not None:
        ThrottleHit.objects.filter(pk=verdict.hit).delete()


def _prune(limit: Limit, since: datetime) -> None:
    """Forget what is outside the window (outside the transaction above: it holds no client's row)."""
    ThrottleHit.objects.filter(scope=limit.scope, at__lte=since).delete()
    ThrottleClient.objects.filter(scope=limit.scope, seen_at__lte=since).delete()


def wait_text(limit: Limit) -> str:
    """The window in words, for the page that refuses: “一小时”, “2小时”, “30分钟”."""
    seconds = int(limit.window.total_seconds())
    if seconds == 3600:
        return "一小时"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时"
    return f"{-(-seconds // 60)}分钟"
