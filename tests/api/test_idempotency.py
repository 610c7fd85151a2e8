"""Idempotency-Key on the API's state-changing calls (xinfang/api/idempotency.py, issue 14)."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.api.test_intake import body as registration
from xinfang.accounts.services import create_api_token
from xinfang.api.models import IdempotencyKey
from xinfang.petitions.models import Matter, Registration


def body(**overrides) -> str:
    return json.dumps(registration(**overrides), default=str)


def post(client, data: str, key: str | None = "k-1", path="/api/registrations"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, data, content_type="application/json", headers=headers)


@pytest.fixture
def clerk_client(clerk):
    return Client(headers={"Authorization": f"Bearer {create_api_token(clerk, name='测试')}"})


def test_a_retry_replays_the_first_answer_and_registers_once(clerk_client):
    data = body()
    first = post(clerk_client, data)
    assert first.status_code == 201, first.content
    again = post(clerk_client, data)
    assert again.status_code == 201
    assert again.json()["registration_number"] == first.json()["registration_number"]
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert again["Idempotency-Replayed"] == "true" and not first.has_header("Idempotency-Replayed")
    assert Registration.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert row.status == "completed" and row.response_status == 201
    assert row.key != "k-1" and first.json()["registration_number"] not in row.response  # digest, encrypted


def test_without_the_header_every_call_runs(clerk_client):
    data = body()
    assert post(clerk_client, data, key=None).status_code == 201
    assert post(clerk_client, data, key=None).status_code == 201
    assert Registration.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_is_422_and_runs_nothing(clerk_client):
    assert post(clerk_client, body()).status_code == 201
    other = post(clerk_client, body(title="另一件事"))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch" and "Idempotency-Key" in other.json()["detail"]
    assert Registration.objects.count() == 1


def test_the_same_key_on_another_path_is_422(clerk_client):
    assert post(clerk_client, body()).status_code == 201
    matter = Matter.objects.get()
    response = post(clerk_client, body(), path=f"/api/matters/{matter.number}/register")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_mismatch"


def test_keys_are_per_user(clerk_client, unit_officer):
    data = body()
    assert post(clerk_client, data).status_code == 201
    other = Client(headers={"Authorization": f"Bearer {create_api_token(unit_officer, name='测试')}"})
    response = post(other, data)
    assert response.status_code == 201 and not response.has_header("Idempotency-Replayed")
    assert Registration.objects.count() == 2


def test_an_error_answer_is_replayed_too(clerk_client):
    bad = body(petitioners=[vars(factories.petitioner_input(id_number="110105194912310021"))])
    first = post(clerk_client, bad)
    assert first.status_code == 422
    again = post(clerk_client, bad)
    assert (again.status_code, again.content) == (422, first.content)
    assert again["Idempotency-Replayed"] == "true"


def test_a_server_error_releases_the_key(clerk_client, monkeypatch):
    from xinfang.petitions import services

    def broken(*args, **kwargs):
        raise RuntimeError("数据库断开")

    data = body()
    with monkeypatch.context() as m:
        m.setattr(services, "register_petition", broken)
        assert post(clerk_client, data).status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert post(clerk_client, data).status_code == 201
    assert Registration.objects.count() == 1


def test_a_claim_in_progress_is_409_processing(clerk_client, clerk):
    from xinfang.api import idempotency

    data = body()
    now = timezone.now()
    IdempotencyKey.objects.create(
        user=clerk, key=idempotency._digest(b"k-1"), created_at=now, expires_at=now + idempotency.TTL,
        fingerprint=idempotency._digest(b"POST", b"/api/registrations", data.encode()),
    )  # fmt: skip
    response = post(clerk_client, data)
    assert response.status_code == 409
    assert response.json()["code"] == "processing" and "处理中" in response.json()["detail"]
    assert response["Retry-After"] == "1"
    assert Registration.objects.count() == 0


def test_bad_keys_and_anonymous_callers(clerk_client):
    assert post(clerk_client, body(), key="x" * 256).status_code == 422
    assert post(clerk_client, body(), key="带中文".encode().decode("latin-1")).status_code == 422
    assert post(Client(), body()).status_code == 401
    assert Registration.objects.count() == 0 and not IdempotencyKey.objects.exists()


def test_keys_expire_after_24_hours_and_are_purged(clerk_client, time_machine):
    data = body()
    assert post(clerk_client, data).status_code == 201
    time_machine.move_to(timezone.now() + timedelta(hours=23))
    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))
    assert IdempotencyKey.objects.count() == 1
    assert post(clerk_client, data).status_code == 201 and Registration.objects.count() == 1
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert post(clerk_client, data).status_code == 201  # the old answer is gone: it runs again
    assert Registration.objects.count() == 2
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))
    assert not IdempotencyKey.objects.exists()


def test_the_openapi_document_describes_the_header(db):
    schema = Client().get("/api/openapi.json").json()
    register = schema["paths"]["/api/registrations"]["post"]
    header = next(p for p in register["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header["required"] and "422" in header["description"]
    assert (
        "409" in register["responses"] and "Idempotency-Replayed" in register["responses"]["201"]["headers"]
    )
    worklist = schema["paths"]["/api/worklist"]["get"]
    assert all(p["name"] != "Idempotency-Key" for p in worklist["parameters"])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_register_once(clerk):
    """Two requests with one key at once, each on its own connection: exactly one runs."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: the SQLite test database is one in-memory database")
    key = create_api_token(clerk, name="测试")
    data, start, statuses = body(), threading.Barrier(2), []

    def submit():
        from django.db import connection as own

        try:
            c = Client(headers={"Authorization": f"Bearer {key}"})
            start.wait()
            response = post(c, data)
            statuses.append((response.status_code, response.json().get("registration_number")))
        finally:
            own.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Registration.objects.count() == 1
    number = Registration.objects.get().number
    assert sorted(s for s, _ in statuses) in ([201, 201], [201, 409])
    assert all(n == number for s, n in statuses if s == 201)
