from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from xinfang.accounts import roles as R
from xinfang.accounts import totp
from xinfang.accounts.audit import log_audit
from xinfang.accounts.forms import EnrolForm, LoginForm

# Roles that work from the casework worklist: whoever holds one lands there, whatever else they hold.
WORKLIST_ROLES = (R.CLERK, R.CASE_OFFICER, R.UNIT_OFFICER, R.UNIT_HEAD, R.SUPERVISOR)


def landing_url(user) -> str:
    """Where a user's own work is: 财务人员 → 部门决算, 领导 → 领导工作台, 审计管理员 → 审计日志, 系统管理员 →
    系统管理, 安全管理员 → 系统管理 (角色授予申请); anyone who handles matters (and anyone else) → 待办工作."""
    if user.has_role(*WORKLIST_ROLES):
        return reverse("casework:worklist")
    if user.has_role(R.LEADER):
        return reverse("programs:leader")
    if user.has_role(R.FINANCE):
        return reverse("finance:index")
    if user.has_role(R.AUDITOR):
        return reverse("casework:audit")
    if user.has_role(R.ADMIN, R.SECURITY_ADMIN) and user.is_staff:
        return reverse("admin:index")
    return reverse("casework:worklist")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm

    def get_success_url(self):
        """An administrator without a second factor goes to enrol it first (the only page it may use)."""
        if self.request.session.get(totp.SESSION_FLAG):
            return reverse("two_factor")
        return super().get_success_url()

    def get_default_redirect_url(self):
        """Without a `next` page, each role lands on its own work."""
        return landing_url(self.request.user)


def home(request):
    """The site root: the user's own work, or the login page."""
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return redirect(settings.LOGIN_URL)


@login_required
def two_factor(request):
    """动态验证码: enrol a device (the key to type into an authenticator app, then one code from it), or see that
    it is on. Administrators are sent here after their first password login until they have enrolled."""
    user = request.user
    if totp.enrolled(user):
        return render(
            request, "registration/two_factor.html", {"enrolled": True, "required": totp.required(user)}
        )
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.confirm(user, form.cleaned_data["code"]):
            log_audit(action=totp.ENROL, request=request, obj=user)
            request.session.pop(totp.SESSION_FLAG, None)
            messages.success(request, "动态验证码已启用：以后登录时须同时输入验证器上的6位数字。")
            return redirect(landing_url(user))
        log_audit(action=totp.ENROL, request=request, obj=user, result="failure")
        form.add_error(
            "code", "验证码不正确：请确认验证器中的密钥与本页一致、手机时间准确，再输入当前显示的6位数字。"
        )
    secret = totp.pending_secret(user)
    return render(
        request,
        "registration/two_factor.html",
        {
            "form": form,
            "key": totp.grouped_key(secret),
            "uri": totp.provisioning_uri(user, secret),
            "required": totp.required(user),
            "must_enrol": bool(request.session.get(totp.SESSION_FLAG)),
        },
    )
