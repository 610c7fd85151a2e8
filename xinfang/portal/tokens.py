"""The submission form's one-time token. Issued signed (with its time) when the form is rendered, checked and
recorded (`SubmitToken`, unique digest) when the form comes back, before anything is saved:

- a good token not used before → the submission runs; its receipt is stored with the token row in the
  submission's own transaction (`complete`), or the row is released when the submission fails;
- a token used before (double click, back + resubmit, a retry) → the first submission's receipt, no second
  petition; while the first submission is still running, up to PENDING_WAIT for it;
- an expired or unknown token → a Chinese message, the form back with what was typed and a fresh token.

The receipt (with the 查询码, otherwise stored only as a hash) is encrypted with a key derived from the token and
SECRET_KEY: only the page that holds the token can show it again. Rows are removed after MAX_AGE + a day."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.portal.models import SubmitToken

FIELD = "form_token"
SALT = "xinfang.portal.submit"
MAX_AGE = timedelta(hours=24)
PENDING_WAIT = 5.0  # seconds a resubmission waits for the first one to finish
# A claim without a receipt this old is abandoned: its submission failed and could not release it (the database
# went away mid-request, bench/load); longer than any request may run (GUNICORN_TIMEOUT, 60 s).
STALE_CLAIM = timedelta(minutes=2)
EXPIRED = (
    "本页面已超过24小时，为防止重复提交已失效。您填写的内容保留在下方，请核对后重新提交（附件须重新选择）。"
)
UNKNOWN = "无法确认本次提交来自本站的信访页面，未予保存。您填写的内容保留在下方，请核对后重新提交（附件须重新选择）。"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def issue() -> str:
    return _signer().sign(secrets.token_urlsafe(16))


def problem(token: str) -> str | None:
    """None for a token this site issued within MAX_AGE; otherwise what to tell the citizen."""
    try:
        _signer().unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return EXPIRED
    except signing.BadSignature:
        return UNKNOWN
    return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cipher(token: str) -> Fernet:
    secret = hmac.new(settings.SECRET_KEY.encode(), b"portal-receipt:" + token.encode(), hashlib.sha256)
    return Fernet(base64.urlsafe_b64encode(secret.digest()))


def claim(token: str) -> SubmitToken | None:
    """Record the token as used, in its own transaction; None if it was used before (an abandoned claim,
    STALE_CLAIM old with no receipt, is taken over)."""
    now = timezone.now()
    SubmitToken.objects.filter(used_at__lt=now - MAX_AGE - timedelta(days=1)).delete()
    for _ in range(2):
        try:
            with transaction.atomic():
                return SubmitToken.objects.create(digest=_digest(token), used_at=now)
        except IntegrityError:
            abandoned = SubmitToken.objects.filter(
                digest=_digest(token), receipt="", registration__isnull=True, used_at__lte=now - STALE_CLAIM
            )
            if not abandoned.delete()[0]:
                return None
    return None


def complete(row: SubmitToken, token: str, *, registration, receipt: dict) -> None:
    """Store the receipt with the token (call inside the submission's transaction)."""
    sealed = _cipher(token).encrypt(json.dumps(receipt).encode()).decode()
    SubmitToken.objects.filter(pk=row.pk).update(registration=registration, receipt=sealed)


def release(row: SubmitToken | None) -> None:
    """The submission did not happen (form or service error): the same form may be submitted again."""
    if row is not None:
        SubmitToken.objects.filter(pk=row.pk).delete()


def first_receipt(token: str, *, wait: float | None = None) -> tuple[dict | None, int | None]:
    """(receipt, registration pk) of the submission that used `token`; (None, None) while it is still running
    after `wait` seconds (PENDING_WAIT), or when it failed and released the token meanwhile."""
    deadline = time.monotonic() + (PENDING_WAIT if wait is None else wait)
    while True:
        row = SubmitToken.objects.filter(digest=_digest(token)).first()
        if row is not None and row.receipt:
            try:
                return json.loads(_cipher(token).decrypt(row.receipt.encode())), row.registration_id
            except InvalidToken:  # SECRET_KEY changed since: nothing to show again
                return None, None
        if row is None or time.monotonic() >= deadline:
            return None, None
        time.sleep(0.2)
