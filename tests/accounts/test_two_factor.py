"""Two-factor authentication (issue 14, 等保 8.1.4.1 d): TOTP per RFC 6238, enrolled with a manual key and one
code; required at login for the 系统管理员, 审计管理员 and 安全管理员, optional for others; the secret encrypted at
rest; a wrong code is a failed login the lockout counts; a code works once. The clock is moved with time-machine."""

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests import factories
from xinfang.accounts import totp
from xinfang.accounts.models import AuditEntry, TotpDevice, User

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    "unix, code",
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")],
)
def test_the_codes_are_rfc_6238s(unix, code):
    """RFC 6238 Appendix B, HMAC-SHA1 (8 digits there; 6 here are the same number's last six)."""
    at = datetime.fromtimestamp(unix, tz=UTC)
    assert totp.code_at(RFC_SECRET, at, digits=8) == code
    assert totp.code_at(RFC_SECRET, at) == code[-6:]


def login(client, username, otp=None, path="/accounts/login/"):
    data = {"username": username, "password": factories.PASSWORD}
    if otp is not None:
        data["otp"] = otp
    return client.post(path, data)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def test_enrolment_with_the_manual_key_and_one_code(client, clerk, frozen):
    client.force_login(clerk)
    page = client.get("/accounts/two-factor/").content.decode()
    assert "data-print" not in page  # the secret key is not offered for printing
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert "otpauth://totp/" in page and "可选" in page
    assert client.get("/accounts/two-factor/").content.decode().count(totp.grouped_key(key)) == 1  # same key
    wrong = client.post("/accounts/two-factor/", {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode() and not totp.enrolled(clerk)
    done = client.post("/accounts/two-factor/", {"code": totp.code_at(key)})
    assert done.status_code == 302 and totp.enrolled(clerk)
    assert "已启用动态验证码" in client.get("/accounts/two-factor/").content.decode()
    assert list(
        AuditEntry.objects.filter(action="2fa:enrol").order_by("id").values_list("result", flat=True)
    ) == [
        "failure",
        "success",
    ]
    # at rest the secret is ciphertext under the personal-data key, the model reads the key
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE user_id = %s", [clerk.pk])
        [(stored,)] = cursor.fetchall()
    assert key not in stored and "$" in stored
    assert TotpDevice.objects.get(user=clerk).secret == key


def test_once_enrolled_the_login_needs_the_current_code_and_each_code_works_once(client, clerk, frozen):
    secret = factories.enrol_totp(clerk)
    refused = login(client, "clerk1")
    assert refused.status_code == 200 and "动态验证码错误" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    code = totp.code_at(secret)
    assert login(client, "clerk1", code).status_code == 302
    client.logout()
    replay = login(client, "clerk1", code)  # the same code again, in the same 30 seconds
    assert replay.status_code == 200 and "_auth_user_id" not in client.session
    frozen.shift(timedelta(seconds=totp.STEP_SECONDS))
    assert login(client, "clerk1", totp.code_at(secret)).status_code == 302
    rows = AuditEntry.objects.filter(action="login").order_by("id").values_list("result", "detail")
    assert [(r, d.get("reason")) for r, d in rows] == [
        ("failure", "otp"),
        ("success", None),
        ("failure", "otp"),
        ("success", None),
    ]


def test_a_code_from_the_next_or_previous_step_is_accepted_two_steps_away_is_not(client, clerk, frozen):
    secret = factories.enrol_totp(clerk)
    now = timezone.now()
    assert login(client, "clerk1", totp.code_at(secret, now - timedelta(seconds=30))).status_code == 302
    client.logout()
    assert login(client, "clerk1", totp.code_at(secret, now + timedelta(seconds=30))).status_code == 302
    client.logout()
    assert login(client, "clerk1", totp.code_at(secret, now + timedelta(seconds=90))).status_code == 200


def test_wrong_codes_count_for_the_lockout(client, clerk, frozen):
    secret = factories.enrol_totp(clerk)
    for _ in range(5):
        assert "动态验证码错误" in login(client, "clerk1", "123456").content.decode()
    locked = login(client, "clerk1", totp.code_at(secret))
    assert "已临时锁定" in locked.content.decode() and "_auth_user_id" not in client.session
    frozen.shift(timedelta(minutes=5, seconds=1))
    assert login(client, "clerk1", totp.code_at(secret)).status_code == 302


def test_others_log_in_without_a_code_until_they_enrol(client, clerk):
    assert login(client, "clerk1").status_code == 302
    assert client.get("/casework/").status_code == 200


@pytest.mark.parametrize("role", ["admin", "auditor", "security_admin"])
def test_an_administrator_without_a_device_can_only_enrol(client, units, role, frozen):
    user = factories.make_user("guanli", role, unit=units["bureau"])
    User.objects.filter(pk=user.pk).update(is_staff=True)
    response = login(client, "guanli")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    for path in ("/", "/casework/", "/admin/", "/casework/audit/"):
        assert client.get(path)["Location"] == "/accounts/two-factor/", path
    api = client.get("/api/worklist")
    assert api.status_code == 403 and api.json()["code"] == "2fa_required"
    page = client.get("/accounts/two-factor/").content.decode()
    assert "完成绑定之前不能使用系统的其他功能" in page
    secret = TotpDevice.objects.get(user__username="guanli").secret
    assert client.post("/accounts/two-factor/", {"code": totp.code_at(secret)}).status_code == 302
    assert client.get("/casework/").get("Location") != "/accounts/two-factor/"  # free to work now
    client.logout()
    frozen.shift(timedelta(seconds=totp.STEP_SECONDS))
    assert login(client, "guanli").status_code == 200  # from now on the code is required
    assert login(client, "guanli", totp.code_at(secret)).status_code == 302


def test_the_admin_login_page_asks_for_the_code(client, admin_user, frozen):
    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    secret = factories.enrol_totp(admin_user)
    page = client.get("/admin/login/").content.decode()
    assert 'name="otp"' in page and "动态验证码" in page
    refused = login(client, "admin1", path="/admin/login/")
    assert refused.status_code == 200 and "动态验证码错误" in refused.content.decode()
    response = login(client, "admin1", totp.code_at(secret), path="/admin/login/")
    assert response.status_code == 302 and client.get("/admin/").status_code == 200


def test_a_security_administrator_removes_a_lost_device_and_the_owner_enrols_again(
    client, auditor, security_admin, admin_user, frozen
):
    lost = factories.enrol_totp(auditor)
    factories.enrol_totp(security_admin)
    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    device = TotpDevice.objects.get(user=auditor)
    client.force_login(admin_user)  # the 系统管理员 neither sees nor removes devices
    assert client.get("/admin/accounts/totpdevice/").status_code == 403
    assert client.post(f"/admin/accounts/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(security_admin)
    page = client.get("/admin/accounts/totpdevice/").content.decode()
    assert "audit1" in page or str(auditor) in page
    assert lost not in page and totp.grouped_key(lost) not in page  # the secret is never shown
    own = TotpDevice.objects.get(user=security_admin)
    assert client.post(f"/admin/accounts/totpdevice/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/accounts/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert (
        not TotpDevice.objects.filter(user=auditor).exists() and TotpDevice.objects.filter(pk=own.pk).exists()
    )
    [row] = AuditEntry.objects.filter(action="2fa:reset")
    assert row.username == "security1" and row.detail == {"target": "audit1"}
    client.logout()
    assert login(client, "audit1")["Location"] == "/accounts/two-factor/"  # held on enrolment again


def test_of_two_logins_with_one_code_exactly_one_passes(clerk, frozen):
    """Both read the device before either wrote (a race): the conditional update lets one through."""
    secret = factories.enrol_totp(clerk)
    first, second = TotpDevice.objects.get(user=clerk), TotpDevice.objects.get(user=clerk)
    code = totp.code_at(secret)
    assert [totp.verify(first, code), totp.verify(second, code)] == [True, False]
    earlier = totp.code_at(secret, timezone.now() - timedelta(seconds=30))
    assert not totp.verify(
        TotpDevice.objects.get(user=clerk), earlier
    )  # nothing older than the last code used


def test_a_superuser_needs_a_second_factor_too(client, units):
    User.objects.create_superuser("root", password=factories.PASSWORD)
    assert login(client, "root")["Location"] == "/accounts/two-factor/"
