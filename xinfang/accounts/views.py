from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse

from xinfang.accounts import roles as R
from xinfang.accounts.forms import LoginForm

# Roles that work from the casework worklist: whoever holds one lands there, whatever else they hold.
WORKLIST_ROLES = (R.CLERK, R.CASE_OFFICER, R.UNIT_OFFICER, R.UNIT_HEAD, R.SUPERVISOR)


def landing_url(user) -> str:
    """Where a user's own work is: 财务人员 → 部门决算, 领导 → 领导工作台, 审计管理员 → 审计日志, 系统管理员 →
    系统管理; anyone who handles matters (and anyone else) → 待办工作."""
    if user.has_role(*WORKLIST_ROLES):
        return reverse("casework:worklist")
    if user.has_role(R.LEADER):
        return reverse("programs:leader")
    if user.has_role(R.FINANCE):
        return reverse("finance:index")
    if user.has_role(R.AUDITOR):
        return reverse("casework:audit")
    if user.has_role(R.ADMIN) and user.is_staff:
        return reverse("admin:index")
    return reverse("casework:worklist")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm

    def get_default_redirect_url(self):
        """Without a `next` page, each role lands on its own work."""
        return landing_url(self.request.user)


def home(request):
    """The site root: the user's own work, or the login page."""
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return redirect(settings.LOGIN_URL)
