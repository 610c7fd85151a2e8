from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from xinfang.accounts import totp
from xinfang.accounts.audit import client_ip, log_audit
from xinfang.accounts.login import LOGIN, locked_until, login_name

OTP_FIELD = forms.CharField(
    label=_lazy("动态验证码"),
    required=False,
    max_length=10,
    help_text=_lazy(
        "已启用动态验证码的账号填写验证器上的6位数字；系统管理员、审计管理员、安全管理员必须启用。"
    ),
    widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
)


class LockoutMixin:
    """Refuses a locked username or address before checking the password, and logs every attempt under the
    normalised name (the one authentication looks up; what was typed goes in the detail if it differs)."""

    def clean(self):
        typed = (self.data.get("username") or "").strip()
        username = login_name(typed)
        seen = {"typed": typed} if typed != username else {}
        until = locked_until(username, ip=client_ip(self.request))
        if until is not None:
            log_audit(
                action=LOGIN,
                username=username,
                request=self.request,
                result="denied",
                reason="locked",
                **seen,
            )
            minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
            raise forms.ValidationError(
                _("连续登录失败次数过多，账号已临时锁定，请约%(m)d分钟后再试。") % {"m": minutes},
                code="locked",
            )
        try:
            cleaned = super().clean()
            self.check_second_factor()
        except forms.ValidationError as error:
            why = {"reason": "otp"} if error.code == "otp" else {}
            log_audit(action=LOGIN, username=username, request=self.request, result="failure", **why, **seen)
            raise
        log_audit(action=LOGIN, user=self.get_user(), request=self.request, result="success")
        return cleaned

    def check_second_factor(self):
        """The password was right: an enrolled user also needs the current code (a wrong one is a failed login,
        counted by the lockout); an administrator without a device may only enrol (totp.MUST_ENROL)."""
        user = self.get_user()
        if user is None:  # a field was missing: the form has its error already
            return
        found = totp.device(user)
        if found is not None and not totp.verify(found, self.cleaned_data.get("otp", "")):
            raise forms.ValidationError(
                _("动态验证码错误或已使用过：请输入验证器上当前显示的6位数字。"), code="otp"
            )
        if found is None and totp.required(user):
            setattr(user, totp.MUST_ENROL, True)  # picked up once signed in (totp.on_login)


class LoginForm(LockoutMixin, AuthenticationForm):
    otp = OTP_FIELD

    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账号已停用。",
    }


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    otp = OTP_FIELD


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_lazy("验证器显示的6位数字"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
