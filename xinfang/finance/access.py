"""Who may read and who may change the final accounts."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from xinfang.accounts.roles import AUDITOR, FINANCE, LEADER


def can_read(user) -> bool:
    return user.is_authenticated and user.has_role(FINANCE, LEADER, AUDITOR)


def can_edit(user) -> bool:
    return user.is_authenticated and user.has_role(FINANCE)


def finance_view(*, edit: bool):
    """Login required; readers are finance officers, leaders and auditors; only finance officers write.
    A denial changes nothing and says why (403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if edit and not can_edit(request.user):
                message = _("只有财务人员可以修改部门决算数据或生成公开文件。")
            elif not can_read(request.user):
                message = _("只有财务人员、领导和审计管理员可以查看部门决算。")
            else:
                return view(request, *args, **kwargs)
            return render(request, "finance/forbidden.html", {"message": message}, status=403)

        return wrapper

    return decorator
