from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from xinfang.accounts.models import AuditEntry


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_for_five_minutes(client, clerk, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(5):
        response = _login(client, "clerk1", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    response = _login(client, "clerk1", factories.PASSWORD)
    assert "已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    time_machine.move_to(timezone.now() + timedelta(minutes=5, seconds=1), tick=False)
    response = _login(client, "clerk1", factories.PASSWORD)
    assert response.status_code == 302
    results = list(AuditEntry.objects.filter(action="login").order_by("id").values_list("result", flat=True))
    assert results == ["failure"] * 5 + ["denied", "success"]


def test_a_success_resets_the_count(client, clerk):
    for _ in range(4):
        _login(client, "clerk1", "wrong")
    assert _login(client, "clerk1", factories.PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "clerk1", "wrong")
    assert _login(client, "clerk1", factories.PASSWORD).status_code == 302


def test_audit_rows_carry_user_role_ip_and_cannot_be_changed(client, clerk):
    _login(client, "clerk1", factories.PASSWORD)
    entry = AuditEntry.objects.get(action="login", result="success")
    assert entry.user == clerk and entry.roles == "clerk" and entry.ip == "127.0.0.1"
    entry.result = "failure"
    try:
        entry.save()
        raise AssertionError("audit row was modified")
    except PermissionError:
        pass
    assert AuditEntry.objects.get(pk=entry.pk).result == "success"


# The lock keys on the name authentication looks up (NFKC, as Django's UsernameField normalises it), not on
# what was typed: full-width and mathematical-bold look-alikes of `clerk1` are the same account.
LOOK_ALIKES = ["ｃｌｅｒｋ1", "𝐜𝐥𝐞𝐫𝐤𝟏"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_look_alikes_of_a_locked_name_are_locked_too(client, clerk, look_alike):
    assert _login(client, look_alike, factories.PASSWORD).status_code == 302  # the same account
    client.logout()
    for _ in range(5):
        _login(client, "clerk1", "wrong-password")
    response = _login(client, look_alike, factories.PASSWORD)
    assert "已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    denied = AuditEntry.objects.get(action="login", result="denied")
    assert denied.username == "clerk1" and denied.detail["typed"] == look_alike


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_failures_under_look_alikes_lock_the_plain_name(client, clerk, look_alike):
    for _ in range(5):
        assert "用户名或密码错误" in _login(client, look_alike, "wrong-password").content.decode()
    response = _login(client, "clerk1", factories.PASSWORD)
    assert "已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_keys_on_the_normalised_name_too(client, admin_user):
    for _ in range(5):
        client.post("/admin/login/", {"username": "ａｄｍｉｎ1", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin1", "password": factories.PASSWORD})
    assert "已临时锁定" in response.content.decode()


def test_usernames_are_case_sensitive_so_the_lock_is_too(client, clerk):
    """The default backend looks names up exactly: `CLERK1` is not `clerk1`, and failing as it locks nobody."""
    assert _login(client, "CLERK1", factories.PASSWORD).status_code == 200
    for _ in range(5):
        _login(client, "CLERK1", "wrong")
    assert _login(client, "clerk1", factories.PASSWORD).status_code == 302


def test_an_address_that_fails_across_many_names_is_locked(client, clerk, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 8
    for i in range(8):
        _login(client, f"nobody{i}", "wrong")
    response = _login(client, "clerk1", factories.PASSWORD)
    assert "已临时锁定" in response.content.decode()
    other_address = client.post(
        "/accounts/login/", {"username": "clerk1", "password": factories.PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_address.status_code == 302
