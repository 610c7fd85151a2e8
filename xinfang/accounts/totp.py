"""Two-factor authentication for staff (等保 2.0 第三级 8.1.4.1 d: 两种或两种以上组合的鉴别技术，其中一种使用密码技术):
time-based one-time passwords, RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits) with the standard library only —
any authenticator app (or a hardware token) that takes a manual key works.

* Required for the three administrators (roles.ADMINISTRATORS: 系统管理员, 审计管理员, 安全管理员), optional for
  everyone else. Once a user has confirmed a device, every password login (the staff login page and the admin's)
  needs its current code; a wrong or missing code is a failed login like a wrong password, so the lockout
  (accounts/login.py) counts it.
* An administrator who has not enrolled yet can sign in with the password, but the session can do nothing but
  enrol (`TwoFactorEnrolmentMiddleware`) until a code from the new device has been confirmed.
* The secret is stored encrypted (core.fieldcrypt, the personal-data keys); a code is accepted once
  (`TotpDevice.last_step`) and within one step either side of the server's clock (phones drift)."""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.accounts.models import TotpDevice

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a code of the previous or the next step is accepted too
ISSUER = "信访业务与绩效管理系统"
ENROL = "2fa:enrol"
RESET = "2fa:reset"  # a 安全管理员 removes a lost device (accounts/admin.py TotpDeviceAdmin)


def new_secret() -> str:
    """160 random bits in Base32 (RFC 4226 recommends 160), what an authenticator app takes as the key."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def hotp(secret: str, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 §5.3: HMAC-SHA1 of the counter, dynamically truncated."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def step_at(when=None) -> int:
    return int((when or timezone.now()).timestamp()) // STEP_SECONDS


def code_at(secret: str, when=None, digits: int = DIGITS) -> str:
    """The code an authenticator shows at `when` (now by default)."""
    return hotp(secret, step_at(when), digits)


def grouped_key(secret: str) -> str:
    """The key in groups of four, as it is typed into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user, secret: str) -> str:
    """The otpauth:// address (the content a QR code would carry), for apps that take a link."""
    label = quote(f"{ISSUER}:{user.username}")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&digits={DIGITS}&period={STEP_SECONDS}"
    )


def required(user) -> bool:
    """The administrators must use a second factor, and so must a superuser (`createsuperuser`)."""
    return user.is_superuser or user.has_role(*R.ADMINISTRATORS)


def device(user) -> TotpDevice | None:
    """The user's confirmed device, or None."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def enrolled(user) -> bool:
    return device(user) is not None


def pending_secret(user) -> str:
    """The secret being enrolled: kept (unconfirmed) until a code from it is confirmed, so reloading the page
    shows the same key. A confirmed device is never replaced here."""
    found, _ = TotpDevice.objects.get_or_create(user=user, defaults={"secret": new_secret()})
    return found.secret


def verify(device: TotpDevice, code: str) -> bool:
    """Whether `code` is the device's current code (± DRIFT_STEPS) and not used before. The accepted step is
    recorded by a conditional update (only if it is later than the last one used), so of two logins with one code
    — or with an older code after a newer one — exactly one succeeds, on either database."""
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == DIGITS):
        return False
    now = step_at()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(device.secret, step), code):
            taken = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
            if taken:
                device.last_step = step
            return bool(taken)
    return False


def confirm(user, code: str) -> bool:
    """Enrolment: the first code from the new device turns it on."""
    found = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if found is None or not verify(found, code):
        return False
    TotpDevice.objects.filter(pk=found.pk).update(confirmed_at=timezone.now())
    return True


# An administrator who signed in with the password but has no device yet: the login form marks the user object,
# the user_logged_in receiver turns the mark into a session flag, and the middleware then lets the session do
# nothing but enrol. (Only the password forms set the mark: a session made another way — tests' force_login —
# carries no flag.)
MUST_ENROL = "_xinfang_must_enrol_2fa"
SESSION_FLAG = "xinfang_2fa_enrol"


def on_login(sender, request, user, **kwargs):
    if getattr(user, MUST_ENROL, False) and request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = True


class TwoFactorEnrolmentMiddleware:
    """While the session carries SESSION_FLAG, every page but enrolment and logout redirects to enrolment; the
    API (session calls) answers 403 in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_FLAG):
            return self.get_response(request)
        allowed = (reverse("two_factor"), reverse("logout"), "/static/")
        if request.path.startswith(allowed):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "须先启用动态验证码（双因素认证）。", "code": "2fa_required"}, status=403
            )
        return redirect("two_factor")
