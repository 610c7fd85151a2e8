import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from xinfang.accounts.models import ApiToken
from xinfang.accounts.services import create_api_token
from xinfang.petitions.models import Matter


def test_valid_token_authenticates_and_records_last_use(clerk):
    key = create_api_token(clerk, name="对接")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/worklist")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=clerk).last_used_at is not None


def test_missing_token_is_401_in_chinese(db):
    response = Client().get("/api/worklist")
    assert response.status_code == 401
    assert "未登录或令牌无效" in response.json()["detail"]


def test_inactive_token_is_401(clerk):
    key = create_api_token(clerk, name="对接")
    ApiToken.objects.filter(user=clerk).update(is_active=False)
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/worklist")
    assert response.status_code == 401
    assert ApiToken.objects.get(user=clerk).last_used_at is None


def test_token_of_inactive_user_is_401(clerk):
    key = create_api_token(clerk, name="对接")
    clerk.is_active = False
    clerk.save()
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/worklist").status_code == 401


def test_unknown_token_and_other_scheme_are_401(clerk):
    create_api_token(clerk, name="对接")
    assert Client(headers={"Authorization": "Bearer nope"}).get("/api/worklist").status_code == 401
    assert Client(headers={"Authorization": "Token abc"}).get("/api/worklist").status_code == 401


def test_anonymous_write_is_401_not_csrf_403(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/registrations", "{}", content_type="application/json"
    )
    assert response.status_code == 401


def _login(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _intake_body() -> str:
    data = factories.petition_input()
    body = {k: v for k, v in vars(data).items() if k != "petitioners"}
    body["petitioners"] = [vars(p) for p in data.petitioners]
    return json.dumps(body, default=str)


def test_session_read_works_without_csrf_token(clerk):
    assert _login(clerk).get("/api/worklist").status_code == 200


def test_session_write_needs_csrf_token(clerk):
    client = _login(clerk)
    response = client.post("/api/registrations", _intake_body(), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Matter.objects.count() == 0

    client.get("/accounts/login/")  # any page that renders the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/registrations", _intake_body(), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
    assert Matter.objects.count() == 1


def test_last_use_is_written_once_a_minute_not_at_every_call(clerk, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    key = create_api_token(clerk, name="对接")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    client.get("/api/worklist")
    first = ApiToken.objects.get(user=clerk).last_used_at
    time_machine.shift(30)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/worklist").status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "accounts_apitoken"')]
    assert ApiToken.objects.get(user=clerk).last_used_at == first
    time_machine.shift(31)
    client.get("/api/worklist")
    assert ApiToken.objects.get(user=clerk).last_used_at > first
