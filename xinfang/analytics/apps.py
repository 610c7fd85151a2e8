from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _refresh(sender, instance, **kwargs):
    from xinfang.analytics import tallies

    tallies.refresh(instance.pk if sender.__name__ == "Matter" else instance.matter_id)


class AnalyticsConfig(AppConfig):
    name = "xinfang.analytics"
    label = "analytics"

    def ready(self):
        """Keep the summary tables in step with every saved matter, registration, evaluation and event
        (analytics/tallies.py)."""
        from xinfang.petitions.models import Evaluation, Event, Matter, Registration

        for model in (Matter, Registration, Evaluation, Event):
            post_save.connect(_refresh, sender=model, dispatch_uid=f"tally-{model.__name__}")
        for model in (Registration, Evaluation):
            post_delete.connect(_refresh, sender=model, dispatch_uid=f"tally-del-{model.__name__}")
