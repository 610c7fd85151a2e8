"""xinfang appoint_security_admin USERNAME — the first 安全管理员 of an installation, from the server (like
`createsuperuser` for the first 系统管理员). Only while no active account holds the role: after that, the role
is granted like every guarded role, by a 系统管理员's request that a 安全管理员 approves (docs/security.md)."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts import roles as R
from xinfang.accounts import services
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import User


class Command(BaseCommand):
    help = (
        "在服务器上指定本系统的第一名安全管理员（已有在用的安全管理员时拒绝：此后须经“角色授予申请”审批）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="已建立的账号的用户名")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在或已停用。")
        if User.objects.filter(groups__name=R.SECURITY_ADMIN, is_active=True).exists():
            raise CommandError("已有在用的安全管理员：请由系统管理员提交“角色授予申请”，由安全管理员审批。")
        refusal = services.administrators_refusal(
            user.role_codes | services.acting_as_admin(user) | {R.SECURITY_ADMIN}
        )
        if refusal:
            raise CommandError(refusal)
        old = sorted(user.role_codes)
        services.grant_roles(user, R.SECURITY_ADMIN)
        User.objects.filter(pk=user.pk).update(is_staff=True)
        log_audit(
            action=services.ROLE_CHANGE, obj=user, target=username, old_roles=old,
            new_roles=sorted({*old, R.SECURITY_ADMIN}), reason="appoint_security_admin",
        )  # fmt: skip
        self.stdout.write(f"已指定 {username} 为安全管理员；其首次登录须绑定动态验证码。")
