from datetime import timedelta

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
