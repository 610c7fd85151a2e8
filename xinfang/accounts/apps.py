from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xinfang.accounts"
    label = "accounts"
    verbose_name = "账号与审计"

    def ready(self):
        from xinfang.accounts import checks  # noqa: F401  (registers the system checks)
