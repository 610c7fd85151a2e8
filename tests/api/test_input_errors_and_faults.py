"""Issue 14 through the API: input errors are 422 (never 409 or 500), an unexpected error is a JSON 500 with a
request id, a refused handler says nothing about whether the username exists, and a registration is saved
with its audit row or not at all."""

import logging
from datetime import timedelta

import pytest

from tests import factories
from tests.api.test_intake import body
from xinfang.accounts.models import AuditEntry
from xinfang.api.schemas import MAX_OFFSET
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Matter, Registration

DEPT = "513223RSJ"


# --- a refused handler: the same answer whether or not the username exists ---------------------------------


def test_handler_refusal_does_not_tell_whether_the_username_exists(
    api_as, people, units, unit_officer, clerk
):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    inactive = factories.make_user("gone1", "unit_officer", unit=units["dept"], full_name="已调离")
    inactive.is_active = False
    inactive.save()
    api = api_as(unit_officer)
    answers = [api.act(matter, "handler", handler=name) for name in ("nobody", clerk.username, "gone1")]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["errors"] == {"handler": ["承办人须为本单位在岗的经办人员。"]}
    matter.refresh_from_db()
    assert matter.handler == unit_officer


def test_an_outsider_is_refused_before_the_name_is_looked_at(api_as, people, units, clerk):
    """The clerk sees the matter but may not name its handler: 403 whatever the name."""
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    api = api_as(clerk)
    answers = [api.act(matter, "handler", handler=name) for name in ("nobody", "unithead")]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()


# --- input errors are 422 ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 31, -1, 10**20])
def test_extension_request_days_outside_1_to_30_are_422(api_as, people, units, unit_officer, days):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    response = api_as(unit_officer).act(matter, "extension-requests", days=days, reason="情况复杂")
    assert response.status_code == 422 and "days" in response.json()["errors"]
    assert not matter.extension_requests.exists()


@pytest.mark.parametrize("days_from_today", [-1, 0])
def test_assign_with_a_due_date_not_after_today_is_422(api_as, people, units, clerk, days_from_today):
    matter = factories.register(clerk)
    due = services.today() + timedelta(days=days_from_today)
    response = api_as(clerk).act(matter, "assign", unit=DEPT, due=due.isoformat())
    assert response.status_code == 422
    assert response.json()["errors"] == {"due": ["交办期限须晚于今天。"]}
    matter.refresh_from_db()
    assert matter.state == workflow.REGISTERED


@pytest.mark.parametrize(
    "params, field",
    [
        ({"offset": "9223372036854775808"}, "offset"),
        ({"offset": str(MAX_OFFSET + 1)}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "99999999999999999999"}, "limit"),
    ],
)
def test_worklist_paging_out_of_range_is_422_json(api_as, clerk, params, field):
    response = api_as(clerk).get("/worklist", **params)
    assert response.status_code == 422 and response["Content-Type"] == "application/json; charset=utf-8"
    assert field in response.json()["errors"]


def test_worklist_largest_offset_is_an_empty_page(api_as, clerk):
    factories.register(clerk)
    out = api_as(clerk).get("/worklist", offset=str(MAX_OFFSET)).json()
    assert (out["count"], out["items"]) == (1, [])


# --- an unexpected error is JSON ------------------------------------------------------------------------


def test_an_unexpected_error_is_a_json_500_with_a_request_id(api_as, clerk, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("xinfang.api.routes.worklist.queries.worklist", broken)
    with caplog.at_level(logging.ERROR, logger="xinfang.api"):
        response = api_as(clerk).get("/worklist")
    assert response.status_code == 500 and response["Content-Type"] == "application/json; charset=utf-8"
    out = response.json()
    assert out["request_id"] and response["X-Request-ID"] == out["request_id"]
    assert out["detail"].startswith("服务器内部错误") and out["request_id"] in out["detail"]
    assert "database went away" not in response.content.decode()
    logged = [r for r in caplog.records if r.name == "xinfang.api"]
    assert out["request_id"] in logged[0].getMessage() and logged[0].exc_info is not None


# --- one request, one transaction ------------------------------------------------------------------------


def test_registration_and_its_audit_row_are_one_transaction(api_as, clerk, monkeypatch):
    def failing_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    api = api_as(clerk)
    monkeypatch.setattr("xinfang.api.routes.common.log_audit", failing_audit)
    failed = api.post("/registrations", body())
    assert failed.status_code == 500 and "request_id" in failed.json()
    assert not Matter.objects.exists() and not Registration.objects.exists()
    monkeypatch.undo()
    assert api.post("/registrations", body()).status_code == 201  # the retry saves it once
    assert Registration.objects.count() == 1
    assert AuditEntry.objects.filter(action="registration:create").count() == 1


# --- a NUL character: PostgreSQL cannot store or compare one, so it is refused the same way on both ------------


def test_a_nul_character_in_a_json_body_is_422_and_changes_nothing(api_as, people, units, unit_officer):
    """Found by the schemathesis run on PostgreSQL: a recusal naming a user "\\x00…" was a 500 there."""
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    version, registrations = Matter.objects.get(pk=matter.pk).version, Registration.objects.count()
    api = api_as(unit_officer)
    response = api.act(matter, "recusals", user="a\x00b", reason="回避")
    assert response.status_code == 422 and "空字符" in response.json()["detail"]
    response = api.post("/registrations", body(title="标题\x00"))
    assert response.status_code == 422 and "空字符" in response.json()["detail"]
    assert (
        Matter.objects.get(pk=matter.pk).version == version and Registration.objects.count() == registrations
    )


@pytest.mark.parametrize(
    "path, status",
    [("/api/matters/XF%00", 404), ("/api/worklist?q=%00", 422), ("/casework/matters/XF%00/", 400)],
)
def test_a_nul_character_in_the_address_is_refused(login, clerk, path, status):
    response = login(clerk).get(path)
    text = response.json()["detail"] if path.startswith("/api/") else response.content.decode()
    assert response.status_code == status and ("空字符" in text or "未找到" in text)
