"""Each role lands on its own work; the 通知 badge counts unread notifications; the worklist sorts by whitelisted
columns, pages by 50 and exports what the user may see, with the page's filters, to .xlsx."""

import io

import openpyxl
import pytest

from tests import factories
from xinfang.accounts import totp
from xinfang.accounts.models import AuditEntry
from xinfang.casework import views
from xinfang.petitions import workflow
from xinfang.petitions.models import Notification


def log_in(client, user, **extra):
    if totp.required(user):  # the administrators sign in with their second factor (issue 14)
        extra.setdefault("otp", totp.code_at(factories.enrol_totp(user)))
    return client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD, **extra}
    )


@pytest.mark.parametrize(
    "roles, landing",
    [
        (("finance",), "/finance/"),
        (("leader",), "/casework/programs/leader/"),
        (("auditor",), "/casework/audit/"),
        (("clerk",), "/casework/"),
        (("unit_officer",), "/casework/"),
        (("clerk", "finance"), "/casework/"),  # whoever handles matters starts from the worklist
    ],
)
def test_login_lands_on_the_roles_own_work(client, units, roles, landing):
    user = factories.make_user("someone", *roles, unit=units["bureau"])
    response = log_in(client, user)
    assert response.status_code == 302 and response["Location"] == landing
    assert client.get("/")["Location"] == landing  # the site root too


def test_administrator_lands_on_the_admin(client, units):
    admin = factories.make_user("admin9", "admin", unit=units["bureau"])
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    assert log_in(client, admin)["Location"] == "/admin/"


def test_next_page_wins_over_the_landing(client, leader):
    assert log_in(client, leader, next="/casework/supervision/")["Location"] == "/casework/supervision/"


def test_root_sends_an_anonymous_visitor_to_login(client, db):
    assert client.get("/")["Location"] == "/accounts/login/"


def test_unread_notifications_badge(login, clerk):
    html = login(clerk).get("/casework/").content.decode()
    assert 'id="unread-count"' not in html
    for i in range(2):
        Notification.objects.create(user=clerk, text=f"通知{i}", dedupe_key=f"k{i}")
    html = login(clerk).get("/casework/").content.decode()
    assert '<span class="badge overdue" id="unread-count">2 条未读</span>' in html
    Notification.objects.filter(dedupe_key="k0").update(read_at="2026-01-01T00:00:00Z")
    assert "1 条未读" in login(clerk).get("/casework/").content.decode()


def numbers_in(html: str, matters) -> list[str]:
    body = html[html.index("<tbody>") :]
    return sorted((m.number for m in matters), key=body.index)


def test_worklist_sorts_by_whitelisted_columns(login, clerk):
    first = factories.register(clerk, title="甲问题")
    second = factories.register(clerk, title="乙问题")
    client = login(clerk)
    assert numbers_in(client.get("/casework/", {"sort": "number"}).content.decode(), [first, second]) == [
        first.number, second.number]  # fmt: skip
    html = client.get("/casework/", {"sort": "-number"}).content.decode()
    assert numbers_in(html, [first, second]) == [second.number, first.number]
    assert 'aria-sort="descending"' in html and "sort=number" in html  # the header link sorts the other way
    # anything else is the default order, never an order_by on a field a user names
    response = client.get("/casework/", {"sort": "petitioners__id_number"})
    assert response.status_code == 200 and 'aria-sort="ascending"' in response.content.decode()


def test_worklist_is_paginated(login, clerk, monkeypatch):
    assert views.PAGE_SIZE == 50
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    matters = [factories.register(clerk, title=f"问题{i}") for i in range(3)]
    client = login(clerk)
    page1 = client.get("/casework/", {"sort": "number"}).content.decode()
    page2 = client.get("/casework/", {"sort": "number", "page": 2}).content.decode()
    assert matters[0].number in page1 and matters[2].number not in page1
    assert matters[2].number in page2 and "第 2 / 2 页" in page2 and "sort=number&amp;page=1" in page2


def export(client, **params):
    response = client.get("/casework/export.xlsx", params)
    assert response.status_code == 200 and "filename*=utf-8''" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [r for r in ws.iter_rows(values_only=True)]


def test_worklist_export_respects_filters_and_access(
    login, clerk, in_state, other_unit_officer, unit_officer
):
    registered = factories.register(clerk, title="拖欠工资问题")
    forwarded = in_state(workflow.FORWARDED, title="道路维修问题")
    rows = export(login(clerk), filtered="1", q="道路")
    assert rows[1][0] == "筛选条件：关键词：道路"
    numbers = [r[0] for r in rows[5:]]
    assert numbers == [forwarded.number]
    assert rows[5][6] == workflow.STATES[workflow.FORWARDED]
    entry = AuditEntry.objects.get(action="worklist:export")
    assert entry.user == clerk and entry.detail["count"] == 1
    # a unit officer exports only the matters of the unit
    assert [r[0] for r in export(login(unit_officer), filtered="1")[5:]] == [forwarded.number]
    assert registered.number not in [r[0] for r in export(login(other_unit_officer), filtered="1")[5:]]
    assert forwarded.number not in [r[0] for r in export(login(other_unit_officer), filtered="1")[5:]]
