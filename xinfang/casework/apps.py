from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "xinfang.casework"
    label = "casework"
