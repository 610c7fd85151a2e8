"""三权分立 through the admin pages (issue 14): a guarded role (审计管理员, 安全管理员, a role that sees personal data
in full) is granted only when a 系统管理员 asks and a different 安全管理员 approves; never for oneself; the three
administrators are three people; every step is an audit row. The admin's account changes — creation,
deactivation, a password set for someone else — and every logout are audit rows too."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests import factories
from xinfang.accounts import roles as R
from xinfang.accounts.models import AuditEntry, RoleGrantRequest, User

ADD = "/admin/accounts/rolegrantrequest/add/"
LIST = "/admin/accounts/rolegrantrequest/"


@pytest.fixture
def admin_client(client, admin_user):
    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    client.force_login(admin_user)
    return client


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def security_client(security_admin):
    return signed_in(security_admin)


def roles_of(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def audit(action):
    return list(
        AuditEntry.objects.filter(action=action).order_by("id").values("username", "result", "detail")
    )


def ask(client, user, role, reason="新任审计管理员"):
    return client.post(ADD, {"user": user.pk, "role": role, "reason": reason})


def decide(client, grant, action="approve"):
    return client.post(LIST, {"action": action, "_selected_action": [grant.pk], "index": 0})


def test_the_administrator_asks_and_a_security_administrator_approves(admin_client, security_client, leader):
    response = ask(admin_client, leader, R.AUDITOR)
    assert response.status_code == 302, response.content.decode()
    grant = RoleGrantRequest.objects.get()
    assert grant.state == "pending" and grant.requested_by.username == "admin1"
    assert roles_of(leader) == {R.LEADER}  # nothing changes before the approval
    assert audit("role:request") == [
        {"username": "admin1", "result": "success",
         "detail": {"target": leader.username, "new_roles": [R.AUDITOR], "reason": "新任审计管理员"}}
    ]  # fmt: skip
    page = security_client.get(LIST).content.decode()
    assert "批准所选申请" in page and "待审批" in page
    assert decide(security_client, grant).status_code == 302
    grant.refresh_from_db()
    assert grant.state == "approved" and grant.decided_by.username == "security1"
    assert roles_of(leader) == {R.LEADER, R.AUDITOR}
    [change] = audit("role:change")
    assert change["username"] == "security1" and change["detail"]["new_roles"] == [R.AUDITOR, R.LEADER]
    assert [a["result"] for a in audit("role:approve")] == ["success"]


def test_a_security_administrator_refuses(admin_client, security_client, case_officer):
    ask(admin_client, case_officer, R.CLERK, reason="兼任登记")
    grant = RoleGrantRequest.objects.get()
    decide(security_client, grant, "refuse")
    grant.refresh_from_db()
    assert grant.state == "refused" and roles_of(case_officer) == {R.CASE_OFFICER}
    assert [a["result"] for a in audit("role:refuse")] == ["success"] and audit("role:change") == []


def test_the_administrator_cannot_ask_for_itself(admin_client, admin_user):
    response = ask(admin_client, admin_user, R.CASE_OFFICER)
    assert response.status_code == 200
    assert "不能为自己申请角色" in response.content.decode()
    assert not RoleGrantRequest.objects.exists()


def test_the_administrator_cannot_ask_for_a_second_administrator_role(admin_client, auditor):
    response = ask(admin_client, auditor, R.SECURITY_ADMIN)
    assert "须由不同人员担任" in response.content.decode()
    assert not RoleGrantRequest.objects.exists()


def test_the_administrator_cannot_approve(admin_client, leader):
    ask(admin_client, leader, R.AUDITOR)
    grant = RoleGrantRequest.objects.get()
    page = admin_client.get(LIST).content.decode()
    assert "批准所选申请" not in page
    decide(admin_client, grant)
    grant.refresh_from_db()
    assert grant.state == "pending" and roles_of(leader) == {R.LEADER}
    assert admin_client.get(f"{LIST}{grant.pk}/change/").status_code == 200  # view only
    assert admin_client.post(f"{LIST}{grant.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_security_administrator_cannot_ask_nor_approve_its_own_grant(
    admin_client, security_client, security_admin, units
):
    assert security_client.get(ADD).status_code == 403
    ask(admin_client, security_admin, R.CLERK, reason="兼任登记")
    grant = RoleGrantRequest.objects.get()
    page = security_client.post(LIST, {"action": "approve", "_selected_action": [grant.pk]}, follow=True)
    assert "不能审批授予自己的角色" in page.content.decode()
    grant.refresh_from_db()
    assert grant.state == "pending" and roles_of(security_admin) == {R.SECURITY_ADMIN}
    assert [a["result"] for a in audit("role:approve")] == ["denied"]
    other = factories.make_user("security2", R.SECURITY_ADMIN, unit=units["bureau"])
    User.objects.filter(pk=other.pk).update(is_staff=True)
    decide(signed_in(other), grant)
    grant.refresh_from_db()
    assert grant.state == "approved" and roles_of(security_admin) == {R.SECURITY_ADMIN, R.CLERK}


def test_the_user_form_points_to_the_request(admin_client, leader):
    data = {
        "username": leader.username, "full_name": leader.full_name, "unit": leader.unit_id, "is_active": "on",
        "groups": [g.pk for g in Group.objects.filter(name__in=[R.LEADER, R.SECURITY_ADMIN])],
    }  # fmt: skip
    page = admin_client.post(f"/admin/accounts/user/{leader.pk}/change/", data).content.decode()
    assert "系统管理员不能授予" in page and "角色授予申请" in page and "安全管理员" in page
    assert roles_of(leader) == {R.LEADER}


# --- the administrator's account changes and every logout are audited ------------------------------------


def test_creating_an_account_is_audited(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "xinren",
            "password1": "Anquan#2026x",
            "password2": "Anquan#2026x",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="xinren")
    [row] = AuditEntry.objects.filter(action="user:create")
    assert row.username == "admin1" and row.object_id == str(user.pk) and row.detail == {"target": "xinren"}


def test_deactivating_and_reactivating_are_audited(admin_client, leader):
    data = {"username": leader.username, "full_name": leader.full_name, "unit": leader.unit_id,
            "groups": [Group.objects.get(name=R.LEADER).pk]}  # fmt: skip
    url = f"/admin/accounts/user/{leader.pk}/change/"
    assert admin_client.post(url, data).status_code == 302
    assert not User.objects.get(pk=leader.pk).is_active
    assert admin_client.post(url, {**data, "is_active": "on"}).status_code == 302
    assert admin_client.post(url, {**data, "is_active": "on", "full_name": "新名字"}).status_code == 302
    actions = list(
        AuditEntry.objects.filter(action__startswith="user:")
        .order_by("id")
        .values_list("action", "object_id")
    )
    assert actions == [("user:deactivate", str(leader.pk)), ("user:activate", str(leader.pk))]


def test_setting_someone_elses_password_is_audited(admin_client, auditor):
    url = f"/admin/accounts/user/{auditor.pk}/password/"
    bad = admin_client.post(url, {"password1": "short", "password2": "short", "usable_password": "true"})
    assert bad.status_code == 200 and not AuditEntry.objects.filter(action="user:set_password").exists()
    good = admin_client.post(
        url, {"password1": "Anquan#2026x", "password2": "Anquan#2026x", "usable_password": "true"}
    )
    assert good.status_code == 302
    [row] = AuditEntry.objects.filter(action="user:set_password")
    assert row.username == "admin1" and row.detail == {"target": auditor.username}


@pytest.mark.parametrize("path", ["/accounts/logout/", "/admin/logout/"])
def test_every_logout_is_audited(client, admin_user, path):
    User.objects.filter(pk=admin_user.pk).update(is_staff=True)  # the admin site's logout is for staff
    client.force_login(admin_user)
    assert client.post(path).status_code in (200, 302)
    [row] = AuditEntry.objects.filter(action="logout")
    assert row.user == admin_user and row.ip == "127.0.0.1"
    client.post(path)  # already signed out: nobody to record
    assert AuditEntry.objects.filter(action="logout").count() == 1


def test_the_first_security_administrator_is_appointed_on_the_server_once(leader, admin_user):
    out = StringIO()
    call_command("appoint_security_admin", "leader1", stdout=out)
    assert "已指定 leader1 为安全管理员" in out.getvalue()
    leader = User.objects.get(pk=leader.pk)
    assert leader.has_role(R.SECURITY_ADMIN) and leader.is_staff
    [row] = audit("role:change")
    assert row["username"] == "" and row["detail"]["reason"] == "appoint_security_admin"
    with pytest.raises(CommandError, match="已有在用的安全管理员"):
        call_command("appoint_security_admin", "admin1", stdout=StringIO())
    assert roles_of(admin_user) == {R.ADMIN}


def test_a_superuser_asks_like_the_administrator_and_is_never_also_the_security_administrator(leader):
    root = User.objects.create_superuser("root", password=factories.PASSWORD)
    with pytest.raises(CommandError, match="须由不同人员担任"):
        call_command("appoint_security_admin", "root", stdout=StringIO())
    page = signed_in(root).post(ADD, {"user": leader.pk, "role": R.AUDITOR, "reason": "新任审计管理员"})
    assert page.status_code == 302 and RoleGrantRequest.objects.get().requested_by == root
