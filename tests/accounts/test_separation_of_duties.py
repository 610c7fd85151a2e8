"""三权分立 (等保 安全管理中心): nobody changes their own roles; the 系统管理员 cannot grant 审计管理员 or a role that
sees personal data in full; every role change, and every refusal, is in the audit log. Through the admin pages
as the administrator uses them, and through the service."""

import pytest
from django.contrib.auth.models import Group, Permission

from xinfang.accounts import roles as R
from xinfang.accounts.models import AuditEntry, User
from xinfang.accounts.services import RoleChangeRefused, change_roles, grant_roles


@pytest.fixture
def admin_client(client, admin_user):
    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    client.force_login(admin_user)
    return client


def post_user(client, user, *roles, **extra):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "unit": user.unit_id or "",
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in Group.objects.filter(name__in=roles)],
        **extra,
    }
    return client.post(f"/admin/accounts/user/{user.pk}/change/", data)


def roles_of(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def role_changes():
    return list(
        AuditEntry.objects.filter(action="role:change")
        .order_by("id")
        .values("username", "object_id", "result", "detail")
    )


@pytest.mark.parametrize("role", [R.AUDITOR, R.CASE_OFFICER, R.CLERK, R.LEADER])
def test_the_administrator_cannot_change_its_own_roles(admin_client, admin_user, role):
    response = post_user(admin_client, admin_user, R.ADMIN, role)
    assert response.status_code == 200
    assert "不能修改自己的角色" in response.content.decode()
    assert roles_of(admin_user) == {R.ADMIN}
    [entry] = role_changes()
    assert entry["result"] == "denied" and entry["username"] == "admin1"
    assert entry["detail"]["old_roles"] == [R.ADMIN]
    assert entry["detail"]["new_roles"] == sorted([R.ADMIN, role])


def test_so_it_still_cannot_read_the_audit_log_or_full_id_numbers(admin_client, admin_user):
    post_user(admin_client, admin_user, R.ADMIN, R.AUDITOR, R.CASE_OFFICER)
    admin_user = User.objects.get(pk=admin_user.pk)
    assert not admin_user.has_role(R.AUDITOR, R.CASE_OFFICER)
    assert not admin_user.has_perm("petitions.view_full_personal_data")


def test_editing_ones_own_details_without_touching_roles_is_allowed(admin_client, admin_user):
    response = post_user(admin_client, admin_user, R.ADMIN, full_name="管理员甲")
    assert response.status_code == 302
    assert User.objects.get(pk=admin_user.pk).full_name == "管理员甲"
    assert role_changes() == []


def test_superuser_status_and_permissions_are_not_on_the_form(admin_client, admin_user):
    perm = Permission.objects.get(codename="view_full_personal_data")
    response = post_user(
        admin_client, admin_user, R.ADMIN, is_superuser="on", is_staff="on", user_permissions=[perm.pk]
    )
    assert response.status_code == 302
    admin_user = User.objects.get(pk=admin_user.pk)
    assert not admin_user.is_superuser
    assert not admin_user.user_permissions.exists()
    assert not admin_user.has_perm("petitions.view_full_personal_data")


@pytest.mark.parametrize("role", [R.AUDITOR, R.CASE_OFFICER, R.CLERK])
def test_the_administrator_cannot_grant_audit_or_full_view_roles(admin_client, leader, role):
    response = post_user(admin_client, leader, R.LEADER, role)
    assert response.status_code == 200
    page = response.content.decode()
    assert "系统管理员不能授予" in page and str(R.ROLE_LABELS[role]) in page
    assert roles_of(leader) == {R.LEADER}
    [entry] = role_changes()
    assert entry["result"] == "denied" and entry["object_id"] == str(leader.pk)


def test_the_administrator_grants_and_removes_other_roles_and_each_change_is_audited(
    admin_client, unit_officer
):
    assert post_user(admin_client, unit_officer, R.UNIT_OFFICER, R.UNIT_HEAD).status_code == 302
    assert roles_of(unit_officer) == {R.UNIT_OFFICER, R.UNIT_HEAD}
    assert post_user(admin_client, unit_officer, R.UNIT_HEAD).status_code == 302
    assert roles_of(unit_officer) == {R.UNIT_HEAD}
    changes = role_changes()
    assert [(c["username"], c["object_id"], c["result"]) for c in changes] == [
        ("admin1", str(unit_officer.pk), "success")
    ] * 2
    assert [(c["detail"]["old_roles"], c["detail"]["new_roles"]) for c in changes] == [
        ([R.UNIT_OFFICER], [R.UNIT_HEAD, R.UNIT_OFFICER]),
        ([R.UNIT_HEAD, R.UNIT_OFFICER], [R.UNIT_HEAD]),
    ]
    assert (
        AuditEntry.objects.get(action="role:change", id=AuditEntry.objects.latest("id").id).ip == "127.0.0.1"
    )


def test_the_administrator_may_take_a_guarded_role_away(admin_client, case_officer):
    assert post_user(admin_client, case_officer, R.LEADER).status_code == 302
    assert roles_of(case_officer) == {R.LEADER}
    assert role_changes()[0]["result"] == "success"


def test_roles_themselves_cannot_be_changed_in_the_admin(admin_client):
    group = Group.objects.get(name=R.ADMIN)
    before = set(group.permissions.all())
    perm = Permission.objects.get(codename="view_full_personal_data")
    response = admin_client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": R.ADMIN, "permissions": [p.pk for p in before] + [perm.pk]},
    )
    assert response.status_code == 403
    assert set(group.permissions.all()) == before
    assert admin_client.post("/admin/auth/group/add/", {"name": "x"}).status_code == 403
    assert admin_client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200  # view only


