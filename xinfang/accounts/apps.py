from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xinfang.accounts"
    label = "accounts"
    verbose_name = "账号与审计"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from xinfang.accounts import checks  # noqa: F401  (registers the system checks)
        from xinfang.accounts.login import on_logout
        from xinfang.accounts.totp import on_login

        user_logged_in.connect(on_login, dispatch_uid="xinfang_2fa_enrol")
        user_logged_out.connect(on_logout, dispatch_uid="xinfang_logout_audit")
