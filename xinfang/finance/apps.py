from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "xinfang.finance"
    label = "finance"
