from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.audit import client_ip, log_audit
from xinfang.accounts.login import LOGIN, locked_until, login_name


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
        except forms.ValidationError:
            log_audit(action=LOGIN, username=username, request=self.request, result="failure", **seen)
            raise
        log_audit(action=LOGIN, user=self.get_user(), request=self.request, result="success")
        return cleaned


class LoginForm(LockoutMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账号已停用。",
    }


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    pass
