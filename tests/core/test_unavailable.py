"""A dependency that is down answers 503 with Retry-After (core.unavailable through handler500): JSON on the API,
the Chinese 503 page elsewhere; any other exception stays the 500 page (bench/load drives the real faults)."""

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.api.test_intake import body
from tests.core.test_error_pages import assert_chinese
from xinfang.accounts.services import create_api_token
from xinfang.api.models import IdempotencyKey
from xinfang.core import unavailable
from xinfang.petitions.models import Registration
from xinfang.portal.views import RECEIPT

DOWN = [
    OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
    InterfaceError("connection already closed"),
    EndpointConnectionError(endpoint_url="http://127.0.0.1:9/xinfang"),
    ClientError(
        {"Error": {"Code": "ServiceUnavailable"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutObject"
    ),
]


def test_which_exceptions_mean_a_dependency_is_down():
    for exc in DOWN:
        assert unavailable.is_unavailable(exc), exc
    wrapped = RuntimeError("storage failed")
    wrapped.__cause__ = DOWN[2]
    assert unavailable.is_unavailable(wrapped)
    assert not unavailable.is_unavailable(ValueError("a bug"))
    assert not unavailable.is_unavailable(
        ClientError(
            {"Error": {"Code": "NoSuchKey"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "GetObject"
        )
    )


@pytest.mark.parametrize("exc", DOWN, ids=["operational", "interface", "storage", "s3-503"])
def test_portal_page_is_the_chinese_503_page(exc, settings, db, monkeypatch):
    settings.DEBUG = False

    def down(*args, **kwargs):
        raise exc

    monkeypatch.setattr("xinfang.portal.views.page", down)
    response = Client(raise_request_exception=False).get("/portal/")
    assert_chinese(response, 503, "系统暂时不可用（503）")
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)


def test_a_bug_is_still_the_500_page(settings, db, monkeypatch):
    settings.DEBUG = False

    def bug(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("xinfang.portal.views.page", bug)
    response = Client(raise_request_exception=False).get("/portal/")
    assert_chinese(response, 500, "系统出现错误（500）")
    assert "Retry-After" not in response


def test_a_session_not_saved_because_the_database_is_down_is_503_not_400(settings, db, monkeypatch):
    """Django turns a failed session UPDATE into SessionInterrupted (400); with the database down underneath it
    is a 503 the citizen may retry (bench/load: the receipt page during a PostgreSQL restart)."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    session = client.session
    session[RECEIPT] = {"number": "DJ2026000001", "code": "ABCDEFGHJKMN", "title": "道路维修", "name": "李四",
                        "at": "2026-03-10T10:00:00+08:00", "shown": False}  # fmt: skip
    session.save()

    def down(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(Session, "save", down)
    response = client.get("/portal/submit/receipt/")
    assert_chinese(response, 503, "系统暂时不可用（503）")
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)


def test_other_bad_requests_stay_400(settings, db):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/portal/", HTTP_HOST="bad host")
    assert response.status_code == 400


def api_client(user, key: str) -> Client:
    """The API as a client that retries with `key` (Idempotency-Key), seeing the server's error responses."""
    headers = {"Authorization": f"Bearer {create_api_token(user, name='测试')}", "Idempotency-Key": key}
    return Client(raise_request_exception=False, headers=headers)


def test_api_answers_json_503_and_the_same_key_may_be_retried(settings, clerk, monkeypatch):
    settings.DEBUG = False
    client = api_client(clerk, "load-1")

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr("xinfang.api.routes.intake.citizens.register_incoming", down)
        response = client.post("/api/registrations", body(), content_type="application/json")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": unavailable.DETAIL, "code": "unavailable"}
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert not Registration.objects.exists() and not IdempotencyKey.objects.exists()
    retry = client.post("/api/registrations", body(), content_type="application/json")
    assert retry.status_code == 201, retry.content
    assert Registration.objects.get().number == retry.json()["registration_number"]


def test_a_key_held_by_a_killed_worker_is_taken_over_after_stale_claim(settings, clerk, time_machine):
    """A gunicorn worker SIGKILLed mid-request (bench/load) leaves its key "processing": a retry hears 409 with
    Retry-After until STALE_CLAIM, then registers once."""
    from django.utils import timezone

    from xinfang.api import idempotency

    data = json.dumps(body(), default=str)
    fp = idempotency._digest(b"POST", b"/api/registrations", data.encode())
    now = timezone.now()
    IdempotencyKey.objects.create(user=clerk, key=idempotency._digest(b"load-2"), fingerprint=fp,
                                  created_at=now, expires_at=now + idempotency.TTL)  # fmt: skip
    client = api_client(clerk, "load-2")
    held = client.post("/api/registrations", data, content_type="application/json")
    assert held.status_code == 409 and held.json()["code"] == "processing"
    time_machine.move_to(now + idempotency.STALE_CLAIM)
    retry = client.post("/api/registrations", data, content_type="application/json")
    assert retry.status_code == 201, retry.content
    assert Registration.objects.count() == 1


def test_a_registration_is_not_kept_when_its_answer_cannot_be_stored(
    settings, clerk, monkeypatch, time_machine
):
    """The database goes away after the registration and before its key's answer is stored (bench/load): both
    roll back, so the retry after STALE_CLAIM registers it once, not twice."""
    from django.utils import timezone

    from xinfang.api import idempotency

    settings.DEBUG = False
    client = api_client(clerk, "load-3")

    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    with monkeypatch.context() as patch:
        patch.setattr(idempotency, "_finish", lost)
        assert client.post("/api/registrations", body(), content_type="application/json").status_code == 503
    assert not Registration.objects.exists()
    time_machine.move_to(timezone.now() + idempotency.STALE_CLAIM)
    retry = client.post("/api/registrations", body(), content_type="application/json")
    assert retry.status_code == 201, retry.content
    assert Registration.objects.count() == 1


def test_the_task_worker_waits_for_a_database_that_restarts(transactional_db, monkeypatch):
    """`xinfang worker` no longer exits when PostgreSQL restarts (bench/load): the claim fails, it waits and
    claims again."""
    from xinfang.core.worker import QueueWorker

    worker = QueueWorker(once=True, interval=0, worker_id="load-test")
    calls = []

    def claim():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")
        return None, True

    monkeypatch.setattr(worker, "claim", claim)
    worker.run()
    assert len(calls) == 2