def test_the_service_refuses_ones_own_roles_whoever_asks(auditor):
    with pytest.raises(RoleChangeRefused, match="不能修改自己的角色"):
        change_roles(auditor, roles=[R.AUDITOR, R.LEADER], by=auditor)
    with pytest.raises(RoleChangeRefused):
        grant_roles(auditor, R.CASE_OFFICER, by=auditor)
    assert roles_of(auditor) == {R.AUDITOR}
    assert [c["result"] for c in role_changes()] == ["denied", "denied"]


def test_the_service_refuses_the_administrator_a_guarded_grant(admin_user, leader):
    with pytest.raises(RoleChangeRefused, match="审计管理员"):
        grant_roles(leader, R.AUDITOR, by=admin_user)
    assert roles_of(leader) == {R.LEADER}


def test_only_a_security_administrator_grants_a_guarded_role(auditor, security_admin, leader):
    """The service grants a guarded role only for a 安全管理员 (who does so by approving a request of a 系统管理员:
    test_grant_requests.py); nobody else, the auditor included."""
    with pytest.raises(RoleChangeRefused, match="只能经安全管理员审批授予"):
        grant_roles(leader, R.CASE_OFFICER, by=auditor)
    grant_roles(leader, R.CASE_OFFICER, by=security_admin)
    assert roles_of(leader) == {R.LEADER, R.CASE_OFFICER}
    denied, granted = role_changes()
    assert denied["result"] == "denied" and denied["username"] == "audit1"
    assert granted["result"] == "success" and granted["username"] == "security1"
    assert granted["detail"]["new_roles"] == [R.CASE_OFFICER, R.LEADER]


@pytest.mark.parametrize("second", [R.AUDITOR, R.SECURITY_ADMIN])
def test_the_three_administrators_are_three_people(security_admin, admin_user, second):
    with pytest.raises(RoleChangeRefused, match="须由不同人员担任"):
        change_roles(admin_user, roles=[R.ADMIN, second], by=security_admin)
    assert roles_of(admin_user) == {R.ADMIN}
