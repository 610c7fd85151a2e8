"""`Idempotency-Key`: a client that may retry a state-changing call (POST/PUT/PATCH/DELETE) sends a key of its
choosing; the call then runs at most once per user and key, and a retry gets the first answer again.

1. The key is claimed first, in its own transaction: INSERT of an `IdempotencyKey` row (user, key digest,
   fingerprint = SHA-256 of method, path with query string and body). The unique (user, key) constraint makes
   a second claim fail — a retry, or a concurrent request with the same key.
2. The call runs (authentication, validation, the route, the error handlers: everything `Operation.run` does).
3. The answer (status, body, the headers in REPLAYED_HEADERS) is stored, encrypted, for TTL (24 h). A server
   error (5xx) releases the key instead, so that the client may try again.

A later request with the same user and key:
- same fingerprint, answer stored → that answer again, with `Idempotency-Replayed: true`;
- same fingerprint, still running → 409 at once, code "processing", `Retry-After: 1` (it does not wait: the
  client retries, and then gets the stored answer);
- another method, path or body → 422, code "idempotency_mismatch"; nothing runs.
A claim still "processing" after STALE_CLAIM (its process died) is taken over; an expired row is replaced.
Rows are removed after expiry by `xinfang purge_idempotency_keys` (daily, with the sweep)."""

import base64
import functools
import hashlib
import hmac
import json
import re
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from xinfang.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TTL = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=2)  # longer than any request may run (GUNICORN_TIMEOUT, 60 s); bench/load
MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # visible ASCII, e.g. a UUID
REPLAYED_HEADERS = ("Content-Type", "Content-Disposition", "Location")

BAD_KEY = f"Idempotency-Key 请求头无效：应为1–{MAX_KEY_LENGTH}个可见 ASCII 字符（建议使用 UUID）。"
MISMATCH = (
    "该 Idempotency-Key 已用于另一请求（方法、地址或请求体不同），本次请求未执行；"
    "新的请求请使用新的 Idempotency-Key。"
)
PROCESSING = "处理中：使用同一 Idempotency-Key 的请求正在执行，请稍后重试以获取其结果。"
UNREADABLE = (
    "该 Idempotency-Key 的原响应已无法读取（服务器密钥已更换），本次请求未执行；"
    "请先核实上次请求是否已生效，再使用新的 Idempotency-Key。"
)

DESCRIPTION = (
    "幂等请求键（可选）：同一用户以同一键重复提交相同的请求（方法、地址、请求体均相同）时不再执行，"
    "原样返回第一次的响应（状态码、响应体，另加 `Idempotency-Replayed: true` 响应头），保留24小时；"
    "同一键用于不同的请求返回 422（code 为 idempotency_mismatch）；第一次请求尚在执行时返回 409"
    "（code 为 processing，“处理中”，带 `Retry-After`），稍后重试即得原响应；服务器错误（5xx）不保留，可用同一键重试。"
)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
        h.update(b"\n")
    return h.hexdigest()


def fingerprint(request) -> str:
    return _digest(request.method.encode(), request.get_full_path().encode(), request.body)


def _cipher(raw_key: str) -> Fernet:
    """Encrypts a stored answer with a key only a holder of both SECRET_KEY and the raw header can derive."""
    secret = hmac.new(settings.SECRET_KEY.encode(), b"idempotency:" + raw_key.encode(), hashlib.sha256)
    return Fernet(base64.urlsafe_b64encode(secret.digest()))


def _seal(raw_key: str, response) -> str:
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    data = {"headers": headers, "body": base64.b64encode(response.content).decode()}
    return _cipher(raw_key).encrypt(json.dumps(data).encode()).decode()


def _replay(raw_key: str, row: IdempotencyKey) -> HttpResponse | None:
    try:
        data = json.loads(_cipher(raw_key).decrypt(row.response.encode()))
    except InvalidToken:
        return None
    response = HttpResponse(base64.b64decode(data["body"]), status=row.response_status)
    for name, value in data["headers"].items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _claim(user, key: str, fp: str) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """(the new row, None) when this request holds the key now; (None, the row that holds it) otherwise."""
    for _ in range(2):
        now = timezone.now()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fp, created_at=now, expires_at=now + TTL
                )
            return row, None
        except IntegrityError:
            held = IdempotencyKey.objects.filter(user=user, key=key).first()
            if held is None:  # released between our INSERT and this read: claim again
                continue
            abandoned = (
                held.status == IdempotencyKey.Status.PROCESSING and held.created_at <= now - STALE_CLAIM
            )
            if held.expires_at > now and not abandoned:
                return None, held
            # expired, or its process died: remove exactly that row (a concurrent taker removes it only once)
            IdempotencyKey.objects.filter(pk=held.pk, created_at=held.created_at).delete()
    return None, IdempotencyKey.objects.filter(user=user, key=key).first()


def _finish(row: IdempotencyKey, raw_key: str, response) -> None:
    if response.status_code >= 500 or getattr(response, "streaming", False):
        IdempotencyKey.objects.filter(pk=row.pk).delete()  # released: the client may try again
        return
    IdempotencyKey.objects.filter(pk=row.pk).update(
        status=IdempotencyKey.Status.COMPLETED,
        response_status=response.status_code,
        response=_seal(raw_key, response),
    )


def guard(run):
    """Wraps a ninja `Operation.run` (`api.add_decorator(guard, mode="view")`): requests without the header, and
    safe methods, run as they are."""
    operation = run.__self__

    def error(request, status: int, detail: str, code: str) -> HttpResponse:
        return operation.api.create_response(request, {"detail": detail, "code": code}, status=status)

    @functools.wraps(run)
    def wrapper(request, **kwargs):
        raw_key = request.headers.get(HEADER)
        if raw_key is None or request.method not in UNSAFE_METHODS:
            return run(request, **kwargs)
        refused = operation._run_authentication(request)  # keys are per user: who is asking?
        if refused is not None:
            return refused
        if not re.fullmatch(KEY_PATTERN, raw_key):
            return error(request, 422, BAD_KEY, "idempotency_key")
        fp = fingerprint(request)
        row, held = _claim(request.auth, _digest(raw_key.encode()), fp)
        if row is None:
            if held is not None and held.fingerprint != fp:
                return error(request, 422, MISMATCH, "idempotency_mismatch")
            if held is None or held.status == IdempotencyKey.Status.PROCESSING:
                response = error(request, 409, PROCESSING, "processing")
                response["Retry-After"] = "1"
                return response
            return _replay(raw_key, held) or error(request, 409, UNREADABLE, "idempotency_unreadable")
        response = None
        try:
            # The stored answer commits with the call's writes (bench/load: the database restarted between the
            # two left a registration whose key was later taken over and run again).
            with transaction.atomic():
                response = run(request, **kwargs)
                if response.status_code < 500 and not getattr(response, "streaming", False):
                    _finish(row, raw_key, response)
        finally:
            if response is None or response.status_code >= 500 or getattr(response, "streaming", False):
                IdempotencyKey.objects.filter(pk=row.pk).delete()  # raised or failed: release the key
        return response

    return wrapper


def purge_expired(*, now=None) -> int:
    """Remove the keys whose 24 hours are over; returns how many. Idempotent."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
