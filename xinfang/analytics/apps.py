from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _refresh(sender, instance, update_fields=None, **kwargs):
    from xinfang.analytics import tallies

    if sender.__name__ == "Event":
        # Every change a service makes ends with its event row (house rule 3), also the changes that are no
        # transition (a recheck hearing moves clock_due): the conditional UPDATEs before it send no signal.
        tallies.refresh(instance.matter_id)
    elif sender.__name__ == "Matter":
        if not update_fields or {f.removesuffix("_id") for f in update_fields} & tallies.MATTER_COLUMNS:
            tallies.refresh(instance.pk)
    else:
        tallies.refresh(instance.matter_id)


class AnalyticsConfig(AppConfig):
    name = "xinfang.analytics"
    label = "analytics"

    def ready(self):
        """Keep the summary tables in step with every saved matter, registration and evaluation, and with
        every event row (analytics/tallies.py)."""
        from xinfang.petitions.models import Evaluation, Event, Matter, Registration

        for model in (Matter, Registration, Evaluation, Event):
            post_save.connect(_refresh, sender=model, dispatch_uid=f"tally-{model.__name__}")
        for model in (Registration, Evaluation):
            post_delete.connect(_refresh, sender=model, dispatch_uid=f"tally-del-{model.__name__}")
